//! The four ways a request names a KMS key (`spec/kms.md#key-ids`): a key id, a key ARN, an
//! alias name and an alias ARN, and the `NotFoundException` texts for each.
//!
//! Parsing only: whether the key exists is the KMS state's business.

use ddbsse_wire::{arn, kms_errors};

pub use ddbsse_wire::kms::MANAGED_ALIAS;

/// A parsed key reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyRef {
    /// A bare key id.
    Id(String),
    /// `arn:aws:kms:<region>:<account>:key/<id>`.
    KeyArn {
        /// The ARN as given.
        arn: String,
        /// Whether region and account are the target's.
        local: bool,
        /// The key id part.
        id: String,
    },
    /// `alias/<name>`.
    AliasName(String),
    /// `arn:aws:kms:<region>:<account>:alias/<name>`.
    AliasArn {
        /// The ARN as given.
        arn: String,
        /// Whether region and account are the target's.
        local: bool,
        /// The alias name (`alias/<name>`).
        name: String,
    },
}

impl KeyRef {
    /// Parses `given` for a target in `region` / `account`.
    pub fn parse(given: &str, region: &str, account: &str) -> KeyRef {
        if let Some(rest) = given.strip_prefix("arn:") {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            if let [partition, service, r, a, resource] = parts.as_slice() {
                let local =
                    *partition == "aws" && *service == "kms" && *r == region && *a == account;
                if let Some(id) = resource.strip_prefix("key/") {
                    return KeyRef::KeyArn {
                        arn: given.to_owned(),
                        local,
                        id: id.to_owned(),
                    };
                }
                if resource.starts_with("alias/") {
                    return KeyRef::AliasArn {
                        arn: given.to_owned(),
                        local,
                        name: (*resource).to_owned(),
                    };
                }
            }
            return KeyRef::KeyArn {
                arn: given.to_owned(),
                local: false,
                id: String::new(),
            };
        }
        if given.starts_with("alias/") {
            return KeyRef::AliasName(given.to_owned());
        }
        KeyRef::Id(given.to_owned())
    }

    /// Whether this names an alias (name or ARN).
    pub fn is_alias(&self) -> bool {
        matches!(self, KeyRef::AliasName(_) | KeyRef::AliasArn { .. })
    }

    /// The alias name, for a local alias reference.
    pub fn alias_name(&self) -> Option<&str> {
        match self {
            KeyRef::AliasName(n) => Some(n),
            KeyRef::AliasArn {
                local: true, name, ..
            } => Some(name),
            _ => None,
        }
    }

    /// The key id, for a local key reference.
    pub fn key_id(&self) -> Option<&str> {
        match self {
            KeyRef::Id(id) => Some(id),
            KeyRef::KeyArn {
                local: true, id, ..
            } => Some(id),
            _ => None,
        }
    }

    /// Whether this names the AWS managed key's alias.
    pub fn is_managed_alias(&self) -> bool {
        self.alias_name() == Some(MANAGED_ALIAS)
    }

    //= spec/kms.md#key-ids
    //# A request naming a key that does not exist MUST fail with `NotFoundException` and the message `Key '<key arn>' does not exist`, where a bare key id is completed into a key ARN with the target's region and account.
    //= spec/kms.md#key-ids
    //# A request naming an alias that does not exist MUST fail with `NotFoundException` and the message `Alias <alias arn> is not found.`.
    /// KMS's `NotFoundException` message for this reference when nothing matches.
    pub fn not_found_message(&self, region: &str, account: &str) -> String {
        match self {
            KeyRef::Id(id) => kms_errors::key_not_found_text(&arn::kms_key(region, account, id)),
            KeyRef::KeyArn { arn, .. } => kms_errors::key_not_found_text(arn),
            KeyRef::AliasName(name) => {
                kms_errors::alias_not_found_text(&arn::kms_alias(region, account, name))
            }
            KeyRef::AliasArn { arn, .. } => kms_errors::alias_not_found_text(arn),
        }
    }
}
