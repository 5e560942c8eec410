//! DingTalk HTTP push on the wire, byte-exact (`shared/vendors/dingtalk-events.md` §2.3–§2.4;
//! open.dingtalk.com "HTTP回调概述"; the official helper `DingCallbackCrypto` of
//! open-dingtalk/DingTalk-Callback-Crypto):
//!
//! - key = `base64(aes_key + "=")`, 32 bytes, decoded leniently (a random 43-character key
//!   usually leaves non-zero trailing bits, which the helpers accept);
//! - plaintext block = `random(16 ASCII) ‖ u32_be(len(msg bytes)) ‖ msg ‖ ownerKey`, PKCS#7
//!   padded to a multiple of **32**, AES-256-CBC with `iv = key[0..16]`, standard Base64, no
//!   IV in the output;
//! - signature = `sha1_hex(concat(sort([token, timestamp, nonce, encrypt])))`.
//!
//! Pinned by the notes' test vectors below (the helper's own and a generated one).

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::Engine as _;
use sha1::{Digest, Sha1};

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

/// Block size of the padding (DingTalk pads to 32, not AES's 16).
const PAD_BLOCK: usize = 32;

/// Standard Base64 that accepts non-zero trailing bits (as Python's and Java's decoders do).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Characters of the console's EncodingAESKey.
pub const AES_KEY_LEN: usize = 43;

/// The 32-byte AES key of a 43-character `aes_key`, or why it is not one.
pub fn aes_key(aes_key: &str) -> Result<[u8; 32], String> {
    let n = aes_key.chars().count();
    if n != AES_KEY_LEN {
        return Err(format!(
            "must be {AES_KEY_LEN} characters (the Base64 of a 32-byte AES key without its \
             trailing '='), not {n}"
        ));
    }
    if let Some(c) = aes_key.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(format!(
            "must be letters and digits only (the console's aes_key), found {c:?}"
        ));
    }
    let bytes = LENIENT
        .decode(format!("{aes_key}="))
        .map_err(|e| format!("is not Base64: {e}"))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("decodes to {} bytes, not 32", b.len()))
}

/// The `encrypt` field: Base64 of the padded, encrypted block (see the module documentation).
pub fn encrypt(key: &[u8; 32], random: &[u8; 16], msg: &[u8], owner: &str) -> String {
    let mut block = Vec::with_capacity(20 + msg.len() + owner.len() + PAD_BLOCK);
    block.extend_from_slice(random);
    block.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    block.extend_from_slice(msg);
    block.extend_from_slice(owner.as_bytes());
    let pad = PAD_BLOCK - block.len() % PAD_BLOCK;
    block.resize(block.len() + pad, pad as u8);
    let iv: [u8; 16] = iv(key);
    let ct = Enc::new(key.into(), &iv.into()).encrypt_padded_vec_mut::<NoPadding>(&block);
    STANDARD.encode(ct)
}

fn iv(key: &[u8; 32]) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&key[..16]);
    iv
}

/// A decrypted block: the random prefix, the message and the owner key that followed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub random: Vec<u8>,
    pub msg: Vec<u8>,
    pub owner: Vec<u8>,
}

/// Opens an `encrypt` field. Whitespace in the Base64 is ignored (the Python helper wraps it
/// every 76 characters and ends it with a newline); the padding is read as the helpers read
/// it (its last byte, 1..=32).
pub fn decrypt(key: &[u8; 32], b64: &str) -> Result<Opened, String> {
    let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let ct = LENIENT
        .decode(compact)
        .map_err(|e| format!("encrypt is not Base64: {e}"))?;
    if ct.is_empty() || !ct.len().is_multiple_of(16) {
        return Err(format!(
            "encrypt is {} bytes, not a whole number of AES blocks",
            ct.len()
        ));
    }
    let iv = iv(key);
    let plain = Dec::new(key.into(), &iv.into())
        .decrypt_padded_vec_mut::<NoPadding>(&ct)
        .map_err(|e| format!("encrypt does not decrypt: {e}"))?;
    let pad = plain.last().copied().unwrap_or(0) as usize;
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err("the padding is corrupt (wrong aes_key?)".into());
    }
    let body = &plain[..plain.len() - pad];
    if body.len() < 20 {
        return Err("the block is too short (wrong aes_key?)".into());
    }
    let len = u32::from_be_bytes([body[16], body[17], body[18], body[19]]) as usize;
    let end = 20usize.saturating_add(len);
    if end > body.len() {
        return Err("the length field exceeds the block (wrong aes_key?)".into());
    }
    Ok(Opened {
        random: body[..16].to_vec(),
        msg: body[20..end].to_vec(),
        owner: body[end..].to_vec(),
    })
}

/// `sha1_hex(concat(sort([token, timestamp, nonce, encrypt])))`, lower-case.
pub fn signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    let mut parts = [token, timestamp, nonce, encrypt];
    parts.sort_unstable();
    let mut h = Sha1::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// `N` ASCII letters and digits drawn from `bytes` (the helpers' random prefix and nonces are
/// alphanumeric).
pub fn alnum<const N: usize>(bytes: [u8; N]) -> [u8; N] {
    const SET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    bytes.map(|b| SET[b as usize % SET.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The helper's own vector (DingCallbackCrypto3.py `__main__`, notes §2.3).
    const H_TOKEN: &str = "mryue";
    const H_AES: &str = "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7";
    const H_OWNER: &str = "ding6ccabc44d2c8d38b";
    const H_ENCRYPT: &str = "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3";
    const CHECK_URL: &str = r#"{"EventType":"check_url"}"#;

    #[test]
    fn the_helper_vector_verifies_decrypts_and_re_encrypts_byte_for_byte() {
        assert_eq!(
            signature(H_TOKEN, "1608001896814", "WL4PK6yA", H_ENCRYPT),
            "03044561471240d4a14bb09372dfcfd4fd0e40cb"
        );
        let key = aes_key(H_AES).unwrap();
        let opened = decrypt(&key, H_ENCRYPT).unwrap();
        assert_eq!(opened.msg, CHECK_URL.as_bytes());
        assert_eq!(opened.owner, H_OWNER.as_bytes());
        let random: [u8; 16] = opened.random.clone().try_into().unwrap();
        assert_eq!(
            encrypt(&key, &random, CHECK_URL.as_bytes(), H_OWNER),
            H_ENCRYPT
        );
    }

    #[test]
    fn the_generated_vector_encrypts_and_signs_byte_for_byte() {
        let key = aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap();
        let encrypt = encrypt(
            &key,
            b"0123456789abcdef",
            CHECK_URL.as_bytes(),
            "dingmockappkey",
        );
        assert_eq!(
            encrypt,
            "Q3stYC6hdFzMh9T8HCvyDLV8JeomtQuxZLosYEI28mjzSD5UpK2hp0QUc4H6M/N5dl4JiaK40/8J/girpnGCyA=="
        );
        assert_eq!(
            signature("mocktoken", "1700000000000", "nonce123", &encrypt),
            "1c0b57a93eb6741c2c2b34348cf557d5ee065d38"
        );
    }

    #[test]
    fn the_length_counts_utf8_bytes_and_padding_fills_whole_32_byte_blocks() {
        let key = aes_key(H_AES).unwrap();
        for msg in ["", "a", "会议参会者", &"x".repeat(12), &"y".repeat(44)] {
            let b64 = encrypt(&key, b"ABCDEFGHIJKLMNOP", msg.as_bytes(), "o");
            let ct = STANDARD.decode(&b64).unwrap();
            assert_eq!(ct.len() % 32, 0, "{msg:?}");
            let raw = 20 + msg.len() + 1;
            assert_eq!(ct.len(), (raw / 32 + 1) * 32, "pad 1..=32 for {msg:?}");
            let opened = decrypt(&key, &b64).unwrap();
            assert_eq!(opened.msg, msg.as_bytes());
            assert_eq!(opened.owner, b"o");
        }
    }

    #[test]
    fn line_wrapped_base64_as_the_python_helper_writes_it_opens() {
        let key = aes_key(H_AES).unwrap();
        let b64 = encrypt(&key, b"ABCDEFGHIJKLMNOP", b"success", H_OWNER);
        let wrapped = format!("{}\n{}\n", &b64[..20], &b64[20..]);
        assert_eq!(decrypt(&key, &wrapped).unwrap().msg, b"success");
        assert!(decrypt(&key, "not base64!").is_err());
        assert!(decrypt(
            &aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG").unwrap(),
            &b64
        )
        .map(|o| o.msg != b"success")
        .unwrap_or(true));
    }

    #[test]
    fn malformed_aes_keys_are_refused_with_the_reason() {
        assert!(aes_key("short").unwrap_err().contains("43 characters"));
        let bad = format!("{}+", &H_AES[..42]);
        assert!(aes_key(&bad).unwrap_err().contains("letters and digits"));
        assert!(aes_key(&"é".repeat(43)).unwrap_err().contains("letters"));
        // Non-zero trailing bits are accepted, as the helpers accept them.
        assert!(aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFH").is_ok());
    }

    #[test]
    fn the_random_prefix_and_nonces_are_alphanumeric() {
        let r = alnum([
            0u8, 61, 62, 255, 128, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
        ]);
        assert!(r.iter().all(u8::is_ascii_alphanumeric));
    }
}
