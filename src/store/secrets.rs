//! Unrepeatable material for credentials and request ids, kept apart from the seeded [`Ids`].
//!
//! Seeded ids (meeting ids, codes, participant ids) must be reproducible from `--seed`; issued
//! credentials (access, refresh and control tokens, login codes), request ids and event ids must never
//! repeat — not across tenants, not after `POST /__admin/reset`, not after a restart — or a
//! client's cached token from before a reset would silently act for whichever tenant was handed
//! the same value next. So they come from here, never from [`Ids`]:
//!
//! Every draw is one 128-bit block `E_key(nonce, n)`: a 4-round Feistel permutation of the pair
//! (a 64-bit nonce, a 64-bit draw counter). The key is random per process (OS entropy), the
//! nonce is random and drawn anew on every reset, the counter never goes back within a process.
//! A Feistel network is a bijection whatever its round function, so within one process no two
//! blocks are ever equal (the counter alone already makes every input distinct); across
//! processes the keys are independent random values (a repeat is a 2⁻¹²⁸ accident). Values
//! longer than one block take further blocks. Lock-free: three atomics.
//!
//! [`Ids`]: super::Ids

use super::splitmix64;
use std::sync::atomic::{AtomicU64, Ordering};

/// The source of credential values and request ids.
#[derive(Debug)]
pub struct Secrets {
    /// Round keys of the permutation, random per process.
    keys: [u64; 4],
    /// Random; drawn anew by [`Secrets::rekey`] on every reset.
    nonce: AtomicU64,
    /// Blocks drawn since the process started; never reset.
    counter: AtomicU64,
}

/// 64 bits of OS entropy, or (if the OS refuses, which it does not on any supported system)
/// a mix of the clock, the process id and a stack address.
fn entropy() -> u64 {
    let mut buf = [0u8; 8];
    if getrandom::getrandom(&mut buf).is_ok() {
        return u64::from_le_bytes(buf);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let here = &buf as *const _ as u64;
    splitmix64(now ^ u64::from(std::process::id()).rotate_left(32) ^ here)
}

impl Default for Secrets {
    fn default() -> Self {
        Secrets::new()
    }
}

impl Secrets {
    /// A source with fresh random keys and nonce.
    pub fn new() -> Self {
        Secrets {
            keys: [entropy(), entropy(), entropy(), entropy()],
            nonce: AtomicU64::new(entropy()),
            counter: AtomicU64::new(0),
        }
    }

    /// Draws a new nonce (reset): nothing issued before can be issued again.
    pub fn rekey(&self) {
        self.nonce.store(entropy(), Ordering::Relaxed);
    }

    /// The next 128-bit block, as (high, low).
    fn block(&self) -> (u64, u64) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let (mut l, mut r) = (self.nonce.load(Ordering::Relaxed), n);
        for k in self.keys {
            (l, r) = (r, l ^ splitmix64(r ^ k));
        }
        (l, r)
    }

    /// One unrepeatable 128-bit value (event dedupe ids: `src/events/`).
    pub fn next_u128(&self) -> u128 {
        let (h, l) = self.block();
        (u128::from(h) << 64) | u128::from(l)
    }

    /// Appends `len` hexadecimal characters to `out`.
    pub fn push_hex(&self, out: &mut String, len: usize, upper: bool) {
        let table: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        let mut left = len;
        while left > 0 {
            let (hi, lo) = self.block();
            let v = (u128::from(hi) << 64) | u128::from(lo);
            for i in 0..32.min(left) {
                out.push(table[((v >> (124 - 4 * i)) & 0xf) as usize] as char);
                left -= 1;
            }
        }
    }

    /// `len` lower-case hexadecimal characters (32 = exactly one block).
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn blocks_never_repeat_across_rekeys() {
        let s = Secrets::new();
        let mut seen = HashSet::new();
        for round in 0..4 {
            for _ in 0..5_000 {
                assert!(seen.insert(s.hex(32)), "repeat in round {round}");
            }
            s.rekey();
        }
    }

    #[test]
    fn two_sources_share_nothing() {
        let (a, b) = (Secrets::new(), Secrets::new());
        let xs: HashSet<String> = (0..1000).map(|_| a.hex(32)).collect();
        assert!((0..1000).all(|_| !xs.contains(&b.hex(32))));
    }

    #[test]
    fn lengths_and_case_are_as_asked() {
        let s = Secrets::new();
        let v = s.hex(48);
        assert_eq!(v.len(), 48);
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        let u = s.hex_upper(16);
        assert_eq!(u.len(), 16);
        assert!(u
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
    }
}
