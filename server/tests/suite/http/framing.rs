//! HTTP/1.1 framing over a real connection: `Expect: 100-continue`, chunked bodies, pipelined
//! requests, HTTP/1.0 and `Connection: close`, malformed requests, the connection cap and the
//! request timeout.

use std::time::Duration;

use ddbsse_server::cli::ServeArgs;
use ddbsse_server::clock::ClockKind;

use super::TestServer;
use super::client::{Connection, authorization};

fn list_tables(extra_headers: &str, version: &str) -> String {
    let auth = authorization("AKIDTEST");
    format!(
        "POST / HTTP/{version}\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\
         Authorization: {auth}\r\n{extra_headers}Content-Length: 2\r\n\r\n{{}}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expect_continue_and_chunked_bodies_are_served() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;
    let auth = authorization("AKIDTEST");
    c.send_raw(
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\
             Authorization: {auth}\r\nExpect: 100-continue\r\nContent-Length: 13\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(
        c.read_raw(25).await,
        b"HTTP/1.1 100 Continue\r\n\r\n",
        "the server invites the body"
    );
    c.send_raw(br#"{"Limit": 10}"#).await;
    let r = c.read_reply().await.expect("a response");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json()["TableNames"].is_array());

    c.send_raw(
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\
             Authorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n\
             4\r\n{{\"Li\r\n9\r\nmit\": 10}}\r\n0\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    let r = c.read_reply().await.expect("a response");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.header("date").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_requests_are_answered_in_order_and_close_is_honoured() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;
    let mut three = list_tables("", "1.1");
    three.push_str("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
    three.push_str(&list_tables("Connection: close\r\n", "1.1"));
    c.send_raw(three.as_bytes()).await;
    let statuses = [
        c.read_reply().await.expect("first"),
        c.read_reply().await.expect("second"),
        c.read_reply().await.expect("third"),
    ];
    assert_eq!(
        statuses.iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 404, 200]
    );
    assert_eq!(statuses[0].header("connection"), None);
    assert_eq!(statuses[2].header("connection"), Some("close"));
    assert!(c.closed_by_server(Duration::from_secs(5)).await);

    // HTTP/1.0 closes after one answer unless it asks to keep the connection.
    let mut c = Connection::open(server.addr).await;
    c.send_raw(list_tables("", "1.0").as_bytes()).await;
    let r = c.read_reply().await.expect("a response");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), Some("close"));
    assert!(c.closed_by_server(Duration::from_secs(5)).await);
    let mut c = Connection::open(server.addr).await;
    for _ in 0..2 {
        c.send_raw(list_tables("Connection: keep-alive\r\n", "1.0").as_bytes())
            .await;
        assert_eq!(c.read_reply().await.expect("a response").status, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_a_json_error_and_the_server_keeps_serving() {
    let server = TestServer::manual().await;
    for (raw, status) in [
        (&b"BOGUS\r\n\r\n"[..], 400),
        (
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            400,
        ),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            400,
        ),
    ] {
        let mut c = Connection::open(server.addr).await;
        c.send_raw(raw).await;
        let r = c.read_reply().await.expect("a response");
        assert_eq!(r.status, status, "{}", String::from_utf8_lossy(raw));
        assert!(r.json()["message"].is_string());
        assert_eq!(r.header("connection"), Some("close"));
        assert!(c.closed_by_server(Duration::from_secs(5)).await);
    }
    let mut c = Connection::open(server.addr).await;
    c.send_raw(list_tables("", "1.1").as_bytes()).await;
    assert_eq!(c.read_reply().await.expect("a response").status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_over_the_cap_is_refused_with_503_and_the_next_is_served() {
    let server = TestServer::start(ServeArgs {
        port: 0,
        clock: ClockKind::Manual,
        max_connections: 1,
        ..ServeArgs::default()
    })
    .await;
    let mut first = Connection::open(server.addr).await;
    first.send_raw(list_tables("", "1.1").as_bytes()).await;
    assert_eq!(first.read_reply().await.expect("served").status, 200);
    let mut second = Connection::open(server.addr).await;
    let r = second.read_reply().await.expect("a refusal");
    assert_eq!(r.status, 503);
    assert!(
        r.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 1"))
    );
    drop(first);
    // The first connection's thread ends once it sees the close; then a new one is served.
    let mut served = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut third = Connection::open(server.addr).await;
        third.send_raw(list_tables("", "1.1").as_bytes()).await;
        if third.read_reply().await.is_some_and(|r| r.status == 200) {
            served = true;
            break;
        }
    }
    assert!(
        served,
        "a connection is served again once the first has closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_not_whole_within_the_request_timeout_gets_408_and_idle_connections_stay() {
    let timeout = Duration::from_millis(300);
    let server = TestServer::start(ServeArgs {
        port: 0,
        clock: ClockKind::Manual,
        request_timeout: timeout,
        ..ServeArgs::default()
    })
    .await;
    let auth = authorization("AKIDTEST");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\
         Authorization: {auth}\r\nContent-Length: 13\r\n\r\n"
    );
    // A head that stops half way, a body that stops half way, and a head trickled a byte at a
    // time for longer than the timeout.
    let stalled_head = head[..20].to_owned();
    let stalled_body = format!("{head}{{\"Lim");
    for (case, first) in [("head", stalled_head), ("body", stalled_body)] {
        let mut c = Connection::open(server.addr).await;
        let started = std::time::Instant::now();
        c.send_raw(first.as_bytes()).await;
        let r = c.read_reply().await.expect("an answer");
        assert_eq!(r.status, 408, "stalled {case}");
        assert!(started.elapsed() >= timeout, "not before the timeout");
        assert!(r.json()["message"].is_string());
        assert_eq!(r.header("connection"), Some("close"));
        assert!(c.closed_by_server(Duration::from_secs(5)).await);
    }
    let mut c = Connection::open(server.addr).await;
    for byte in head.as_bytes().iter().take(8) {
        c.send_raw(&[*byte]).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    let r = c.read_reply().await.expect("an answer");
    assert_eq!(r.status, 408, "a trickled head is timed as a whole");

    // Between requests a connection may rest for longer than the timeout.
    let mut c = Connection::open(server.addr).await;
    c.send_raw(list_tables("", "1.1").as_bytes()).await;
    assert_eq!(c.read_reply().await.expect("first").status, 200);
    tokio::time::sleep(timeout * 2).await;
    c.send_raw(list_tables("", "1.1").as_bytes()).await;
    assert_eq!(c.read_reply().await.expect("after a rest").status, 200);
}
