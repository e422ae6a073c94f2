//! `--endpoint`: LookupEvents pagination, SigV4 signing and record accounting, against a fake
//! endpoint on 127.0.0.1.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::ops::ControlFlow;

use ddbsse_client::Credentials;
use ddbsse_trail::filter::Filter;
use ddbsse_trail::lookup::{LOOKUP_EVENTS_TARGET, LookupClient, LookupRequest};
use ddbsse_trail::scan::ScanReport;
use ddbsse_trail::stats::{Stats, StatsQuery};
use serde_json::{Value, json};

use crate::support::{T0, record};

struct Received {
    headers: BTreeMap<String, String>,
    body: Value,
    signature_ok: bool,
}

fn credentials() -> Credentials {
    Credentials::new("AKIDTRAILTEST", "trail-test-secret")
}

/// The `Authorization` a correct SigV4 signer gives the request as the server received it (the
/// signed headers, at the request's own `X-Amz-Date`): it checks that what was sent is what was
/// signed.
fn expected_authorization(headers: &BTreeMap<String, String>, body: &[u8]) -> String {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    let date = &headers["x-amz-date"]; // YYYYMMDDTHHMMSSZ
    let event_time = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &date[0..4],
        &date[4..6],
        &date[6..8],
        &date[9..11],
        &date[11..13],
        &date[13..15]
    );
    let millis = ddbsse_wire::time::Timestamp::parse_event_time(&event_time)
        .expect("an X-Amz-Date")
        .millis();
    let identity = aws_credential_types::Credentials::new(
        "AKIDTRAILTEST",
        "trail-test-secret",
        None,
        None,
        "test",
    )
    .into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("cloudtrail")
        .time(std::time::UNIX_EPOCH + std::time::Duration::from_millis(millis))
        .settings(SigningSettings::default())
        .build()
        .expect("parameters")
        .into();
    let signed: Vec<(&str, &str)> = ["host", "content-type", "x-amz-target"]
        .iter()
        .map(|k| (*k, headers.get(*k).map(String::as_str).unwrap_or_default()))
        .collect();
    let url = format!("http://{}/", headers["host"]);
    let signable =
        SignableRequest::new("POST", &url, signed.into_iter(), SignableBody::Bytes(body))
            .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
    instructions
        .headers()
        .find(|(k, _)| *k == "authorization")
        .map(|(_, v)| v.to_owned())
        .expect("an authorization header")
}

/// Serves `pages` (one per connection) and returns what each request carried.
fn serve(pages: Vec<Value>) -> (String, std::thread::JoinHandle<Vec<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for page in pages {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut headers = BTreeMap::new();
            let mut line = String::new();
            reader.read_line(&mut line).expect("request line");
            assert!(line.starts_with("POST / HTTP/1.1"), "{line}");
            loop {
                line.clear();
                reader.read_line(&mut line).expect("header");
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                let (k, v) = l.split_once(':').expect("header line");
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
            let len: usize = headers["content-length"].parse().expect("length");
            let mut body = vec![0u8; len];
            reader.read_exact(&mut body).expect("body");
            let expected = expected_authorization(&headers, &body);
            seen.push(Received {
                signature_ok: headers.get("authorization") == Some(&expected),
                body: serde_json::from_slice(&body).expect("json body"),
                headers,
            });
            let text = page.to_string();
            let mut stream = stream;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            )
            .expect("respond");
        }
        seen
    });
    (url, handle)
}

fn page(records: &[Value], extra: &[&str], next: Option<&str>) -> Value {
    let mut events: Vec<Value> = records
        .iter()
        .map(|r| json!({"EventId": r["eventID"], "EventName": r["eventName"], "CloudTrailEvent": r.to_string()}))
        .collect();
    events.extend(
        extra
            .iter()
            .map(|t| json!({"EventId": "x", "CloudTrailEvent": t})),
    );
    let mut p = json!({"Events": events});
    if let Some(n) = next {
        p["NextToken"] = json!(n);
    }
    p
}

#[test]
fn follows_next_token_signs_every_request_and_counts_like_a_folder() {
    let records: Vec<Value> = (0..120u64)
        .map(|i| {
            record(
                T0 + i * 20_000,
                if i % 3 == 0 {
                    "GenerateDataKey"
                } else {
                    "Decrypt"
                },
            )
        })
        .collect();
    let pages = vec![
        page(&records[..50], &[], Some("token-1")),
        page(
            &records[50..100],
            &["not json", "{\"eventName\":\"Decrypt\"}"],
            Some("token-2"),
        ),
        page(&records[100..], &[], None),
    ];
    let (url, server) = serve(pages);
    let client = LookupClient::new(&url, "us-east-1", credentials()).expect("client");
    let analysis = StatsQuery {
        filter: Filter::default(),
        interval_millis: 300_000,
    };
    let mut stats = Stats::new(300_000);
    let mut report = ScanReport::default();
    let request = LookupRequest {
        start_secs: Some(T0 / 1000),
        end_secs: Some(T0 / 1000 + 86_400),
        attribute: Some(("EventSource".into(), "kms.amazonaws.com".into())),
        max_results: 50,
    };
    client
        .scan(
            &analysis,
            &request,
            false,
            &mut report,
            &|| T0 + 3_600_000,
            |p| {
                stats.merge(p);
                ControlFlow::Continue(())
            },
        )
        .expect("scan");
    let seen = server.join().expect("server");
    assert_eq!(seen.len(), 3);
    for (i, r) in seen.iter().enumerate() {
        assert_eq!(r.headers["x-amz-target"], LOOKUP_EVENTS_TARGET);
        assert!(r.headers["authorization"].starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDTRAILTEST/20190311/us-east-1/cloudtrail/aws4_request"
        ));
        assert!(
            r.signature_ok,
            "request {i} carries a valid SigV4 signature"
        );
        assert_eq!(r.body["StartTime"], json!(T0 / 1000));
        assert_eq!(r.body["LookupAttributes"][0]["AttributeKey"], "EventSource");
    }
    assert_eq!(seen[0].body.get("NextToken"), None);
    assert_eq!(seen[1].body["NextToken"], "token-1");
    assert_eq!(seen[2].body["NextToken"], "token-2");
    assert_eq!(stats.records, 120);
    assert_eq!(stats.by_event_name["GenerateDataKey"], 40);
    assert_eq!(stats.by_event_name["Decrypt"], 80);
    assert_eq!(report.files_read, 3);
    assert_eq!(report.records_skipped_total(), 2, "{report}");
    assert!(
        report
            .messages
            .iter()
            .any(|m| m.contains("LookupEvents page 2"))
    );
}

#[test]
fn service_errors_are_reported_not_panicked() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
        let body = r#"{"__type":"InvalidTimeRangeException","Message":"start after end"}"#;
        write!(
            stream,
            "HTTP/1.1 400 Bad Request\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("respond");
    });
    let client = LookupClient::new(&url, "us-east-1", credentials()).expect("client");
    let analysis = StatsQuery {
        filter: Filter::default(),
        interval_millis: 300_000,
    };
    let err = client
        .scan(
            &analysis,
            &LookupRequest {
                max_results: 50,
                ..Default::default()
            },
            false,
            &mut ScanReport::default(),
            &|| T0,
            |_| ControlFlow::Continue(()),
        )
        .expect_err("service error");
    server.join().expect("server");
    let text = err.to_string();
    assert!(
        text.contains("InvalidTimeRangeException") && text.contains("400"),
        "{text}"
    );
    assert!(LookupClient::new("ftp://example.com", "us-east-1", credentials()).is_err());
    assert!(LookupClient::new("https://example.com", "us-east-1", credentials()).is_ok());
}
