//! `TestApp`: an in-process meetmock on 127.0.0.1:0 with a chosen scenario, plus helpers.

#![allow(dead_code)]

use meetmock::config::Config;
use meetmock::Running;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A running server and an HTTP client pointed at it.
pub struct TestApp {
    pub running: Running,
    pub base: String,
    pub client: reqwest::Client,
}

/// A response read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    /// The body as JSON (panics with the body when it is not JSON: a test failure).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn test_config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        ..Config::default()
    }
}

impl TestApp {
    /// The server with the embedded demo scenario.
    pub async fn spawn() -> TestApp {
        let config = Config {
            no_demo: false,
            ..test_config()
        };
        let scenarios = meetmock::scenarios_for(&config).expect("demo scenario loads");
        Self::start(config, scenarios).await
    }

    /// The server with only this scenario (YAML text).
    pub async fn spawn_with(yaml: &str) -> TestApp {
        Self::spawn_config(test_config(), yaml).await
    }

    /// The server with this configuration and scenario (YAML text; empty for none).
    pub async fn spawn_config(config: Config, yaml: &str) -> TestApp {
        let vendors = meetmock::vendors::registry();
        let mut scenarios = Vec::new();
        if !config.no_demo {
            scenarios = meetmock::scenarios_for(&Config {
                scenarios: vec![],
                ..config.clone()
            })
            .expect("demo loads");
        }
        if !yaml.trim().is_empty() {
            let s = meetmock::scenario::parse("<test>", yaml, &vendors).unwrap_or_else(|p| {
                panic!(
                    "test scenario invalid:\n{}",
                    p.iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            });
            scenarios.push(s);
        }
        Self::start(config, scenarios).await
    }

    async fn start(config: Config, scenarios: Vec<meetmock::scenario::Scenario>) -> TestApp {
        Self::start_ws(config, scenarios, Vec::new()).await
    }

    /// The server with the demo scenario and extra WebSocket endpoints.
    pub async fn spawn_ws(routes: Vec<meetmock::ws::Route>) -> TestApp {
        let config = Config {
            no_demo: false,
            ..test_config()
        };
        let scenarios = meetmock::scenarios_for(&config).expect("demo scenario loads");
        Self::start_ws(config, scenarios, routes).await
    }

    async fn start_ws(
        config: Config,
        scenarios: Vec<meetmock::scenario::Scenario>,
        routes: Vec<meetmock::ws::Route>,
    ) -> TestApp {
        let running = meetmock::start_extended(config, scenarios, routes)
            .await
            .expect("server starts");
        let base = format!("http://{}", running.addr());
        let client = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .no_proxy()
            .build()
            .unwrap();
        TestApp {
            running,
            base,
            client,
        }
    }

    /// `http://127.0.0.1:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// `https://127.0.0.1:PORT` + path (same port).
    pub fn https_url(&self, path: &str) -> String {
        format!("https://{}{}", self.running.addr(), path)
    }

    /// Sends a request with headers and a raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> Resp {
        let mut rb = self.client.request(method, self.url(path)).body(body);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().await.expect("request sent");
        Resp {
            status: r.status(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap_or_default(),
        }
    }

    /// Sends JSON.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Resp {
        let mut h: Vec<(&str, &str)> = headers.to_vec();
        h.push(("content-type", "application/json; charset=utf-8"));
        self.send(method, path, &h, body.to_string()).await
    }

    /// GET an admin path (`/__admin/...`).
    pub async fn admin_get(&self, path: &str) -> Resp {
        self.send(Method::GET, &format!("/__admin{path}"), &[], "")
            .await
    }

    /// POST JSON to an admin path; asserts 200 and returns the JSON answer.
    pub async fn admin_post(&self, path: &str, body: Value) -> Value {
        let r = self
            .send_json(Method::POST, &format!("/__admin{path}"), &[], &body)
            .await;
        assert_eq!(r.status, StatusCode::OK, "admin {path}: {}", r.text);
        r.json()
    }

    /// POST JSON to an admin path, whatever the answer.
    pub async fn admin_try(&self, method: Method, path: &str, body: Value) -> Resp {
        self.send_json(method, &format!("/__admin{path}"), &[], &body)
            .await
    }

    /// Stops the server clock (advance still moves it): the demo's simulated invitees then
    /// answer only when a test advances the clock.
    pub async fn freeze(&self) {
        self.admin_post("/clock/freeze", serde_json::json!({}))
            .await;
    }

    /// Advances the server clock.
    pub async fn advance_secs(&self, secs: f64) {
        self.admin_post("/clock/advance", serde_json::json!({ "seconds": secs }))
            .await;
    }

    /// How many journaled requests match the admin filter query (`operation=x&status=200`).
    pub async fn count(&self, query: &str) -> u64 {
        self.admin_get(&format!("/requests/count?{query}"))
            .await
            .json()["count"]
            .as_u64()
            .unwrap()
    }
}
