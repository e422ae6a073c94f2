//! TransactWriteItems' `ClientRequestToken` as far as it does not depend on state
//! (`spec/items.md#transact-token`): the token's constraints, what "the same request" means,
//! the 10-minute window, and the mismatch error.
//!
//! Does: validate a token, reduce a request to the parameters a repeat must match, and decide
//! from an earlier use of the token whether a request is new, a repeat or a mismatch. Does not:
//! remember tokens (the model and the engine each keep their own ledger) or run transactions.

use crate::dynamodb::{TransactWriteItem, TransactWriteItemsInput};
use crate::error::{ApiError, ErrorCode};
use crate::time::{MINUTE, Timestamp};
use crate::validate::Violations;

/// How long a token stays bound to its first request (AWS: "valid for 10 minutes after the
/// first request that uses it is completed").
pub const TOKEN_WINDOW_MS: u64 = 10 * MINUTE;

/// The longest token (M-DDB `ClientRequestToken`: length 1 to 36).
pub const MAX_TOKEN_LEN: usize = 36;

/// The request's token, checked against the model's length constraint.
pub fn token(input: &TransactWriteItemsInput) -> Result<Option<&str>, ApiError> {
    let Some(t) = input.client_request_token.as_deref() else {
        return Ok(None);
    };
    //= spec/items.md#transact-token
    //# A `ClientRequestToken` that is empty or longer than 36 characters MUST be refused with `ValidationException` and DynamoDB's constraint message, before any table key is fetched.
    let mut v = Violations::default();
    let len = t.chars().count();
    if len < 1 {
        v.constraint(
            t,
            "clientRequestToken",
            "Member must have length greater than or equal to 1",
        );
    } else if len > MAX_TOKEN_LEN {
        v.constraint(
            t,
            "clientRequestToken",
            "Member must have length less than or equal to 36",
        );
    }
    v.into_result().map(|()| Some(t))
}

/// The parameters a repeat must match: the request as parsed, without its token and without
/// `ReturnConsumedCapacity` (whose answer AWS documents as differing between the first call and
/// its repeats), in a canonical JSON text (maps are ordered).
pub fn fingerprint(input: &TransactWriteItemsInput) -> String {
    /// The members compared, borrowed (no copy of the items).
    #[derive(serde::Serialize)]
    struct Compared<'a> {
        items: &'a Option<Vec<TransactWriteItem>>,
        metrics: &'a Option<String>,
    }
    serde_json::to_string(&Compared {
        items: &input.transact_items,
        metrics: &input.return_item_collection_metrics,
    })
    .unwrap_or_default()
}

/// What a request with a token is, given the token's earlier use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    /// No use of the token inside the window: run the transaction and remember the token.
    New,
    /// The same parameters inside the window: answer success without writing.
    Repeat,
    /// Other parameters inside the window: refuse.
    Mismatch,
}

//= spec/items.md#transact-token
//# A token is bound to the parameters of the first successful TransactWriteItems that carried it, from that request's time `t0` until `t0` + 10 minutes (600000 ms); at and after `t0` + 600000 ms a request with the token MUST be handled as a new request, and a success then binds the token again.
/// Classifies a request with `fingerprint` at `now`, given the token's earlier binding (its
/// fingerprint and time), if any.
pub fn classify(earlier: Option<(&str, Timestamp)>, fingerprint: &str, now: Timestamp) -> TokenUse {
    match earlier {
        Some((fp, at)) if now < at.plus(TOKEN_WINDOW_MS) => {
            if fp == fingerprint {
                TokenUse::Repeat
            } else {
                TokenUse::Mismatch
            }
        }
        _ => TokenUse::New,
    }
}

//= spec/items.md#transact-token
//# A request whose token is bound to other parameters MUST fail with `IdempotentParameterMismatchException` and the message `Request with the same ClientRequestToken was already made with different parameters within the last 10 minutes`, and write nothing.
/// The refusal of a token reused with other parameters (the text is ours).
pub fn mismatch() -> ApiError {
    ApiError::new(
        ErrorCode::IdempotentParameterMismatch,
        "Request with the same ClientRequestToken was already made with different parameters within the last 10 minutes",
    )
}

//= spec/items.md#transact-token
//# A TransactWriteItems carrying a token whose first transaction is still running on the target MUST fail with `TransactionInProgressException` and the message `Transaction from previous request is still in progress`, and write nothing.
/// The refusal of a token whose first transaction has not finished (AWS's text, as observed).
pub fn in_progress() -> ApiError {
    ApiError::new(
        ErrorCode::TransactionInProgress,
        "Transaction from previous request is still in progress",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_checked_for_length() {
        let mut i = TransactWriteItemsInput::default();
        assert_eq!(token(&i).unwrap(), None);
        i.client_request_token = Some("t".repeat(36));
        assert!(token(&i).unwrap().is_some());
        i.client_request_token = Some("t".repeat(37));
        assert!(token(&i).is_err());
        i.client_request_token = Some(String::new());
        assert!(token(&i).is_err());
    }

    #[test]
    fn the_fingerprint_leaves_out_the_token_and_capacity_only() {
        let mut a = TransactWriteItemsInput {
            client_request_token: Some("one".into()),
            ..Default::default()
        };
        let mut b = a.clone();
        b.client_request_token = Some("two".into());
        b.return_consumed_capacity = Some("TOTAL".into());
        assert_eq!(fingerprint(&a), fingerprint(&b));
        a.return_item_collection_metrics = Some("SIZE".into());
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn the_window_is_ten_minutes_from_the_first_use() {
        let t0 = Timestamp(1_000_000);
        assert_eq!(classify(None, "a", t0), TokenUse::New);
        assert_eq!(classify(Some(("a", t0)), "a", t0), TokenUse::Repeat);
        assert_eq!(classify(Some(("a", t0)), "b", t0), TokenUse::Mismatch);
        let last = t0.plus(TOKEN_WINDOW_MS - 1);
        assert_eq!(classify(Some(("a", t0)), "b", last), TokenUse::Mismatch);
        let end = t0.plus(TOKEN_WINDOW_MS);
        assert_eq!(classify(Some(("a", t0)), "b", end), TokenUse::New);
        assert_eq!(classify(Some(("a", t0)), "a", end), TokenUse::New);
    }
}
