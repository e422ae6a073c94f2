//! The pure core of ddbsse.
//!
//! This crate holds everything that must be the same for every implementation and the oracle:
//!
//! - [`wire`]: the DynamoDB (awsJson1_0), KMS and CloudTrail (awsJson1_1) request, response and
//!   error shapes, with the input validation AWS does before any state is touched;
//! - [`time`]: the [`time::Timestamp`] every call takes as `now` (there is no wall clock here);
//! - [`caller`]: who is calling and over which client connection;
//! - [`trail`]: the CloudTrail record shape;
//! - [`crypto`]: the key hierarchy (KMS key, table key, data keys, item envelopes);
//! - [`model`]: the reference state machine, the oracle the conformance suite checks targets against.
//!
//! It does no IO, reads no clock and draws no global randomness: ids come from a seeded
//! generator and randomness for nonces is passed in.

pub mod caller;
pub mod crypto;
pub mod ids;
pub mod model;
pub mod time;
pub mod trail;
pub mod wire;
