//! The protocol facts of SigV4 signature verification (`spec/errors.md#signatures`): the
//! `X-Amz-Date` form, how far a request date may be from the server's clock, and the error texts
//! AWS answers a request that fails verification with.
//!
//! What it does not do: compute or compare signatures (the endpoint's `http::sigv4`), or read
//! credentials. No IO, no clock: `now` is an argument.

use crate::error::{ApiError, ErrorCode};
use crate::time::{MINUTE, Timestamp};

/// How far a request's `X-Amz-Date` may be from the server's clock, either way (15 minutes).
pub const MAX_SKEW_MILLIS: u64 = 15 * MINUTE;

/// The message of `UnrecognizedClientException`: the access key id is not known, or its session
/// token is missing or wrong.
pub const UNRECOGNIZED_CLIENT_MESSAGE: &str =
    "The security token included in the request is invalid.";

/// The message of `InvalidSignatureException` when the signature does not match.
pub const SIGNATURE_MISMATCH_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// A time in the `X-Amz-Date` form, `20190311T000000Z`.
pub fn amz_date(t: Timestamp) -> String {
    let (y, mo, d, h, mi, s) = t.civil();
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// Reads the `X-Amz-Date` form (`YYYYMMDDTHHMMSSZ`, a real UTC date and time); `None` otherwise.
pub fn parse_amz_date(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let civil = format!(
        "{}-{}-{}T{}:{}:{}Z",
        s.get(0..4)?,
        s.get(4..6)?,
        s.get(6..8)?,
        s.get(9..11)?,
        s.get(11..13)?,
        s.get(13..15)?
    );
    Timestamp::parse_event_time(&civil)
}

/// The answer to an unknown access key id, or a key whose session token is missing or wrong.
pub fn unrecognized_client() -> ApiError {
    ApiError::new(ErrorCode::UnrecognizedClient, UNRECOGNIZED_CLIENT_MESSAGE)
}

/// The answer to a signature that does not match.
pub fn signature_mismatch() -> ApiError {
    ApiError::new(ErrorCode::InvalidSignature, SIGNATURE_MISMATCH_MESSAGE)
}

/// The answer to a request dated more than [`MAX_SKEW_MILLIS`] away from `now`, or `None` when
/// `date` is close enough. Second precision, as `X-Amz-Date` has.
pub fn check_date(date: Timestamp, now: Timestamp) -> Result<(), ApiError> {
    let now = Timestamp(now.0 - now.0 % 1000);
    if now.since(date) > MAX_SKEW_MILLIS {
        let earliest = Timestamp(now.0 - MAX_SKEW_MILLIS);
        return Err(ApiError::new(
            ErrorCode::InvalidSignature,
            format!(
                "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                amz_date(date),
                amz_date(earliest),
                amz_date(now)
            ),
        ));
    }
    if date.since(now) > MAX_SKEW_MILLIS {
        let latest = now.plus(MAX_SKEW_MILLIS);
        return Err(ApiError::new(
            ErrorCode::InvalidSignature,
            format!(
                "Signature not yet current: {} is still later than {} ({} + 15 min.)",
                amz_date(date),
                amz_date(latest),
                amz_date(now)
            ),
        ));
    }
    Ok(())
}

/// The answer to an `Authorization` header that lacks parts SigV4 needs; `missing` names them
/// (`Credential`, `SignedHeaders`, `Signature`).
pub fn incomplete(missing: &[&str]) -> ApiError {
    let message = missing
        .iter()
        .map(|part| format!("Authorization header requires '{part}' parameter."))
        .collect::<Vec<_>>()
        .join(" ");
    ApiError::new(ErrorCode::IncompleteSignature, message)
}

/// The answer to a signed request without an `X-Amz-Date` header.
pub fn missing_date() -> ApiError {
    ApiError::new(
        ErrorCode::IncompleteSignature,
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    )
}

/// The answer to a signature whose `SignedHeaders` leave out `Host`.
pub fn host_not_signed() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidSignature,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    )
}

/// The answer to a credential scope whose date is not the day of `X-Amz-Date`.
pub fn scope_date_mismatch(scope_date: &str, amz_date: &str) -> ApiError {
    let day = amz_date.get(0..8).unwrap_or(amz_date);
    ApiError::new(
        ErrorCode::InvalidSignature,
        format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{day}', from '{amz_date}'."
        ),
    )
}

/// The answer to a credential scope naming another region than the endpoint's.
pub fn wrong_region() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidSignature,
        "Credential should be scoped to a valid region.",
    )
}

/// The answer to a credential scope naming another service than the one the request is for.
pub fn wrong_service(service: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidSignature,
        format!("Credential should be scoped to correct service: '{service}'."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::MANUAL_CLOCK_START;

    #[test]
    fn amz_dates_read_back() {
        assert_eq!(amz_date(MANUAL_CLOCK_START), "20190311T000000Z");
        assert_eq!(parse_amz_date("20190311T000000Z"), Some(MANUAL_CLOCK_START));
        for bad in [
            "",
            "2019-03-11T00:00:00Z",
            "20190311T000000",
            "20190230T000000Z",
            "20190311T250000Z",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn fifteen_minutes_either_way_is_the_limit() {
        let now = Timestamp(1_395_759_171_000); // 2014-03-25T14:52:51Z
        assert!(check_date(Timestamp(now.0 - MAX_SKEW_MILLIS), now).is_ok());
        assert!(check_date(now.plus(MAX_SKEW_MILLIS), now).is_ok());
        let old = check_date(Timestamp(now.0 - MAX_SKEW_MILLIS - 1000), now).expect_err("old");
        assert_eq!(old.code, ErrorCode::InvalidSignature);
        assert_eq!(
            old.message,
            "Signature expired: 20140325T143750Z is now earlier than 20140325T143751Z (20140325T145251Z - 15 min.)"
        );
        let future = check_date(now.plus(MAX_SKEW_MILLIS + 1000), now).expect_err("future");
        assert!(
            future
                .message
                .starts_with("Signature not yet current: 20140325T150752Z"),
            "{}",
            future.message
        );
    }

    #[test]
    fn incomplete_names_each_missing_part() {
        assert_eq!(
            incomplete(&["Signature", "SignedHeaders"]).message,
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."
        );
    }
}
