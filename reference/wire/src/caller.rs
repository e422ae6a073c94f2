//! Who is calling, and over which client connection.
//!
//! The principal is the access key id from the SigV4 credential scope; the connection is an opaque
//! id of the TCP connection the request came on. Together with the table they scope the table-key
//! cache (`spec/cache.md`). This module holds no credentials: no secret key ever reaches it.
//!
//! [`KnownIdentity`] is what STS `GetCallerIdentity` says an access key belongs to, for a target
//! (AWS itself) whose callers have a real IAM identity; without one, the access key id stands in
//! for the identity (`spec/trail.md#identities`).

use serde::{Deserialize, Serialize};

/// An opaque client-connection id, unique for the lifetime of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnectionId(pub u64);

/// The caller of one request.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Caller {
    /// The access key id from the request's SigV4 credential scope.
    pub access_key_id: String,
    /// The client connection the request came on.
    pub connection: ConnectionId,
    /// The client's address as CloudTrail shows it in `sourceIPAddress`.
    pub source_ip: String,
    /// The client's User-Agent, as CloudTrail shows it in `userAgent`.
    pub user_agent: String,
}

impl Caller {
    /// A caller with the given access key on the given connection, from 127.0.0.1.
    pub fn new(access_key_id: impl Into<String>, connection: u64) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            connection: ConnectionId(connection),
            source_ip: "127.0.0.1".to_owned(),
            user_agent: "ddbsse".to_owned(),
        }
    }
}

/// Who an access key belongs to, as STS `GetCallerIdentity` names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownIdentity {
    /// The caller's ARN (`arn:aws:iam::<account>:user/<name>`, `arn:aws:sts::<account>:assumed-role/<role>/<session>`).
    pub arn: String,
    /// The account.
    pub account: String,
    /// STS's `UserId`: CloudTrail's `principalId` (`AIDA...`, `AROA...:<session>`, the account for root).
    pub user_id: String,
}

impl KnownIdentity {
    /// CloudTrail's `userIdentity.type` of this caller: `IAMUser`, `AssumedRole`, `Root`,
    /// `FederatedUser`.
    pub fn identity_type(&self) -> &'static str {
        let resource = self.arn.splitn(6, ':').nth(5).unwrap_or("");
        if resource == "root" {
            "Root"
        } else if resource.starts_with("assumed-role/") {
            "AssumedRole"
        } else if resource.starts_with("federated-user/") {
            "FederatedUser"
        } else {
            "IAMUser"
        }
    }

    /// CloudTrail's `userName`: the IAM user's name (the last part of its ARN), for IAM users only.
    pub fn user_name(&self) -> Option<&str> {
        (self.identity_type() == "IAMUser")
            .then(|| self.arn.rsplit('/').next().unwrap_or(&self.arn))
    }
}
