//! The server's shared state: configuration, store, vendor registry and router, journal,
//! fault engine, rate limiter, event engine and the loaded scenarios (what `reset` returns to).

use crate::config::Config;
use crate::events::Engine;
use crate::faults::FaultEngine;
use crate::journal::Journal;
use crate::ratelimit::RateLimiter;
use crate::scenario::{self, Scenario};
use crate::store::{Store, VendorId};
use crate::vendors::router::{RouteConflict, Router};
use crate::vendors::{registry, Vendor};
use parking_lot::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Counters for health and benchmarks.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    /// Handler panics caught and answered as the vendor's internal error.
    pub panics: AtomicU64,
}

/// Everything a request can reach.
pub struct App {
    pub config: Config,
    pub store: Store,
    pub vendors: Vec<Box<dyn Vendor>>,
    pub router: Router,
    pub journal: Journal,
    pub faults: FaultEngine,
    pub limiter: RateLimiter,
    /// Event delivery: subscriptions' outbox and sender (`src/events/`).
    pub events: Arc<Engine>,
    /// WebSocket endpoints and their open sessions (`src/ws/`).
    pub ws: crate::ws::Ws,
    /// Scenarios applied so far, in order: `reset` re-applies them to an empty store. Written
    /// when a scenario is loaded, read on reset; never touched by vendor requests.
    pub scenarios: RwLock<Vec<Scenario>>,
    pub stats: Stats,
    pub started: Instant,
    /// `--state-file` bookkeeping: last write, failures (health), background touches.
    pub persist: crate::statefile::Persist,
    /// Flipped to `true` when the server starts shutting down, so long-lived answers (the
    /// dashboard's live stream) end at once instead of holding graceful shutdown open.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

impl App {
    /// Builds the state and applies `scenarios` in order.
    pub fn new(config: Config, scenarios: Vec<Scenario>) -> Result<App, RouteConflict> {
        App::with_websockets(config, scenarios, Vec::new())
    }

    /// Builds the state with extra WebSocket endpoints beside the vendors' and the event
    /// engine's (an embedding program's own; the integration tests' probes).
    pub fn with_websockets(
        config: Config,
        scenarios: Vec<Scenario>,
        extra: Vec<crate::ws::Route>,
    ) -> Result<App, RouteConflict> {
        let vendors = registry();
        let router = Router::new(&vendors)?;
        let mut ws_routes: Vec<crate::ws::Route> =
            vendors.iter().flat_map(|v| v.websockets()).collect();
        ws_routes.extend(crate::events::live::routes(&vendors));
        ws_routes.extend(extra);
        let ws = crate::ws::Ws::new(ws_routes)?;
        let store = Store::new(config.seed, config.strict_tenants);
        let events = Engine::new(
            config.events_capacity,
            Arc::clone(&store.subscriptions),
            &vendors,
        );
        store.changes.add_sink(events.sink());
        let app = App {
            store,
            events,
            ws,
            journal: Journal::new(config.journal_capacity),
            faults: FaultEngine::new(config.seed),
            limiter: RateLimiter::default(),
            vendors,
            router,
            scenarios: RwLock::new(Vec::new()),
            stats: Stats::default(),
            started: Instant::now(),
            persist: crate::statefile::Persist::default(),
            stopping: tokio::sync::watch::channel(false).0,
            config,
        };
        for s in scenarios {
            app.load_scenario(s);
        }
        Ok(app)
    }

    /// The registered vendor with this id.
    pub fn vendor(&self, id: VendorId) -> &dyn Vendor {
        // The registry holds all four vendors (see vendors::registry), so the lookup always
        // succeeds; fall back to the first vendor rather than panic.
        self.vendors
            .iter()
            .find(|v| v.id() == id)
            .unwrap_or(&self.vendors[0])
            .as_ref()
    }

    /// Applies a scenario now and remembers it for reset.
    pub fn load_scenario(&self, s: Scenario) {
        scenario::apply::apply(self, &s);
        self.scenarios.write().push(s);
    }

    /// Back to the loaded scenarios' initial state: store, journal, counters, rules, clock,
    /// invitee behaviours (the scenarios' own; planned call steps are dropped), subscriptions;
    /// the outbox is emptied.
    pub fn reset(&self) {
        let scenarios = self.scenarios.read().clone();
        self.store.clear();
        self.store.living.set_declarations(Vec::new());
        self.events.clear();
        self.journal.clear();
        self.limiter.clear();
        self.faults.clear();
        for s in &scenarios {
            scenario::apply::apply(self, s);
        }
    }

    /// Requests served so far.
    pub fn requests(&self) -> u64 {
        self.stats.requests.load(Ordering::Relaxed)
    }
}
