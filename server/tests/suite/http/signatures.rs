//! `ddbsse serve --credentials FILE`: SigV4 verification over real sockets. Requests are signed
//! here with `aws-sigv4` (as SDKs sign them), then sent as signed, or altered after signing, by
//! the raw client; the answers are AWS's (`spec/errors.md#signatures`).

use std::io::Write;
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use ddbsse_server::cli::{ServeArgs, ServeError, build};
use ddbsse_server::clock::ClockKind;

use super::TestServer;
use super::client::{Connection, Reply};

const FILE: &str = "# keys of the signature tests\n\
[default]\naws_access_key_id = AKIDSIGTEST1\naws_secret_access_key = secret-one\n\n\
[temporary]\naws_access_key_id = ASIASIGTEST2\naws_secret_access_key = secret-two\n\
aws_session_token = token-two\n";

struct Signed {
    server: TestServer,
    _file: tempfile::NamedTempFile,
}

async fn signed_server(clock: ClockKind) -> Signed {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(FILE.as_bytes()).expect("write");
    let server = TestServer::start(ServeArgs {
        port: 0,
        clock,
        credentials: Some(file.path().to_owned()),
        ..ServeArgs::default()
    })
    .await;
    Signed {
        server,
        _file: file,
    }
}

/// What a request is signed with.
struct Signing<'a> {
    key: &'a str,
    secret: &'a str,
    token: Option<&'a str>,
    region: &'a str,
    service: &'a str,
    time: SystemTime,
}

impl<'a> Signing<'a> {
    fn new(key: &'a str, secret: &'a str) -> Self {
        Self {
            key,
            secret,
            token: None,
            region: "us-east-1",
            service: "dynamodb",
            time: SystemTime::now(),
        }
    }
}

/// The headers of a request to `/` of `target` with `body`, signed as `s` says (what an SDK sends).
fn signed_headers(s: &Signing<'_>, target: &str, body: &[u8]) -> Vec<(String, String)> {
    let content_type = if target.starts_with("DynamoDB_") {
        "application/x-amz-json-1.0"
    } else {
        "application/x-amz-json-1.1"
    };
    let mut headers = vec![
        ("content-type".to_owned(), content_type.to_owned()),
        ("x-amz-target".to_owned(), target.to_owned()),
    ];
    let identity = aws_credential_types::Credentials::new(
        s.key,
        s.secret,
        s.token.map(str::to_owned),
        None,
        "test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(s.region)
        .name(s.service)
        .time(s.time)
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let signable = SignableRequest::new(
        "POST",
        "http://127.0.0.1/",
        std::iter::once(("host", "127.0.0.1"))
            .chain(headers.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        SignableBody::Bytes(body),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
    headers.extend(
        instructions
            .headers()
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    headers
}

async fn send(addr: std::net::SocketAddr, headers: &[(String, String)], body: &[u8]) -> Reply {
    let mut c = Connection::open(addr).await;
    let borrowed: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.request("POST", "/", &borrowed, body).await
}

async fn call(addr: std::net::SocketAddr, s: &Signing<'_>, target: &str, body: &[u8]) -> Reply {
    send(addr, &signed_headers(s, target, body), body).await
}

fn assert_error(reply: &Reply, code: &str, message_start: &str) {
    assert_eq!(
        reply.status,
        400,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(
        reply.error_code(),
        code,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let message = reply.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.starts_with(message_start), "{message}");
}

const LIST: &str = "DynamoDB_20120810.ListTables";

#[tokio::test]
async fn a_correct_signature_is_served_and_names_the_principal() {
    let s = signed_server(ClockKind::System).await;
    let ok = call(
        s.server.addr,
        &Signing::new("AKIDSIGTEST1", "secret-one"),
        LIST,
        b"{}",
    )
    .await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    // The other services are verified under their own signing names.
    let kms = Signing {
        service: "kms",
        ..Signing::new("AKIDSIGTEST1", "secret-one")
    };
    let ok = call(s.server.addr, &kms, "TrentService.ListKeys", b"{}").await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
}

//= spec/errors.md#signature-mismatch
//= type=test
//# With signature verification on, a request whose signature differs from the SigV4 signature of its canonical request under the secret of its access key MUST fail with `InvalidSignatureException` (HTTP 400) and the message `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.`, and the signatures MUST be compared in constant time.
#[tokio::test]
async fn a_wrong_secret_or_an_altered_request_fails_the_signature() {
    let s = signed_server(ClockKind::System).await;
    let mismatch = ddbsse_wire::signature::SIGNATURE_MISMATCH_MESSAGE;
    let wrong = call(
        s.server.addr,
        &Signing::new("AKIDSIGTEST1", "secret-two"),
        LIST,
        b"{}",
    )
    .await;
    assert_error(&wrong, "InvalidSignatureException", mismatch);
    // Signed for one body, sent with another.
    let headers = signed_headers(&Signing::new("AKIDSIGTEST1", "secret-one"), LIST, b"{}");
    let altered = send(s.server.addr, &headers, br#"{"Limit": 1}"#).await;
    assert_error(&altered, "InvalidSignatureException", mismatch);
    // Signed for one target, sent to another.
    let mut headers = signed_headers(&Signing::new("AKIDSIGTEST1", "secret-one"), LIST, b"{}");
    for (k, v) in &mut headers {
        if k == "x-amz-target" {
            *v = "DynamoDB_20120810.DescribeLimits".to_owned();
        }
    }
    let retargeted = send(s.server.addr, &headers, b"{}").await;
    assert_error(&retargeted, "InvalidSignatureException", mismatch);
}

//= spec/errors.md#signatures
//= type=test
//# With signature verification on, a request whose access key id is not among the target's keys, or whose key has a session token that the request's `X-Amz-Security-Token` does not equal (or a request with a token for a key without one), MUST fail with `UnrecognizedClientException` and the message `The security token included in the request is invalid.` (HTTP 400).
#[tokio::test]
async fn unknown_keys_and_wrong_tokens_are_unrecognized() {
    let s = signed_server(ClockKind::System).await;
    let message = ddbsse_wire::signature::UNRECOGNIZED_CLIENT_MESSAGE;
    let unknown = call(
        s.server.addr,
        &Signing::new("AKIDNOBODY", "secret-one"),
        LIST,
        b"{}",
    )
    .await;
    assert_error(&unknown, "UnrecognizedClientException", message);
    let no_token = call(
        s.server.addr,
        &Signing::new("ASIASIGTEST2", "secret-two"),
        LIST,
        b"{}",
    )
    .await;
    assert_error(&no_token, "UnrecognizedClientException", message);
    let wrong_token = Signing {
        token: Some("token-three"),
        ..Signing::new("ASIASIGTEST2", "secret-two")
    };
    let r = call(s.server.addr, &wrong_token, LIST, b"{}").await;
    assert_error(&r, "UnrecognizedClientException", message);
    let stray_token = Signing {
        token: Some("token-two"),
        ..Signing::new("AKIDSIGTEST1", "secret-one")
    };
    let r = call(s.server.addr, &stray_token, LIST, b"{}").await;
    assert_error(&r, "UnrecognizedClientException", message);
    let right_token = Signing {
        token: Some("token-two"),
        ..Signing::new("ASIASIGTEST2", "secret-two")
    };
    let ok = call(s.server.addr, &right_token, LIST, b"{}").await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
}

//= spec/errors.md#signature-expired
//= type=test
//# With signature verification on, a request whose `X-Amz-Date` is more than 15 minutes before the target's wall clock MUST fail with `InvalidSignatureException` (HTTP 400) and the message `Signature expired: <X-Amz-Date> is now earlier than <now - 15 min> (<now> - 15 min.)`, times in the `X-Amz-Date` form.
#[tokio::test]
async fn dates_beyond_fifteen_minutes_either_way_are_refused_even_on_the_manual_clock() {
    // The manual clock is at 2019; the skew is counted on the wall clock, as clients sign.
    let s = signed_server(ClockKind::Manual).await;
    let now = SystemTime::now();
    let at = |time| Signing {
        time,
        ..Signing::new("AKIDSIGTEST1", "secret-one")
    };
    let old = call(
        s.server.addr,
        &at(now - Duration::from_secs(16 * 60)),
        LIST,
        b"{}",
    )
    .await;
    assert_error(&old, "InvalidSignatureException", "Signature expired: ");
    let message = old.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.ends_with(" - 15 min.)"), "{message}");
    let future = call(
        s.server.addr,
        &at(now + Duration::from_secs(16 * 60)),
        LIST,
        b"{}",
    )
    .await;
    assert_error(
        &future,
        "InvalidSignatureException",
        "Signature not yet current: ",
    );
    let near = call(
        s.server.addr,
        &at(now - Duration::from_secs(14 * 60)),
        LIST,
        b"{}",
    )
    .await;
    assert_eq!(near.status, 200, "{}", String::from_utf8_lossy(&near.body));
}

//= spec/errors.md#incomplete-signature
//= type=test
//# With signature verification on, a SigV4 `Authorization` header without a `Credential`, `SignedHeaders` or `Signature` part MUST fail with `IncompleteSignatureException` (HTTP 400), its message naming each missing part as `Authorization header requires '<part>' parameter.`
#[tokio::test]
async fn incomplete_headers_scopes_and_dates_are_refused() {
    let s = signed_server(ClockKind::System).await;
    let mut headers = signed_headers(&Signing::new("AKIDSIGTEST1", "secret-one"), LIST, b"{}");
    for (k, v) in &mut headers {
        if k == "authorization" {
            *v = v
                .split(", Signature=")
                .next()
                .unwrap_or_default()
                .to_owned();
        }
    }
    let r = send(s.server.addr, &headers, b"{}").await;
    assert_error(
        &r,
        "IncompleteSignatureException",
        "Authorization header requires 'Signature' parameter.",
    );
    let without_date: Vec<(String, String)> =
        signed_headers(&Signing::new("AKIDSIGTEST1", "secret-one"), LIST, b"{}")
            .into_iter()
            .filter(|(k, _)| k != "x-amz-date")
            .collect();
    let r = send(s.server.addr, &without_date, b"{}").await;
    assert_error(
        &r,
        "IncompleteSignatureException",
        "Authorization header requires existence",
    );
    let region = Signing {
        region: "eu-west-1",
        ..Signing::new("AKIDSIGTEST1", "secret-one")
    };
    let r = call(s.server.addr, &region, LIST, b"{}").await;
    assert_error(
        &r,
        "InvalidSignatureException",
        "Credential should be scoped to a valid region.",
    );
    let service = Signing {
        service: "kms",
        ..Signing::new("AKIDSIGTEST1", "secret-one")
    };
    let r = call(s.server.addr, &service, LIST, b"{}").await;
    assert_error(
        &r,
        "InvalidSignatureException",
        "Credential should be scoped to correct service: 'dynamodb'.",
    );
    // No Authorization at all is still the missing token.
    let mut c = Connection::open(s.server.addr).await;
    let r = c
        .request("POST", "/", &[("X-Amz-Target", LIST)], b"{}")
        .await;
    assert_error(
        &r,
        "MissingAuthenticationTokenException",
        "Request is missing Authentication Token",
    );
}

#[tokio::test]
async fn the_signatures_capability_is_announced() {
    let s = signed_server(ClockKind::System).await;
    let mut c = Connection::open(s.server.addr).await;
    let r = c
        .request("GET", "/_conformance/capabilities", &[], b"")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["capabilities"], serde_json::json!(["signatures"]));
    // No clock capability on the system clock.
    let r = c
        .request(
            "POST",
            "/_conformance/clock",
            &[],
            br#"{"advanceMillis": 1}"#,
        )
        .await;
    assert_eq!(r.status, 404);
    let manual = signed_server(ClockKind::Manual).await;
    let mut c = Connection::open(manual.server.addr).await;
    let r = c
        .request("GET", "/_conformance/capabilities", &[], b"")
        .await;
    assert_eq!(
        r.json()["capabilities"],
        serde_json::json!(["clock", "signatures"])
    );
}

#[tokio::test]
async fn get_caller_identity_is_verified_too() {
    let s = signed_server(ClockKind::System).await;
    let form = b"Action=GetCallerIdentity&Version=2011-06-15";
    let sts = |secret| Signing {
        service: "sts",
        ..Signing::new("AKIDSIGTEST1", secret)
    };
    let ok = send(
        s.server.addr,
        &query_headers(&sts("secret-one"), form),
        form,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert!(String::from_utf8_lossy(&ok.body).contains("<UserId>AKIDSIGTEST1</UserId>"));
    let bad = send(
        s.server.addr,
        &query_headers(&sts("secret-two"), form),
        form,
    )
    .await;
    assert_eq!(bad.status, 403);
    assert!(String::from_utf8_lossy(&bad.body).contains("<Code>SignatureDoesNotMatch</Code>"));
}

/// Signed headers of an awsQuery form request (no `X-Amz-Target`).
fn query_headers(s: &Signing<'_>, body: &[u8]) -> Vec<(String, String)> {
    let mut headers = vec![(
        "content-type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    let identity =
        aws_credential_types::Credentials::new(s.key, s.secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(s.region)
        .name(s.service)
        .time(s.time)
        .settings(SigningSettings::default())
        .build()
        .expect("params")
        .into();
    let signable = SignableRequest::new(
        "POST",
        "http://127.0.0.1/",
        [
            ("host", "127.0.0.1"),
            ("content-type", "application/x-www-form-urlencoded"),
        ]
        .into_iter(),
        SignableBody::Bytes(body),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("signs").into_parts();
    headers.extend(
        instructions
            .headers()
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    headers
}

//= spec/errors.md#unauthenticated-bind
//= type=test
//# A target that does not verify signatures MUST NOT listen on an address beyond loopback unless its operator explicitly asks for it (`ddbsse serve --insecure-no-auth`).
#[tokio::test]
async fn binding_beyond_loopback_needs_credentials_or_an_explicit_opt_out() {
    let open = ServeArgs {
        port: 0,
        bind: std::net::IpAddr::from([0, 0, 0, 0]),
        ..ServeArgs::default()
    };
    match build(&open).await {
        Err(ServeError::UnauthenticatedBind(addr)) => {
            assert_eq!(addr, open.bind);
            let message = ServeError::UnauthenticatedBind(addr).to_string();
            assert!(
                message.contains("--credentials") && message.contains("--insecure-no-auth"),
                "{message}"
            );
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    let insecure = ServeArgs {
        insecure_no_auth: true,
        ..open.clone()
    };
    assert!(build(&insecure).await.is_ok());
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(FILE.as_bytes()).expect("write");
    let verified = ServeArgs {
        credentials: Some(file.path().to_owned()),
        ..open
    };
    assert!(build(&verified).await.is_ok());
}

#[tokio::test]
async fn a_missing_credentials_file_is_named() {
    let args = ServeArgs {
        port: 0,
        credentials: Some("/nonexistent/ddbsse-credentials".into()),
        ..ServeArgs::default()
    };
    let error = build(&args).await.map(|_| ()).expect_err("refused");
    assert!(
        error
            .to_string()
            .contains("/nonexistent/ddbsse-credentials"),
        "{error}"
    );
}
