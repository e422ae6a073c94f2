//! The HTTP shell of `ddbsse serve`: one port serving DynamoDB (awsJson1_0), KMS and CloudTrail
//! (awsJson1_1), routed by `X-Amz-Target` to the [`Engine`], plus the conformance protocol.
//!
//! What it does: accepts TCP connections (HTTP/1.1, keep-alive), gives each a fresh
//! [`ConnectionId`], reads the principal from the SigV4 credential scope (signatures are not
//! verified, see [`auth`]), reads `now` from the [`Clock`], and sends the engine's answer with the
//! headers AWS clients check ([`response`]). On shutdown it stops accepting, lets in-flight
//! requests finish, and closes idle keep-alive connections.
//!
//! What it does not do: any DynamoDB, KMS or CloudTrail semantics (the engine's), TLS, HTTP/2, or
//! logging of bodies.

pub mod auth;
pub mod busy_poll;
pub mod conformance;
pub mod dispatch;
pub mod response;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ddbsse_reference::caller::{Caller, ConnectionId};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::engine::{Engine, EngineResponse};
use crate::trail_delivery::TrailDelivery;
use busy_poll::{BusyPoll, BusyPollStream};
use dispatch::{ConnectionInfo, dispatch};

/// How long shutdown waits for in-flight requests before giving up on them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What every request handler shares: the engine, the clock and the trail delivery.
#[derive(Debug)]
pub struct Endpoint {
    engine: Arc<Engine>,
    clock: Arc<Clock>,
    delivery: Option<Arc<TrailDelivery>>,
    /// Whether engine calls may block on disk (a data directory), so that they run with
    /// `block_in_place` instead of stalling the runtime's worker.
    engine_blocks: bool,
}

impl Endpoint {
    /// An endpoint over `engine` on `clock`, delivering the trail through `delivery` if given.
    pub fn new(
        engine: Arc<Engine>,
        clock: Arc<Clock>,
        delivery: Option<Arc<TrailDelivery>>,
    ) -> Self {
        let engine_blocks = engine.config().data_dir.is_some();
        Self {
            engine,
            clock,
            delivery,
            engine_blocks,
        }
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
        let call = || self.engine.handle(self.clock.now(), caller, target, body);
        let multi_thread = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        if self.engine_blocks && multi_thread {
            tokio::task::block_in_place(call)
        } else {
            call()
        }
    }

    fn request_done(&self) {
        if let Some(d) = &self.delivery {
            d.wake();
        }
    }

    fn clock_moved(&self) {
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
        })
    }

    /// Polls quiet connections for their next request as `policy` says ([`busy_poll`]);
    /// off unless set.
    pub fn with_busy_poll(mut self, policy: BusyPoll) -> Self {
        self.busy_poll = Arc::new(policy);
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then stops accepting, lets in-flight requests finish
    /// (at most [`SHUTDOWN_GRACE`]) and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let id = ConnectionId(self.next_connection.fetch_add(1, Ordering::Relaxed));
                        let _ = stream.set_nodelay(true);
                        let stream = BusyPollStream::new(stream, Arc::clone(&self.busy_poll));
                        tokio::spawn(serve_connection(
                            stream, peer, id, Arc::clone(&self.endpoint), stop_rx.clone(),
                        ));
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
        drop(stop_rx);
        let _ = stop_tx.send(true);
        // Every connection task holds a receiver; `closed` resolves when the last one ends.
        if tokio::time::timeout(SHUTDOWN_GRACE, stop_tx.closed())
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the shutdown grace period");
        }
    }
}

async fn serve_connection(
    stream: BusyPollStream,
    peer: SocketAddr,
    id: ConnectionId,
    endpoint: Arc<Endpoint>,
    mut stop: watch::Receiver<bool>,
) {
    let engine = Arc::clone(&endpoint.engine);
    let info = Arc::new(ConnectionInfo {
        id,
        source_ip: peer.ip().to_string(),
    });
    tracing::debug!(connection = id.0, peer = %peer, "connection opened");
    let service = service_fn(move |request| {
        let endpoint = Arc::clone(&endpoint);
        let info = Arc::clone(&info);
        async move { Ok::<_, std::convert::Infallible>(dispatch(endpoint, info, request).await) }
    });
    let connection = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        r = connection.as_mut() => r,
        () = async { let _ = stop.wait_for(|stopping| *stopping).await; } => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(connection = id.0, error = %e, "connection ended with an error");
    }
    // spec/cache.md#scope: entries of a closed connection can never be used again; free them.
    engine.connection_closed(id);
    tracing::debug!(connection = id.0, "connection closed");
}
