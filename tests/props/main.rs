//! Property tests (the CI-sized stand-in for fuzzing: cargo-fuzz needs a nightly toolchain this
//! project's machines do not have). Each target feeds arbitrary input to a piece that faces
//! untrusted bytes and asserts it never panics and keeps its invariants. `PROPTEST_CASES`
//! raises the case count for a longer run (see README, "Robustness").

mod dingtalk;
mod feishu;
mod foundation;
mod huawei;
mod mutate;
mod server;
mod tencent;
