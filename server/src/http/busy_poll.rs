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
//! What it does: after a connection has written an answer, [`BusyPoll::poll_socket`] retries
//! non-blocking reads of its socket for up to the budget (`ddbsse serve --busy-poll`, 50 µs by
//! default) before the connection's thread falls back to a blocking read. The policy allows it
//! only while the server is quiet: at most one connection polls at a time, and only while fewer
//! connections are open than the machine has cores, so that a polling thread never holds up
//! another connection's work (with 16 clients on 2 cores nobody polls).
//!
//! What it does not do: change what is read, or poll while a request is being read or answered
//! (only the wait for a next request is polled). A budget of zero turns it off.

use std::io;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustix::io::Errno;
use rustix::net::RecvFlags;

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
    polling: AtomicBool,
}

impl BusyPoll {
    /// A policy with `budget` per wait, on a machine of `cores` cores: polling is allowed while
    /// fewer than `cores` connections are open (never on one core).
    pub fn new(budget: Duration, cores: usize) -> Self {
        Self {
            budget,
            max_open: cores.saturating_sub(1),
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

    /// The right to poll now, with `open` connections open, if the server is quiet enough and
    /// nobody else polls.
    fn try_poll(&self, open: usize) -> Option<PollingGuard<'_>> {
        if self.budget.is_zero() || self.max_open == 0 || open > self.max_open {
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

impl BusyPoll {
    /// Polls `socket` with non-blocking reads into `buf` until data, end of stream, an error or
    /// the budget, if the policy allows polling now that `open` connections are open. `None`: no
    /// polling, or nothing arrived within the budget; the caller then reads as usual.
    pub fn poll_socket(
        &self,
        socket: &TcpStream,
        buf: &mut [u8],
        open: usize,
    ) -> Option<io::Result<usize>> {
        let _guard = self.try_poll(open)?;
        let deadline = Instant::now() + self.budget;
        let len = buf.len().min(POLLED_READ_MAX);
        let buf = &mut buf[..len];
        loop {
            match rustix::net::recv(socket, &mut *buf, RecvFlags::DONTWAIT) {
                Ok((n, _)) => return Some(Ok(n)),
                Err(Errno::AGAIN) => {
                    if Instant::now() >= deadline {
                        return None;
                    }
                    // Back off between reads: each read takes the socket's lock, which the
                    // peer's send needs too.
                    for _ in 0..POLL_BACKOFF_SPINS {
                        std::hint::spin_loop();
                    }
                }
                Err(Errno::INTR) => {}
                Err(e) => return Some(Err(e.into())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_is_allowed_only_while_the_server_is_quiet_and_by_one_connection() {
        let p = BusyPoll::new(Duration::from_micros(50), 2);
        let first = p.try_poll(1);
        assert!(first.is_some());
        assert!(p.try_poll(1).is_none(), "one poller at a time");
        drop(first);
        assert!(p.try_poll(1).is_some());
        assert!(p.try_poll(2).is_none(), "two open connections on two cores");
        assert!(BusyPoll::off().try_poll(1).is_none());
        assert!(
            BusyPoll::new(Duration::from_micros(50), 1)
                .try_poll(1)
                .is_none(),
            "never on one core"
        );
    }

    #[test]
    fn polling_reads_what_arrives_within_the_budget_and_gives_up_after_it() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let policy = BusyPoll::new(Duration::from_millis(200), 2);
        let mut buf = [0u8; 16];

        // Nothing arrives: the budget runs out and the caller reads as usual.
        let quiet = BusyPoll::new(Duration::from_millis(5), 2);
        let started = Instant::now();
        assert!(quiet.poll_socket(&server, &mut buf, 1).is_none());
        assert!(started.elapsed() >= Duration::from_millis(5));

        // Data sent while polling is read by the poll, and the socket stays blocking.
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            client.write_all(b"next").unwrap();
            client
        });
        assert!(
            policy.poll_socket(&server, &mut buf, 2).is_none(),
            "no polling while the server is busy"
        );
        let got = policy.poll_socket(&server, &mut buf, 1).unwrap().unwrap();
        assert_eq!(&buf[..got], b"next");
        let mut client = writer.join().unwrap();
        client.write_all(b"more").unwrap();
        let n = (&server).read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"more", "a plain read still blocks until data");

        // End of stream is reported as a read of zero bytes.
        drop(client);
        assert_eq!(
            policy.poll_socket(&server, &mut buf, 1).unwrap().unwrap(),
            0
        );
    }
}
