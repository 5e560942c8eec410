//! What `serve` writes on stderr: the log — text or JSON lines (`--log-format`), filtered by
//! `--log` / `MEETMOCK_LOG`, with one INFO line per request under the target `request` (see
//! [`request`]) — and the start-up banner (`banner.rs`).
//!
//! Lines are formatted on the request's thread and handed to a writer thread
//! (`tracing-appender`), which writes them in batches: a slow or full stderr (a test fixture
//! that stopped reading its pipe) never stalls a request; lines are dropped instead. Colour
//! only when stderr is a terminal and `NO_COLOR` is unset or empty (<https://no-color.org>).

mod banner;

pub use banner::banner;

use crate::config::LogFormat;
use std::ffi::OsStr;
use std::io::IsTerminal;
use tracing_appender::non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// The log target of the per-request lines: `MEETMOCK_LOG=info,request=off` turns them off.
pub const REQUEST_TARGET: &str = "request";

/// Lines queued for the writer thread before new ones are dropped.
const LINES: usize = 8_192;

/// The running log: keep it until exit (dropping it flushes what is still queued).
pub struct Logger {
    /// A handle on the writer thread, for lines written outside `tracing` (the banner).
    pub writer: NonBlocking,
    pub format: LogFormat,
    _guard: WorkerGuard,
}

/// True when log lines may carry colour codes.
pub fn colour(stderr_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Checks a `--log` filter without installing it.
pub fn parse_filter(filter: &str) -> Result<EnvFilter, String> {
    EnvFilter::builder()
        .parse(filter)
        .map_err(|e| format!("--log {filter:?} (MEETMOCK_LOG) is not a log filter: {e}; e.g. info, warn, debug, info,request=off"))
}

/// Installs the global subscriber writing to stderr through the writer thread.
pub fn init(format: LogFormat, filter: &str) -> Result<Logger, String> {
    let filter = parse_filter(filter)?;
    // The writer thread flushes after each batch it drains; a larger buffer makes one write
    // of a busy batch instead of one per 8 KiB.
    let stderr = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
    // The queue holds LINES lines (tracing-appender's default, 128,000, touches ~6 MiB at
    // start: a third of the idle process). The writer drains a batch per wake-up, so a
    // shorter queue drops nothing at bench rates (bench/logs.py counts the lines that arrive).
    let (writer, guard) = NonBlockingBuilder::default()
        .buffered_lines_limit(LINES)
        .lossy(true)
        .thread_name("meetmock-log")
        .finish(stderr);
    let ansi = colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer.clone())
        .with_ansi(ansi)
        .with_target(false);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(|e| format!("cannot install the logger: {e}"))?;
    Ok(Logger {
        writer,
        format,
        _guard: guard,
    })
}

/// What one answered request logs.
pub struct RequestLine<'a> {
    pub method: &'a http::Method,
    /// The path without its query (which may carry credentials).
    pub path: &'a str,
    /// The vendor, `admin`, or `none` when no vendor owns the path.
    pub vendor: &'a str,
    pub operation: Option<&'a str>,
    pub status: u16,
    pub code: Option<&'a str>,
    pub fault: Option<&'a str>,
    pub tenant: Option<&'a str>,
    pub micros: u64,
}

/// The INFO line of one answered request (target [`REQUEST_TARGET`]): method, path, vendor,
/// operation, status, vendor code, fault rule, tenant, µs. Absent values are left out. When
/// the target is filtered out this costs one relaxed atomic load.
pub fn request(line: &RequestLine<'_>) {
    tracing::info!(
        target: "request",
        method = %line.method,
        path = %line.path,
        vendor = %line.vendor,
        operation = line.operation.map(display),
        status = line.status,
        code = line.code.map(display),
        fault = line.fault.map(display),
        tenant = line.tenant.map(display),
        us = line.micros,
        "request"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, None));
        assert!(colour(true, Some(OsStr::new(""))));
        assert!(!colour(true, Some(OsStr::new("1"))));
        assert!(!colour(false, None));
    }

    #[test]
    fn a_bad_filter_is_refused_with_examples() {
        assert!(parse_filter("info,request=off").is_ok());
        let e = parse_filter("info,request=loud").unwrap_err();
        assert!(
            e.starts_with("--log \"info,request=loud\" (MEETMOCK_LOG) is not a log filter: "),
            "{e}"
        );
        assert!(
            e.ends_with("e.g. info, warn, debug, info,request=off"),
            "{e}"
        );
    }
}
