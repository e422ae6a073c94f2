//! The item envelope's byte layout and its AAD (spec sections 12 and 13).
//!
//! `envelope = 0x01 || data_key_id (16) || nonce (12) || ciphertext || tag (16)`; the first 29
//! bytes are the header. The AAD is `header || u32be(len(table_arn)) || table_arn ||
//! u32be(len(primary_key)) || primary_key`. This module parses and formats only; it holds no
//! keys.

use super::backend::{NONCE_LEN, TAG_LEN};
use super::data_key::{DATA_KEY_ID_LEN, DataKeyId};
use super::error::DecryptError;

//= spec/key-hierarchy.md#envelope-layout
//# The version byte MUST be `0x01`.
/// The only envelope version this crate writes and reads.
pub const VERSION: u8 = 0x01;
/// Header length: version, data-key id, nonce.
pub const HEADER_LEN: usize = 1 + DATA_KEY_ID_LEN + NONCE_LEN;
//= spec/key-hierarchy.md#envelope-layout
//# An envelope is therefore 45 bytes longer than its plaintext; plaintexts from 0 bytes to the 400
//# KB DynamoDB item limit (409,600 bytes) MUST be supported.
/// Bytes an envelope adds to its plaintext.
pub const OVERHEAD: usize = HEADER_LEN + TAG_LEN;
/// Longest table ARN accepted, in bytes.
pub const MAX_TABLE_ARN_LEN: usize = 2048;
/// The DynamoDB item size limit (400 KB), the largest item the tests and benches use.
pub const MAX_ITEM_LEN: usize = 400 * 1024;

/// Builds the header for one seal.
pub(crate) fn header(id: &DataKeyId, nonce: &[u8; NONCE_LEN]) -> [u8; HEADER_LEN] {
    let mut header = [0u8; HEADER_LEN];
    header[0] = VERSION;
    header[1..1 + DATA_KEY_ID_LEN].copy_from_slice(id.as_bytes());
    header[1 + DATA_KEY_ID_LEN..].copy_from_slice(nonce);
    header
}

/// An envelope whose layout checked out (nothing is authenticated yet).
pub(crate) struct EnvelopeParts<'a> {
    pub(crate) header: &'a [u8; HEADER_LEN],
    pub(crate) data_key_id: DataKeyId,
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) ciphertext: &'a [u8],
    pub(crate) tag: [u8; TAG_LEN],
}

//= spec/key-hierarchy.md#item-open
//# An envelope shorter than 45 bytes, or whose version byte is not `0x01`, MUST be rejected.
pub(crate) fn parse(envelope: &[u8]) -> Result<EnvelopeParts<'_>, DecryptError> {
    if envelope.len() < OVERHEAD || envelope[0] != VERSION {
        return Err(DecryptError);
    }
    let header: &[u8; HEADER_LEN] = envelope[..HEADER_LEN]
        .try_into()
        .map_err(|_| DecryptError)?;
    let id: [u8; DATA_KEY_ID_LEN] = header[1..1 + DATA_KEY_ID_LEN]
        .try_into()
        .map_err(|_| DecryptError)?;
    let nonce: [u8; NONCE_LEN] = header[1 + DATA_KEY_ID_LEN..]
        .try_into()
        .map_err(|_| DecryptError)?;
    let tag_start = envelope.len() - TAG_LEN;
    let tag: [u8; TAG_LEN] = envelope[tag_start..].try_into().map_err(|_| DecryptError)?;
    Ok(EnvelopeParts {
        header,
        data_key_id: DataKeyId::from_bytes(id),
        nonce,
        ciphertext: &envelope[HEADER_LEN..tag_start],
        tag,
    })
}

/// Reads the data-key id of an envelope (unauthenticated; a wrong id just fails to open).
pub fn data_key_id(envelope: &[u8]) -> Result<DataKeyId, DecryptError> {
    parse(envelope).map(|parts| parts.data_key_id)
}

/// The table part of the AAD, `u32be(len(table_arn)) || table_arn`, computed once per table.
#[derive(Debug, Clone)]
pub(crate) struct TableAad(Vec<u8>);

impl TableAad {
    /// `None` if the ARN is empty or longer than [`MAX_TABLE_ARN_LEN`].
    pub(crate) fn new(table_arn: &str) -> Option<Self> {
        if table_arn.is_empty() || table_arn.len() > MAX_TABLE_ARN_LEN {
            return None;
        }
        let len = u32::try_from(table_arn.len()).ok()?;
        let mut bytes = Vec::with_capacity(4 + table_arn.len());
        bytes.extend_from_slice(&len.to_be_bytes());
        bytes.extend_from_slice(table_arn.as_bytes());
        Some(Self(bytes))
    }
}

/// AADs up to this size are built on the stack (no allocation per item).
const STACK_AAD: usize = 256;

//= spec/key-hierarchy.md#item-aad
//# The AAD MUST be `header || u32be(len(table_arn)) || table_arn || u32be(len(primary_key)) ||
//# primary_key`.
/// Builds the item AAD and passes it to `f`. `None` if the primary key is longer than u32.
#[inline]
pub(crate) fn with_item_aad<R>(
    header: &[u8; HEADER_LEN],
    table: &TableAad,
    primary_key: &[u8],
    f: impl FnOnce(&[u8]) -> R,
) -> Option<R> {
    let pk_len = u32::try_from(primary_key.len()).ok()?.to_be_bytes();
    let total = HEADER_LEN + table.0.len() + 4 + primary_key.len();
    let fill = |aad: &mut [u8]| {
        let (h, rest) = aad.split_at_mut(HEADER_LEN);
        h.copy_from_slice(header);
        let (t, rest) = rest.split_at_mut(table.0.len());
        t.copy_from_slice(&table.0);
        let (l, p) = rest.split_at_mut(4);
        l.copy_from_slice(&pk_len);
        p.copy_from_slice(primary_key);
    };
    if total <= STACK_AAD {
        let mut stack = [0u8; STACK_AAD];
        fill(&mut stack[..total]);
        Some(f(&stack[..total]))
    } else {
        let mut heap = vec![0u8; total];
        fill(&mut heap);
        Some(f(&heap))
    }
}

/// Makes `out` exactly `len` bytes long without writing bytes it already has (the caller
/// overwrites all of them), so a reused buffer costs no memset.
#[inline]
pub(crate) fn size_buffer(out: &mut Vec<u8>, len: usize) {
    if out.len() >= len {
        out.truncate(len);
    } else {
        out.resize(len, 0);
    }
}
