//! One TCP connection's life, on a thread of its own: read a request, answer it, and again, until
//! the client closes, asks to close, sends something unreadable, or the server shuts down.
//!
//! Why a thread per connection and blocking sockets, not an async runtime: the endpoint's clients
//! (test suites, SDKs, the AWS CLI) send one request at a time per connection, and the cost that
//! dominates such a client is the round trip. A thread blocked in `read` is woken by the kernel
//! straight into the code that parses the request, and it writes the answer with one `write`;
//! there is no reactor, task queue or cross-thread wakeup in between. The price is a thread (and
//! its stack, mostly unused) per open connection, capped by `ddbsse serve --max-connections`.
//!
//! What it does: frames requests ([`super::framing`]), answers `Expect: 100-continue`, hands each
//! request to [`dispatch`], writes the answer (with `Connection: close` when the connection ends
//! after it), polls for the next request when the server is quiet ([`BusyPoll`]), and on shutdown
//! closes the connection between requests while finishing the request in flight. A request that
//! cannot be read is answered with its error and the connection closed after a short lingering
//! read, so that the client sees the answer instead of a reset.
//!
//! A request must arrive in full within the request timeout from its first byte
//! (`ddbsse serve --request-timeout`, 60 s by default); one that does not is answered with 408 and
//! the connection closed, so that a stalled client does not hold a thread for ever. The check runs
//! on the read timeout's tick, so it fires up to [`STOP_CHECK_INTERVAL`] late.
//!
//! What it does not do: time out idle keep-alive connections between requests (an SDK's pooled
//! connection may rest for minutes, and the table-key cache is scoped to the connection), or log
//! bodies.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ddbsse_wire::caller::ConnectionId;
use http::Method;

use super::Endpoint;
use super::busy_poll::BusyPoll;
use super::dispatch::{ConnectionInfo, MAX_BODY_BYTES, dispatch, refusal};
use super::framing::{BodyFraming, CONTINUE, FramingError, RequestReader};

/// How often a blocked read wakes to see whether the server is shutting down.
const STOP_CHECK_INTERVAL: Duration = Duration::from_millis(100);
/// How long a write may block on a client that does not read before the connection is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long, and how many bytes, a refused request's remaining input is read and discarded
/// before the connection closes.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_MAX_BYTES: usize = 32 * 1024 * 1024;
/// The answer buffer is given back when an answer made it larger than this.
const KEPT_BUFFER_BYTES: usize = 1024 * 1024;

/// What every connection of a server shares.
#[derive(Debug)]
pub struct Shared {
    /// The endpoint answering requests.
    pub endpoint: Arc<Endpoint>,
    /// When connections poll for their next request.
    pub busy_poll: Arc<BusyPoll>,
    /// Set when the server shuts down.
    pub stopping: AtomicBool,
    /// Connections being served (counted from their acceptance to the end of their thread).
    pub open: AtomicUsize,
    /// How long a request may take to arrive in full, from its first byte.
    pub request_timeout: Duration,
}

/// Serves `stream` until it ends. Blocking: run it on the connection's own thread.
pub fn serve(stream: TcpStream, peer: SocketAddr, id: ConnectionId, shared: &Shared) {
    tracing::debug!(connection = id.0, peer = %peer, "connection opened");
    let configured = stream
        .set_nodelay(true)
        .and_then(|()| stream.set_nonblocking(false))
        .and_then(|()| stream.set_read_timeout(Some(STOP_CHECK_INTERVAL)))
        .and_then(|()| stream.set_write_timeout(Some(WRITE_TIMEOUT)));
    if let Err(e) = configured {
        tracing::warn!(connection = id.0, error = %e, "cannot configure the connection");
    } else {
        let info = ConnectionInfo {
            id,
            source_ip: peer.ip().to_string(),
        };
        if let Err(e) = exchange(&stream, &info, shared) {
            tracing::debug!(connection = id.0, error = %e, "connection ended with an error");
        }
    }
    // spec/cache.md#scope: entries of a closed connection can never be used again; free them.
    shared.endpoint.engine().connection_closed(id);
    tracing::debug!(connection = id.0, "connection closed");
}

/// Requests and answers until the connection ends.
fn exchange(stream: &TcpStream, info: &ConnectionInfo, shared: &Shared) -> io::Result<()> {
    let socket = SocketReader {
        stream,
        busy_poll: &shared.busy_poll,
        stopping: &shared.stopping,
        open: &shared.open,
        answered: false,
        idle: true,
        request_timeout: shared.request_timeout,
        request_started: None,
    };
    let mut requests =
        RequestReader::new(socket).keep_all_headers(shared.endpoint.verifier().is_some());
    let mut out = Vec::with_capacity(16 * 1024);
    loop {
        let between_requests = !requests.has_buffered();
        let socket = requests.get_mut();
        socket.idle = between_requests;
        // A pipelined request whose first bytes are already here is timed from now.
        socket.request_started = (!between_requests).then(Instant::now);
        let head = match requests.read_head() {
            Ok(Some(head)) => head,
            Ok(None) => return Ok(()),
            Err(error) => return refuse(stream, None, &error, &mut out),
        };
        let continues = match head.body {
            BodyFraming::Length(n) => n <= MAX_BODY_BYTES as u64,
            BodyFraming::Chunked => true,
            BodyFraming::Empty => false,
        };
        if head.expect_continue && continues {
            (&*stream).write_all(CONTINUE)?;
        }
        let body = match requests.read_body(&head, MAX_BODY_BYTES) {
            Ok(body) => body,
            Err(error) => return refuse(stream, Some(&head), &error, &mut out),
        };
        let reply = dispatch(&shared.endpoint, info, &head, &body);
        drop(body);
        let close = !head.keep_alive || shared.stopping.load(Ordering::Acquire);
        out.clear();
        reply.write(&mut out, close, head.method == Method::HEAD);
        (&*stream).write_all(&out)?;
        requests.get_mut().answered = true;
        if close {
            return Ok(());
        }
        if out.capacity() > KEPT_BUFFER_BYTES {
            out = Vec::with_capacity(16 * 1024);
        }
    }
}

/// Answers a request that could not be read, if anything can be answered, then closes.
fn refuse(
    stream: &TcpStream,
    head: Option<&super::framing::RequestHead>,
    error: &FramingError,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let Some(reply) = refusal(head, error) else {
        return match error {
            FramingError::Io(e) if e.kind() == io::ErrorKind::ConnectionAborted => Ok(()),
            FramingError::Truncated => Ok(()),
            other => Err(io::Error::other(other.to_string())),
        };
    };
    tracing::debug!(status = reply.status, error = %error, "request refused");
    out.clear();
    reply.write(out, true, false);
    (&*stream).write_all(out)?;
    linger(stream);
    Ok(())
}

/// Closes the sending side, then reads and discards what the client still sends (for at most
/// [`LINGER`] and [`LINGER_MAX_BYTES`]): closing a socket with unread input resets the
/// connection, and the reset can destroy the answer before the client has read it.
fn linger(stream: &TcpStream) {
    if stream.shutdown(Shutdown::Write).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER;
    let mut discarded = 0;
    let mut sink = [0u8; 16 * 1024];
    while Instant::now() < deadline && discarded < LINGER_MAX_BYTES {
        match (&*stream).read(&mut sink) {
            Ok(0) => return,
            Ok(n) => discarded += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
    }
}

/// The connection's socket as the request reader sees it: polls for a next request when the
/// policy allows, wakes every [`STOP_CHECK_INTERVAL`] while blocked, and ends an idle connection
/// when the server shuts down.
struct SocketReader<'a> {
    stream: &'a TcpStream,
    busy_poll: &'a BusyPoll,
    stopping: &'a AtomicBool,
    open: &'a AtomicUsize,
    /// An answer was written since the last read: a read now waits for the next request.
    answered: bool,
    /// No byte of a next request has arrived: shutdown may close the connection.
    idle: bool,
    /// How long a request may take to arrive in full.
    request_timeout: Duration,
    /// When the first byte of the request being read arrived (`None` while idle).
    request_started: Option<Instant>,
}

impl SocketReader<'_> {
    fn seen(&mut self, read: io::Result<usize>) -> io::Result<usize> {
        if matches!(read, Ok(n) if n > 0) {
            self.idle = false;
            self.request_started.get_or_insert_with(Instant::now);
        }
        read
    }

    /// A started request that is still not whole after the request timeout: the client stalled
    /// (or trickles), and its thread is given back. An idle connection has no deadline.
    fn overdue(&self) -> bool {
        self.request_started
            .is_some_and(|started| started.elapsed() >= self.request_timeout)
    }
}

impl Read for SocketReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if std::mem::take(&mut self.answered)
            && let Some(read) =
                self.busy_poll
                    .poll_socket(self.stream, buf, self.open.load(Ordering::Relaxed))
        {
            return self.seen(read);
        }
        loop {
            // Checked before every read, so that a client trickling bytes is timed out too.
            if self.overdue() {
                // Read back as `FramingError::TimedOut`, answered with 408.
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the request did not arrive in time",
                ));
            }
            match (&*self.stream).read(buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if self.idle && self.stopping.load(Ordering::Acquire) {
                        return Err(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            "the server is shutting down",
                        ));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                read => return self.seen(read),
            }
        }
    }
}
