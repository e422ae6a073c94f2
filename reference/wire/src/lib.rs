//! The wire layer of ddbsse: request, response and error shapes of the three protocols ddbsse
//! speaks, the validation that belongs to the protocol rather than to any implementation's state,
//! and the stateless protocol facts that the model and the endpoint both need (one home each).
//!
//! - DynamoDB: awsJson1_0, `X-Amz-Target: DynamoDB_20120810.<Op>` ([`dynamodb`]);
//! - KMS: awsJson1_1, `X-Amz-Target: TrentService.<Op>` ([`kms`]);
//! - CloudTrail: awsJson1_1, `...CloudTrail_20131101.LookupEvents` ([`cloudtrail`]).
//!
//! Besides the shapes:
//!
//! - [`time`]: the [`time::Timestamp`] every call takes as `now` (there is no wall clock here);
//! - [`caller`]: who is calling and over which client connection;
//! - [`ids`]: the formats of the ids AWS hands out, and a seeded generator of them;
//! - [`trail`]: the CloudTrail record shape;
//! - [`arn`], [`dynamodb_errors`], [`kms_errors`]: ARNs, and the errors with AWS's messages,
//!   each built in one place for the model and the endpoint;
//! - [`durations`]: the durations the specification fixes;
//! - [`table_key_cache`]: the fewest entries a target may bound its table-key cache at;
//! - [`table_arn`]: a table named by its ARN, resolved to its name for every handler;
//! - [`table_settings`]: UpdateTable's settings besides SSE (billing, table class, the refused
//!   streams and replicas);
//! - [`dynamodb_control`], [`validate_indexes`], [`validate_control`], [`control_errors`]: the
//!   control plane beyond the table (indexes, time to live, tags, continuous backups, limits);
//! - [`expression`]: DynamoDB's expression language (conditions, filters, updates, projections,
//!   key conditions), one parser and evaluator;
//! - [`write_options`]: `ReturnValues` and the other options of single-item writes.
//!
//! Shared by the model (`ddbsse-model`), the endpoint (`ddbsse-server`), the harness and the trail
//! tools. It holds no behaviour that depends on state, does no IO, reads no clock and draws no
//! global randomness. It knows nothing of the key hierarchy (`ddbsse-crypto`).

pub mod arn;
pub mod attribute;
pub mod caller;
pub mod cloudtrail;
pub mod control_errors;
pub mod durations;
pub mod dynamodb;
pub mod dynamodb_control;
pub mod dynamodb_errors;
pub mod error;
pub mod expression;
pub mod ids;
pub mod index_keys;
pub mod index_read;
pub mod kms;
pub mod kms_errors;
pub mod kms_paging;
pub mod kms_settings;
pub mod number;
pub mod operation;
pub mod scan_segments;
pub mod select;
pub mod signature;
pub mod table_arn;
pub mod table_key_cache;
pub mod table_settings;
pub mod time;
pub mod trail;
pub mod transact;
pub mod transact_token;
pub mod ttl;
pub mod validate;
pub mod validate_control;
pub mod validate_indexes;
pub mod write_options;

pub use attribute::{AttributeValue, Blob, Item};
pub use error::{ApiError, ErrorCode, Service};
pub use operation::{Operation, Request, Response};
