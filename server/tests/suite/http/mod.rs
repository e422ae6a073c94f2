//! The HTTP shell of `ddbsse serve`, in process over real loopback sockets: each test starts its
//! own server on port 0 and talks to it with a raw HTTP/1.1 client ([`client`]).

mod client;
mod conformance;
mod framing;
mod hostile;
mod hostile_expressions;
mod hostile_kms;
mod seed;
mod shell;
mod shutdown;
mod signatures;
mod trail_dir;

use std::net::SocketAddr;

use ddbsse_server::cli::{Parts, ServeArgs, build};
use ddbsse_server::clock::ClockKind;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server running inside the test's runtime.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    delivery: Option<std::sync::Arc<ddbsse_server::trail_delivery::TrailDelivery>>,
}

impl TestServer {
    /// A server on the manual clock, in memory.
    pub async fn manual() -> Self {
        Self::start(ServeArgs {
            port: 0,
            clock: ClockKind::Manual,
            ..ServeArgs::default()
        })
        .await
    }

    pub async fn start(args: ServeArgs) -> Self {
        let Parts { server, delivery } = build(&args).await.expect("server builds");
        let addr = server.local_addr().expect("bound");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            task: Some(task),
            delivery,
        }
    }

    /// Signals shutdown and returns the task that completes when the server has stopped.
    pub fn begin_shutdown(&mut self) -> JoinHandle<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.take().expect("not shut down yet")
    }

    /// Shuts down and delivers the trail, as `ddbsse serve` does on SIGTERM.
    pub async fn shutdown(mut self) -> Option<ddbsse_server::trail_delivery::DeliveryStats> {
        self.begin_shutdown().await.expect("server task");
        let delivery = self.delivery.take()?;
        Some(
            tokio::task::spawn_blocking(move || delivery.shutdown())
                .await
                .expect("delivery stops"),
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Moves the manual clock forward through the conformance protocol.
pub async fn advance(addr: SocketAddr, millis: u64) -> u64 {
    let mut c = client::Connection::open(addr).await;
    let r = c
        .request(
            "POST",
            "/_conformance/clock",
            &[("Content-Type", "application/json")],
            format!("{{\"advanceMillis\": {millis}}}").as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["nowMillis"].as_u64().expect("nowMillis")
}
