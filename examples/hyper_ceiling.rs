//! The benchmark ceiling: a bare hyper 1.x server that only matches the request path and
//! answers fixed JSON — what meetmock is compared with in `bench/run.sh`. Same runtime shape as
//! meetmock (`--threads`), same HTTP/1.1 settings (keep-alive, title-case headers).
//!
//! `cargo run --release --example hyper_ceiling -- 127.0.0.1:8090 1`

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use tokio::net::TcpListener;

const INVITE_OK: &str = r#"{"code":0,"msg":"success","data":{"invite_results":[{"id":"ou_guest_0000","user_type":1,"status":1}]}}"#;

async fn answer(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let matched = req.uri().path().starts_with("/open-apis/vc/v1/meetings/")
        && req.uri().path().ends_with("/invite");
    // Read the body like a real server must.
    let _ = req.into_body().collect().await;
    let mut resp = Response::new(Full::new(Bytes::from_static(if matched {
        INVITE_OK.as_bytes()
    } else {
        b"404 page not found"
    })));
    if !matched {
        *resp.status_mut() = StatusCode::NOT_FOUND;
    }
    resp.headers_mut().insert(
        "content-type",
        http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp.headers_mut().insert(
        "x-tt-logid",
        http::HeaderValue::from_static("202611210000000000000000000000"),
    );
    Ok(resp)
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8090".into());
    let threads: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(&addr).await?;
        println!(
            "hyper ceiling listening on http://{}",
            listener.local_addr()?
        );
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .keep_alive(true)
                    .title_case_headers(true)
                    .serve_connection(TokioIo::new(stream), service_fn(answer))
                    .await;
            });
        }
    })
}
