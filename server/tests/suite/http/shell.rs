//! Routing, headers, credentials, connections and bad input of the HTTP shell.

use super::TestServer;
use super::client::Connection;

const DDB: &str = "DynamoDB_20120810.";
const KMS: &str = "TrentService.";
const TRAIL: &str = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

fn target(prefix: &str, op: &str) -> String {
    format!("{prefix}{op}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_service_is_routed_by_its_target_and_answers_in_its_protocol() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;

    //= spec/errors.md#envelope
    //= type=test
    //# An error response MUST have the body `{"__type": <type>, "message": <text>}`, the `Content-Type` of its protocol (`application/x-amz-json-1.0` for DynamoDB, `application/x-amz-json-1.1` for KMS and CloudTrail), and an `x-amzn-RequestId` header, with `x-amz-crc32` added on DynamoDB responses.
    let r = c.call("AKIDTEST", &target(DDB, "ListTables"), "{}").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    assert_eq!(
        r.header("x-amz-crc32"),
        Some(crc32fast::hash(&r.body).to_string().as_str()),
        "x-amz-crc32 is the CRC-32 of the body, as botocore checks it"
    );
    assert!(
        r.header("x-amzn-requestid")
            .is_some_and(|id| !id.is_empty())
    );
    assert!(r.json()["TableNames"].is_array());

    let r = c.call("AKIDTEST", &target(KMS, "ListKeys"), "{}").await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert!(
        r.header("x-amz-crc32").is_none(),
        "only DynamoDB sends x-amz-crc32"
    );
    assert!(r.header("x-amzn-requestid").is_some());
    assert!(r.json()["Keys"].is_array());

    let r = c
        .call("AKIDTEST", &target(TRAIL, "LookupEvents"), "{}")
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert!(r.json()["Events"].is_array());

    // Errors carry the same headers: a DynamoDB error has a CRC too.
    let r = c
        .call(
            "AKIDTEST",
            &target(DDB, "DescribeTable"),
            r#"{"TableName":"nope"}"#,
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "ResourceNotFoundException");
    assert_eq!(
        r.header("x-amz-crc32"),
        Some(crc32fast::hash(&r.body).to_string().as_str())
    );
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    let ids: std::collections::BTreeSet<String> = [
        c.call("AKIDTEST", &target(DDB, "ListTables"), "{}").await,
        c.call("AKIDTEST", &target(DDB, "ListTables"), "{}").await,
    ]
    .iter()
    .filter_map(|r| r.header("x-amzn-requestid").map(str::to_owned))
    .collect();
    assert_eq!(ids.len(), 2, "every response has its own request id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_without_a_sigv4_credential_is_refused_first() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;
    let cases = [
        (
            target(DDB, "ListTables"),
            None,
            "com.amazon.coral.service#MissingAuthenticationTokenException",
            "application/x-amz-json-1.0",
        ),
        (
            target(KMS, "ListKeys"),
            None,
            "MissingAuthenticationTokenException",
            "application/x-amz-json-1.1",
        ),
        (
            target(TRAIL, "LookupEvents"),
            Some("Bearer abc"),
            "MissingAuthenticationTokenException",
            "application/x-amz-json-1.1",
        ),
        // Authentication is checked before the target: an unknown target without credentials
        // still gets MissingAuthenticationTokenException.
        (
            target(DDB, "NoSuchOperation"),
            None,
            "com.amazon.coral.service#MissingAuthenticationTokenException",
            "application/x-amz-json-1.0",
        ),
        (
            "Nonsense.ListTables".to_owned(),
            Some("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=0"),
            "com.amazon.coral.service#MissingAuthenticationTokenException",
            "application/x-amz-json-1.0",
        ),
    ];
    for (target, auth, type_field, content_type) in cases {
        let mut headers = vec![("X-Amz-Target", target.as_str())];
        if let Some(a) = auth {
            headers.push(("Authorization", a));
        }
        // A malformed body too: authentication is answered first.
        let r = c.request("POST", "/", &headers, b"{not json").await;
        //= spec/errors.md#missing-auth
        //= type=test
        //# A request without an `Authorization` header carrying a SigV4 `Credential=<access key id>/<date>/<region>/<service>/aws4_request` MUST fail with `MissingAuthenticationTokenException` and the message `Request is missing Authentication Token`.
        assert_eq!(r.status, 400, "{target}");
        let body = r.json();
        assert_eq!(body["__type"], type_field, "{target}");
        assert_eq!(body["message"], "Request is missing Authentication Token");
        assert_eq!(r.header("content-type"), Some(content_type));
        assert!(r.header("x-amzn-requestid").is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_targets_and_malformed_bodies_get_protocol_errors_and_the_server_keeps_serving() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;

    //= spec/errors.md#protocol-errors
    //= type=test
    //# A target MUST check a request in this order, answering the first failure only: the `Authorization` header (section 4.1), the `X-Amz-Target` header (section 4.2), then the JSON body (section 4.3).
    //= spec/errors.md#unknown-operation
    //= type=test
    //# A request whose `X-Amz-Target` is absent or does not name an operation the target serves (prefixes `DynamoDB_20120810.`, `TrentService.` and `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.`) MUST fail with `UnknownOperationException`.
    for (t, type_field) in [
        (
            target(DDB, "NoSuchOperation"),
            "com.amazon.coral.service#UnknownOperationException",
        ),
        (target(KMS, "CreateTable"), "UnknownOperationException"),
        (
            "Nonsense.ListTables".to_owned(),
            "com.amazon.coral.service#UnknownOperationException",
        ),
        (
            String::new(),
            "com.amazon.coral.service#UnknownOperationException",
        ),
    ] {
        let r = c.call("AKIDTEST", &t, "{not json").await;
        assert_eq!(r.status, 400, "{t:?}");
        assert_eq!(r.json()["__type"], type_field, "{t:?}");
    }

    //= spec/errors.md#serialization
    //= type=test
    //# A body that is not a JSON object, or that has a member of the wrong JSON type, MUST fail with `SerializationException` and MUST NOT change any state.
    for body in ["{not json", "[1,2]", r#"{"TableName": 5}"#] {
        let r = c
            .call("AKIDTEST", &target(DDB, "DescribeTable"), body)
            .await;
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.error_code(), "SerializationException", "{body}");
        assert_eq!(
            r.json()["__type"],
            "com.amazon.coral.service#SerializationException"
        );
    }
    let r = c
        .call("AKIDTEST", &target(KMS, "CreateKey"), "{\"Description\": [")
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "SerializationException");
    let r = c
        .call(
            "AKIDTEST",
            &target(DDB, "CreateTable"),
            r#"{"TableName": ["x"]}"#,
        )
        .await;
    assert_eq!(r.error_code(), "SerializationException");
    let r = c.call("AKIDTEST", &target(DDB, "ListTables"), "{}").await;
    assert_eq!(
        r.json()["TableNames"],
        serde_json::json!([]),
        "no state changed"
    );

    //= spec/errors.md#no-500
    //= type=test
    //# A target MUST answer every malformed or invalid request with a 4xx status and the envelope of section 1, without dropping the connection or stopping, and MUST serve the next well-formed request normally.
    let r = c.call("AKIDTEST", &target(DDB, "ListTables"), "").await;
    assert_eq!(
        r.status, 200,
        "an empty body reads as {{}}, on the same connection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_and_methods_that_are_no_aws_operation_get_json_errors() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;
    let r = c.request("GET", "/", &[], b"").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.json()["message"].is_string());
    let r = c.request("POST", "/some/where", &[], b"{}").await;
    assert_eq!(r.status, 404);
    assert!(
        r.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("/some/where"))
    );
    let r = c.request("DELETE", "/_conformance/nothing", &[], b"").await;
    assert_eq!(r.status, 404);
    let r = c.call("AKIDTEST", &target(DDB, "ListTables"), "{}").await;
    assert_eq!(r.status, 200, "same connection still serves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_get_without_credentials_and_refuses_other_methods() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;
    let r = c.request("GET", "/_health", &[], b"").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["status"], "ok");
    let r = c.request("POST", "/_health", &[], b"{}").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET"));
    let r = c.call("AKIDTEST", &target(DDB, "ListTables"), "{}").await;
    assert_eq!(r.status, 200, "same connection still serves");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_refused_with_an_aws_error() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;
    let auth = super::client::authorization("AKIDTEST");
    let over = (16 * 1024 * 1024 + 1).to_string();
    // Only the head is sent: the server must answer from Content-Length, without reading 16 MiB.
    c.send_raw(
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n\
             Authorization: {auth}\r\nContent-Length: {over}\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    let r = c.read_reply().await.expect("a response");
    assert_eq!(r.status, 413);
    assert_eq!(r.error_code(), "ValidationException");
    assert!(r.header("x-amz-crc32").is_some());

    // A chunked body that grows past the limit is cut off while reading.
    let mut c = Connection::open(server.addr).await;
    c.send_raw(
        format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.Encrypt\r\n\
             Authorization: {auth}\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    let chunk = vec![b' '; 1024 * 1024];
    let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
    framed.extend_from_slice(&chunk);
    framed.extend_from_slice(b"\r\n");
    let mut refused = None;
    for _ in 0..17 {
        c.send_raw(&framed).await;
    }
    if let Some(r) = c.read_reply().await {
        refused = Some(r);
    }
    let r = refused.expect("a response to the oversized chunked body");
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["__type"], "ValidationException");
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));

    let mut c = Connection::open(server.addr).await;
    let r = c.call("AKIDTEST", &target(DDB, "ListTables"), "{}").await;
    assert_eq!(r.status, 200, "the server keeps serving");
}

async fn decrypt_events(c: &mut Connection) -> usize {
    let r = c
        .call(
            "AKIDADMIN",
            &target(TRAIL, "LookupEvents"),
            r#"{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"Decrypt"}],"MaxResults":50}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()["Events"].as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_tcp_connection_and_each_principal_is_its_own_cache_scope() {
    let server = TestServer::manual().await;
    let mut admin = Connection::open(server.addr).await;
    let create = r#"{"TableName":"scoped","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST",
        "SSESpecification":{"Enabled":true,"SSEType":"KMS"}}"#;
    let r = admin
        .call("AKIDADMIN", &target(DDB, "CreateTable"), create)
        .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let before = decrypt_events(&mut admin).await;

    let put = r#"{"TableName":"scoped","Item":{"pk":{"S":"a"},"v":{"S":"hello"}}}"#;
    let get = r#"{"TableName":"scoped","Key":{"pk":{"S":"a"}}}"#;
    //= spec/conformance.md#connections
    //= type=test
    //# The harness MUST send the requests of one simulated client over one TCP connection (HTTP/1.1 keep-alive) and the requests of distinct simulated clients over distinct TCP connections, and a target MUST identify a client connection with the TCP connection a request arrives on.
    let mut first = Connection::open(server.addr).await;
    assert_eq!(
        first
            .call("AKIDALICE", &target(DDB, "PutItem"), put)
            .await
            .status,
        200
    );
    let r = first.call("AKIDALICE", &target(DDB, "GetItem"), get).await;
    assert_eq!(r.json()["Item"]["v"]["S"], "hello");
    assert_eq!(
        decrypt_events(&mut admin).await,
        before + 1,
        "one Decrypt for two requests on one connection"
    );
    let mut second = Connection::open(server.addr).await;
    assert_eq!(
        second
            .call("AKIDALICE", &target(DDB, "GetItem"), get)
            .await
            .status,
        200
    );
    assert_eq!(
        decrypt_events(&mut admin).await,
        before + 2,
        "a second TCP connection is a second cache scope"
    );
    //= spec/conformance.md#principals
    //= type=test
    //# A target MUST identify the principal of a request with the access key id of the `Credential` of its SigV4 `Authorization` header.
    assert_eq!(
        second
            .call("AKIDBOB", &target(DDB, "GetItem"), get)
            .await
            .status,
        200
    );
    assert_eq!(
        decrypt_events(&mut admin).await,
        before + 3,
        "another access key id on the same connection is another principal"
    );
    let r = admin
        .call(
            "AKIDADMIN",
            &target(TRAIL, "LookupEvents"),
            r#"{"LookupAttributes":[{"AttributeKey":"Username","AttributeValue":"AKIDBOB"}]}"#,
        )
        .await;
    let events = r.json()["Events"].as_array().cloned().unwrap_or_default();
    assert!(
        events.iter().any(|e| e["EventName"] == "Decrypt"),
        "the Decrypt is recorded for the principal named in the credential: {events:?}"
    );
    let record: serde_json::Value = serde_json::from_str(
        events[0]["CloudTrailEvent"]
            .as_str()
            .expect("CloudTrailEvent"),
    )
    .expect("record JSON");
    assert_eq!(record["userIdentity"]["accessKeyId"], "AKIDBOB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_get_caller_identity_names_the_principal_of_the_request() {
    let server = TestServer::manual().await;
    let mut c = Connection::open(server.addr).await;
    let auth = super::client::authorization("AKIDCALLER");
    let r = c
        .request(
            "POST",
            "/",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            b"Action=GetCallerIdentity&Version=2011-06-15",
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/xml"));
    let body = String::from_utf8_lossy(&r.body).into_owned();
    assert!(
        body.contains("<Arn>arn:aws:iam::123456789012:user/AKIDCALLER</Arn>"),
        "{body}"
    );
    assert!(body.contains("<Account>123456789012</Account>"), "{body}");
    assert!(body.contains("<UserId>AKIDCALLER</UserId>"), "{body}");
    let r = c
        .request(
            "POST",
            "/",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"Action=GetCallerIdentity&Version=2011-06-15",
        )
        .await;
    assert_eq!(r.status, 403, "unsigned: MissingAuthenticationToken");
}
