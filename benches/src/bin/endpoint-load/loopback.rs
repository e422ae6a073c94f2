//! The loopback floor: what one client's round trip costs on this machine when the server does
//! nothing at all, not even HTTP.
//!
//! A thread of this process answers every `request_len` bytes it reads with `answer_len` bytes
//! over one TCP connection on 127.0.0.1, and one client sends a request and waits for the whole
//! answer, again and again. Both ends poll with non-blocking reads, as the single-client phases
//! do (the client always; `ddbsse serve` while it is quiet), so that no thread wakeup is counted.
//! With the sizes of a real PutItem or GetItem exchange, its rate is the most that any server
//! could answer one client here: the kernel's TCP path alone. A goal that asks a server for more
//! than that cannot be met on this machine, however little the server does.
//!
//! It does not parse anything, and it measures no server: it is the reference line that the
//! report sets beside the measured ones.

use std::io::{self, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::wire::write_all;
use crate::workload::PhaseResult;

/// Round trips of `request_len` bytes out and `answer_len` bytes back, for `duration`.
pub fn raw_round_trips(
    request_len: usize,
    answer_len: usize,
    duration: Duration,
) -> io::Result<PhaseResult> {
    if request_len == 0 || answer_len == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a round trip needs bytes both ways",
        ));
    }
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let answerer = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || -> io::Result<()> {
            let (stream, _) = listener.accept()?;
            answer(stream, request_len, answer_len, &stop)
        })
    };
    let client = TcpStream::connect(addr);
    let result = client.and_then(|c| ask(c, request_len, answer_len, duration));
    stop.store(true, Ordering::Relaxed);
    let served = answerer
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the answering thread panicked")));
    let result = result?;
    served?;
    Ok(result)
}

fn configure(stream: &TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_nonblocking(true)
}

/// Reads exactly `buf.len()` bytes, polling; `Ok(false)` when the peer closed first or `stop`
/// was set.
fn read_exact_polling(
    mut stream: &TcpStream,
    buf: &mut [u8],
    stop: Option<&AtomicBool>,
) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        match stream.read(&mut buf[got..]) {
            Ok(0) => return Ok(false),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                    return Ok(false);
                }
                std::hint::spin_loop();
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn answer(
    stream: TcpStream,
    request_len: usize,
    answer_len: usize,
    stop: &AtomicBool,
) -> io::Result<()> {
    configure(&stream)?;
    let mut request = vec![0u8; request_len];
    let reply = vec![b'a'; answer_len];
    while read_exact_polling(&stream, &mut request, Some(stop))? {
        write_all(&stream, &reply)?;
    }
    Ok(())
}

fn ask(
    stream: TcpStream,
    request_len: usize,
    answer_len: usize,
    duration: Duration,
) -> io::Result<PhaseResult> {
    configure(&stream)?;
    let request = vec![b'q'; request_len];
    let mut reply = vec![0u8; answer_len];
    let mut result = PhaseResult::default();
    let start = Instant::now();
    while start.elapsed() < duration {
        write_all(&stream, &request)?;
        if !read_exact_polling(&stream, &mut reply, None)? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the answering thread closed the connection",
            ));
        }
        result.ops += 1;
    }
    result.seconds = start.elapsed().as_secs_f64();
    result.connects = 1;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_are_counted_and_sizes_checked() {
        let r = raw_round_trips(300, 1200, Duration::from_millis(50)).unwrap();
        assert!(r.ops > 0);
        assert!(r.seconds >= 0.05);
        assert!(raw_round_trips(0, 10, Duration::from_millis(1)).is_err());
    }
}
