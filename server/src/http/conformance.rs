//! The conformance protocol's endpoints (`spec/conformance.md`): capability discovery and the
//! manual clock.
//!
//! Capability discovery exists when the endpoint has a capability: `clock` on the manual clock
//! (`ddbsse serve --clock manual`), `signatures` when it verifies signatures (`--credentials`);
//! the clock path only on the manual clock. Otherwise the paths answer 404, which the harness
//! reads as "no capability". They need no
//! signature. This module parses and answers these two requests; it does not decide what follows
//! the clock (the engine takes `now` from it on every call).

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::response::{Reply, plain_json};
use crate::clock::{Clock, ClockError};

/// The path of capability discovery.
pub const CAPABILITIES_PATH: &str = "/_conformance/capabilities";
/// The path of the clock capability.
pub const CLOCK_PATH: &str = "/_conformance/clock";

/// Whether `path` belongs to the conformance protocol.
pub fn is_conformance_path(path: &str) -> bool {
    path.starts_with("/_conformance/")
}

/// The capability of a target that verifies SigV4 signatures (`spec/conformance.md#signatures`).
pub const SIGNATURES: &str = "signatures";

/// Answers a request on a conformance path. `body` is the request body (already size-limited);
/// `signatures` says whether the endpoint verifies signatures.
pub fn answer(clock: &Clock, signatures: bool, method: &Method, path: &str, body: &[u8]) -> Reply {
    let mut capabilities = Vec::new();
    if clock.is_manual() {
        capabilities.push("clock");
    }
    if signatures {
        capabilities.push(SIGNATURES);
    }
    if capabilities.is_empty() || (path == CLOCK_PATH && !clock.is_manual()) {
        return not_found(path);
    }
    match (path, method) {
        (CAPABILITIES_PATH, &Method::GET) => {
            //= spec/conformance.md#capabilities
            //# A target that offers any capability MUST answer `GET /_conformance/capabilities` with HTTP 200, `Content-Type: application/json` and the body `{"version": 1, "capabilities": [<names>]}`, and the harness MUST treat a 404 as a target with no capability.
            plain_json(
                StatusCode::OK,
                &json!({"version": 1, "capabilities": capabilities}),
            )
        }
        (CLOCK_PATH, &Method::POST) => move_clock(clock, body),
        (CAPABILITIES_PATH | CLOCK_PATH, _) => plain_json(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"message": format!("{method} is not allowed on {path}")}),
        ),
        _ => not_found(path),
    }
}

/// A request to move the clock, as read from its JSON body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMove {
    /// Forward by this many milliseconds.
    Advance(u64),
    /// To this time (milliseconds since the epoch).
    Set(u64),
}

/// Why a clock request's body is not a clock move; its text is the reason sent back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClockMoveError {
    /// The body is not JSON, or not an object.
    #[error("the body must be a JSON object")]
    NotAnObject,
    /// A member is not a non-negative integer.
    #[error("{0} must be an integer, 0 or more")]
    NotMillis(&'static str),
    /// Both members are present.
    #[error("give advanceMillis or setMillis, not both")]
    Both,
    /// Neither member is present.
    #[error("give advanceMillis or setMillis")]
    Neither,
}

/// Why a clock request was refused: its body, or the clock itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum ClockRequestError {
    #[error(transparent)]
    Body(#[from] ClockMoveError),
    #[error(transparent)]
    Clock(#[from] ClockError),
}

/// Reads `{"advanceMillis": N}` or `{"setMillis": T}`.
pub fn parse_clock_move(body: &[u8]) -> Result<ClockMove, ClockMoveError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| ClockMoveError::NotAnObject)?;
    let object = value.as_object().ok_or(ClockMoveError::NotAnObject)?;
    let millis = |name: &'static str| -> Result<Option<u64>, ClockMoveError> {
        match object.get(name) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or(ClockMoveError::NotMillis(name)),
        }
    };
    match (millis("advanceMillis")?, millis("setMillis")?) {
        (Some(n), None) => Ok(ClockMove::Advance(n)),
        (None, Some(t)) => Ok(ClockMove::Set(t)),
        (Some(_), Some(_)) => Err(ClockMoveError::Both),
        (None, None) => Err(ClockMoveError::Neither),
    }
}

fn move_clock(clock: &Clock, body: &[u8]) -> Reply {
    //= spec/conformance.md#clock-request
    //# A target with the `clock` capability MUST answer `POST /_conformance/clock` with the body `{"advanceMillis": N}` (N an integer, 0 or more) by moving its clock forward by N milliseconds, and with the body `{"setMillis": T}` (T an integer not before the current time) by setting its clock to T, and in both cases MUST reply HTTP 200 with `{"nowMillis": <the new time>}`.
    //# A body with neither or both members, a negative or non-integer value, or a `setMillis` before the current time MUST fail with HTTP 400 and the body `{"message": <reason>}`, leaving the clock unchanged.
    let moved = parse_clock_move(body)
        .map_err(ClockRequestError::from)
        .and_then(|m| {
            Ok(match m {
                ClockMove::Advance(n) => clock.advance(n),
                ClockMove::Set(t) => clock.set(t),
            }?)
        });
    match moved {
        Ok(now) => {
            tracing::info!(now_millis = now.millis(), "manual clock moved");
            plain_json(StatusCode::OK, &json!({"nowMillis": now.millis()}))
        }
        Err(reason) => plain_json(
            StatusCode::BAD_REQUEST,
            &json!({"message": reason.to_string()}),
        ),
    }
}

fn not_found(path: &str) -> Reply {
    plain_json(
        StatusCode::NOT_FOUND,
        &json!({"message": format!("no conformance endpoint at {path}")}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_moves_are_read_from_one_member() {
        assert_eq!(
            parse_clock_move(br#"{"advanceMillis": 300000}"#),
            Ok(ClockMove::Advance(300_000))
        );
        assert_eq!(
            parse_clock_move(br#"{"setMillis": 1552262400000}"#),
            Ok(ClockMove::Set(1_552_262_400_000))
        );
        for bad in [
            &br#"{}"#[..],
            br#"{"advanceMillis": 1, "setMillis": 2}"#,
            br#"{"advanceMillis": -1}"#,
            br#"{"advanceMillis": 1.5}"#,
            br#"{"advanceMillis": "1"}"#,
            br#"[1]"#,
            b"not json",
        ] {
            assert!(
                parse_clock_move(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
