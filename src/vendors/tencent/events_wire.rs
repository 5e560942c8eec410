//! Tencent Meeting event callbacks on the wire, byte-exact (cloud.tencent.com/document/product
//! 1095/51612 签名校验, 1095/54658 事件加解密, 1095/51608 回调服务要求; notes:
//! `shared/vendors/tencent-events.md` §2.4–2.5, §5):
//!
//! * `signature` = lower-case hex SHA-1 of the four strings token, `timestamp`, `nonce` and the
//!   payload (body `data`, or the `check_str` before percent-encoding), sorted as strings and
//!   concatenated without separators. No HMAC.
//! * `data` / `check_str` = base64 of the plaintext, or with an EncodingAESKey base64 of
//!   AES-256-CBC(key = base64_decode(EncodingAESKey + "="), IV = key[0..16], PKCS#7) over the
//!   bare plaintext (no WeCom framing).
//!
//! Pinned by the doc's own signed example and the notes' vectors (tests below).

use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use sha1::{Digest, Sha1};

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;

/// Standard base64 with `=` padding.
const PADDED: GeneralPurpose = GeneralPurpose::new(&STANDARD, GeneralPurposeConfig::new());

/// Standard base64 without padding (the doc's signed example).
const UNPADDED: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_encode_padding(false),
);

/// The decoder the receivers use for an EncodingAESKey: padding as given, and the low bits of
/// the 43rd character ignored (a console key is 43 random letters and digits; Go, Java and
/// Python decoders all accept those bits).
const KEY_DECODER: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The AES key of an EncodingAESKey (43 characters of `[A-Za-z0-9]`), or why it is not one.
pub fn aes_key(encoding_aes_key: &str) -> Result<[u8; 32], String> {
    if encoding_aes_key.len() != 43 || !encoding_aes_key.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(format!(
            "must be 43 letters and digits (the console's EncodingAESKey: base64 of a 32-byte key \
             without its trailing `=`); got {} characters",
            encoding_aes_key.chars().count()
        ));
    }
    let bytes = KEY_DECODER
        .decode(format!("{encoding_aes_key}="))
        .map_err(|e| format!("is not base64: {e}"))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("decodes to {} bytes, not 32", b.len()))
}

/// AES-256-CBC with IV = the key's first 16 bytes and PKCS#7 (16-byte blocks), base64'd
/// (always padded: the ciphertext's base64 is what the doc's encrypted example shows).
pub fn encrypt(key: &[u8; 32], plaintext: &[u8]) -> String {
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&key[..16]);
    let ct = Aes256CbcEnc::new(key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    PADDED.encode(ct)
}

/// The string a receiver finds in `data` or `check_str`: AES when keyed, else plain base64,
/// padded or not as the subscription says (§5's open question).
pub fn payload(key: Option<&[u8; 32]>, padded: bool, plaintext: &[u8]) -> String {
    match key {
        Some(k) => encrypt(k, plaintext),
        None if padded => PADDED.encode(plaintext),
        None => UNPADDED.encode(plaintext),
    }
}

/// `signature`: lower-case hex SHA-1 over the four values sorted as strings.
pub fn signature(token: &str, timestamp: &str, nonce: &str, data: &str) -> String {
    let mut parts = [token, timestamp, nonce, data];
    parts.sort_unstable();
    let mut h = Sha1::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    format!("{:x}", h.finalize())
}

/// The body of a POST: exactly `{"data":"…"}` (base64 never needs JSON escaping).
pub fn body(data: &str) -> Vec<u8> {
    let mut b = Vec::with_capacity(data.len() + 11);
    b.extend_from_slice(b"{\"data\":\"");
    b.extend_from_slice(data.as_bytes());
    b.extend_from_slice(b"\"}");
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::BlockDecryptMut;

    type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

    /// The notes' §1.4 plaintext (620 bytes).
    const JOINED: &str = r#"{"event":"meeting.participant-joined","trace_id":"0f1e2d3c-4b5a-6978-8a9b-acbdcedf0011","payload":[{"operate_time":1700000000123,"operator":{"userid":"userB","uuid":"WMmockUuidUserB01","user_name":"userB","ms_open_id":"msOpenIdB","instance_id":"1"},"meeting_info":{"meeting_id":"7567173273889276131","meeting_code":"123456789","subject":"probe","creator":{"userid":"userA","uuid":"WMmockUuidUserA01","user_name":"userA","ms_open_id":"msOpenIdA","instance_id":"1"},"meeting_type":0,"start_time":1700000000,"end_time":1700003600,"meeting_create_mode":0,"meeting_create_from":6,"meeting_id_type":0,"action_scene_type":0}}]}"#;
    const TOKEN: &str = "mockWebhookToken000000001";
    const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

    /// The 2020 plaintext of the doc's signed example (1095/51612, 验证示例).
    const DOC_PLAIN: &str = r#"{"event":"meeting.created","unique_sequence":"f20096ee-8ac8-4df2-a7de-0574649f211b","payload":[{"operate_time":"2020-12-29 17:41:06","operator":{"userid":"tester00006ba5bab339858c13c930cca95684"},"meeting_info":{"meeting_id":"6058890385480921052","meeting_code":"530812452","subject":"media tester meeting","creator_id":"tester00006ba5bab339858c13c930cca95684","hosts":["tester00006ba5bab339858c13c930cca95684"],"meeting_type":0,"start_time":"2020-12-29 17:41:04","end_time":"2020-12-29 18:01:04"}}]}"#;

    #[test]
    fn the_doc_example_is_unpadded_base64_and_signs_to_its_published_signature() {
        let data = payload(None, false, DOC_PLAIN.as_bytes());
        assert_eq!(data.len(), 667);
        assert!(data.starts_with("eyJldmVudCI6Im1lZXRpbmcuY3JlYXRlZCIsInVuaXF1ZV9z"));
        assert!(data.ends_with("IiwiZW5kX3RpbWUiOiIyMDIwLTEyLTI5IDE4OjAxOjA0In19XX0"));
        let sig = signature(
            "bVPU6F8Htxl5XkAbp3jGV2xWp",
            "1609239040864",
            "14964161",
            &data,
        );
        assert_eq!(sig, "b11e507817336a91d7df0c8536ee2aca18bbbae8");
        // With its padding the same event signs differently (notes §2.4).
        let padded = payload(None, true, DOC_PLAIN.as_bytes());
        assert_eq!(padded, format!("{data}="));
        let other = signature(
            "bVPU6F8Htxl5XkAbp3jGV2xWp",
            "1609239040864",
            "14964161",
            &padded,
        );
        assert!(other.starts_with("a860bbbbb0d7c8ec"), "{other}");
    }

    #[test]
    fn the_sort_is_of_values_as_strings() {
        // nonce 14964161 sorts before timestamp 1609239040864: a numeric sort would not.
        let by_hand = format!("{:x}", Sha1::digest(b"149641611609239040864ab"));
        assert_eq!(signature("b", "1609239040864", "14964161", "a"), by_hand);
    }

    #[test]
    fn plain_mode_matches_the_notes_vector() {
        assert_eq!(JOINED.len(), 620);
        let data = payload(None, true, JOINED.as_bytes());
        assert_eq!(data.len(), 828);
        assert!(data.starts_with("eyJldmVudCI6Im1lZXRpbmcucGFydGljaXBhbnQtam9pbmVkIiwidHJhY2Vf"));
        assert_eq!(
            signature(TOKEN, "1700000000123", "14964161", &data),
            "8b5f13d5d34008c7dc0d5d2c97085a490b2047df"
        );
        assert_eq!(payload(None, false, JOINED.as_bytes()).len(), 827);
    }

    #[test]
    fn the_key_and_aes_mode_match_the_notes_vector() {
        let key = aes_key(KEY).unwrap();
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051"
        );
        let data = payload(Some(&key), false, JOINED.as_bytes());
        assert_eq!(data.len(), 832);
        assert!(data.starts_with("e3rc/bZXIO/hFRmixpASDUF3RHEyM6dJn5RbqF3D6DAPBxIPV5TlbPTLX7bt"));
        assert_eq!(
            signature(TOKEN, "1700000000123", "14964161", &data),
            "1148c415766a0ec55c1e96664874dee643601ea2"
        );
        // What a receiver does: decode, AES-256-CBC with IV = key[..16], strict PKCS#7.
        let ct = PADDED.decode(&data).unwrap();
        let iv: [u8; 16] = key[..16].try_into().unwrap();
        let pt = Aes256CbcDec::new(&key.into(), &iv.into())
            .decrypt_padded_vec_mut::<Pkcs7>(&ct)
            .unwrap();
        assert_eq!(
            pt,
            JOINED.as_bytes(),
            "the bare event JSON, nothing appended"
        );
    }

    #[test]
    fn check_str_matches_the_notes_vectors() {
        let key = aes_key(KEY).unwrap();
        let cs = payload(Some(&key), true, b"mockCheck2023xyz");
        assert_eq!(cs, "5gJmC6MqZ/0g5fHX6alUkn91B+Wj0LQp+0Xnxjq7OVY=");
        assert_eq!(
            signature(TOKEN, "1700000000123", "14964161", &cs),
            "f036e8ceace2634a3260789bd69c5069a3357a11"
        );
        let plain = payload(None, true, b"mockCheck2023xyz");
        assert_eq!(plain, "bW9ja0NoZWNrMjAyM3h5eg==");
        assert_eq!(
            signature(TOKEN, "1700000000123", "14964161", &plain),
            "bbae7fdd5046c9f988ee5662f3feb120ad0dbf01"
        );
    }

    #[test]
    fn padding_fills_a_whole_block_even_for_block_sized_plaintexts() {
        let key = aes_key(KEY).unwrap();
        for n in [0usize, 1, 15, 16, 17, 32] {
            let ct = PADDED.decode(encrypt(&key, &vec![b'x'; n])).unwrap();
            assert_eq!(ct.len(), (n / 16 + 1) * 16, "n = {n}");
        }
    }

    #[test]
    fn malformed_keys_are_refused_with_the_reason() {
        assert!(aes_key("short")
            .unwrap_err()
            .contains("43 letters and digits"));
        let with_plus = format!("{}+", &KEY[..42]);
        assert!(aes_key(&with_plus)
            .unwrap_err()
            .contains("43 letters and digits"));
        assert!(aes_key(&"A".repeat(43)).is_ok());
    }

    #[test]
    fn the_body_is_exactly_data_in_an_object() {
        assert_eq!(body("YQ=="), br#"{"data":"YQ=="}"#.to_vec());
    }
}
