//! Scenarios: YAML (or JSON) files of seed data — tenants per vendor with their credentials,
//! users, meetings in any state, invitee behaviours — plus rate-limit modes and fault rules.
//!
//! `schema` is the file format, `load` parses and validates it (every problem with file, line,
//! column), `apply` writes a validated scenario into the running server. A file with any problem
//! is refused whole.

pub mod apply;
pub mod behaviours;
mod events;
pub mod load;
pub mod schema;

pub use load::{load_paths, parse, Problem, DEMO};
pub use schema::Scenario;
