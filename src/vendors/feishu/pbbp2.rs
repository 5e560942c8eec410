//! The long connection's frame: protobuf (proto2) `pbbp2.Frame` and `pbbp2.Header`, declared by
//! hand with `prost` (no build step) exactly as the SDKs' generated code has them
//! (lark-oapi `ws/pb/pbbp2_pb2.py`, oapi-sdk-go `ws/pbbp2.pb.go`, node-sdk's `pbbp2`;
//! `shared/vendors/feishu-events.md` §3.2). Required fields are always written, so the Java
//! SDK's strict parser accepts every frame.

use prost::Message;

/// `method`: control frames (ping, pong).
pub const CONTROL: i32 = 0;
/// `method`: data frames (events and their ACKs).
pub const DATA: i32 = 1;

/// `message Header { required string key = 1; required string value = 2; }`
#[derive(Clone, PartialEq, Message)]
pub struct Header {
    #[prost(string, required, tag = "1")]
    pub key: String,
    #[prost(string, required, tag = "2")]
    pub value: String,
}

/// `message Frame`: ids, service, method, headers, optional payload.
#[derive(Clone, PartialEq, Message)]
pub struct Frame {
    #[prost(uint64, required, tag = "1")]
    pub seq_id: u64,
    #[prost(uint64, required, tag = "2")]
    pub log_id: u64,
    #[prost(int32, required, tag = "3")]
    pub service: i32,
    #[prost(int32, required, tag = "4")]
    pub method: i32,
    #[prost(message, repeated, tag = "5")]
    pub headers: Vec<Header>,
    #[prost(string, optional, tag = "6")]
    pub payload_encoding: Option<String>,
    #[prost(string, optional, tag = "7")]
    pub payload_type: Option<String>,
    #[prost(bytes = "vec", optional, tag = "8")]
    pub payload: Option<Vec<u8>>,
    #[prost(string, optional, tag = "9")]
    pub log_id_new: Option<String>,
}

impl Frame {
    /// A header's value by key.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key == key)
            .map(|h| h.value.as_str())
    }

    /// Every header as (key, value).
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|h| (h.key.clone(), h.value.clone()))
            .collect()
    }
}

/// A header.
pub fn header(key: &str, value: impl Into<String>) -> Header {
    Header {
        key: key.to_string(),
        value: value.into(),
    }
}

/// Encodes a frame.
pub fn encode(f: &Frame) -> Vec<u8> {
    f.encode_to_vec()
}

/// Decodes a frame; `Err` says why the bytes are none.
pub fn decode(bytes: &[u8]) -> Result<Frame, String> {
    Frame::decode(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ping lark-oapi 1.7.5 sends for service 77, captured (notes §3.2).
    const CAPTURED_PING: &[u8] = &[
        0x08, 0x00, 0x10, 0x00, 0x18, 0x4d, 0x20, 0x00, 0x2a, 0x0c, 0x0a, 0x04, b't', b'y', b'p',
        b'e', 0x12, 0x04, b'p', b'i', b'n', b'g',
    ];

    fn ping(service: i32) -> Frame {
        Frame {
            seq_id: 0,
            log_id: 0,
            service,
            method: CONTROL,
            headers: vec![header("type", "ping")],
            ..Frame::default()
        }
    }

    #[test]
    fn the_captured_ping_decodes_and_encodes_byte_for_byte() {
        let f = decode(CAPTURED_PING).unwrap();
        assert_eq!(f, ping(77));
        assert_eq!(f.header("type"), Some("ping"));
        assert_eq!(encode(&ping(77)), CAPTURED_PING);
    }

    #[test]
    fn required_zeros_are_written_and_a_data_frame_round_trips() {
        // proto2 `required` fields appear even when zero (a strict parser needs them).
        assert_eq!(
            &encode(&Frame::default())[..8],
            &[8, 0, 16, 0, 24, 0, 32, 0]
        );
        let f = Frame {
            seq_id: 3,
            log_id: 1 << 40,
            service: 33_554_678,
            method: DATA,
            headers: vec![
                header("type", "event"),
                header("message_id", "m1"),
                header("sum", "1"),
                header("seq", "0"),
                header("trace_id", "t1"),
            ],
            payload: Some(br#"{"schema":"2.0"}"#.to_vec()),
            ..Frame::default()
        };
        let back = decode(&encode(&f)).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.header("message_id"), Some("m1"));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(decode(&[0xff, 0xff, 0xff]).is_err());
    }
}
