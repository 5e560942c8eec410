//! Fault rules: scenario-declared errors, latency, broken connections and custom answers,
//! matched against each request before auth (see DESIGN.md decision 5), and faults on event
//! deliveries (`delivery.rs`: drop, delay, duplicate, reorder, corrupt signature, dead URL).

mod delivery;
mod engine;
mod matcher;
mod rule;
pub mod watch;

pub use delivery::{DeliveryDecision, DeliveryFault, DeliveryInput, Target};
pub use engine::{Decision, FaultEngine, FaultInput};
pub use rule::{Action, ConnectionFault, Delay, Rule, RuleSpec};

#[cfg(test)]
mod tests;
