//! The subcommands that print — `check`, `routes`, `scenarios`, `health` — with output that
//! survives its reader going away: `meetmock routes | head` ends quietly with success when
//! `head` closes the pipe (Rust's `println!` would panic on the broken pipe).

use crate::scenario::{library, sources, Source};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// What a command's output ends as: a closed pipe is success (the reader had enough).
fn finish(written: io::Result<ExitCode>) -> ExitCode {
    match written {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// `meetmock check PATH…`: every problem of every file on stderr, `file: ok (…)` on stdout.
pub fn check(paths: &[PathBuf]) -> ExitCode {
    finish(check_to(
        paths,
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    ))
}

fn check_to(paths: &[PathBuf], out: &mut impl Write, err: &mut impl Write) -> io::Result<ExitCode> {
    let vendors = crate::vendors::registry();
    let found = match sources::resolve(paths) {
        Ok(f) => f,
        Err(p) => {
            writeln!(err, "meetmock check: {p}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    if found.is_empty() {
        writeln!(err, "meetmock check: no scenario files found")?;
        return Ok(ExitCode::FAILURE);
    }
    let mut bad = 0;
    for f in &found {
        match f.load(&vendors) {
            Ok(s) => writeln!(
                out,
                "{}: ok ({} tenants, {} behaviours, {} fault rules)",
                describe(f),
                s.tenants.len(),
                s.tenants.iter().map(|t| t.behaviours.len()).sum::<usize>(),
                s.faults.len()
            )?,
            Err(problems) => {
                bad += 1;
                for p in problems {
                    writeln!(err, "{p}")?;
                }
            }
        }
    }
    Ok(if bad > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn describe(s: &Source) -> String {
    match s {
        Source::File(_) => s.name(),
        Source::Library { file, .. } => format!("{file} (library)"),
    }
}

/// `meetmock routes [--json]`
pub fn routes(json: bool) -> ExitCode {
    finish(routes_to(json, &mut io::stdout().lock()).map(|()| ExitCode::SUCCESS))
}

fn routes_to(json: bool, out: &mut impl Write) -> io::Result<()> {
    let vendors = crate::vendors::registry();
    let rows = vendors.iter().flat_map(|v| {
        v.routes().iter().map(move |r| {
            (
                v.id().as_str(),
                r.method.as_str(),
                r.path,
                r.operation,
                r.auth.describe(),
            )
        })
    });
    if json {
        let list: Vec<serde_json::Value> = rows
            .map(|(v, m, p, o, a)| serde_json::json!({"vendor": v, "method": m, "path": p, "operation": o, "auth": a}))
            .collect();
        return writeln!(out, "{}", serde_json::Value::Array(list));
    }
    writeln!(
        out,
        "{:<9} {:<7} {:<70} {:<36} AUTH",
        "VENDOR", "METHOD", "PATH", "OPERATION"
    )?;
    for (v, m, p, o, a) in rows {
        writeln!(out, "{v:<9} {m:<7} {p:<70} {o:<36} {a}")?;
    }
    Ok(())
}

/// `meetmock scenarios [NAME]`: the library, or one of its files.
pub fn scenarios(name: Option<&str>) -> ExitCode {
    finish(scenarios_to(
        name,
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    ))
}

fn scenarios_to(
    name: Option<&str>,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<ExitCode> {
    let Some(name) = name else {
        for (file, text) in library::LIBRARY {
            let stem = file.strip_suffix(".yaml").unwrap_or(file);
            writeln!(out, "{stem:<34} {}", library::description(text))?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    match library::find(name) {
        Some((_, text)) => {
            out.write_all(text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let hint = library::suggest(name)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            writeln!(
                err,
                "meetmock scenarios: no scenario {name:?} in the library{hint}; `meetmock scenarios` lists them"
            )?;
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `meetmock health`: the health answer on stdout, or why not on stderr.
pub fn health(addr: std::net::SocketAddr, timeout_ms: u64) -> ExitCode {
    let timeout = std::time::Duration::from_millis(timeout_ms);
    let written = match crate::probe::check(addr, timeout) {
        Ok(body) => writeln!(io::stdout().lock(), "{body}").map(|()| ExitCode::SUCCESS),
        Err(e) => writeln!(io::stderr().lock(), "meetmock health: {e}").map(|()| ExitCode::FAILURE),
    };
    finish(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that went away after `room` bytes.
    struct ClosedAfter {
        room: usize,
    }

    impl Write for ClosedAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_a_listing_with_success() {
        let got = routes_to(false, &mut ClosedAfter { room: 300 });
        assert_eq!(got.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(
            finish(Err(io::ErrorKind::BrokenPipe.into())),
            ExitCode::SUCCESS
        );
        let got = scenarios_to(None, &mut ClosedAfter { room: 10 }, &mut io::sink());
        assert_eq!(got.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}
