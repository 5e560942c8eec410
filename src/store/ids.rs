//! Deterministic id generation from one seed.
//!
//! Ids are `splitmix64(seed + n)` for a global counter `n`, so the same `--seed` and the same
//! request sequence produce the same ids, with no lock: the counter is one atomic.

use std::sync::atomic::{AtomicU64, Ordering};

/// The seeded id source shared by the whole server.
#[derive(Debug)]
pub struct Ids {
    seed: u64,
    /// Number of values drawn so far; the only mutable state.
    counter: AtomicU64,
}

/// One step of SplitMix64: a fast, well-mixed bijection on u64.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Ids {
    /// A source seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Ids {
            seed,
            counter: AtomicU64::new(0),
        }
    }

    /// The seed this source was built with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many values were drawn (state export).
    pub fn drawn(&self) -> u64 {
        self.counter.load(Ordering::Relaxed)
    }

    /// Restores the draw count (state import, reset).
    pub fn set_drawn(&self, n: u64) {
        self.counter.store(n, Ordering::Relaxed);
    }

    /// The next 64 random bits.
    pub fn next_u64(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        splitmix64(
            self.seed
                .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        )
    }

    /// A string of exactly `len` decimal digits whose first digit is not zero.
    pub fn digits(&self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        while out.len() < len {
            let mut v = self.next_u64();
            for _ in 0..18 {
                if out.len() == len {
                    break;
                }
                let d = (v % 10) as u8;
                v /= 10;
                if out.is_empty() && d == 0 {
                    continue;
                }
                out.push((b'0' + d) as char);
            }
        }
        out
    }

    /// `len` lower-case hexadecimal characters.
    pub fn hex(&self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        self.push_hex(&mut out, len, false);
        out
    }

    /// `len` upper-case hexadecimal characters.
    pub fn hex_upper(&self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        self.push_hex(&mut out, len, true);
        out
    }

    /// Appends `len` hexadecimal characters to `out` (no allocation beyond `out`'s growth).
    /// Seeded digits, low nibble first — not an encoding of bytes (so not the `hex` crate):
    /// ids built from them are compared by tests and must not change.
    pub fn push_hex(&self, out: &mut String, len: usize, upper: bool) {
        let table: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let mut left = len;
        while left > 0 {
            let mut v = self.next_u64();
            for _ in 0..16.min(left) {
                out.push(table[(v & 0xf) as usize] as char);
                v >>= 4;
                left -= 1;
            }
        }
    }

    /// A number in `0..bound` (bound > 0).
    pub fn below(&self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_sequence() {
        let a = Ids::new(7);
        let b = Ids::new(7);
        assert_eq!(a.digits(19), b.digits(19));
        assert_eq!(a.hex(32), b.hex(32));
    }

    #[test]
    fn digits_have_requested_length_and_no_leading_zero() {
        let ids = Ids::new(1);
        for _ in 0..200 {
            let d = ids.digits(9);
            assert_eq!(d.len(), 9);
            assert!(!d.starts_with('0'));
            assert!(d.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
