//! The conformance harness: drives any DynamoDB + KMS + CloudTrail target and reports, per
//! requirement of `spec/`, where it agrees with the reference model.

pub mod cli;
