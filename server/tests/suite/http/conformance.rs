//! The conformance protocol's endpoints: capability discovery and the manual clock.

use ddbsse_server::cli::ServeArgs;
use ddbsse_server::clock::ClockKind;
use serde_json::json;

use super::TestServer;
use super::client::Connection;

const START: u64 = 1_552_262_400_000;

async fn post_clock(c: &mut Connection, body: &str) -> super::client::Reply {
    c.request(
        "POST",
        "/_conformance/clock",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_clock_is_discovered_and_moves_only_forward() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;

    //= spec/conformance.md#capabilities
    //= type=test
    //# A target that offers any capability MUST answer `GET /_conformance/capabilities` with HTTP 200, `Content-Type: application/json` and the body `{"version": 1, "capabilities": [<names>]}`, and the harness MUST treat a 404 as a target with no capability.
    let r = c
        .request("GET", "/_conformance/capabilities", &[], b"")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json(), json!({"version": 1, "capabilities": ["clock"]}));

    //= spec/conformance.md#clock-request
    //= type=test
    //# A target with the `clock` capability MUST answer `POST /_conformance/clock` with the body `{"advanceMillis": N}` (N an integer, 0 or more) by moving its clock forward by N milliseconds, and with the body `{"setMillis": T}` (T an integer not before the current time) by setting its clock to T, and in both cases MUST reply HTTP 200 with `{"nowMillis": <the new time>}`.
    let r = post_clock(&mut c, r#"{"advanceMillis": 0}"#).await;
    assert_eq!((r.status, r.json()), (200, json!({"nowMillis": START})));
    let r = post_clock(&mut c, r#"{"advanceMillis": 300000}"#).await;
    assert_eq!(
        (r.status, r.json()),
        (200, json!({"nowMillis": START + 300_000}))
    );
    let r = post_clock(&mut c, &format!(r#"{{"setMillis": {}}}"#, START + 900_000)).await;
    assert_eq!(
        (r.status, r.json()),
        (200, json!({"nowMillis": START + 900_000}))
    );

    //= spec/conformance.md#clock-request
    //= type=test
    //# A body with neither or both members, a negative or non-integer value, or a `setMillis` before the current time MUST fail with HTTP 400 and the body `{"message": <reason>}`, leaving the clock unchanged.
    for bad in [
        "{}".to_owned(),
        r#"{"advanceMillis": 1, "setMillis": 2}"#.to_owned(),
        r#"{"advanceMillis": -5}"#.to_owned(),
        r#"{"advanceMillis": 2.5}"#.to_owned(),
        r#"{"setMillis": "soon"}"#.to_owned(),
        format!(r#"{{"setMillis": {}}}"#, START + 899_999),
        "not json".to_owned(),
    ] {
        let r = post_clock(&mut c, &bad).await;
        assert_eq!(r.status, 400, "{bad}");
        let body = r.json();
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{bad}"
        );
    }
    let r = post_clock(&mut c, r#"{"advanceMillis": 0}"#).await;
    assert_eq!(
        r.json(),
        json!({"nowMillis": START + 900_000}),
        "refused moves changed nothing"
    );

    let r = c.request("GET", "/_conformance/clock", &[], b"").await;
    assert_eq!(r.status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_takes_its_time_from_the_manual_clock() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;
    //= spec/conformance.md#clock-semantics
    //= type=test
    //# A target with the `clock` capability MUST NOT let its clock move except through `POST /_conformance/clock`, and MUST take every time of `spec/` from it: table-key cache ages, the detection delay, archival, key deletion dates, the switch quota windows, `CreationDateTime` and `CreationDate` values, trail `eventTime` and delivery windows.
    let r = c
        .call(
            "AKIDTEST",
            "TrentService.CreateKey",
            r#"{"Description":"clock"}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let created = r.json()["KeyMetadata"]["CreationDate"]
        .as_f64()
        .expect("CreationDate");
    assert_eq!(
        (created * 1000.0).round() as u64,
        START,
        "no real time passed on the endpoint"
    );
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    super::advance(server.addr, 3_600_000).await;
    let r = c
        .call(
            "AKIDTEST",
            "TrentService.CreateKey",
            r#"{"Description":"later"}"#,
        )
        .await;
    let created = r.json()["KeyMetadata"]["CreationDate"]
        .as_f64()
        .expect("CreationDate");
    assert_eq!((created * 1000.0).round() as u64, START + 3_600_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_system_clock_the_conformance_paths_do_not_exist() {
    let server = TestServer::start(ServeArgs {
        port: 0,
        clock: ClockKind::System,
        ..ServeArgs::default()
    })
    .await;
    let mut c = Connection::open(server.addr).await;
    let r = c
        .request("GET", "/_conformance/capabilities", &[], b"")
        .await;
    assert_eq!(r.status, 404, "no capability: the harness reads 404");
    let r = post_clock(&mut c, r#"{"advanceMillis": 1000}"#).await;
    assert_eq!(r.status, 404);
    let r = c
        .call(
            "AKIDTEST",
            "TrentService.CreateKey",
            r#"{"Description":"now"}"#,
        )
        .await;
    let created = r.json()["KeyMetadata"]["CreationDate"]
        .as_f64()
        .expect("CreationDate");
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs_f64();
    assert!(
        (wall - created).abs() < 60.0,
        "system clock: {created} vs {wall}"
    );
}
