//! The table-key cache's size floor (`spec/cache.md#bound`): one home for the number.
//!
//! Does: name the fewest entries a target may bound its table-key cache at, which is also the
//! bound `ddbsse serve` uses. Does not: decide which entry a full cache drops; that is behaviour,
//! implemented by the endpoint (the reference model keeps no bound at all). The conformance cases
//! keep their own literal 4096, taken from the spec, so a wrong number here still fails a case.

/// The fewest entries a target may bound its table-key cache at, and the bound `ddbsse serve`
/// uses (`spec/cache.md#bound`; a number decided here, AWS documents no bound).
pub const MIN_BOUND: usize = 4096;
