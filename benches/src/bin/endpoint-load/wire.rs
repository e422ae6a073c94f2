//! A minimal blocking HTTP/1.1 client for one keep-alive connection, with pre-built requests whose
//! key digits are patched in place, so that the load generator spends its time waiting for the
//! server, not formatting JSON or signing.
//!
//! A client can poll: it then waits for an answer with non-blocking reads for up to a budget
//! before it blocks (see [`Client::polling`]), so that a fast server's answer does not also wait
//! for the client thread's wakeup.
//!
//! It understands `Content-Length` and chunked bodies and reconnects when a server answers
//! `Connection: close` (moto does, on every response). It does not verify SigV4: the requests carry
//! a syntactically valid `Authorization` header with a dummy signature, which none of the servers
//! measured verifies.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Width of the decimal key number patched into request templates.
pub const KEY_DIGITS: usize = 10;

/// A request whose body contains `KEY_DIGITS` digits at a known offset.
#[derive(Clone, Debug)]
pub struct RequestTemplate {
    bytes: Vec<u8>,
    key_at: usize,
}

impl RequestTemplate {
    /// `POST /` to a DynamoDB operation with `body`, whose key number is the placeholder
    /// `#` repeated [`KEY_DIGITS`] times.
    pub fn dynamodb(addr: SocketAddr, operation: &str, body: &str) -> Self {
        let head = format!(
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.0\r\n\
             X-Amz-Target: DynamoDB_20120810.{operation}\r\nX-Amz-Date: 20190311T000000Z\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCH/20190311/us-east-1/dynamodb/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={}\r\n\
             Content-Length: {}\r\n\r\n",
            "0".repeat(64),
            body.len()
        );
        let placeholder = "#".repeat(KEY_DIGITS);
        let key_at = body
            .find(&placeholder)
            .map_or(usize::MAX, |i| head.len() + i);
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        Self { bytes, key_at }
    }

    /// `GET path` without a body (and without a key placeholder).
    pub fn get(addr: SocketAddr, path: &str) -> Self {
        let bytes = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").into_bytes();
        Self {
            bytes,
            key_at: usize::MAX,
        }
    }

    /// The request's length in bytes (head and body).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The request bytes with `key` written into the placeholder.
    pub fn with_key(&mut self, key: u64) -> &[u8] {
        if self.key_at != usize::MAX {
            let mut n = key;
            for i in (0..KEY_DIGITS).rev() {
                self.bytes[self.key_at + i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        }
        &self.bytes
    }
}

/// A response: status and body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
    /// Bytes the answer took on the wire: head, body and any chunk framing.
    pub wire_bytes: usize,
}

/// One client connection (reconnecting when the server closes it).
#[derive(Debug)]
pub struct Client {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buffer: Vec<u8>,
    /// How long to poll for an answer before blocking; `None`: block at once.
    poll: Option<Duration>,
    /// Connections opened so far.
    pub connects: u64,
}

/// A connection and how the client waits on it.
struct Conn<'a> {
    stream: &'a mut TcpStream,
    poll: Option<Duration>,
}

impl Client {
    /// A client of `addr`; connects on first use.
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            stream: None,
            buffer: Vec::with_capacity(16 * 1024),
            poll: None,
            connects: 0,
        }
    }

    /// A client of `addr` that polls for each answer for up to `budget` before it blocks.
    /// Polling keeps the client's core busy, so it is for single-client phases only.
    pub fn polling(addr: SocketAddr, budget: Duration) -> Self {
        Self {
            poll: Some(budget),
            ..Self::new(addr)
        }
    }

    /// Sends one request and reads its answer. On an IO error the connection is dropped (the next
    /// call reconnects) and the error returned.
    pub fn call(&mut self, request: &[u8]) -> io::Result<Answer> {
        let result = self.exchange(request);
        if result.is_err() {
            self.stream = None;
            self.buffer.clear();
        }
        result
    }

    fn exchange(&mut self, request: &[u8]) -> io::Result<Answer> {
        if self.stream.is_none() {
            let stream = TcpStream::connect_timeout(&self.addr, Duration::from_secs(5))?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(30)))?;
            stream.set_nonblocking(self.poll.is_some())?;
            self.connects += 1;
            self.stream = Some(stream);
        }
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| io::Error::other("no stream"))?;
        write_all(stream, request)?;
        let mut conn = Conn {
            stream,
            poll: self.poll,
        };
        let (status, close, body, wire_bytes) = read_response(&mut conn, &mut self.buffer)?;
        if close {
            self.stream = None;
            self.buffer.clear();
        }
        Ok(Answer {
            status,
            body,
            wire_bytes,
        })
    }
}

/// Writes all of `data`, also on a non-blocking socket (whose send buffer may be full).
pub fn write_all(mut stream: &TcpStream, mut data: &[u8]) -> io::Result<()> {
    while !data.is_empty() {
        match stream.write(data) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::yield_now(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// One read: polling first if the client polls, then blocking.
fn read_some(conn: &mut Conn<'_>, chunk: &mut [u8]) -> io::Result<usize> {
    let Some(budget) = conn.poll else {
        return conn.stream.read(chunk);
    };
    let start = std::time::Instant::now();
    loop {
        match conn.stream.read(chunk) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if start.elapsed() >= budget {
                    break;
                }
                // Back off between reads: each read takes the socket's lock, which the
                // server's send needs too.
                for _ in 0..32 {
                    std::hint::spin_loop();
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    conn.stream.set_nonblocking(false)?;
    let n = conn.stream.read(chunk);
    conn.stream.set_nonblocking(true)?;
    n
}

fn fill(conn: &mut Conn<'_>, buffer: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    let n = read_some(conn, &mut chunk)?;
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "server closed the connection",
        ));
    }
    buffer.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one response; returns (status, whether the server closes, body, bytes on the wire).
fn read_response(
    stream: &mut Conn<'_>,
    buffer: &mut Vec<u8>,
) -> io::Result<(u16, bool, Vec<u8>, usize)> {
    let head_end = loop {
        if let Some(i) = find(buffer, b"\r\n\r\n") {
            break i;
        }
        fill(stream, buffer)?;
    };
    let head = std::str::from_utf8(&buffer[..head_end])
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "non-ASCII response head"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad status line"))?;
    let mut length = None;
    let mut chunked = false;
    let mut close = head.starts_with("HTTP/1.0");
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    buffer.drain(..head_end + 4);
    let mut wire_bytes = head_end + 4;
    let body = if chunked {
        let (body, framed) = read_chunked(stream, buffer)?;
        wire_bytes += framed;
        body
    } else if let Some(n) = length {
        while buffer.len() < n {
            fill(stream, buffer)?;
        }
        buffer.drain(..n).collect()
    } else {
        // No framing: the body runs to the end of the connection.
        loop {
            match fill(stream, buffer) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e),
            }
        }
        close = true;
        std::mem::take(buffer)
    };
    if !chunked {
        wire_bytes += body.len();
    }
    Ok((status, close, body, wire_bytes))
}

/// Reads a chunked body; returns it and the bytes it took on the wire with its framing.
fn read_chunked(stream: &mut Conn<'_>, buffer: &mut Vec<u8>) -> io::Result<(Vec<u8>, usize)> {
    let mut body = Vec::new();
    let mut framed = 0;
    loop {
        let line_end = loop {
            if let Some(i) = find(buffer, b"\r\n") {
                break i;
            }
            fill(stream, buffer)?;
        };
        let size_text = std::str::from_utf8(&buffer[..line_end]).unwrap_or("");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
        buffer.drain(..line_end + 2);
        framed += line_end + 2 + size + 2;
        while buffer.len() < size + 2 {
            fill(stream, buffer)?;
        }
        body.extend_from_slice(&buffer[..size]);
        buffer.drain(..size + 2);
        if size == 0 {
            return Ok((body, framed));
        }
    }
}
