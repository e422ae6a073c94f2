//! Who is calling, and over which client connection.
//!
//! The principal is the access key id from the SigV4 credential scope; the connection is an opaque
//! id of the TCP connection the request came on. Together with the table they scope the table-key
//! cache (`spec/cache.md`). This module holds no credentials: no secret key ever reaches it.

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
