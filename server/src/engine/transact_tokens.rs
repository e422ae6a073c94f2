//! The engine's ledger of TransactWriteItems' `ClientRequestToken`s
//! (`spec/items.md#transact-token`): which token is bound to which parameters since when, and
//! which token's first transaction is running right now.
//!
//! Does: classify a request against the ledger, mark its token as in progress while the
//! transaction runs, bind it after a success and release it after a failure (also when the
//! transaction returns early). Tokens live in memory: a restarted endpoint has forgotten them.
//! Does not: validate tokens or define "the same parameters" (`ddbsse_wire::transact_token`).

use std::collections::HashMap;
use std::sync::Mutex;

use ddbsse_wire::ApiError;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::transact_token::{self, TOKEN_WINDOW_MS, TokenUse};

/// One token's state.
#[derive(Clone, Debug)]
enum Entry {
    /// Its first transaction runs now.
    Running,
    /// Bound to a fingerprint since a time.
    Bound(String, Timestamp),
}

/// The tokens of TransactWriteItems, shared by every connection.
#[derive(Debug, Default)]
pub struct TokenLedger(Mutex<HashMap<String, Entry>>);

/// A new transaction's hold on its token: bound by [`Pending::succeeded`], released when dropped
/// otherwise.
#[derive(Debug)]
pub struct Pending<'a> {
    ledger: &'a TokenLedger,
    token: String,
    fingerprint: String,
    bound: bool,
}

/// What a request with a token may do.
#[derive(Debug)]
pub enum Admission<'a> {
    /// No token: run as usual.
    Untracked,
    /// A repeat of the bound request: answer success, write nothing.
    Repeat,
    /// A new request: run it, then bind its token when it succeeded.
    New(Pending<'a>),
}

impl TokenLedger {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Classifies a request whose token (if any) and fingerprint are given, at `now`.
    pub fn admit(
        &self,
        token: Option<&str>,
        fingerprint: impl FnOnce() -> String,
        now: Timestamp,
    ) -> Result<Admission<'_>, ApiError> {
        let Some(token) = token else {
            return Ok(Admission::Untracked);
        };
        let fingerprint = fingerprint();
        let mut map = self.map();
        let earlier = match map.get(token) {
            Some(Entry::Running) => return Err(transact_token::in_progress()),
            Some(Entry::Bound(fp, at)) => Some((fp.as_str(), *at)),
            None => None,
        };
        match transact_token::classify(earlier, &fingerprint, now) {
            TokenUse::Mismatch => Err(transact_token::mismatch()),
            TokenUse::Repeat => Ok(Admission::Repeat),
            TokenUse::New => {
                map.retain(|_, e| match e {
                    Entry::Running => true,
                    Entry::Bound(_, at) => now < at.plus(TOKEN_WINDOW_MS),
                });
                map.insert(token.to_owned(), Entry::Running);
                Ok(Admission::New(Pending {
                    ledger: self,
                    token: token.to_owned(),
                    fingerprint,
                    bound: false,
                }))
            }
        }
    }
}

impl Pending<'_> {
    /// Binds the token to its request's parameters from `now`.
    pub fn succeeded(mut self, now: Timestamp) {
        let fingerprint = std::mem::take(&mut self.fingerprint);
        self.ledger
            .map()
            .insert(self.token.clone(), Entry::Bound(fingerprint, now));
        self.bound = true;
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.bound {
            let mut map = self.ledger.map();
            if matches!(map.get(&self.token), Some(Entry::Running)) {
                map.remove(&self.token);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ddbsse_wire::ErrorCode;

    const T: Timestamp = Timestamp(1_552_262_400_000);

    fn code(r: Result<Admission<'_>, ApiError>) -> Option<ErrorCode> {
        r.err().map(|e| e.code)
    }

    //= spec/items.md#transact-token
    //= type=test
    //# A TransactWriteItems carrying a token whose first transaction is still running on the target MUST fail with `TransactionInProgressException` and the message `Transaction from previous request is still in progress`, and write nothing.
    #[test]
    fn a_running_token_is_refused_and_a_failed_one_is_released() {
        let ledger = TokenLedger::default();
        let first = ledger.admit(Some("t"), || "a".into(), T).unwrap();
        assert!(matches!(first, Admission::New(_)));
        let running = ledger.admit(Some("t"), || "a".into(), T).err();
        assert_eq!(
            running.map(|e| (e.code, e.message)),
            Some((
                ErrorCode::TransactionInProgress,
                "Transaction from previous request is still in progress".to_owned()
            ))
        );
        drop(first);
        let again = ledger.admit(Some("t"), || "b".into(), T).unwrap();
        let Admission::New(pending) = again else {
            panic!("a failed first use binds nothing");
        };
        pending.succeeded(T);
        assert!(matches!(
            ledger.admit(Some("t"), || "b".into(), T.plus(1)).unwrap(),
            Admission::Repeat
        ));
        assert_eq!(
            code(ledger.admit(Some("t"), || "a".into(), T.plus(1))),
            Some(ErrorCode::IdempotentParameterMismatch)
        );
        assert!(matches!(
            ledger
                .admit(Some("t"), || "a".into(), T.plus(TOKEN_WINDOW_MS))
                .unwrap(),
            Admission::New(_)
        ));
        assert!(matches!(
            ledger.admit(None, || "a".into(), T).unwrap(),
            Admission::Untracked
        ));
    }
}
