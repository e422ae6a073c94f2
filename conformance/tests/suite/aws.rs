//! `ddbsse check` as it runs against AWS, rehearsed against `ddbsse serve` on loopback: one
//! listener per service (a test-only forwarding proxy that refuses the other services' targets
//! and signed requests without the session token), STS GetCallerIdentity, the cleanup of what a
//! run created (after a failing case too), and the redaction of `--record`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ddbsse_conformance::aws_target::{
    AwsArgs, HttpChoice, Secret, TrackedTarget, caller_identity, http_target,
};
use ddbsse_conformance::report::Verdict;
use ddbsse_conformance::target::Target;
use ddbsse_conformance::target::http::{AccessKey, HttpConfig, HttpTarget};
use ddbsse_conformance::{Options, run};
use ddbsse_server::clock::{Clock, ClockKind};
use ddbsse_server::engine::{Engine, EngineConfig, Faults};
use ddbsse_server::http::{Endpoint, Server};

const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE-session-token";
const SECRET: &str = "conformance-secret-never-stored";

/// `ddbsse serve --clock manual --port 0`, in-process on its own runtime, for the test's life.
pub(crate) fn serve() -> SocketAddr {
    serve_with(Faults::default())
}

/// The same server, its engine with deliberate `faults`.
pub(crate) fn serve_with(faults: Faults) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let engine = Engine::open(EngineConfig {
                faults,
                ..EngineConfig::default()
            })
            .expect("engine opens");
            let clock = Arc::new(Clock::new(ClockKind::Manual));
            let endpoint = Arc::new(Endpoint::new(Arc::new(engine), clock, None));
            let server = Server::bind(SocketAddr::from(([127, 0, 0, 1], 0)), endpoint)
                .await
                .expect("bound");
            tx.send(server.local_addr().expect("bound")).expect("send");
            server.run(std::future::pending::<()>()).await;
        });
    });
    rx.recv().expect("server address")
}

/// What the proxies saw: refusals, and every signature that went through.
#[derive(Default)]
struct Seen {
    violations: Vec<String>,
    signatures: Vec<String>,
    forwarded: usize,
}

/// Reads one HTTP/1.1 message (head and a Content-Length body); `None` at end of stream.
fn read_message(r: &mut BufReader<TcpStream>) -> Option<(Vec<String>, Vec<u8>)> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_owned();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let len = head
        .iter()
        .find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some((head, body))
}

fn header<'a>(head: &'a [String], name: &str) -> Option<&'a str> {
    head.iter().skip(1).find_map(|h| {
        let (k, v) = h.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn write_message(w: &mut TcpStream, head: &[String], body: &[u8]) {
    let mut out = head.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(body);
    let _ = w.write_all(&out);
}

/// A loopback listener for one service that forwards to `upstream`: it refuses (HTTP 400, and
/// notes it) a request whose `X-Amz-Target` is not `prefix`'s, a signed request without
/// `X-Amz-Security-Token: TOKEN`, and conformance control routes unless `control`.
fn proxy(
    name: &'static str,
    prefix: &'static str,
    control: bool,
    upstream: SocketAddr,
    seen: Arc<Mutex<Seen>>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let seen = Arc::clone(&seen);
            std::thread::spawn(move || {
                let Ok(up) = TcpStream::connect(upstream) else {
                    return;
                };
                let mut up_reader = BufReader::new(up.try_clone().expect("clone"));
                let mut up = up;
                let mut reader = BufReader::new(client.try_clone().expect("clone"));
                let mut client = client;
                while let Some((head, body)) = read_message(&mut reader) {
                    let path = head[0].split(' ').nth(1).unwrap_or("").to_owned();
                    let target = header(&head, "x-amz-target").unwrap_or("");
                    let auth = header(&head, "authorization");
                    let refusal = if path.starts_with("/_conformance") {
                        (!control).then(|| format!("{name} listener got control route {path}"))
                    } else if !target.starts_with(prefix) {
                        Some(format!("{name} listener got {target:?}"))
                    } else if auth.is_some() && header(&head, "x-amz-security-token") != Some(TOKEN)
                    {
                        Some(format!(
                            "{name} listener got {target} without the session token"
                        ))
                    } else {
                        None
                    };
                    {
                        let mut s = seen.lock().expect("lock");
                        if let Some(sig) = auth.and_then(|a| a.split("Signature=").nth(1)) {
                            s.signatures.push(sig.trim().to_owned());
                        }
                        match &refusal {
                            Some(v) => s.violations.push(v.clone()),
                            None => s.forwarded += 1,
                        }
                    }
                    if let Some(v) = refusal {
                        let body = format!(r#"{{"__type":"ProxyRefused","message":"{v}"}}"#);
                        let head = vec![
                            "HTTP/1.1 400 Bad Request".to_owned(),
                            "Content-Type: application/json".to_owned(),
                            format!("Content-Length: {}", body.len()),
                        ];
                        write_message(&mut client, &head, body.as_bytes());
                        continue;
                    }
                    write_message(&mut up, &head, &body);
                    let Some((rhead, rbody)) = read_message(&mut up_reader) else {
                        return;
                    };
                    write_message(&mut client, &rhead, &rbody);
                }
            });
        }
    });
    format!("http://{addr}")
}

struct Split {
    server: SocketAddr,
    dynamodb: String,
    kms: String,
    cloudtrail: String,
    seen: Arc<Mutex<Seen>>,
}

fn split() -> Split {
    let server = serve();
    let seen = Arc::new(Mutex::new(Seen::default()));
    Split {
        server,
        dynamodb: proxy(
            "dynamodb",
            "DynamoDB_20120810.",
            true,
            server,
            Arc::clone(&seen),
        ),
        kms: proxy("kms", "TrentService.", false, server, Arc::clone(&seen)),
        cloudtrail: proxy(
            "cloudtrail",
            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
            false,
            server,
            Arc::clone(&seen),
        ),
        seen,
    }
}

/// Cases that use all three services, signed (and one unsigned request).
const CASES: &[&str] = &[
    "tables/sse-customer-key/key-id",
    "tables/sse-customer-key/alias-name",
    "trail/ddb-kms-calls/data-plane",
    "cache/scope/first-access",
    "errors/missing-auth",
    // Passes only when the target built for the command line hands the response headers on.
    "errors/crc32",
];

fn choice_run(
    split: &Split,
    kms: &str,
    cloudtrail: &str,
    record: Option<std::path::PathBuf>,
) -> ddbsse_conformance::Report {
    let aws = AwsArgs {
        dynamodb_endpoint: Some(split.dynamodb.clone()),
        kms_endpoint: Some(kms.to_owned()),
        cloudtrail_endpoint: Some(cloudtrail.to_owned()),
        sts_endpoint: Some(format!("http://{}", split.server)),
        session_token: Some(Secret(TOKEN.to_owned())),
        record,
        ..AwsArgs::default()
    };
    let choice = HttpChoice {
        aws: &aws,
        endpoint: None,
        region: "us-east-1",
        access_key: Some(("AKIDSPLITPRINCIPAL", SECRET)),
        second: None,
        real_time: false,
        timeout: Duration::from_secs(30),
        announce_on_stderr: false,
    };
    let mut target = http_target(&choice)
        .expect("target opens")
        .expect("an HTTP target");
    let report = run(
        target.as_mut(),
        &Options {
            filter: CASES.iter().map(|c| (*c).to_owned()).collect(),
            name_prefix: Some("split-".to_owned()),
            record: aws.record.clone(),
            ..Options::default()
        },
    );
    drop(target); // cleans up, through the proxies too
    report
}

fn the_cloudtrail_prefix_is_what_the_cases_send() {
    // The proxy's CloudTrail prefix must be the one ddbsse-wire uses, or every trail call would
    // be refused for the wrong reason.
    let target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    assert_eq!(
        ddbsse_conformance::aws_target::service_of(target),
        ddbsse_wire::Service::CloudTrail
    );
}

//= spec/conformance.md#reports
//= type=test
//# `report.json` MUST hold, for every case, its exchanges with the target in order (method, URL, `X-Amz-Target`, request headers and body, status, response headers and body, and each move of the target's clock), with the access key id and the signature of every `Authorization` header and the value of every `X-Amz-Security-Token` header redacted, and `index.html` MUST show the exchanges of every failed case.
#[test]
fn the_suite_runs_against_one_listener_per_service_with_a_session_token() {
    the_cloudtrail_prefix_is_what_the_cases_send();
    let split = split();
    let dir = tempfile_dir("split-record");
    let report = choice_run(&split, &split.kms, &split.cloudtrail, Some(dir.clone()));
    let seen = split.seen.lock().expect("lock");
    assert!(seen.violations.is_empty(), "{:?}", seen.violations);
    assert!(seen.forwarded > 20, "{} requests forwarded", seen.forwarded);
    for c in &report.cases {
        assert!(
            c.outcome == Verdict::Passed,
            "{} ended {:?}: {:?} / {:?}",
            c.id,
            c.outcome,
            c.observed,
            c.reason
        );
    }
    // --record: every exchange, but no secret, token, access key id or signature.
    let recorded = std::fs::read_to_string(dir.join("exchanges.jsonl")).expect("recording");
    assert!(recorded.lines().count() > 20, "{recorded}");
    assert!(recorded.contains("TrentService.CreateKey"));
    assert!(recorded.contains("ScheduleKeyDeletion"), "cleanup recorded");
    // The access key id is an identifier, not a secret: it stays in the bodies (trail records
    // name it), only the Authorization header's is redacted.
    assert!(!recorded.contains("Credential=AKIDSPLITPRINCIPAL"));
    for secret in [TOKEN, SECRET] {
        assert!(!recorded.contains(secret), "{secret} recorded");
    }
    assert!(!seen.signatures.is_empty());
    for sig in &seen.signatures {
        assert!(!recorded.contains(sig.as_str()), "signature {sig} recorded");
    }
    assert!(recorded.contains("Signature=<redacted>"));
    assert!(recorded.contains("\"case\":\"tables/sse-customer-key/key-id\""));
    // report.json keeps the same exchanges per case, redacted alike.
    let json = ddbsse_conformance::report::json::to_json(&report);
    for secret in [TOKEN, SECRET] {
        assert!(!json.contains(secret), "{secret} in report.json");
    }
    for sig in &seen.signatures {
        assert!(
            !json.contains(sig.as_str()),
            "signature {sig} in report.json"
        );
    }
    assert!(!json.contains("Credential=AKIDSPLITPRINCIPAL"));
    let case = report
        .case("tables/sse-customer-key/key-id")
        .expect("case ran");
    let create = case
        .exchanges
        .iter()
        .find(|e| e.label() == "CreateKey")
        .expect("CreateKey kept");
    assert!(!create.synthesized);
    assert!(
        create
            .url
            .as_deref()
            .is_some_and(|u| u.starts_with("http://"))
    );
    let header = |name: &str| {
        create
            .request_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert!(header("authorization").contains("Signature=<redacted>"));
    assert_eq!(header("x-amz-security-token"), "<redacted>");
    assert_eq!(header("x-amz-target"), "TrentService.CreateKey");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_request_at_the_wrong_listener_is_caught() {
    let split = split();
    // KMS and CloudTrail swapped: the proxies must refuse, and the cases must fail.
    let report = choice_run(&split, &split.cloudtrail, &split.kms, None);
    let seen = split.seen.lock().expect("lock");
    assert!(
        seen.violations
            .iter()
            .any(|v| v.contains("cloudtrail listener got \"TrentService.")),
        "{:?}",
        seen.violations
    );
    assert!(report.cases.iter().any(|c| c.outcome == Verdict::Failed));
}

#[test]
fn sts_names_the_caller() {
    let server = serve();
    let credentials = ddbsse_client::Credentials::new("AKIDCALLER", "secret");
    let id = caller_identity(
        &format!("http://{server}"),
        "us-east-1",
        &credentials,
        Duration::from_secs(5),
    )
    .expect("identity");
    assert_eq!(id.arn, "arn:aws:iam::123456789012:user/AKIDCALLER");
    assert_eq!(id.account, "123456789012");
    assert_eq!(id.identity_type(), "IAMUser");
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ddbsse-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn what_a_failing_run_created_is_cleaned_up() {
    // A wrong SSEDescription.KMSMasterKeyArn makes the case fail after it created its key and table.
    let server = serve_with(Faults {
        wrong_sse_key_arn: true,
        ..Faults::default()
    });
    let config = HttpConfig {
        endpoint: format!("http://{server}"),
        kms_endpoint: None,
        cloudtrail_endpoint: None,
        session_token: None,
        record: None,
        region: "us-east-1".to_owned(),
        principals: vec![AccessKey {
            id: "AKIDCLEANUP".to_owned(),
            secret: "secret".to_owned(),
        }],
        real_time: false,
        timeout: Duration::from_secs(30),
        delivery_dir: None,
    };
    let inner = HttpTarget::new(config.clone()).expect("target");
    let mut target = TrackedTarget::new(inner, config.clone(), false);
    let options = Options {
        filter: vec!["tables/sse-customer-key/key-id".to_owned()],
        name_prefix: Some("cleanup-".to_owned()),
        ..Options::default()
    };
    let report = run(&mut target, &options);
    assert!(
        report.cases.iter().any(|c| c.outcome == Verdict::Failed),
        "the case must fail: {:?}",
        report.cases
    );
    let created = target.created();
    assert!(
        !created.tables.is_empty() && !created.keys.is_empty(),
        "{created:?}"
    );
    assert!(created.tables.iter().all(|t| t.starts_with("cleanup-")));
    drop(target);

    let mut check = HttpTarget::new(config).expect("target");
    let c = check.open_connection().expect("connection");
    // A deleted table stays DELETING for 8 s on the target's clock (spec/tables.md#delete), so
    // cleanup shows as DELETING or as gone.
    for t in &created.tables {
        let body = format!("{{\"TableName\": \"{t}\"}}");
        let described = check
            .call(c, 0, "DynamoDB_20120810.DescribeTable", body.as_bytes())
            .expect("DescribeTable");
        let deleting = described.body["Table"]["TableStatus"] == "DELETING";
        let gone = described.status == 400
            && described.body["__type"]
                .as_str()
                .is_some_and(|t| t.ends_with("ResourceNotFoundException"));
        assert!(deleting || gone, "{t} was not deleted: {}", described.body);
    }
    for k in &created.keys {
        let r = check
            .call(
                c,
                0,
                "TrentService.DescribeKey",
                serde_json::json!({"KeyId": k}).to_string().as_bytes(),
            )
            .expect("DescribeKey");
        assert_eq!(
            r.body["KeyMetadata"]["KeyState"], "PendingDeletion",
            "{k}: {}",
            r.body
        );
    }
}
