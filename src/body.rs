//! Bodies both ways. Requests: [`read_request`] enforces `--max-body-bytes` (from the declared
//! `Content-Length` before reading a byte, and while reading a chunked body) and
//! `--body-timeout-ms` (a body that stops arriving is cut). Responses: the [`Body`] type, a whole
//! buffer, the chunks of a slow or truncated answer (connection faults, ending in an error when
//! the connection must break), or a live stream (the dashboard's server-sent events).

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;

/// Why a request body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestBodyError {
    /// Longer than the limit (declared or counted): answer the vendor's body-too-large error.
    TooLarge,
    /// Not received within the body timeout: answer 408 and close.
    TimedOut,
    /// The client went away: nobody to answer.
    Gone,
}

/// Reads a whole request body within `max` bytes and `timeout`. A declared `Content-Length`
/// over `max` is refused before anything is read (the client may still be sending it).
pub async fn read_request<B>(
    headers: &http::HeaderMap,
    body: B,
    max: usize,
    timeout: Duration,
) -> Result<Bytes, RequestBodyError>
where
    B: HttpBody<Data = Bytes>,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(RequestBodyError::TooLarge);
    }
    if body.is_end_stream() {
        // Nothing to wait for (a GET): no timer.
        return Ok(Bytes::new());
    }
    match tokio::time::timeout(timeout, Limited::new(body, max).collect()).await {
        Err(_) => Err(RequestBodyError::TimedOut),
        Ok(Ok(c)) => Ok(c.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(RequestBodyError::TooLarge)
        }
        Ok(Err(_)) => Err(RequestBodyError::Gone),
    }
}

/// A body error: the connection is cut on purpose.
#[derive(Debug)]
pub struct Cut;

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection cut by a fault rule")
    }
}

impl std::error::Error for Cut {}

/// A response body.
pub enum Body {
    Full(Option<Bytes>),
    /// Chunks sent `interval` apart; if `cut`, the body errors after the last chunk.
    Chunks {
        chunks: VecDeque<Bytes>,
        interval: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
        cut: bool,
        /// Set once the pause before the cut has been armed: hyper only writes out what it
        /// buffered (the head, the kept bytes) while the body is pending, so erroring at once
        /// would drop the head too and an `empty`/`truncated` fault would look like `close`.
        flushing: bool,
    },
    /// Chunks as a producer task sends them, until it drops its sender (server-sent events).
    Stream(tokio::sync::mpsc::Receiver<Bytes>),
}

/// How long a cut body waits before breaking, so the bytes before the cut reach the client.
const FLUSH_BEFORE_CUT: Duration = Duration::from_millis(50);

impl Body {
    /// A complete body.
    pub fn full(b: impl Into<Bytes>) -> Body {
        let b = b.into();
        Body::Full(if b.is_empty() { None } else { Some(b) })
    }

    /// `chunks` pieces of `b`, `interval` apart.
    pub fn slow(b: Bytes, chunks: u32, interval: Duration) -> Body {
        let n = (chunks.max(1) as usize).min(b.len().max(1));
        let size = b.len().div_ceil(n).max(1);
        let mut q = VecDeque::new();
        let mut i = 0;
        while i < b.len() {
            q.push_back(b.slice(i..(i + size).min(b.len())));
            i += size;
        }
        Body::Chunks {
            chunks: q,
            interval,
            sleep: None,
            cut: false,
            flushing: false,
        }
    }

    /// The first `keep` bytes of `b`, then a broken connection.
    pub fn truncated(b: Bytes, keep: usize) -> Body {
        let mut q = VecDeque::new();
        if keep > 0 {
            q.push_back(b.slice(..keep.min(b.len())));
        }
        Body::Chunks {
            chunks: q,
            interval: Duration::ZERO,
            sleep: None,
            cut: true,
            flushing: false,
        }
    }
}

impl HttpBody for Body {
    type Data = Bytes;
    type Error = Cut;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Cut>>> {
        match self.get_mut() {
            Body::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Body::Stream(rx) => rx.poll_recv(cx).map(|c| c.map(|b| Ok(Frame::data(b)))),
            Body::Chunks {
                chunks,
                interval,
                sleep,
                cut,
                flushing,
            } => {
                if let Some(s) = sleep {
                    if s.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *sleep = None;
                }
                match chunks.pop_front() {
                    Some(c) => {
                        if !chunks.is_empty() && !interval.is_zero() {
                            *sleep = Some(Box::pin(tokio::time::sleep(*interval)));
                        }
                        Poll::Ready(Some(Ok(Frame::data(c))))
                    }
                    None if *cut && !*flushing => {
                        *flushing = true;
                        let mut pause = Box::pin(tokio::time::sleep(FLUSH_BEFORE_CUT));
                        if pause.as_mut().poll(cx).is_ready() {
                            return Poll::Ready(Some(Err(Cut)));
                        }
                        *sleep = Some(pause);
                        Poll::Pending
                    }
                    None if *cut => Poll::Ready(Some(Err(Cut))),
                    None => Poll::Ready(None),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            Body::Full(None) => SizeHint::with_exact(0),
            Body::Chunks { .. } | Body::Stream(_) => SizeHint::default(),
        }
    }
}

use std::future::Future;
