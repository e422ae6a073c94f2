//! The key hierarchy of DynamoDB server-side encryption, as pure functions (normative text:
//! `spec/key-hierarchy.md`).
//!
//! - KMS key material ([`KeyMaterial`]) seals KMS ciphertext blobs ([`kms_blob`]) bound to an
//!   [`EncryptionContext`];
//! - a [`TableKey`] (GenerateDataKey `AES_256` under the table's KMS key) is stored only as such
//!   a blob;
//! - data keys ([`data_key`]) are derived from the table key and a random 128-bit id with
//!   HKDF-SHA256;
//! - items are sealed into envelopes by an [`ItemSealer`] (counter nonces, no per-item HKDF)
//!   and opened by [`open_item`] or a caching [`ItemOpener`].
//!
//! What it does not do: IO, clocks or randomness. Nonces for KMS blobs and data-key ids come
//! from the caller, who must draw them from a CSPRNG. It does not map errors to AWS shapes
//! ([`DecryptError`] becomes `InvalidCiphertextException` in the KMS layer). Two backends
//! ([`backend::Backend`]) implement the primitives with byte-identical results.

pub mod backend;
mod context;
pub mod data_key;
pub mod envelope;
mod error;
mod item_opener;
mod item_sealer;
mod key_material;
pub mod kms_blob;
mod nonce_sequence;
mod table_key;

pub use backend::{AeadKey, Backend};
pub use context::{EncryptionContext, SUBSCRIBER_ID_KEY, TABLE_NAME_KEY};
pub use data_key::{DataKey, DataKeyId};
pub use error::{ContextError, DecryptError, SealError};
pub use item_opener::{DEFAULT_CACHE_CAPACITY, ItemOpener, open_item, open_item_with};
pub use item_sealer::ItemSealer;
pub use key_material::KeyMaterial;
pub use nonce_sequence::{MAX_SEALS_PER_DATA_KEY, item_nonce};
pub use table_key::TableKey;
