//! Busy polling of a quiet server: after answering, a connection's thread polls its socket for the
//! next request for a short while before it parks.
//!
//! Why: a client that sends its requests one after another (a test suite, the AWS CLI in a loop,
//! an SDK) waits, on every request, for the server's thread to be woken from sleep. On a virtual
//! machine that wakeup is an inter-processor interrupt through the hypervisor and costs about as
//! much as the whole request: on the project machine (2 vCPU under KVM) a plain loopback ping-pong
//! between two blocking threads takes 17-26 µs, and 13 µs when one side polls for a moment
//! before sleeping. This is the same trade the Go scheduler makes with its spinning threads.
//!
//! What it does: [`BusyPollStream`] wraps a connection's `TcpStream`. When a read would wait for
//! the next request (the connection has written an answer since its last read), and the
//! [`BusyPoll`] policy allows it, the thread retries non-blocking reads of the socket for up to
//! the budget (`ddbsse serve --busy-poll`, 50 µs by default) before the read parks as usual. The
//! policy allows it only while the server is quiet: at most one connection polls at a time, and
//! only while fewer connections are open than the runtime has worker threads, so that a polling
//! thread never holds up another connection's work (with 16 clients on 2 cores nobody polls).
//!
//! What it does not do: change what is read or written, or poll a connection that has nothing
//! to wait for. A budget of zero turns it off.

use std::io::{self, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The default polling budget of `ddbsse serve`.
pub const DEFAULT_BUDGET: Duration = Duration::from_micros(50);

/// The most bytes one polled read takes (the rest of a larger request is read normally).
const POLLED_READ_MAX: usize = 16 * 1024;

/// Spin-loop hints between two polled reads (about a microsecond on current x86).
const POLL_BACKOFF_SPINS: u32 = 32;

/// When a connection may poll: the budget, and how busy the server is.
#[derive(Debug)]
pub struct BusyPoll {
    budget: Duration,
    /// Polling is allowed while at most this many connections are open.
    max_open: usize,
    open: AtomicUsize,
    polling: AtomicBool,
}

impl BusyPoll {
    /// A policy with `budget` per wait, for a runtime of `workers` threads: polling is allowed
    /// while fewer than `workers` connections are open (never with one worker).
    pub fn new(budget: Duration, workers: usize) -> Self {
        Self {
            budget,
            max_open: workers.saturating_sub(1),
            open: AtomicUsize::new(0),
            polling: AtomicBool::new(false),
        }
    }

    /// A policy that never polls.
    pub fn off() -> Self {
        Self::new(Duration::ZERO, 0)
    }

    /// The budget of one wait.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// The right to poll now, if the server is quiet enough and nobody else polls.
    fn try_poll(&self) -> Option<PollingGuard<'_>> {
        if self.budget.is_zero()
            || self.max_open == 0
            || self.open.load(Ordering::Relaxed) > self.max_open
        {
            return None;
        }
        self.polling
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| PollingGuard(&self.polling))
    }
}

/// Held while one connection polls.
struct PollingGuard<'a>(&'a AtomicBool);

impl Drop for PollingGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// A connection's stream that polls for a while before a read parks (see the module doc).
#[derive(Debug)]
pub struct BusyPollStream {
    inner: TcpStream,
    policy: Arc<BusyPoll>,
    /// Something was written since the last read: an answer went out, so the peer's next
    /// request is what a read now waits for. Only then is polling worth it; HTTP servers also
    /// read while a request is being answered (to notice a closed connection), and polling
    /// there would delay the answer.
    answered: bool,
}

impl BusyPollStream {
    /// Wraps `inner`; it counts as open under `policy` until dropped.
    pub fn new(inner: TcpStream, policy: Arc<BusyPoll>) -> Self {
        policy.open.fetch_add(1, Ordering::Relaxed);
        Self {
            inner,
            policy,
            answered: false,
        }
    }

    /// Non-blocking reads of the socket until data, end of stream, an error, or the budget.
    /// `None`: nothing arrived within the budget.
    fn poll_socket(&self, buf: &mut ReadBuf<'_>) -> Option<io::Result<()>> {
        let _guard = self.policy.try_poll()?;
        let deadline = Instant::now() + self.policy.budget;
        let want = buf.remaining().min(POLLED_READ_MAX);
        let dst = buf.initialize_unfilled_to(want);
        // The socket is in non-blocking mode (tokio's): a read without data returns WouldBlock.
        let socket = socket2::SockRef::from(&self.inner);
        loop {
            match (&*socket).read(dst) {
                Ok(n) => {
                    buf.advance(n);
                    return Some(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return None;
                    }
                    // Back off between reads: each read takes the socket's lock, which the
                    // peer's send needs too.
                    for _ in 0..POLL_BACKOFF_SPINS {
                        std::hint::spin_loop();
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl Drop for BusyPollStream {
    fn drop(&mut self) {
        self.policy.open.fetch_sub(1, Ordering::Relaxed);
    }
}

impl AsyncRead for BusyPollStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.answered = false;
                Poll::Ready(r)
            }
            Poll::Pending if !this.answered => Poll::Pending,
            // The waker is registered; if polling finds data first, the later readiness event
            // only costs one spurious wakeup that reads nothing. Either way this wait has had
            // its polling.
            Poll::Pending => {
                this.answered = false;
                match this.poll_socket(buf) {
                    Some(r) => Poll::Ready(r),
                    None => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for BusyPollStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.answered |= matches!(r, Poll::Ready(Ok(n)) if n > 0);
        r
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.answered |= matches!(r, Poll::Ready(Ok(n)) if n > 0);
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn polling_is_allowed_only_while_the_server_is_quiet_and_by_one_connection() {
        let p = BusyPoll::new(Duration::from_micros(50), 2);
        let first = p.try_poll();
        assert!(first.is_some());
        assert!(p.try_poll().is_none(), "one poller at a time");
        drop(first);
        assert!(p.try_poll().is_some());
        p.open.store(2, Ordering::Relaxed);
        assert!(
            p.try_poll().is_none(),
            "two open connections on two workers"
        );
        assert!(BusyPoll::off().try_poll().is_none());
        assert!(
            BusyPoll::new(Duration::from_micros(50), 1)
                .try_poll()
                .is_none(),
            "never with one worker"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_and_writes_pass_through_and_open_connections_are_counted() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let policy = Arc::new(BusyPoll::new(Duration::from_millis(5), 2));
        let server_policy = Arc::clone(&policy);
        let server = tokio::spawn(async move {
            let (s, _) = listener.accept().await.unwrap();
            let mut s = BusyPollStream::new(s, server_policy);
            let mut got = Vec::new();
            let mut buf = [0u8; 64];
            // Several requests, some arriving while the reader polls, some after it parked.
            for _ in 0..3 {
                let n = s.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..n]);
                s.write_all(b"ok").await.unwrap();
            }
            assert_eq!(s.read(&mut buf).await.unwrap(), 0, "end of stream");
            got
        });
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut ack = [0u8; 2];
        for (i, msg) in [b"one", b"two", b"six"].iter().enumerate() {
            if i == 2 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            c.write_all(*msg).await.unwrap();
            c.read_exact(&mut ack).await.unwrap();
            assert_eq!(&ack, b"ok");
            assert_eq!(policy.open_connections(), 1);
        }
        drop(c);
        assert_eq!(server.await.unwrap(), b"onetwosix");
        assert_eq!(policy.open_connections(), 0);
    }
}
