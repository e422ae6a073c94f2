//! [`EncryptionContext`] and its canonical byte encoding, the AAD that binds a KMS blob to its
//! context.
//!
//! It does not validate KMS's own request limits on contexts (that is the wire layer's job); it
//! only refuses what the encoding cannot express.

use std::collections::BTreeMap;

use super::error::ContextError;

/// A KMS encryption context: string keys to string values, compared as an exact, case-sensitive
/// map.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EncryptionContext(BTreeMap<String, String>);

/// The context keys DynamoDB uses for the table name and the account id: protocol facts, whose
/// home is the wire layer.
pub use ddbsse_wire::kms::{
    SUBSCRIBER_ID_CONTEXT_KEY as SUBSCRIBER_ID_KEY, TABLE_NAME_CONTEXT_KEY as TABLE_NAME_KEY,
};

impl EncryptionContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    //= spec/key-hierarchy.md#table-key
    //# The encryption context of every KMS operation on a table key MUST be exactly the two pairs
    //# `aws:dynamodb:tableName` = the table name and `aws:dynamodb:subscriberId` = the account id.
    /// The context DynamoDB uses for every KMS call about one table.
    pub fn for_table(table_name: &str, account_id: &str) -> Result<Self, ContextError> {
        let mut ctx = Self::new();
        ctx.insert(TABLE_NAME_KEY, table_name)?;
        ctx.insert(SUBSCRIBER_ID_KEY, account_id)?;
        Ok(ctx)
    }

    //= spec/key-hierarchy.md#context-encoding
    //# A context MUST have at most 65535 pairs, and each key and each value MUST be at most 65535
    //# bytes long.
    /// Adds or replaces a pair. Refuses keys or values over 65535 bytes and a 65536th pair.
    pub fn insert(
        &mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<(), ContextError> {
        let (key, value) = (key.into(), value.into());
        if key.len() > usize::from(u16::MAX) || value.len() > usize::from(u16::MAX) {
            return Err(ContextError::EntryTooLong);
        }
        if self.0.len() >= usize::from(u16::MAX) && !self.0.contains_key(&key) {
            return Err(ContextError::TooManyPairs);
        }
        self.0.insert(key, value);
        Ok(())
    }

    /// The pairs in canonical (byte-wise ascending key) order.
    pub fn pairs(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    //= spec/key-hierarchy.md#context-encoding
    //# The encoding is `u16be(n)` followed, for each pair in ascending order of the key's UTF-8
    //# bytes, by `u16be(len(key)) || key || u16be(len(value)) || value`.
    /// The canonical encoding used as AAD (spec section 4).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let body: usize = self.0.iter().map(|(k, v)| 4 + k.len() + v.len()).sum();
        let mut out = Vec::with_capacity(2 + body);
        // Lengths were bounded to u16 on insert, so these conversions cannot saturate.
        out.extend_from_slice(&u16_len(self.0.len()).to_be_bytes());
        //= spec/key-hierarchy.md#context-encoding
        //# Keys MUST be ordered by unsigned byte-wise lexicographic comparison of their UTF-8 encodings, a
        //# shorter key that is a prefix of a longer one coming first.
        // BTreeMap<String, _> iterates in byte-wise order of the keys' UTF-8, which is what the
        // spec requires.
        for (key, value) in &self.0 {
            out.extend_from_slice(&u16_len(key.len()).to_be_bytes());
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(&u16_len(value.len()).to_be_bytes());
            out.extend_from_slice(value.as_bytes());
        }
        out
    }
}

/// A length already checked to fit in u16 (see `insert`); saturates instead of panicking.
fn u16_len(len: usize) -> u16 {
    u16::try_from(len).unwrap_or(u16::MAX)
}

impl TryFrom<BTreeMap<String, String>> for EncryptionContext {
    type Error = ContextError;

    fn try_from(map: BTreeMap<String, String>) -> Result<Self, Self::Error> {
        if map.len() > usize::from(u16::MAX) {
            return Err(ContextError::TooManyPairs);
        }
        if map
            .iter()
            .any(|(k, v)| k.len() > usize::from(u16::MAX) || v.len() > usize::from(u16::MAX))
        {
            return Err(ContextError::EntryTooLong);
        }
        Ok(Self(map))
    }
}

impl<'a> TryFrom<&'a [(&'a str, &'a str)]> for EncryptionContext {
    type Error = ContextError;

    fn try_from(pairs: &'a [(&'a str, &'a str)]) -> Result<Self, Self::Error> {
        let mut ctx = Self::new();
        for (k, v) in pairs {
            ctx.insert(*k, *v)?;
        }
        Ok(ctx)
    }
}
