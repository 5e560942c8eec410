//! Fault rules: scenario-declared errors, latency, broken connections and custom answers,
//! matched against each request before auth (see DESIGN.md decision 5).

mod engine;
mod matcher;
mod rule;
pub mod watch;

pub use engine::{Decision, FaultEngine, FaultInput};
pub use rule::{Action, ConnectionFault, Delay, Rule, RuleSpec};

#[cfg(test)]
mod tests;
