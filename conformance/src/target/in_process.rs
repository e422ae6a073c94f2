//! What the two in-process targets (the embedded engine and the model) share: their principals
//! (two fixed ones, or the target under test's when the model is the oracle), connection ids
//! handed out in order, and the [`Caller`] a request is made as. There is no socket here: a
//! connection is only an id.

use ddbsse_wire::caller::Caller;

use super::{Connection, TargetError};

/// Access key ids of the two principals of in-process targets.
pub const IN_PROCESS_PRINCIPALS: [&str; 2] = ["AKIDDDBSSEPRINCIPAL1", "AKIDDDBSSEPRINCIPAL2"];

/// Principals and connections of an in-process target.
#[derive(Debug)]
pub struct InProcessSessions {
    principals: Vec<String>,
    next_connection: u64,
}

impl Default for InProcessSessions {
    fn default() -> Self {
        Self::with_principals(
            IN_PROCESS_PRINCIPALS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        )
    }
}

impl InProcessSessions {
    /// Sessions whose principals are `principals` (access key ids, in order).
    pub fn with_principals(principals: Vec<String>) -> Self {
        Self {
            principals,
            next_connection: 1,
        }
    }

    /// The principals' access key ids, in order.
    pub fn principals(&self) -> Vec<String> {
        self.principals.clone()
    }

    /// A connection id never handed out before.
    pub fn open_connection(&mut self) -> Connection {
        let c = Connection(self.next_connection);
        self.next_connection += 1;
        c
    }

    /// The caller of a request by principal number `principal` on `connection`.
    pub fn caller(&self, connection: Connection, principal: usize) -> Result<Caller, TargetError> {
        let key = self
            .principals
            .get(principal)
            .ok_or_else(|| TargetError::Unsupported(format!("no principal number {principal}")))?;
        Ok(Caller::new(key.as_str(), connection.0))
    }
}
