//! trail (being written).
