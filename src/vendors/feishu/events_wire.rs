//! Feishu event delivery on the wire, byte-exact (`shared/vendors/feishu-events.md` §2.5,
//! open.feishu.cn "Encrypt Key 加密配置示例" / 接收事件): AES-256-CBC encryption of the event
//! body with key = SHA-256(encrypt_key), a random IV prepended, PKCS#7 padding, standard
//! base64; and the signature `hex(sha256(timestamp ‖ nonce ‖ encrypt_key ‖ raw body))`.
//! Pinned by the notes' test vectors below.

use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use sha2::{Digest, Sha256};

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

/// `base64_std(iv ‖ AES-256-CBC(SHA-256(encrypt_key), iv, pkcs7(plaintext)))`.
pub fn encrypt(encrypt_key: &str, iv: [u8; 16], plaintext: &[u8]) -> String {
    let key: [u8; 32] = Sha256::digest(encrypt_key.as_bytes()).into();
    let ciphertext =
        Aes256CbcEnc::new(&key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let mut blob = Vec::with_capacity(16 + ciphertext.len());
    blob.extend_from_slice(&iv);
    blob.extend_from_slice(&ciphertext);
    base64::engine::general_purpose::STANDARD.encode(blob)
}

/// The body of an encrypted delivery: `{"encrypt":"…"}`, compact (the node SDK re-serialises
/// the parsed body with `JSON.stringify` before hashing, so any other layout fails there).
pub fn encrypted_body(encrypt_key: &str, iv: [u8; 16], plaintext: &[u8]) -> Vec<u8> {
    let b64 = encrypt(encrypt_key, iv, plaintext);
    let mut body = Vec::with_capacity(b64.len() + 14);
    body.extend_from_slice(b"{\"encrypt\":\"");
    body.extend_from_slice(b64.as_bytes());
    body.extend_from_slice(b"\"}");
    body
}

/// `X-Lark-Signature`: lower-case hex SHA-256 of timestamp, nonce, encrypt key and the raw body.
pub fn signature(timestamp: &str, nonce: &str, encrypt_key: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(timestamp.as_bytes());
    h.update(nonce.as_bytes());
    h.update(encrypt_key.as_bytes());
    h.update(body);
    hex(&h.finalize())
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const T: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(T[(b >> 4) as usize] as char);
        s.push(T[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockDecryptMut;

    type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

    /// Decrypts as lark-oapi's `AESCipher.decrypt` does (strict PKCS#7).
    fn decrypt(encrypt_key: &str, b64: &str) -> Vec<u8> {
        let key: [u8; 32] = Sha256::digest(encrypt_key.as_bytes()).into();
        let blob = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert!(blob.len() >= 32 && blob.len().is_multiple_of(16));
        let (iv, ct) = blob.split_at(16);
        let iv: [u8; 16] = iv.try_into().unwrap();
        Aes256CbcDec::new(&key.into(), &iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(ct)
            .unwrap()
    }

    const IV: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    const CHALLENGE: &str = r#"{"challenge":"ajls384kdjxxxx","token":"mock-verification-token","type":"url_verification"}"#;
    const ENCRYPTED: &str = "AAECAwQFBgcICQoLDA0OD5xK4lVqRz3snAOJRJgiNIsBr43gjZJFJj7p0jUWkBKU0FvfuqQKU2ZX2qwx9WujkNyJ21skS+hHi1bzDfhjp2aCxBIvxLQ4thgJzqUqWzJ9UyHCmhxT7PnZa9OKWtsuxg==";

    #[test]
    fn the_doc_vector_decrypts_to_hello_world() {
        assert_eq!(
            decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="),
            b"hello world"
        );
    }

    #[test]
    fn the_notes_vector_encrypts_byte_for_byte() {
        let key = "mock-encrypt-key";
        assert_eq!(
            hex(&Sha256::digest(key.as_bytes())),
            "4a4af6023f8a61ae22d05ec3b3552a9180c034aae2bf7850dec12c8fcc61f9ae"
        );
        assert_eq!(encrypt(key, IV, CHALLENGE.as_bytes()), ENCRYPTED);
        assert_eq!(decrypt(key, ENCRYPTED), CHALLENGE.as_bytes());
    }

    #[test]
    fn the_notes_vector_signs_the_compact_body() {
        let body = encrypted_body("mock-encrypt-key", IV, CHALLENGE.as_bytes());
        assert_eq!(
            body,
            format!("{{\"encrypt\":\"{ENCRYPTED}\"}}").into_bytes()
        );
        assert_eq!(
            signature("1700000000", "n0nce", "mock-encrypt-key", &body),
            "5141deb3c9cfddfa3dbd3c3b8ff29723096f1991678ad9ec1ee4692c6b9bfe22"
        );
    }

    #[test]
    fn padding_fills_whole_blocks_even_for_block_sized_plaintexts() {
        for n in [0usize, 1, 15, 16, 17, 32] {
            let p = vec![b'x'; n];
            let b64 = encrypt("k", IV, &p);
            let blob = base64::engine::general_purpose::STANDARD
                .decode(&b64)
                .unwrap();
            assert_eq!(blob.len(), 16 + (n / 16 + 1) * 16, "n = {n}");
            assert_eq!(decrypt("k", &b64), p);
        }
    }
}
