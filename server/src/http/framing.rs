//! HTTP/1.1 message framing: reads requests from a byte stream and writes responses to bytes.
//!
//! What it does: parses a request head with `httparse` (the parser hyper uses), frames its body by
//! `Content-Length` or `Transfer-Encoding: chunked` (RFC 9112 section 6), refuses heads over
//! [`MAX_HEAD_BYTES`] and bodies over a caller's limit (a declared length before any byte of the
//! body is read, a chunked body as soon as it grows past the limit), keeps bytes that arrive after
//! a request (pipelining) for the next one, and decides whether the connection stays open
//! (keep-alive is the default in HTTP/1.1; `Connection: close` or HTTP/1.0 without
//! `Connection: keep-alive` ends it). It keeps only the headers the endpoint reads.
//!
//! What it does not do: any IO policy (timeouts, polling, shutdown: see [`super::connection`]),
//! routing or AWS semantics ([`super::dispatch`]), TLS, HTTP/2, upgrades, or `Transfer-Encoding`s
//! other than `chunked` (refused, as RFC 9112 allows, with 501).

use std::io::{self, Read};

use http::Method;

/// The largest request head accepted (request line plus headers).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most header fields a request may carry.
pub const MAX_HEADERS: usize = 100;
/// Bytes asked of the stream per read.
const READ_CHUNK: usize = 16 * 1024;

/// How a request's body is framed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body (no `Content-Length`, no `Transfer-Encoding`).
    Empty,
    /// `Content-Length: n`.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// A request head: what the endpoint reads of a request besides its body.
#[derive(Clone, Debug)]
pub struct RequestHead {
    /// The method.
    pub method: Method,
    /// The path of the request target, without its query.
    pub path: String,
    /// `X-Amz-Target`.
    pub target: Option<String>,
    /// `Authorization`.
    pub authorization: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// How the body is framed.
    pub body: BodyFraming,
    /// Whether the client sent `Expect: 100-continue`.
    pub expect_continue: bool,
    /// Whether the connection may serve another request after this one.
    pub keep_alive: bool,
    /// The request target and every header as sent, kept only when the reader was asked to
    /// ([`RequestReader::keep_all_headers`]): signature verification needs them.
    pub all: Option<Box<AllHeaders>>,
}

/// A request's target (path and query, as sent) and all its header fields, in order, names in
/// lower case; a field whose value is not visible text is left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllHeaders {
    /// The request target as sent (`/`, `/?a=b`, or an absolute form).
    pub target: String,
    /// (name in lower case, value) for every field whose value is visible text.
    pub fields: Vec<(String, String)>,
}

/// Why a request could not be read. Each variant but [`FramingError::Io`] is answered (with the
/// status of [`FramingError::status`]) before the connection is closed.
#[derive(Debug, thiserror::Error)]
pub enum FramingError {
    /// The head is not HTTP/1.x.
    #[error("the request is not a well-formed HTTP/1.1 request")]
    Malformed,
    /// The head is over [`MAX_HEAD_BYTES`] or has more than [`MAX_HEADERS`] fields.
    #[error("the request head is larger than {MAX_HEAD_BYTES} bytes or {MAX_HEADERS} fields")]
    HeadTooLarge,
    /// Both `Content-Length` and `Transfer-Encoding`, or conflicting `Content-Length`s: a
    /// request whose end two parsers could disagree on.
    #[error("the request's body framing is ambiguous")]
    AmbiguousFraming,
    /// A `Transfer-Encoding` other than `chunked`.
    #[error("only the chunked transfer coding is supported")]
    UnsupportedTransferEncoding,
    /// The body is over the limit.
    #[error("the request body is larger than the limit")]
    BodyTooLarge,
    /// The chunked framing of the body is broken.
    #[error("the request's chunked body is malformed")]
    BadChunk,
    /// The stream ended inside a request.
    #[error("the connection closed inside a request")]
    Truncated,
    /// The request began to arrive but was not whole within the request timeout (the stream's
    /// reads fail with [`io::ErrorKind::TimedOut`] for that reason only).
    #[error("the request did not arrive in full within the request timeout")]
    TimedOut,
    /// The stream failed.
    #[error("reading the request failed: {0}")]
    Io(io::Error),
}

impl From<io::Error> for FramingError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::TimedOut {
            FramingError::TimedOut
        } else {
            FramingError::Io(error)
        }
    }
}

impl FramingError {
    /// The HTTP status that answers this error, or `None` when nothing can be answered (the
    /// stream is gone).
    pub fn status(&self) -> Option<u16> {
        match self {
            FramingError::Malformed | FramingError::AmbiguousFraming | FramingError::BadChunk => {
                Some(400)
            }
            FramingError::HeadTooLarge => Some(431),
            FramingError::TimedOut => Some(408),
            FramingError::BodyTooLarge => Some(413),
            FramingError::UnsupportedTransferEncoding => Some(501),
            FramingError::Truncated | FramingError::Io(_) => None,
        }
    }
}

/// Reads requests, one after another, from `R`.
#[derive(Debug)]
pub struct RequestReader<R> {
    inner: R,
    /// Read buffer, initialized in full; `buffer[begin..end]` is read but not yet consumed (the
    /// rest of the request being read, or the start of the next one when pipelined).
    buffer: Vec<u8>,
    begin: usize,
    end: usize,
    keep_all: bool,
}

impl<R: Read> RequestReader<R> {
    /// A reader of requests from `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            buffer: vec![0; READ_CHUNK],
            begin: 0,
            end: 0,
            keep_all: false,
        }
    }

    /// Keeps the request target and every header of each request in [`RequestHead::all`]
    /// (off by default: only signature verification needs them).
    pub fn keep_all_headers(mut self, keep: bool) -> Self {
        self.keep_all = keep;
        self
    }

    /// The underlying stream.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Whether bytes of a next request are already buffered.
    pub fn has_buffered(&self) -> bool {
        self.begin < self.end
    }

    fn pending(&self) -> &[u8] {
        &self.buffer[self.begin..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.begin += n;
        if self.begin == self.end {
            self.begin = 0;
            self.end = 0;
        }
    }

    /// Reads the next request head. `Ok(None)`: the stream ended cleanly between requests.
    pub fn read_head(&mut self) -> Result<Option<RequestHead>, FramingError> {
        let mut scanned = 0;
        loop {
            if let Some(end) = head_end(self.pending(), scanned) {
                let head = parse_head(&self.pending()[..end], self.keep_all)?;
                self.consume(end);
                return Ok(Some(head));
            }
            if self.end - self.begin > MAX_HEAD_BYTES {
                return Err(FramingError::HeadTooLarge);
            }
            scanned = (self.end - self.begin).saturating_sub(3);
            if self.fill()? == 0 {
                // Blank lines before a request line may be ignored (RFC 9112 section 2.2).
                return if self.pending().iter().all(|b| matches!(b, b'\r' | b'\n')) {
                    Ok(None)
                } else {
                    Err(FramingError::Truncated)
                };
            }
        }
    }

    /// Reads the body `head` announces, refusing one over `limit` bytes.
    pub fn read_body(&mut self, head: &RequestHead, limit: usize) -> Result<Vec<u8>, FramingError> {
        match head.body {
            BodyFraming::Empty => Ok(Vec::new()),
            BodyFraming::Length(n) => {
                let n = usize::try_from(n)
                    .ok()
                    .filter(|n| *n <= limit)
                    .ok_or(FramingError::BodyTooLarge)?;
                let mut body = Vec::with_capacity(n);
                self.take_into(&mut body, n)?;
                Ok(body)
            }
            BodyFraming::Chunked => self.read_chunked(limit),
        }
    }

    /// Moves the next `n` bytes of the stream to `out`.
    fn take_into(&mut self, out: &mut Vec<u8>, mut n: usize) -> Result<(), FramingError> {
        while n > 0 {
            if !self.has_buffered() && self.fill()? == 0 {
                return Err(FramingError::Truncated);
            }
            let take = n.min(self.end - self.begin);
            out.extend_from_slice(&self.pending()[..take]);
            self.consume(take);
            n -= take;
        }
        Ok(())
    }

    fn read_chunked(&mut self, limit: usize) -> Result<Vec<u8>, FramingError> {
        let mut body = Vec::new();
        loop {
            let (consumed, size) = loop {
                match httparse::parse_chunk_size(self.pending()) {
                    Ok(httparse::Status::Complete(found)) => break found,
                    Ok(httparse::Status::Partial) if self.end - self.begin <= MAX_HEAD_BYTES => {
                        if self.fill()? == 0 {
                            return Err(FramingError::Truncated);
                        }
                    }
                    _ => return Err(FramingError::BadChunk),
                }
            };
            let size = usize::try_from(size)
                .ok()
                .filter(|s| body.len().saturating_add(*s) <= limit)
                .ok_or(FramingError::BodyTooLarge)?;
            self.consume(consumed);
            if size == 0 {
                self.skip_trailers()?;
                return Ok(body);
            }
            self.take_into(&mut body, size)?;
            while self.end - self.begin < 2 {
                if self.fill()? == 0 {
                    return Err(FramingError::Truncated);
                }
            }
            if &self.pending()[..2] != b"\r\n" {
                return Err(FramingError::BadChunk);
            }
            self.consume(2);
        }
    }

    /// Skips the trailer section after the last chunk, up to its empty line.
    fn skip_trailers(&mut self) -> Result<(), FramingError> {
        loop {
            if let Some(i) = memchr::memmem::find(self.pending(), b"\r\n") {
                self.consume(i + 2);
                if i == 0 {
                    return Ok(());
                }
                continue;
            }
            if self.end - self.begin > MAX_HEAD_BYTES {
                return Err(FramingError::HeadTooLarge);
            }
            if self.fill()? == 0 {
                return Err(FramingError::Truncated);
            }
        }
    }

    /// Reads once from the stream after the pending bytes; the number of bytes read (0: end of
    /// stream). Moves the pending bytes to the front, or grows the buffer, to make room.
    fn fill(&mut self) -> io::Result<usize> {
        if self.end == self.buffer.len() {
            if self.begin > 0 {
                self.buffer.copy_within(self.begin..self.end, 0);
                self.end -= self.begin;
                self.begin = 0;
            } else {
                self.buffer.resize(self.buffer.len() + READ_CHUNK, 0);
            }
        }
        loop {
            match self.inner.read(&mut self.buffer[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// The end (exclusive) of the head in `buffer`, looking from `from` on.
fn head_end(buffer: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(buffer.get(from..)?, b"\r\n\r\n").map(|i| from + i + 4)
}

fn parse_head(bytes: &[u8], keep_all: bool) -> Result<RequestHead, FramingError> {
    // Blank lines before the request line are ignored (RFC 9112 section 2.2).
    let start = bytes
        .iter()
        .position(|b| !matches!(b, b'\r' | b'\n'))
        .unwrap_or(bytes.len());
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut fields);
    match request.parse(&bytes[start..]) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(FramingError::Malformed),
        Err(httparse::Error::TooManyHeaders) => return Err(FramingError::HeadTooLarge),
        Err(_) => return Err(FramingError::Malformed),
    }
    let (Some(method), Some(target), Some(minor)) = (request.method, request.path, request.version)
    else {
        return Err(FramingError::Malformed);
    };
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| FramingError::Malformed)?;
    let mut head = RequestHead {
        method,
        path: path_of(target).to_owned(),
        target: None,
        authorization: None,
        user_agent: None,
        body: BodyFraming::Empty,
        expect_continue: false,
        keep_alive: minor >= 1,
        all: None,
    };
    if keep_all {
        head.all = Some(Box::new(AllHeaders {
            target: target.to_owned(),
            fields: request
                .headers
                .iter()
                .filter_map(|f| Some((f.name.to_ascii_lowercase(), visible(f.value)?.to_owned())))
                .collect(),
        }));
    }
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let (mut target, mut authorization, mut user_agent) = (None, None, None);
    for field in request.headers.iter() {
        let name = field.name;
        let value = field.value;
        if name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(value)
                .ok()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or(FramingError::Malformed)?;
            if length.is_some_and(|m| m != n) {
                return Err(FramingError::AmbiguousFraming);
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            let codings = visible(value).ok_or(FramingError::Malformed)?;
            for coding in codings.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                // `chunked` must be the only (and so the final) coding we accept.
                if !coding.eq_ignore_ascii_case("chunked") || chunked {
                    return Err(FramingError::UnsupportedTransferEncoding);
                }
                chunked = true;
            }
        } else if name.eq_ignore_ascii_case("connection") {
            for option in visible(value).unwrap_or("").split(',').map(str::trim) {
                if option.eq_ignore_ascii_case("close") {
                    head.keep_alive = false;
                } else if option.eq_ignore_ascii_case("keep-alive") && minor == 0 {
                    head.keep_alive = true;
                }
            }
        } else if name.eq_ignore_ascii_case("expect") {
            head.expect_continue =
                visible(value).is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"));
        } else if name.eq_ignore_ascii_case("x-amz-target") {
            target = target.or(Some(value));
        } else if name.eq_ignore_ascii_case("authorization") {
            authorization = authorization.or(Some(value));
        } else if name.eq_ignore_ascii_case("user-agent") {
            user_agent = user_agent.or(Some(value));
        }
    }
    // The first occurrence of a header counts; one that is not text counts as absent.
    let text = |value: Option<&[u8]>| value.and_then(visible).map(str::to_owned);
    head.target = text(target);
    head.authorization = text(authorization);
    head.user_agent = text(user_agent);
    head.body = match (length, chunked) {
        (Some(_), true) => return Err(FramingError::AmbiguousFraming),
        (Some(0), false) | (None, false) => BodyFraming::Empty,
        (Some(n), false) => BodyFraming::Length(n),
        (None, true) => BodyFraming::Chunked,
    };
    Ok(head)
}

/// A header value as text, if it is visible ASCII, spaces and tabs (as `http`'s `to_str`).
fn visible(value: &[u8]) -> Option<&str> {
    if value
        .iter()
        .all(|b| *b == b'\t' || (b' '..=b'~').contains(b))
    {
        std::str::from_utf8(value).ok()
    } else {
        None
    }
}

/// The path of a request target: origin form (`/a?b`) or absolute form (`http://h/a?b`).
fn path_of(target: &str) -> &str {
    let without_query = target.split(['?', '#']).next().unwrap_or("");
    if without_query.starts_with('/') {
        return without_query;
    }
    match without_query.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => without_query,
    }
}

/// A response as the endpoint sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHead<'a> {
    /// The status code.
    pub status: u16,
    /// Header fields besides `Content-Length`, `Date` and `Connection`.
    pub headers: &'a [(&'a str, &'a str)],
    /// Whether the connection closes after this response (sends `Connection: close`).
    pub close: bool,
}

/// Appends `head` and `body` to `out` as one HTTP/1.1 response; `body_omitted` (an answer to HEAD)
/// sends the `Content-Length` of `body` without the body itself.
pub fn write_response(
    out: &mut Vec<u8>,
    head: &ResponseHead<'_>,
    date: &str,
    body: &[u8],
    body_omitted: bool,
) {
    use std::io::Write as _;
    out.reserve(256 + if body_omitted { 0 } else { body.len() });
    // Writing to a Vec cannot fail.
    let _ = write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        head.status,
        reason_phrase(head.status)
    );
    for (name, value) in head.headers {
        let _ = write!(out, "{name}: {value}\r\n");
    }
    let _ = write!(out, "content-length: {}\r\ndate: {date}\r\n", body.len());
    if head.close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !body_omitted {
        out.extend_from_slice(body);
    }
}

/// The interim response that lets a client waiting on `Expect: 100-continue` send its body.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

fn reason_phrase(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that hands out its bytes a few at a time, as a socket may.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(self.data.len()).min(buf.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn reader(data: &[u8], step: usize) -> RequestReader<Trickle<'_>> {
        RequestReader::new(Trickle { data, step })
    }

    const AWS_HEAD: &str = "POST /?x=1 HTTP/1.1\r\nHost: h\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\
        authorization: AWS4-HMAC-SHA256 Credential=AKID/20200101/us-east-1/dynamodb/aws4_request\r\n\
        User-Agent: aws-cli/2\r\nContent-Length: 2\r\n\r\n{}";

    #[test]
    fn reads_pipelined_requests_whatever_the_read_sizes() {
        let two = format!("{AWS_HEAD}GET /_conformance/capabilities HTTP/1.1\r\nHost: h\r\n\r\n");
        for step in [1, 3, 7, 64, 100_000] {
            let mut r = reader(two.as_bytes(), step);
            let head = r.read_head().unwrap().unwrap();
            assert_eq!(head.method, Method::POST);
            assert_eq!(head.path, "/");
            assert_eq!(head.target.as_deref(), Some("DynamoDB_20120810.ListTables"));
            assert!(head.authorization.as_deref().unwrap().contains("AKID/"));
            assert_eq!(head.user_agent.as_deref(), Some("aws-cli/2"));
            assert_eq!(head.body, BodyFraming::Length(2));
            assert!(head.keep_alive);
            assert_eq!(r.read_body(&head, 1024).unwrap(), b"{}");
            let second = r.read_head().unwrap().unwrap();
            assert_eq!(second.method, Method::GET);
            assert_eq!(second.path, "/_conformance/capabilities");
            assert_eq!(r.read_body(&second, 1024).unwrap(), b"");
            assert!(
                r.read_head().unwrap().is_none(),
                "clean end between requests"
            );
        }
    }

    #[test]
    fn bodies_larger_than_the_read_buffer_are_read_whole_and_what_follows_is_kept() {
        let body: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
        let mut raw =
            format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        raw.extend_from_slice(&body);
        raw.extend_from_slice(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        raw.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
        raw.extend_from_slice(&body);
        raw.extend_from_slice(b"\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        for step in [1000, 7000, 16 * 1024, 1 << 20] {
            let mut r = reader(&raw, step);
            let head = r.read_head().unwrap().unwrap();
            assert_eq!(r.read_body(&head, 1 << 20).unwrap(), body);
            let head = r.read_head().unwrap().unwrap();
            assert_eq!(r.read_body(&head, 1 << 20).unwrap(), body);
            assert_eq!(r.read_head().unwrap().unwrap().method, Method::GET);
            assert!(r.read_head().unwrap().is_none());
        }
    }

    #[test]
    fn decodes_chunked_bodies_with_extensions_and_trailers() {
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n\
            3;ext=1\r\n{\"a\r\nB\r\n\": \"bcdef\"}\r\n0\r\nx-trailer: y\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        for step in [1, 5, 4096] {
            let mut r = reader(raw, step);
            let head = r.read_head().unwrap().unwrap();
            assert_eq!(head.body, BodyFraming::Chunked);
            assert!(head.expect_continue);
            assert_eq!(r.read_body(&head, 1024).unwrap(), br#"{"a": "bcdef"}"#);
            assert_eq!(r.read_head().unwrap().unwrap().method, Method::GET);
        }
    }

    #[test]
    fn refuses_bodies_over_the_limit_before_reading_them() {
        let raw = b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n";
        let mut r = reader(raw, 4096);
        let head = r.read_head().unwrap().unwrap();
        assert!(matches!(
            r.read_body(&head, 10),
            Err(FramingError::BodyTooLarge)
        ));
        let chunked =
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n";
        let mut r = reader(chunked, 4096);
        let head = r.read_head().unwrap().unwrap();
        let refused = r.read_body(&head, 10).unwrap_err();
        assert!(matches!(refused, FramingError::BodyTooLarge));
        assert_eq!(refused.status(), Some(413));
    }

    #[test]
    fn decides_keep_alive_from_the_version_and_connection_header() {
        let cases: [(&[u8], bool); 5] = [
            (b"GET / HTTP/1.1\r\n\r\n", true),
            (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false),
            (b"GET / HTTP/1.1\r\nConnection: TE, Close\r\n\r\n", false),
            (b"GET / HTTP/1.0\r\n\r\n", false),
            (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ];
        for (raw, keep) in cases {
            let head = reader(raw, 4096).read_head().unwrap().unwrap();
            assert_eq!(head.keep_alive, keep, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn refuses_malformed_ambiguous_and_oversized_heads_with_their_status() {
        let cases: [(&[u8], u16); 8] = [
            (b"NOT HTTP\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\n\r\n", 400),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400,
            ),
            (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                501,
            ),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                501,
            ),
            (b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
        ];
        for (raw, status) in cases {
            let err = reader(raw, 4096).read_head().unwrap_err();
            assert_eq!(
                err.status(),
                Some(status),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
        let mut huge = b"GET / HTTP/1.1\r\nX-Pad: ".to_vec();
        huge.resize(MAX_HEAD_BYTES + 10, b'a');
        let err = reader(&huge, 4096).read_head().unwrap_err();
        assert_eq!(err.status(), Some(431));
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..=MAX_HEADERS {
            many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        many.extend_from_slice(b"\r\n");
        assert_eq!(
            reader(&many, 4096).read_head().unwrap_err().status(),
            Some(431)
        );
    }

    #[test]
    fn a_stream_ending_inside_a_request_is_truncated_not_answered() {
        let err = reader(b"GET / HTTP/1.1\r\nHost:", 4096)
            .read_head()
            .unwrap_err();
        assert!(matches!(err, FramingError::Truncated));
        assert_eq!(err.status(), None);
        let mut r = reader(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab", 4096);
        let head = r.read_head().unwrap().unwrap();
        assert!(matches!(
            r.read_body(&head, 100),
            Err(FramingError::Truncated)
        ));
        assert!(
            reader(b"\r\n", 4096).read_head().unwrap().is_none(),
            "blank lines, then the end"
        );
    }

    proptest::proptest! {
        /// Any bytes at all, cut into reads of any size: the reader answers each request or
        /// refuses it, and never panics or loops.
        #[test]
        fn arbitrary_input_is_read_or_refused_without_panicking(
            prefix in proptest::sample::select(vec![
                &b""[..],
                b"POST / HTTP/1.1\r\n",
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
            ]),
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
            step in 1usize..64,
        ) {
            let mut raw = prefix.to_vec();
            raw.extend_from_slice(&noise);
            let mut r = reader(&raw, step);
            for _ in 0..raw.len() + 2 {
                match r.read_head() {
                    Ok(None) | Err(_) => break,
                    Ok(Some(head)) => {
                        if r.read_body(&head, 256).is_err() {
                            break;
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn paths_lose_their_query_and_absolute_form_targets_their_authority() {
        assert_eq!(path_of("/"), "/");
        assert_eq!(path_of("/a/b?c=d"), "/a/b");
        assert_eq!(
            path_of("http://localhost:8000/_conformance/clock"),
            "/_conformance/clock"
        );
        assert_eq!(path_of("http://localhost:8000"), "/");
        assert_eq!(path_of("*"), "*");
    }

    #[test]
    fn header_values_that_are_not_visible_ascii_are_ignored() {
        let raw = b"POST / HTTP/1.1\r\nX-Amz-Target: caf\xc3\xa9\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\r\n";
        let head = reader(raw, 4096).read_head().unwrap().unwrap();
        assert_eq!(
            head.target, None,
            "the first value counts, and it is not text"
        );
    }

    #[test]
    fn writes_responses_with_length_date_and_close() {
        let mut out = Vec::new();
        let head = ResponseHead {
            status: 400,
            headers: &[("content-type", "application/x-amz-json-1.0")],
            close: true,
        };
        write_response(
            &mut out,
            &head,
            "Sat, 28 Nov 2026 03:00:00 GMT",
            b"{}",
            false,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.0\r\n\
             content-length: 2\r\ndate: Sat, 28 Nov 2026 03:00:00 GMT\r\nconnection: close\r\n\r\n{}"
        );
        let mut out = Vec::new();
        let head = ResponseHead {
            status: 405,
            headers: &[],
            close: false,
        };
        write_response(&mut out, &head, "d", b"abc", true);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 3\r\ndate: d\r\n\r\n"
        );
    }
}
