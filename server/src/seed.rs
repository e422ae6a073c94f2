//! `ddbsse serve --seed FILE`: deterministic fixtures created at start. The file is JSON:
//!
//! ```json
//! {
//!   "keys":    [{"KeyId": "<lower-case UUID>", "KeyMaterial": "<64 hex digits>", "Description": "..."}],
//!   "aliases": [{"AliasName": "alias/orders", "TargetKeyId": "<key id>"}],
//!   "tables":  [<CreateTable request bodies>],
//!   "items":   [<PutItem request bodies>]
//! }
//! ```
//!
//! Keys are imported with their fixed id and material ([`Engine::import_key`]: no request, no
//! trail record), so ciphertexts made under that material elsewhere decrypt here. Aliases, tables
//! and items are made by sending CreateAlias, CreateTable and PutItem to the engine in that
//! order, as the principal [`SEED_PRINCIPAL`] at the clock's time at start, so they are checked
//! like any request and their KMS calls appear in the trail. Any refusal stops the start with the
//! request and its answer.
//!
//! Key material is read into [`KeyMaterial`] (whose `Debug` is redacted) and the hex text is
//! zeroized; it is never logged or printed, not even in errors.

use std::path::{Path, PathBuf};

use ddbsse_crypto::KeyMaterial;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use zeroize::Zeroize;

use crate::engine::Engine;

/// The access key id the seed's requests are made as (trail records name it).
pub const SEED_PRINCIPAL: &str = "ddbsse-seed";

/// Why a seed file could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file cannot be read.
    #[error("--seed {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a seed.
    #[error("--seed {}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong (never the key material).
        message: String,
    },
    /// A key, alias, table or item was refused.
    #[error("--seed: {what} refused: {answer}")]
    Refused {
        /// What was being created.
        what: String,
        /// The engine's answer.
        answer: String,
    },
}

/// One key of the seed; `Debug` never shows the material.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedKey {
    #[serde(rename = "KeyId")]
    key_id: String,
    #[serde(rename = "KeyMaterial")]
    key_material: String,
    #[serde(rename = "Description", default)]
    description: String,
}

impl Drop for SeedKey {
    fn drop(&mut self) {
        self.key_material.zeroize();
    }
}

impl std::fmt::Debug for SeedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedKey")
            .field("key_id", &self.key_id)
            .field("key_material", &"<redacted>")
            .field("description", &self.description)
            .finish()
    }
}

/// A seed file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    #[serde(default)]
    keys: Vec<SeedKey>,
    #[serde(default)]
    aliases: Vec<Value>,
    #[serde(default)]
    tables: Vec<Value>,
    #[serde(default)]
    items: Vec<Value>,
}

/// What a seed created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Keys imported.
    pub keys: usize,
    /// Aliases created.
    pub aliases: usize,
    /// Tables created.
    pub tables: usize,
    /// Items put.
    pub items: usize,
}

/// Reads the seed file at `path` and applies it to `engine` at `now`.
pub fn apply_file(engine: &Engine, path: &Path, now: Timestamp) -> Result<Seeded, SeedError> {
    let mut text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
        path: path.to_owned(),
        source,
    })?;
    let parsed = serde_json::from_str::<Seed>(&text);
    text.zeroize();
    // serde_json's message names a line and column, never the text of the value.
    let seed = parsed.map_err(|e| SeedError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    apply(engine, seed, now, path)
}

fn material_of(key: &SeedKey, path: &Path) -> Result<KeyMaterial, SeedError> {
    let mut bytes = [0u8; KeyMaterial::LEN];
    let decoded = hex::decode_to_slice(key.key_material.trim(), &mut bytes);
    let result = match decoded {
        Ok(()) => Ok(KeyMaterial::from_bytes(bytes)),
        Err(_) => Err(SeedError::Parse {
            path: path.to_owned(),
            message: format!(
                "KeyMaterial of key {} is not {} hex digits",
                key.key_id,
                2 * KeyMaterial::LEN
            ),
        }),
    };
    bytes.zeroize();
    result
}

fn apply(engine: &Engine, seed: Seed, now: Timestamp, path: &Path) -> Result<Seeded, SeedError> {
    let mut done = Seeded::default();
    for key in &seed.keys {
        let material = material_of(key, path)?;
        engine
            .import_key(now, &key.key_id, material, key.description.clone())
            .map_err(|e| SeedError::Refused {
                what: format!("key {}", key.key_id),
                answer: e.to_string(),
            })?;
        done.keys += 1;
    }
    let caller = Caller::new(SEED_PRINCIPAL, 0);
    let steps = [
        ("TrentService.CreateAlias", &seed.aliases, "AliasName"),
        ("DynamoDB_20120810.CreateTable", &seed.tables, "TableName"),
        ("DynamoDB_20120810.PutItem", &seed.items, "TableName"),
    ];
    for (target, bodies, name) in steps {
        for body in bodies {
            let response = engine.handle(now, &caller, target, body.to_string().as_bytes());
            if response.status != 200 {
                return Err(SeedError::Refused {
                    what: format!(
                        "{} of {}",
                        target.rsplit('.').next().unwrap_or(target),
                        body[name].as_str().unwrap_or("?")
                    ),
                    answer: format!(
                        "{} {}",
                        response.status,
                        String::from_utf8_lossy(&response.body)
                    ),
                });
            }
            match target {
                "TrentService.CreateAlias" => done.aliases += 1,
                "DynamoDB_20120810.CreateTable" => done.tables += 1,
                _ => done.items += 1,
            }
        }
    }
    Ok(done)
}
