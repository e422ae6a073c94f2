//! Graceful shutdown: in-flight requests finish, idle connections close, no new connection is
//! accepted, and the server's task ends well within the grace period.

use std::time::Duration;

use super::TestServer;
use super::client::{Connection, authorization};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight_then_closes_every_connection() {
    let mut server = TestServer::manual().await;
    let addr = server.addr;

    let mut idle = Connection::open(addr).await;
    let r = idle
        .call("AKIDTEST", "DynamoDB_20120810.ListTables", "{}")
        .await;
    assert_eq!(r.status, 200);

    // A request whose body is half sent is in flight: the server is reading it.
    let mut busy = Connection::open(addr).await;
    let auth = authorization("AKIDTEST");
    let body = br#"{"Limit": 10}"#;
    busy.send_raw(
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\
             Authorization: {auth}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await;
    busy.send_raw(&body[..5]).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    let stopped = server.begin_shutdown();
    assert!(
        idle.closed_by_server(Duration::from_secs(5)).await,
        "an idle keep-alive connection is closed at shutdown"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !stopped.is_finished(),
        "the server waits for the request in flight"
    );

    busy.send_raw(&body[5..]).await;
    let r = busy
        .read_reply()
        .await
        .expect("the in-flight request is answered");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json()["TableNames"].is_array());
    assert!(
        busy.closed_by_server(Duration::from_secs(5)).await,
        "then its connection is closed"
    );
    tokio::time::timeout(Duration::from_secs(5), stopped)
        .await
        .expect("the server stops once nothing is in flight")
        .expect("server task");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no new connection is accepted after shutdown"
    );
}
