//! Scenarios: YAML (or JSON) files of seed data — tenants per vendor with their credentials,
//! users, meetings in any state, invitee behaviours — plus rate-limit modes and fault rules.
//!
//! `schema` is the file format, `load` parses and validates it (every problem with file, line,
//! column; `recover` finds them all when the file does not even parse), `sources` resolves
//! paths and library names, `library` is the embedded `scenarios/` directory, `apply` writes a
//! validated scenario into the running server. A file with any problem is refused whole.

pub mod apply;
pub mod behaviours;
mod events;
pub mod library;
pub mod load;
mod recover;
pub mod schema;
pub mod sources;

pub use load::{parse, Problem, DEMO};
pub use schema::Scenario;
pub use sources::{load_paths, Source};
