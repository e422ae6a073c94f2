//! One HTTP request in, one response out: routes by path and method, checks the request in the
//! order `spec/errors.md#protocol-errors` fixes, and hands AWS operations to the engine.
//!
//! - `POST /` with `X-Amz-Target`: an AWS operation. Checked in order: body size (transport
//!   limit), the SigV4 credential (`MissingAuthenticationTokenException`), then the engine checks
//!   the target and the body (`UnknownOperationException`, `SerializationException`, ...).
//! - `/_conformance/...`: the conformance protocol ([`super::conformance`]).
//! - anything else: a JSON 404 (unknown path) or 405 (`/` without POST), never a 500.
//!
//! Bodies are never logged: they may hold plaintext items or data keys.

use std::sync::Arc;

use bytes::Bytes;
use ddbsse_reference::caller::{Caller, ConnectionId};
use ddbsse_reference::wire::{ApiError, ErrorCode, Service};
use http::{HeaderMap, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::json;

use super::Endpoint;
use super::auth::access_key_id;
use super::conformance;
use super::response::{AwsReply, Body, plain_json};

/// The largest request body accepted (16 MiB, DynamoDB's largest request: a BatchWriteItem).
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The TCP connection a request arrived on.
#[derive(Clone, Debug)]
pub struct ConnectionInfo {
    /// The connection's id, unique for the life of the endpoint.
    pub id: ConnectionId,
    /// The peer's IP address, as CloudTrail's `sourceIPAddress` shows it.
    pub source_ip: String,
}

/// Answers one request. Never fails: every problem becomes an error response.
pub async fn dispatch(
    endpoint: Arc<Endpoint>,
    connection: Arc<ConnectionInfo>,
    request: Request<Incoming>,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path();
    if conformance::is_conformance_path(path) {
        let body = match read_body(&parts.headers, body).await {
            Ok(b) => b,
            Err(too_big) => {
                return plain_json(too_big.status(), &json!({"message": too_big.message()}));
            }
        };
        let response = conformance::answer(&endpoint.clock, &parts.method, path, &body);
        if response.status() == StatusCode::OK && parts.method == Method::POST {
            endpoint.clock_moved();
        }
        return response;
    }
    if path != "/" {
        return plain_json(
            StatusCode::NOT_FOUND,
            &json!({"__type": "UnknownOperationException", "message": format!("no route for {path}")}),
        );
    }
    if parts.method != Method::POST {
        let mut response = plain_json(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"__type": "UnknownOperationException",
                    "message": format!("{} / is not an AWS operation; send POST / with X-Amz-Target", parts.method)}),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, http::HeaderValue::from_static("POST"));
        return response;
    }
    aws_operation(&endpoint, &connection, &parts.headers, body)
        .await
        .into_response()
}

async fn aws_operation(
    endpoint: &Endpoint,
    connection: &ConnectionInfo,
    headers: &HeaderMap,
    body: Incoming,
) -> AwsReply {
    let target = header_str(headers, "x-amz-target").unwrap_or("");
    // Errors found before the engine answer in the protocol the target prefix names, DynamoDB's
    // for an absent or unknown prefix (spec/errors.md#unknown-operation).
    let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
    let body = match read_body(headers, body).await {
        Ok(b) => b,
        Err(too_big) => {
            let error = ApiError::new(ErrorCode::Validation, too_big.message());
            return AwsReply::error_with_status(service, &error, too_big.status().as_u16());
        }
    };
    //= spec/errors.md#protocol-errors
    //# A target MUST check a request in this order, answering the first failure only: the `Authorization` header (section 4.1), the `X-Amz-Target` header (section 4.2), then the JSON body (section 4.3).
    let Some(access_key) = header_str(headers, "authorization").and_then(access_key_id) else {
        //= spec/errors.md#missing-auth
        //# A request without an `Authorization` header carrying a SigV4 `Credential=<access key id>/<date>/<region>/<service>/aws4_request` MUST fail with `MissingAuthenticationTokenException` and the message `Request is missing Authentication Token`.
        let error = ApiError::new(
            ErrorCode::MissingAuthenticationToken,
            "Request is missing Authentication Token",
        );
        tracing::debug!(
            connection = connection.id.0,
            target,
            "request without credentials"
        );
        return AwsReply::error(service, &error);
    };
    //= spec/conformance.md#principals
    //# A target MUST identify the principal of a request with the access key id of the `Credential` of its SigV4 `Authorization` header.
    //= spec/conformance.md#connections
    //# The harness MUST send the requests of one simulated client over one TCP connection (HTTP/1.1 keep-alive) and the requests of distinct simulated clients over distinct TCP connections, and a target MUST identify a client connection with the TCP connection a request arrives on.
    let caller = Caller {
        access_key_id: access_key.to_owned(),
        connection: connection.id,
        source_ip: connection.source_ip.clone(),
        user_agent: header_str(headers, "user-agent").unwrap_or("").to_owned(),
    };
    let reply = AwsReply::from_engine(endpoint.call_engine(&caller, target, &body));
    tracing::debug!(
        connection = connection.id.0,
        principal = %caller.access_key_id,
        target,
        status = reply.status(),
        request_id = reply.request_id(),
        "request"
    );
    endpoint.request_done();
    reply
}

/// Why a body was not read.
#[derive(Debug)]
enum BodyRefused {
    TooLarge,
    Unreadable,
}

impl BodyRefused {
    fn status(&self) -> StatusCode {
        match self {
            BodyRefused::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyRefused::Unreadable => StatusCode::BAD_REQUEST,
        }
    }

    fn message(&self) -> String {
        match self {
            BodyRefused::TooLarge => {
                format!("Request body is larger than the limit of {MAX_BODY_BYTES} bytes")
            }
            BodyRefused::Unreadable => "The request body could not be read".to_owned(),
        }
    }
}

/// Reads the whole body, refusing one over [`MAX_BODY_BYTES`] (by its `Content-Length` before
/// reading, or while reading a chunked one).
async fn read_body(headers: &HeaderMap, body: Incoming) -> Result<Bytes, BodyRefused> {
    let declared = header_str(headers, "content-length").and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(BodyRefused::TooLarge);
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(BodyRefused::TooLarge),
        Err(_) => Err(BodyRefused::Unreadable),
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
