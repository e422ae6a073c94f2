//! Turning an answer into an HTTP response with the headers AWS clients check.
//!
//! Every response to an AWS operation carries `x-amzn-RequestId` and the `Content-Type` of its
//! service's protocol; DynamoDB's also carry `x-amz-crc32`, the CRC-32 of the body in decimal,
//! which botocore verifies (`spec/errors.md#envelope`). This module builds headers only; it does
//! not decide statuses or bodies.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use ddbsse_wire::{ApiError, Service};
use http::StatusCode;

use super::framing::{ResponseHead, write_response};
use crate::engine::EngineResponse;

/// The header naming the request id.
pub const REQUEST_ID_HEADER: &str = "x-amzn-RequestId";
/// The header carrying the CRC-32 of a DynamoDB response body.
pub const CRC32_HEADER: &str = "x-amz-crc32";

/// A response, ready to be written: its status, the headers the endpoint sends, and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// `x-amzn-RequestId`.
    pub request_id: String,
    /// `x-amz-crc32`, the CRC-32 of the body, on DynamoDB responses.
    pub crc32: Option<u32>,
    /// `Allow`, on a 405.
    pub allow: Option<&'static str>,
    /// The body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The value of header `name` (case-insensitive) as sent, besides the framing headers.
    #[cfg(test)]
    fn header(&self, name: &str) -> Option<String> {
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("content-type") {
            Some(self.content_type.to_owned())
        } else if is(REQUEST_ID_HEADER) {
            Some(self.request_id.clone())
        } else if is(CRC32_HEADER) {
            self.crc32.map(|c| c.to_string())
        } else if is("allow") {
            self.allow.map(str::to_owned)
        } else {
            None
        }
    }

    /// Appends the response to `out`; `close` announces the end of the connection, and
    /// `head_only` (an answer to HEAD) leaves the body out.
    pub fn write(&self, out: &mut Vec<u8>, close: bool, head_only: bool) {
        let crc;
        let mut headers: [(&str, &str); 4] = [("", ""); 4];
        let mut n = 0;
        headers[n] = ("content-type", self.content_type);
        n += 1;
        headers[n] = (REQUEST_ID_HEADER, &self.request_id);
        n += 1;
        if let Some(c) = self.crc32 {
            crc = c.to_string();
            headers[n] = (CRC32_HEADER, &crc);
            n += 1;
        }
        if let Some(allow) = self.allow {
            headers[n] = ("allow", allow);
            n += 1;
        }
        let head = ResponseHead {
            status: self.status,
            headers: &headers[..n],
            close,
        };
        HTTP_DATE.with_borrow_mut(|date| {
            write_response(out, &head, date.now(), &self.body, head_only);
        });
    }
}

/// An answer to an AWS operation (or a protocol-level error of one), ready to be sent.
#[derive(Debug)]
pub struct AwsReply {
    status: u16,
    service: Service,
    body: Vec<u8>,
    request_id: String,
}

impl AwsReply {
    /// The engine's answer. A missing service (an unknown target) answers in DynamoDB's protocol
    /// (`spec/errors.md#unknown-operation`); a missing request id gets a fresh one.
    pub fn from_engine(response: EngineResponse) -> Self {
        Self {
            status: response.status,
            service: response.service.unwrap_or(Service::DynamoDb),
            body: response.body,
            request_id: non_empty_or_fresh(response.request_id),
        }
    }

    /// An error detected by the shell itself, with the status its code travels with.
    pub fn error(service: Service, error: &ApiError) -> Self {
        Self::error_with_status(service, error, error.http_status())
    }

    /// An error detected by the shell with a status other than its code's (such as 413 for a
    /// body over the size limit).
    pub fn error_with_status(service: Service, error: &ApiError, status: u16) -> Self {
        Self {
            status,
            service,
            body: error.body(service).to_string().into_bytes(),
            request_id: fresh_request_id(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The request id sent in `x-amzn-RequestId`.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The response, with its protocol's headers.
    //= spec/errors.md#envelope
    //# An error response MUST have the body `{"__type": <type>, "message": <text>}`, the `Content-Type` of its protocol (`application/x-amz-json-1.0` for DynamoDB, `application/x-amz-json-1.1` for KMS and CloudTrail), and an `x-amzn-RequestId` header, with `x-amz-crc32` added on DynamoDB responses.
    pub fn into_reply(self) -> Reply {
        //= spec/errors.md#crc32
        //# Every DynamoDB response MUST carry an `x-amz-crc32` header whose value is the CRC-32 (IEEE) of the response body bytes as sent, written as a decimal unsigned 32-bit integer.
        let crc32 = (self.service == Service::DynamoDb).then(|| crc32fast::hash(&self.body));
        Reply {
            status: self.status,
            content_type: self.service.content_type(),
            request_id: self.request_id,
            crc32,
            allow: None,
            body: self.body,
        }
    }
}

/// A plain JSON response (`Content-Type: application/json`), used by the conformance protocol and
/// for requests that address no AWS operation at all.
pub fn plain_json(status: StatusCode, body: &serde_json::Value) -> Reply {
    Reply {
        status: status.as_u16(),
        content_type: "application/json",
        request_id: fresh_request_id(),
        crc32: None,
        allow: None,
        body: body.to_string().into_bytes(),
    }
}

thread_local! {
    static HTTP_DATE: RefCell<HttpDate> = const { RefCell::new(HttpDate { second: u64::MAX, text: String::new() }) };
}

/// The `Date` header's value, formatted once per second per thread.
struct HttpDate {
    second: u64,
    text: String,
}

impl HttpDate {
    fn now(&mut self) -> &str {
        let now = SystemTime::now();
        let second = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if second != self.second {
            self.second = second;
            self.text = httpdate::fmt_http_date(now);
        }
        &self.text
    }
}

fn non_empty_or_fresh(id: String) -> String {
    if id.is_empty() {
        fresh_request_id()
    } else {
        id
    }
}

/// A new random request id (a UUID, as AWS uses).
pub fn fresh_request_id() -> String {
    crate::engine::random::uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ddbsse_wire::ErrorCode;

    #[test]
    fn dynamodb_replies_carry_the_crc32_of_their_body() {
        let err = ApiError::new(ErrorCode::ResourceNotFound, "Requested resource not found");
        let reply = AwsReply::error(Service::DynamoDb, &err);
        let id = reply.request_id().to_owned();
        let reply = reply.into_reply();
        let expected = crc32fast::hash(err.body(Service::DynamoDb).to_string().as_bytes());
        assert_eq!(reply.status, 400);
        assert_eq!(reply.header(CRC32_HEADER), Some(expected.to_string()));
        assert_eq!(reply.header(REQUEST_ID_HEADER), Some(id.clone()));
        assert_eq!(
            reply.header("Content-Type").as_deref(),
            Some("application/x-amz-json-1.0")
        );
        let mut wire = Vec::new();
        reply.write(&mut wire, false, false);
        let text = String::from_utf8(wire).unwrap();
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        assert!(
            text.contains(&format!("\r\nx-amz-crc32: {expected}\r\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("\r\nx-amzn-RequestId: {id}\r\n")),
            "{text}"
        );
        assert!(text.contains("\r\ndate: "), "{text}");
        assert!(!text.contains("connection: close"), "{text}");
        assert!(text.ends_with(&format!("\r\n\r\n{}", err.body(Service::DynamoDb))));
    }

    #[test]
    fn kms_replies_use_json_1_1_and_no_crc32() {
        let err = ApiError::new(ErrorCode::NotFound, "Key does not exist");
        let reply = AwsReply::error(Service::Kms, &err).into_reply();
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/x-amz-json-1.1")
        );
        assert_eq!(reply.header(CRC32_HEADER), None);
        let mut wire = Vec::new();
        reply.write(&mut wire, true, false);
        let text = String::from_utf8(wire).unwrap();
        assert!(!text.contains(CRC32_HEADER), "{text}");
        assert!(text.contains("\r\nconnection: close\r\n"), "{text}");
    }

    #[test]
    fn engine_replies_keep_their_request_id_or_get_one() {
        let engine = EngineResponse {
            status: 200,
            service: Some(Service::CloudTrail),
            body: b"{}".to_vec(),
            request_id: "abc".to_owned(),
        };
        assert_eq!(AwsReply::from_engine(engine.clone()).request_id(), "abc");
        let anonymous = EngineResponse {
            request_id: String::new(),
            ..engine
        };
        assert_eq!(AwsReply::from_engine(anonymous).request_id().len(), 36);
    }
}
