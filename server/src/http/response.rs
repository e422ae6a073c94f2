//! Turning an answer into an HTTP response with the headers AWS clients check.
//!
//! Every response to an AWS operation carries `x-amzn-RequestId` and the `Content-Type` of its
//! service's protocol; DynamoDB's also carry `x-amz-crc32`, the CRC-32 of the body in decimal,
//! which botocore verifies (`spec/errors.md#envelope`). This module builds headers only; it does
//! not decide statuses or bodies.

use bytes::Bytes;
use ddbsse_reference::wire::{ApiError, Service};
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

use crate::engine::EngineResponse;

/// The body type of every response the shell sends.
pub type Body = Full<Bytes>;

/// The header naming the request id.
pub const REQUEST_ID_HEADER: &str = "x-amzn-RequestId";
/// The header carrying the CRC-32 of a DynamoDB response body.
pub const CRC32_HEADER: &str = "x-amz-crc32";

/// An answer to an AWS operation (or a protocol-level error of one), ready to be sent.
#[derive(Debug)]
pub struct AwsReply {
    status: u16,
    service: Service,
    body: Bytes,
    request_id: String,
}

impl AwsReply {
    /// The engine's answer. A missing service (an unknown target) answers in DynamoDB's protocol
    /// (`spec/errors.md#unknown-operation`); a missing request id gets a fresh one.
    pub fn from_engine(response: EngineResponse) -> Self {
        Self {
            status: response.status,
            service: response.service.unwrap_or(Service::DynamoDb),
            body: Bytes::from(response.body),
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
            body: Bytes::from(error.body(service).to_string()),
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

    /// The HTTP response.
    //= spec/errors.md#envelope
    //# An error response MUST have the body `{"__type": <type>, "message": <text>}`, the `Content-Type` of its protocol (`application/x-amz-json-1.0` for DynamoDB, `application/x-amz-json-1.1` for KMS and CloudTrail), and an `x-amzn-RequestId` header, with `x-amz-crc32` added on DynamoDB responses.
    pub fn into_response(self) -> Response<Body> {
        let mut response = Response::new(Full::new(self.body.clone()));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.service.content_type()),
        );
        if let Ok(id) = HeaderValue::from_str(&self.request_id) {
            headers.insert(REQUEST_ID_HEADER, id);
        }
        if self.service == Service::DynamoDb {
            headers.insert(CRC32_HEADER, HeaderValue::from(crc32fast::hash(&self.body)));
        }
        response
    }
}

/// A plain JSON response (`Content-Type: application/json`), used by the conformance protocol and
/// for requests that address no AWS operation at all.
pub fn plain_json(status: StatusCode, body: &serde_json::Value) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response.headers_mut().insert(
        REQUEST_ID_HEADER,
        HeaderValue::from_str(&fresh_request_id()).unwrap_or(HeaderValue::from_static("0")),
    );
    response
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
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ddbsse_reference::wire::ErrorCode;

    #[test]
    fn dynamodb_replies_carry_the_crc32_of_their_body() {
        let err = ApiError::new(ErrorCode::ResourceNotFound, "Requested resource not found");
        let reply = AwsReply::error(Service::DynamoDb, &err);
        let id = reply.request_id().to_owned();
        let response = reply.into_response();
        let expected = crc32fast::hash(err.body(Service::DynamoDb).to_string().as_bytes());
        assert_eq!(response.status(), 400);
        assert_eq!(
            response.headers()[CRC32_HEADER],
            expected.to_string().as_str()
        );
        assert_eq!(response.headers()[REQUEST_ID_HEADER], id.as_str());
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/x-amz-json-1.0"
        );
    }

    #[test]
    fn kms_replies_use_json_1_1_and_no_crc32() {
        let err = ApiError::new(ErrorCode::NotFound, "Key does not exist");
        let response = AwsReply::error(Service::Kms, &err).into_response();
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/x-amz-json-1.1"
        );
        assert!(response.headers().get(CRC32_HEADER).is_none());
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
