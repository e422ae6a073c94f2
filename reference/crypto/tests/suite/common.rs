//! Fixed inputs and small helpers shared by the crypto tests.

use std::path::PathBuf;

use ddbsse_crypto::{DataKeyId, EncryptionContext, KeyMaterial, TableKey};
use sha2::{Digest, Sha256};

/// The repository root (two levels above this crate's `reference/crypto`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the crypto crate lives at reference/crypto inside the repository")
        .to_path_buf()
}

/// `n` bytes (n <= 32) that depend only on `label`: the prefix of SHA-256(label).
pub fn fixed<const N: usize>(label: &str) -> [u8; N] {
    let digest = Sha256::digest(label.as_bytes());
    digest[..N].try_into().expect("N <= 32")
}

pub fn kms_material(label: &str) -> KeyMaterial {
    KeyMaterial::from_bytes(fixed(label))
}

pub fn table_key(label: &str) -> TableKey {
    TableKey::from_material(KeyMaterial::from_bytes(fixed(label)))
}

pub fn data_key_id(label: &str) -> DataKeyId {
    DataKeyId::from_bytes(fixed(label))
}

pub const KMS_KEY_ARN_A: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
pub const KMS_KEY_ARN_B: &str =
    "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
pub const TABLE_ARN_BOOKS: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/Books";
pub const TABLE_ARN_MUSIC: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/Music";

pub fn books_context() -> EncryptionContext {
    EncryptionContext::for_table("Books", "111122223333").expect("short strings")
}

/// `n` bytes whose byte `k` is `k mod 251` (the vectors' `plaintext_pattern`).
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|k| (k % 251) as u8).collect()
}
