//! The access keys `ddbsse serve --credentials FILE` accepts, read from a file in the AWS shared
//! credentials format (`~/.aws/credentials`): `[profile]` sections with `aws_access_key_id`,
//! `aws_secret_access_key` and, optionally, `aws_session_token`.
//!
//! The file is parsed by the AWS SDK for Rust's own reader (`aws-runtime`'s `env_config`), so it
//! reads exactly as an SDK reads it (comments, whitespace, case of keys). The file is read here,
//! so that a missing or unreadable file is an error naming it; the SDK reader then only parses
//! its text. Every profile with an access key id must have a secret; a profile without either is
//! ignored (it may hold settings such as `region`). Two profiles naming the same access key id
//! with different secrets or tokens are refused.
//!
//! What it does not do: verify signatures (`super::sigv4`), read `~/.aws/config`, assume roles
//! or run `credential_process`. Secrets never appear in `Debug` output or in errors.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_runtime::env_config::section::EnvConfigSections;
use aws_types::os_shim_internal::{Env, Fs};
use zeroize::Zeroizing;

/// The name the file's text is given inside the SDK reader's in-memory file system.
const IN_MEMORY_NAME: &str = "ddbsse-credentials";

/// One access key the endpoint accepts.
#[derive(Clone)]
pub struct AccessKey {
    /// The secret access key.
    pub(crate) secret: Zeroizing<String>,
    /// The session token a request signed with this key must carry in `X-Amz-Security-Token`.
    pub(crate) session_token: Option<Zeroizing<String>>,
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("secret", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The access keys the endpoint accepts, by access key id. `Debug` shows the ids only.
#[derive(Clone, Default)]
pub struct KeyStore {
    keys: HashMap<String, AccessKey>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.keys.keys().collect();
        ids.sort();
        f.debug_struct("KeyStore").field("ids", &ids).finish()
    }
}

/// Why a credentials file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The file cannot be read.
    #[error("cannot read the credentials file {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("the credentials file {} is not UTF-8 text", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
    },
    /// The SDK reader refused the text.
    #[error("the credentials file {} is not in the AWS shared credentials format: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the reader said (it never quotes values).
        message: String,
    },
    /// A profile has an access key id without a secret, or the reverse.
    #[error("profile [{profile}] of {} needs both aws_access_key_id and aws_secret_access_key", path.display())]
    Incomplete {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
    },
    /// Two profiles give one access key id different secrets or tokens.
    #[error("access key id {id} is given twice with different secrets or tokens in {}", path.display())]
    Conflict {
        /// The file.
        path: PathBuf,
        /// The access key id.
        id: String,
    },
    /// No profile holds an access key.
    #[error("the credentials file {} holds no access key (aws_access_key_id and aws_secret_access_key)", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

impl KeyStore {
    /// Reads the access keys of the credentials file at `path`.
    pub async fn load(path: &Path) -> Result<Self, CredentialsError> {
        let bytes = std::fs::read(path).map_err(|source| CredentialsError::Read {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| CredentialsError::NotText {
            path: path.to_owned(),
        })?;
        Self::parse(path, &Zeroizing::new(text)).await
    }

    /// Reads the access keys of `text`, the contents of the credentials file at `path`.
    pub async fn parse(path: &Path, text: &str) -> Result<Self, CredentialsError> {
        let fs = Fs::from_slice(&[(IN_MEMORY_NAME, text)]);
        let env = Env::from_slice(&[]);
        let files = EnvConfigFiles::builder()
            .with_file(EnvConfigFileKind::Credentials, IN_MEMORY_NAME)
            .build();
        let parse_error = |message: String| CredentialsError::Parse {
            path: path.to_owned(),
            message,
        };
        let source = aws_runtime::env_config::source::load(&env, &fs, &files)
            .await
            .map_err(|e| parse_error(e.to_string()))?;
        let sections = EnvConfigSections::parse(source).map_err(|e| parse_error(e.to_string()))?;
        let mut keys: HashMap<String, AccessKey> = HashMap::new();
        let mut names: Vec<&str> = sections.profiles().collect();
        names.sort_unstable();
        for name in names {
            let Some(profile) = sections.get_profile(name) else {
                continue;
            };
            let id = profile.get("aws_access_key_id").map(str::trim);
            let secret = profile.get("aws_secret_access_key").map(str::trim);
            let (id, secret) = match (id, secret) {
                (None, None) => continue,
                (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => (id, secret),
                _ => {
                    return Err(CredentialsError::Incomplete {
                        path: path.to_owned(),
                        profile: name.to_owned(),
                    });
                }
            };
            let key = AccessKey {
                secret: Zeroizing::new(secret.to_owned()),
                session_token: profile
                    .get("aws_session_token")
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| Zeroizing::new(t.to_owned())),
            };
            if let Some(known) = keys.get(id) {
                if known.secret != key.secret || known.session_token != key.session_token {
                    return Err(CredentialsError::Conflict {
                        path: path.to_owned(),
                        id: id.to_owned(),
                    });
                }
                continue;
            }
            keys.insert(id.to_owned(), key);
        }
        if keys.is_empty() {
            return Err(CredentialsError::Empty {
                path: path.to_owned(),
            });
        }
        Ok(Self { keys })
    }

    /// The access key named `id`, if the file holds it.
    pub fn get(&self, id: &str) -> Option<&AccessKey> {
        self.keys.get(id)
    }

    /// How many access keys the file holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the store holds no key (never, once loaded).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<KeyStore, CredentialsError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(KeyStore::parse(Path::new("creds"), text))
    }

    #[test]
    fn reads_profiles_with_keys_and_tokens() {
        let store = parse(
            "# team keys\n[default]\naws_access_key_id = AKIDONE\naws_secret_access_key = one\n\n\
             [ci]\naws_access_key_id=ASIATWO\naws_secret_access_key=two\naws_session_token = tok\n\
             [settings-only]\nregion = eu-west-1\n",
        )
        .expect("parses");
        assert_eq!(store.len(), 2);
        assert_eq!(store.get("AKIDONE").map(|k| k.secret.as_str()), Some("one"));
        let two = store.get("ASIATWO").expect("second key");
        assert_eq!(two.secret.as_str(), "two");
        assert_eq!(
            two.session_token.as_deref().map(String::as_str),
            Some("tok")
        );
        assert!(store.get("settings-only").is_none());
    }

    #[test]
    fn refuses_incomplete_conflicting_and_empty_files() {
        assert!(matches!(
            parse("[a]\naws_access_key_id = AKID\n"),
            Err(CredentialsError::Incomplete { .. })
        ));
        assert!(matches!(
            parse(
                "[a]\naws_access_key_id = AKID\naws_secret_access_key = x\n\
                 [b]\naws_access_key_id = AKID\naws_secret_access_key = y\n"
            ),
            Err(CredentialsError::Conflict { .. })
        ));
        assert!(matches!(
            parse("[a]\nregion = us-east-1\n"),
            Err(CredentialsError::Empty { .. })
        ));
    }

    #[test]
    fn secrets_stay_out_of_debug_and_errors() {
        let store = parse("[a]\naws_access_key_id = AKIDX\naws_secret_access_key = SECRETVALUE\naws_session_token = TOKENVALUE\n")
            .expect("parses");
        let shown = format!("{store:?} {:?}", store.get("AKIDX"));
        assert!(shown.contains("AKIDX"), "{shown}");
        assert!(
            !shown.contains("SECRETVALUE") && !shown.contains("TOKENVALUE"),
            "{shown}"
        );
        let error = parse("[a]\naws_secret_access_key = SECRETVALUE\n").expect_err("no id");
        assert!(!error.to_string().contains("SECRETVALUE"), "{error}");
    }
}
