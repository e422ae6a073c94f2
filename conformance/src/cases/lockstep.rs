//! placeholder
use super::Case;
/// Cases of this area.
pub const CASES: &[Case] = &[];
