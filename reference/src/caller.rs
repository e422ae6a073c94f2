//! caller (being written).
