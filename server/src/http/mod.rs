//! The HTTP shell of `ddbsse serve`: one port serving DynamoDB (awsJson1_0), KMS and CloudTrail
//! (awsJson1_1), routed by `X-Amz-Target` to the [`Engine`], plus the conformance protocol.
//!
//! What it does: accepts TCP connections (HTTP/1.1, keep-alive) and serves each on a thread of its
//! own ([`connection`], which says why), gives each a fresh [`ConnectionId`], reads the principal
//! from the SigV4 credential scope (verifying the signature against known keys with
//! `--credentials`, see [`sigv4`]; trusting the access key id otherwise, see [`auth`]), reads `now` from
//! the [`Clock`], and sends the engine's answer with the headers AWS clients check
//! ([`response`]). On shutdown it stops accepting, lets in-flight requests finish, and closes idle
//! keep-alive connections.
//!
//! What it does not do: any DynamoDB, KMS or CloudTrail semantics (the engine's), TLS, HTTP/2, or
//! logging of bodies.

pub mod auth;
pub mod busy_poll;
pub mod conformance;
pub mod connection;
pub mod credentials;
pub mod dispatch;
pub mod framing;
pub mod response;
pub mod sigv4;
pub mod sts;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ddbsse_wire::caller::{Caller, ConnectionId};
use http::StatusCode;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::engine::{Engine, EngineResponse};
use crate::trail_delivery::TrailDelivery;
use busy_poll::BusyPoll;
use connection::Shared;

/// How long shutdown waits for in-flight requests before giving up on them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The most connections served at once unless set ([`Server::with_max_connections`]); one more
/// is answered with HTTP 503 and closed.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 1024;

/// How long a request may take to arrive in full, from its first byte, by default.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What every request handler shares: the engine, the clock and the trail delivery.
#[derive(Debug)]
pub struct Endpoint {
    engine: Arc<Engine>,
    clock: Arc<Clock>,
    delivery: Option<Arc<TrailDelivery>>,
    verifier: Option<sigv4::Verifier>,
}

impl Endpoint {
    /// An endpoint over `engine` on `clock`, delivering the trail through `delivery` if given.
    pub fn new(
        engine: Arc<Engine>,
        clock: Arc<Clock>,
        delivery: Option<Arc<TrailDelivery>>,
    ) -> Self {
        Self {
            engine,
            clock,
            delivery,
            verifier: None,
        }
    }

    /// Verifies every AWS request's signature with `verifier` (`--credentials`); without one the
    /// access key id of the credential scope is trusted.
    pub fn with_verifier(mut self, verifier: sigv4::Verifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The signature verifier, if signatures are verified.
    pub fn verifier(&self) -> Option<&sigv4::Verifier> {
        self.verifier.as_ref()
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    fn call_engine(&self, caller: &Caller, target: &str, body: &[u8]) -> EngineResponse {
        //= spec/conformance.md#clock-semantics
        //# A target with the `clock` capability MUST NOT let its clock move except through `POST /_conformance/clock`, and MUST take every time of `spec/` from it: table-key cache ages, the detection delay, archival, key deletion dates, the switch quota windows, `CreationDateTime` and `CreationDate` values, trail `eventTime` and delivery windows.
        // Called on a connection's own thread, where blocking on disk (a data directory) stalls
        // nobody else.
        self.engine.handle(self.clock.now(), caller, target, body)
    }

    fn request_done(&self) {
        if let Some(d) = &self.delivery {
            d.wake();
        }
    }

    /// After an accepted clock request; `moved`: the clock now reads a later time than before.
    fn clock_moved(&self, moved: bool) {
        //= spec/control-plane.md#ttl-sweep
        //# A target with the `clock` capability MUST run the sweep every time its clock moves to a later time, at the new time, before it answers the clock request; a target on a wall clock MUST run it at least once a minute.
        // On the connection's own thread, like any request.
        if moved && let Err(e) = self.engine.sweep_expired(self.clock.now()) {
            tracing::warn!(error = %e.message, "time-to-live sweep failed");
        }
        if let Some(d) = &self.delivery {
            d.wake();
        }
    }
}

/// A bound, not yet serving, HTTP server.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    endpoint: Arc<Endpoint>,
    next_connection: Arc<AtomicU64>,
    busy_poll: Arc<BusyPoll>,
    max_connections: usize,
    request_timeout: Duration,
}

impl Server {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr, endpoint: Arc<Endpoint>) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            endpoint,
            next_connection: Arc::new(AtomicU64::new(1)),
            busy_poll: Arc::new(BusyPoll::off()),
            max_connections: DEFAULT_MAX_CONNECTIONS as usize,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        })
    }

    /// Polls quiet connections for their next request as `policy` says ([`busy_poll`]);
    /// off unless set.
    pub fn with_busy_poll(mut self, policy: BusyPoll) -> Self {
        self.busy_poll = Arc::new(policy);
        self
    }

    /// Serves at most `n` connections at once (at least one); one more is answered with HTTP 503
    /// and closed.
    pub fn with_max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Answers a request that has not arrived in full `timeout` after its first byte with 408
    /// and closes its connection (at least a millisecond; [`DEFAULT_REQUEST_TIMEOUT`] unless set).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then stops accepting, lets in-flight requests finish
    /// (at most [`SHUTDOWN_GRACE`]) and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let shared = Arc::new(Shared {
            endpoint: self.endpoint,
            busy_poll: self.busy_poll,
            stopping: AtomicBool::new(false),
            open: AtomicUsize::new(0),
            request_timeout: self.request_timeout,
        });
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let id = ConnectionId(self.next_connection.fetch_add(1, Ordering::Relaxed));
                        start_connection(stream, peer, id, &shared, self.max_connections);
                    }
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
        drop(self.listener);
        shared.stopping.store(true, Ordering::Release);
        // Idle connections notice within a read-timeout tick; in-flight requests finish first.
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while shared.open.load(Ordering::Acquire) > 0 {
            if Instant::now() >= deadline {
                tracing::warn!("connections still open after the shutdown grace period");
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Counts a connection in [`Shared::open`] until dropped, at the end of its thread.
struct OpenConnection(Arc<Shared>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves an accepted connection on a thread of its own, or refuses it when the server is full.
fn start_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    id: ConnectionId,
    shared: &Arc<Shared>,
    max_connections: usize,
) {
    if shared.open.load(Ordering::Acquire) >= max_connections {
        tracing::warn!(peer = %peer, "too many connections; refusing one");
        let reply = response::plain_json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({"message": format!("the endpoint serves at most {max_connections} connections at once")}),
        );
        let mut out = Vec::new();
        reply.write(&mut out, true, false);
        // Best effort: the answer fits in an empty socket buffer; the connection closes anyway.
        let _ = stream.try_write(&out);
        return;
    }
    let stream = match stream.into_std() {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "cannot take over an accepted connection");
            return;
        }
    };
    shared.open.fetch_add(1, Ordering::AcqRel);
    let counted = OpenConnection(Arc::clone(shared));
    let spawned = std::thread::Builder::new()
        .name(format!("ddbsse-conn-{}", id.0))
        .spawn(move || {
            connection::serve(stream, peer, id, &counted.0);
            drop(counted);
        });
    if let Err(e) = spawned {
        // The closure, and with it the stream and its count in `open`, is dropped.
        tracing::warn!(error = %e, "cannot start a connection thread");
    }
}
