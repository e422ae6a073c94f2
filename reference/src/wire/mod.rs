//! The wire: request, response and error shapes of the three protocols ddbsse speaks, and the
//! validation that belongs to the protocol rather than to any implementation's state.
//!
//! - DynamoDB: awsJson1_0, `X-Amz-Target: DynamoDB_20120810.<Op>` ([`dynamodb`]);
//! - KMS: awsJson1_1, `X-Amz-Target: TrentService.<Op>` ([`kms`]);
//! - CloudTrail: awsJson1_1, `...CloudTrail_20131101.LookupEvents` ([`cloudtrail`]).
//!
//! Shared by the model, the endpoint and the harness; holds no behaviour that depends on state.

pub mod attribute;
pub mod cloudtrail;
pub mod dynamodb;
pub mod error;
pub mod expression;
pub mod kms;
pub mod number;
pub mod operation;
pub mod validate;

pub use attribute::{AttributeValue, Blob, Item};
pub use error::{ApiError, ErrorCode, Service};
pub use operation::{Operation, Request, Response};
