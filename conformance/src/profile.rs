//! Target profiles (`--profile FILE`, JSON or TOML): known deviations of a target, each a case id
//! (or an id prefix ending in `/`) with the reason. A listed case that fails is reported as a
//! known deviation, not hidden; a listed case that passes is reported as passed.
//!
//! A profile may also tolerate single members of responses (`tolerate`): a member named by a
//! dotted path (`SSEDescription.KMSMasterKeyArn`, matched against the end of the member's path,
//! array indexes left out), optionally only in the responses of one operation. Where the target's
//! value of such a member differs from the reference model's, the harness takes the model's
//! value (with the target's ids) before any case looks at the answer, and the case's report
//! notes it; everything else the case checks is still checked. A whole-case deviation would hide
//! all of it.
//!
//! JSON: `{"deviations": {"tables/sse/managed-key/enabled": "reason", "cache/": "no cache"},
//! "tolerate": [{"operation": "DescribeTable", "path": "SSEDescription.KMSMasterKeyArn",
//! "reason": "echoes the alias ARN"}]}`.
//! TOML: `[deviations]` then `"tables/sse/managed-key/enabled" = "reason"`, and `[[tolerate]]`
//! tables with `operation`, `path` and `reason`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Known deviations of one target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct Profile {
    /// Case id (or prefix ending in `/`) to reason.
    #[serde(default)]
    pub deviations: BTreeMap<String, String>,
    /// Single response members whose difference from the model is tolerated.
    #[serde(default)]
    pub tolerate: Vec<Tolerance>,
}

/// One tolerated response member.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Tolerance {
    /// The operation whose responses it applies to (`DescribeTable`); every operation when absent.
    #[serde(default)]
    pub operation: Option<String>,
    /// Dotted member path, matched against the end of the member's path from the body
    /// (`SSEDescription.KMSMasterKeyArn` matches `Table.SSEDescription.KMSMasterKeyArn`).
    pub path: String,
    /// Why the target differs.
    pub reason: String,
}

impl Tolerance {
    /// Whether it applies to the responses of `operation` (`DescribeTable`).
    pub fn applies_to(&self, operation: &str) -> bool {
        self.operation.as_deref().is_none_or(|o| o == operation)
    }
}

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file cannot be read.
    #[error("cannot read profile {}: {source}", path.display())]
    Read {
        /// The profile file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// A `.toml` profile is not a valid profile.
    #[error("profile {}: {source}", path.display())]
    Toml {
        /// The profile file.
        path: PathBuf,
        /// What failed.
        source: toml::de::Error,
    },
    /// A JSON profile is not a valid profile.
    #[error("profile {}: {source}", path.display())]
    Json {
        /// The profile file.
        path: PathBuf,
        /// What failed.
        source: serde_json::Error,
    },
}

impl Profile {
    /// Reads a profile; `.toml` files as TOML, everything else as JSON.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_owned(),
            source,
        })?;
        if path.extension().is_some_and(|e| e == "toml") {
            toml::from_str(&text).map_err(|source| ProfileError::Toml {
                path: path.to_owned(),
                source,
            })
        } else {
            serde_json::from_str(&text).map_err(|source| ProfileError::Json {
                path: path.to_owned(),
                source,
            })
        }
    }

    /// The reason `id` is a known deviation, if it is one.
    pub fn deviation(&self, id: &str) -> Option<&str> {
        if let Some(r) = self.deviations.get(id) {
            return Some(r);
        }
        self.deviations
            .iter()
            .find(|(k, _)| k.ends_with('/') && id.starts_with(k.as_str()))
            .map(|(_, r)| r.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_ids_and_prefixes() {
        let p: Profile =
            toml::from_str("[deviations]\n\"cache/\" = \"no cache\"\n\"a/b\" = \"x\"\n")
                .expect("valid TOML");
        assert_eq!(p.deviation("cache/boundary-300s"), Some("no cache"));
        assert_eq!(p.deviation("a/b"), Some("x"));
        assert_eq!(p.deviation("a/bc"), None);
        let j: Profile =
            serde_json::from_str(r#"{"deviations": {"a/b": "y"}}"#).expect("valid JSON");
        assert_eq!(j.deviation("a/b"), Some("y"));
    }
}
