//! One HTTP request in, one response out: routes by path and method, checks the request in the
//! order `spec/errors.md#protocol-errors` fixes, and hands AWS operations to the engine.
//!
//! - `POST /` with `X-Amz-Target`: an AWS operation. Checked in order: body size (transport
//!   limit), the SigV4 credential (`MissingAuthenticationTokenException`), then the engine checks
//!   the target and the body (`UnknownOperationException`, `SerializationException`, ...).
//! - `POST /` without `X-Amz-Target` and with the form `Action=GetCallerIdentity`: STS
//!   GetCallerIdentity for the request's principal ([`super::sts`]).
//! - `/_conformance/...`: the conformance protocol ([`super::conformance`]).
//! - `GET /_health`: `200 {"status": "ok"}` once the server accepts connections, for scripts
//!   and CI recipes that wait for it to be ready.
//! - anything else: a JSON 404 (unknown path) or 405 (`/` without POST), never a 500.
//!
//! Bodies are never logged: they may hold plaintext items or data keys.

use ddbsse_wire::caller::{Caller, ConnectionId};
use ddbsse_wire::{ApiError, ErrorCode, Service};
use http::{Method, StatusCode};
use serde_json::json;

use super::Endpoint;
use super::auth::access_key_id;
use super::conformance;
use super::framing::{FramingError, RequestHead};
use super::response::{AwsReply, Reply, plain_json};
use super::sigv4::Verifier;
use super::sts;

/// The readiness path: `GET` answers 200 as soon as the listener accepts connections.
pub const HEALTH_PATH: &str = "/_health";

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
pub fn dispatch(
    endpoint: &Endpoint,
    connection: &ConnectionInfo,
    head: &RequestHead,
    body: &[u8],
) -> Reply {
    let path = head.path.as_str();
    if conformance::is_conformance_path(path) {
        let signatures = endpoint.verifier().is_some();
        let before = endpoint.clock.now();
        let reply = conformance::answer(&endpoint.clock, signatures, &head.method, path, body);
        if reply.status == StatusCode::OK.as_u16() && head.method == Method::POST {
            endpoint.clock_moved(endpoint.clock.now() > before);
        }
        return reply;
    }
    if path == HEALTH_PATH {
        if head.method == Method::GET || head.method == Method::HEAD {
            return plain_json(StatusCode::OK, &json!({"status": "ok"}));
        }
        let mut reply = plain_json(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"__type": "UnknownOperationException",
                    "message": format!("{} {HEALTH_PATH}: only GET is served here", head.method)}),
        );
        reply.allow = Some("GET");
        return reply;
    }
    if path != "/" {
        return plain_json(
            StatusCode::NOT_FOUND,
            &json!({"__type": "UnknownOperationException", "message": format!("no route for {path}")}),
        );
    }
    if head.method != Method::POST {
        let mut reply = plain_json(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"__type": "UnknownOperationException",
                    "message": format!("{} / is not an AWS operation; send POST / with X-Amz-Target", head.method)}),
        );
        reply.allow = Some("POST");
        return reply;
    }
    if head.target.is_none() && sts::is_get_caller_identity(body) {
        let account = &endpoint.engine().config().account;
        return match endpoint.verifier() {
            None => {
                let key = head.authorization.as_deref().and_then(access_key_id);
                sts::get_caller_identity(account, key)
            }
            Some(verifier) => {
                match verifier.verify(head, body, Some(sts::SIGNING_NAME), Verifier::wall_clock()) {
                    Ok(key) => sts::get_caller_identity(account, Some(&key)),
                    Err(error) => sts::refusal(&error),
                }
            }
        };
    }
    aws_operation(endpoint, connection, head, body).into_reply()
}

/// Answers a request that could not be read whole. `head` is the request's head if it was read.
/// A body over the limit on an AWS operation is refused in the protocol of its target
/// (`ValidationException`, HTTP 413), anything else with a plain JSON message and the status of
/// `error`. `None`: nothing can be answered (the connection is gone).
pub fn refusal(head: Option<&RequestHead>, error: &FramingError) -> Option<Reply> {
    let status = StatusCode::from_u16(error.status()?).unwrap_or(StatusCode::BAD_REQUEST);
    let message = match error {
        FramingError::BodyTooLarge => {
            format!("Request body is larger than the limit of {MAX_BODY_BYTES} bytes")
        }
        other => other.to_string(),
    };
    let aws_operation = head.is_some_and(|h| h.path == "/" && h.method == Method::POST);
    if aws_operation && matches!(error, FramingError::BodyTooLarge) {
        let target = head.and_then(|h| h.target.as_deref()).unwrap_or("");
        let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
        let error = ApiError::new(ErrorCode::Validation, message);
        return Some(AwsReply::error_with_status(service, &error, status.as_u16()).into_reply());
    }
    Some(plain_json(status, &json!({"message": message})))
}

fn aws_operation(
    endpoint: &Endpoint,
    connection: &ConnectionInfo,
    head: &RequestHead,
    body: &[u8],
) -> AwsReply {
    let target = head.target.as_deref().unwrap_or("");
    // Errors found before the engine answer in the protocol the target prefix names, DynamoDB's
    // for an absent or unknown prefix (spec/errors.md#unknown-operation).
    let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
    //= spec/errors.md#protocol-errors
    //# A target MUST check a request in this order, answering the first failure only: the `Authorization` header (section 4.1), the `X-Amz-Target` header (section 4.2), then the JSON body (section 4.3).
    let access_key = match endpoint.verifier() {
        None => head
            .authorization
            .as_deref()
            .and_then(access_key_id)
            .map(str::to_owned),
        Some(verifier) => {
            let signing_name = Service::from_target(target).map(Service::signing_name);
            match verifier.verify(head, body, signing_name, Verifier::wall_clock()) {
                Ok(key) => Some(key),
                Err(error) if error.code == ErrorCode::MissingAuthenticationToken => None,
                Err(error) => {
                    tracing::debug!(
                        connection = connection.id.0,
                        target,
                        error = error.name(),
                        "signature refused"
                    );
                    return AwsReply::error(service, &error);
                }
            }
        }
    };
    let Some(access_key) = access_key else {
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
        access_key_id: access_key,
        connection: connection.id,
        source_ip: connection.source_ip.clone(),
        user_agent: head.user_agent.clone().unwrap_or_default(),
    };
    let reply = AwsReply::from_engine(endpoint.call_engine(&caller, target, body));
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
