//! Latency models, shared by fault-rule delays and invitee behaviour (ring, stay): a fixed
//! time, a uniform range or a log-normal around a median — as written in scenarios and the
//! admin API, compiled and validated, and sampled from a caller's seeded uniform draws.

use serde::{Deserialize, Serialize};

/// A latency as written: a number of milliseconds, or one of the shapes.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum DelaySpec {
    Fixed(f64),
    Shaped(DelayShape),
}

/// A latency distribution as written: `{fixed_ms}`, `{min_ms, max_ms}` or `{median_ms, sigma}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct DelayShape {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
}

/// A compiled latency, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub enum Delay {
    Fixed(f64),
    Uniform(f64, f64),
    LogNormal { median: f64, sigma: f64 },
}

fn positive(v: f64, what: &str) -> Result<f64, String> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!(
            "{what} must be a non-negative number of milliseconds, got {v}"
        ))
    }
}

impl Delay {
    /// Validates a written latency; `field` names it in messages (`delay`, `ring`, `stay`).
    pub fn compile(d: &DelaySpec, field: &str) -> Result<Delay, String> {
        match d {
            DelaySpec::Fixed(ms) => Ok(Delay::Fixed(positive(*ms, field)?)),
            DelaySpec::Shaped(s) => match (s.fixed_ms, s.min_ms, s.max_ms, s.median_ms, s.sigma) {
                (Some(f), None, None, None, None) => {
                    Ok(Delay::Fixed(positive(f, &format!("{field}.fixed_ms"))?))
                }
                (None, Some(a), Some(b), None, None) => {
                    let a = positive(a, &format!("{field}.min_ms"))?;
                    let b = positive(b, &format!("{field}.max_ms"))?;
                    if a > b {
                        return Err(format!("{field}.min_ms ({a}) is above {field}.max_ms ({b})"));
                    }
                    Ok(Delay::Uniform(a, b))
                }
                (None, None, None, Some(m), Some(s)) => {
                    let m = positive(m, &format!("{field}.median_ms"))?;
                    if !(s.is_finite() && s >= 0.0) {
                        return Err(format!(
                            "{field}.sigma must be a non-negative number, got {s}"
                        ));
                    }
                    Ok(Delay::LogNormal {
                        median: m,
                        sigma: s,
                    })
                }
                _ => Err(format!(
                    "{field} takes a number of ms, {{fixed_ms}}, {{min_ms, max_ms}} or {{median_ms, sigma}}"
                )),
            },
        }
    }

    /// One sample in milliseconds; `uniform` yields independent draws in [0, 1) (at most two
    /// are taken, none for a fixed latency).
    pub fn sample(&self, mut uniform: impl FnMut() -> f64) -> f64 {
        match self {
            Delay::Fixed(ms) => *ms,
            Delay::Uniform(a, b) => a + (b - a) * uniform(),
            Delay::LogNormal { median, sigma } => {
                // Box–Muller from two draws.
                let u1 = uniform().max(f64::MIN_POSITIVE);
                let u2 = uniform();
                let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                median * (sigma * z).exp()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_compile_and_sample_within_their_bounds() {
        let u = Delay::compile(
            &DelaySpec::Shaped(DelayShape {
                min_ms: Some(10.0),
                max_ms: Some(20.0),
                ..Default::default()
            }),
            "ring",
        )
        .unwrap();
        assert_eq!(u.sample(|| 0.5), 15.0);
        let l = Delay::LogNormal {
            median: 100.0,
            sigma: 0.0,
        };
        assert_eq!(l.sample(|| 0.3), 100.0);
        assert_eq!(Delay::Fixed(7.0).sample(|| unreachable!()), 7.0);
    }

    #[test]
    fn bad_latencies_name_their_field() {
        let e = Delay::compile(&DelaySpec::Fixed(-1.0), "stay").unwrap_err();
        assert!(e.starts_with("stay must be"), "{e}");
        let e = Delay::compile(
            &DelaySpec::Shaped(DelayShape {
                min_ms: Some(5.0),
                max_ms: Some(1.0),
                ..Default::default()
            }),
            "ring",
        )
        .unwrap_err();
        assert_eq!(e, "ring.min_ms (5) is above ring.max_ms (1)");
        let e = Delay::compile(&DelaySpec::Shaped(DelayShape::default()), "ring").unwrap_err();
        assert!(e.starts_with("ring takes"), "{e}");
    }
}
