//! The model's ledger of TransactWriteItems' `ClientRequestToken`s
//! (`spec/items.md#transact-token`): which token is bound to which parameters since when.
//!
//! Does: classify a request against the ledger, and bind a token after a success. Does not:
//! validate tokens or define "the same parameters" (`ddbsse_wire::transact_token`).

use ddbsse_wire::ApiError;
use ddbsse_wire::dynamodb::TransactWriteItemsInput;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::transact_token::{self, TOKEN_WINDOW_MS, TokenUse};

use super::Model;

/// A token and the fingerprint of its request, to bind after a success.
pub(super) type Binding = Option<(String, String)>;

impl Model {
    /// What a TransactWriteItems with this input is at `now`: new, a repeat (answer success,
    /// write nothing) or a mismatch (already refused here).
    pub(super) fn token_use(
        &self,
        input: &TransactWriteItemsInput,
        now: Timestamp,
    ) -> Result<(TokenUse, Binding), ApiError> {
        let Some(token) = transact_token::token(input)? else {
            return Ok((TokenUse::New, None));
        };
        let fingerprint = transact_token::fingerprint(input);
        let earlier = self
            .transact_tokens
            .get(token)
            .map(|(fp, at)| (fp.as_str(), *at));
        match transact_token::classify(earlier, &fingerprint, now) {
            TokenUse::Mismatch => Err(transact_token::mismatch()),
            TokenUse::Repeat => Ok((TokenUse::Repeat, None)),
            TokenUse::New => Ok((TokenUse::New, Some((token.to_owned(), fingerprint)))),
        }
    }

    /// Binds a token to its request's parameters from `now` (after the request succeeded), and
    /// forgets bindings whose window has ended.
    pub(super) fn bind_token(&mut self, binding: Binding, now: Timestamp) {
        self.transact_tokens
            .retain(|_, (_, at)| now < at.plus(TOKEN_WINDOW_MS));
        if let Some((token, fingerprint)) = binding {
            self.transact_tokens.insert(token, (fingerprint, now));
        }
    }
}
