//! Test-only introspection of what the engine stores, for the conformance suite's in-process
//! at-rest checks: raw rows of a table, and deliberate tampering (flip a bit, move an envelope
//! to another row or table) to show that the item envelopes are authenticated and bound to
//! their row and table.
//!
//! Nothing here decrypts: it only shows and edits ciphertext. Do not use it in production.

use ddbsse_wire::{ApiError, ErrorCode};

use super::Engine;
use crate::storage::{Rows, Space, WriteOp};

/// A view of the engine's stored rows. Obtained with [`Engine::at_rest`].
#[derive(Debug)]
pub struct AtRestView<'a> {
    engine: &'a Engine,
}

fn missing(what: &str) -> ApiError {
    ApiError::new(ErrorCode::ResourceNotFound, format!("{what} not found"))
}

impl Engine {
    /// Test-only introspection of stored rows (see the module docs).
    pub fn at_rest(&self) -> AtRestView<'_> {
        AtRestView { engine: self }
    }
}

impl AtRestView<'_> {
    fn uid(&self, table: &str) -> Result<[u8; 16], ApiError> {
        let st = self.engine.read_state();
        st.tables
            .get(table)
            .map(|m| m.uid_bytes())
            .ok_or_else(|| missing("table"))
    }

    /// The table's stored rows: (row key = uid || partition hash || key hash, envelope bytes),
    /// in row-key order.
    pub fn raw_rows(&self, table: &str) -> Result<Rows, ApiError> {
        let uid = self.uid(table)?;
        self.engine
            .store
            .scan(Space::Items, &uid)
            .map_err(|e| ApiError::new(ErrorCode::InternalServerError, e.to_string()))
    }

    /// The table's stored secondary-index entry rows, every index: (row key = uid || index tag
    /// || partition hash || key hash, envelope bytes), in row-key order.
    pub fn raw_index_rows(&self, table: &str) -> Result<Rows, ApiError> {
        let uid = self.uid(table)?;
        self.engine
            .store
            .scan(Space::Index, &uid)
            .map_err(|e| ApiError::new(ErrorCode::InternalServerError, e.to_string()))
    }

    /// Flips bit `bit` of the envelope of index entry row number `row` (in
    /// [`Self::raw_index_rows`] order).
    pub fn tamper_flip_index_bit(
        &self,
        table: &str,
        row: usize,
        bit: usize,
    ) -> Result<(), ApiError> {
        let rows = self.raw_index_rows(table)?;
        let (key, mut env) = rows.into_iter().nth(row).ok_or_else(|| missing("row"))?;
        let byte = env.get_mut(bit / 8).ok_or_else(|| missing("bit"))?;
        *byte ^= 1 << (bit % 8);
        self.engine
            .commit(vec![WriteOp::Put(Space::Index, key, env)])
    }

    /// The table's wrapped table key, as stored (a KMS blob).
    pub fn wrapped_table_key(&self, table: &str) -> Result<Vec<u8>, ApiError> {
        let st = self.engine.read_state();
        st.tables
            .get(table)
            .map(|m| m.wrapped())
            .ok_or_else(|| missing("table"))
    }

    /// Flips bit `bit` of the envelope of row number `row` (in [`Self::raw_rows`] order).
    pub fn tamper_flip_bit(&self, table: &str, row: usize, bit: usize) -> Result<(), ApiError> {
        let rows = self.raw_rows(table)?;
        let (key, mut env) = rows.into_iter().nth(row).ok_or_else(|| missing("row"))?;
        let byte = env.get_mut(bit / 8).ok_or_else(|| missing("bit"))?;
        *byte ^= 1 << (bit % 8);
        self.engine
            .commit(vec![WriteOp::Put(Space::Items, key, env)])
    }

    /// Copies the envelope of `from_row` of `from_table` over the envelope of `to_row` of
    /// `to_table` (row numbers in [`Self::raw_rows`] order).
    pub fn move_envelope(
        &self,
        from_table: &str,
        from_row: usize,
        to_table: &str,
        to_row: usize,
    ) -> Result<(), ApiError> {
        let (_, env) = self
            .raw_rows(from_table)?
            .into_iter()
            .nth(from_row)
            .ok_or_else(|| missing("source row"))?;
        let (key, _) = self
            .raw_rows(to_table)?
            .into_iter()
            .nth(to_row)
            .ok_or_else(|| missing("target row"))?;
        self.engine
            .commit(vec![WriteOp::Put(Space::Items, key, env)])
    }
}
