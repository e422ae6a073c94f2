//! Parallel Scan: the `Segment` and `TotalSegments` members, their checks, and which segment an
//! item belongs to (`spec/items.md#scan-segments`).
//!
//! Does: validate the pair and map a partition-key value to its segment, the same way for every
//! implementation. Does not: read items.

use crate::attribute::AttributeValue;
use crate::error::ApiError;
use crate::number::Number;
use crate::validate::Violations;

/// The most segments a Scan may ask for (M-DDB: `TotalSegments` range 1 to 1000000).
pub const MAX_TOTAL_SEGMENTS: i64 = 1_000_000;

/// A requested segment: `segment` of `total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Zero-based segment number.
    pub segment: u32,
    /// How many segments the table is split into.
    pub total: u32,
}

//= spec/items.md#scan-segments
//# `Segment` and `TotalSegments` MUST be given together, `TotalSegments` MUST be between 1 and 1000000 and `Segment` between 0 and `TotalSegments` - 1, each violation refused with `ValidationException` and the message of the table below.
/// Checks the two members; `None` when neither is given.
pub fn check(segment: Option<i64>, total: Option<i64>) -> Result<Option<Segment>, ApiError> {
    let mut v = Violations::default();
    if let Some(t) = total {
        if t < 1 {
            v.constraint(
                &t.to_string(),
                "totalSegments",
                "Member must have value greater than or equal to 1",
            );
        } else if t > MAX_TOTAL_SEGMENTS {
            v.constraint(
                &t.to_string(),
                "totalSegments",
                "Member must have value less than or equal to 1000000",
            );
        }
    }
    if let Some(s) = segment
        && s < 0
    {
        v.constraint(
            &s.to_string(),
            "segment",
            "Member must have value greater than or equal to 0",
        );
    }
    v.into_result()?;
    match (segment, total) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::validation(
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        )),
        (None, Some(_)) => Err(ApiError::validation(
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        )),
        (Some(s), Some(t)) if s >= t => Err(ApiError::validation(format!(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
        ))),
        (Some(s), Some(t)) => Ok(Some(Segment {
            segment: u32::try_from(s).unwrap_or(0),
            total: u32::try_from(t).unwrap_or(1),
        })),
    }
}

//= spec/items.md#scan-segments
//# An item MUST belong to segment `h mod TotalSegments`, where `h` is the 64-bit FNV-1a hash of its partition key's type letter (`S`, `N` or `B`) followed by the value's bytes (a number in its canonical form), so that every item is in exactly one segment and all items of a partition are in the same one.
/// The segment of an item whose partition key is `hash_key`.
pub fn segment_of(hash_key: &AttributeValue, total: u32) -> u32 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let canonical;
    let (tag, bytes): (u8, &[u8]) = match hash_key {
        AttributeValue::S(s) => (b'S', s.as_bytes()),
        AttributeValue::N(n) => {
            canonical = Number::parse(n)
                .map(|x| x.canonical())
                .unwrap_or_else(|_| n.clone());
            (b'N', canonical.as_bytes())
        }
        AttributeValue::B(b) => (b'B', &b.0),
        _ => (b'?', &[]),
    };
    let mut h = OFFSET;
    for byte in std::iter::once(&tag).chain(bytes) {
        h ^= u64::from(*byte);
        h = h.wrapping_mul(PRIME);
    }
    u32::try_from(h % u64::from(total.max(1))).unwrap_or(0)
}

impl Segment {
    /// Whether an item with partition key `hash_key` is in this segment.
    pub fn holds(&self, hash_key: Option<&AttributeValue>) -> bool {
        hash_key.is_some_and(|k| segment_of(k, self.total) == self.segment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/items.md#scan-segments
    //= type=test
    //# `Segment` and `TotalSegments` MUST be given together, `TotalSegments` MUST be between 1 and 1000000 and `Segment` between 0 and `TotalSegments` - 1, each violation refused with `ValidationException` and the message of the table below.
    #[test]
    fn members_are_checked() {
        assert_eq!(check(None, None), Ok(None));
        assert_eq!(
            check(Some(1), Some(4)),
            Ok(Some(Segment {
                segment: 1,
                total: 4
            }))
        );
        assert!(
            check(Some(1), None)
                .unwrap_err()
                .message
                .starts_with("The TotalSegments parameter is required")
        );
        assert!(
            check(None, Some(2))
                .unwrap_err()
                .message
                .starts_with("The Segment parameter is required")
        );
        assert_eq!(
            check(Some(2), Some(2)).unwrap_err().message,
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2"
        );
        assert_eq!(
            check(Some(0), Some(0)).unwrap_err().message,
            "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        assert!(
            check(Some(-1), Some(1_000_001))
                .unwrap_err()
                .message
                .starts_with("2 validation errors detected")
        );
    }

    //= spec/items.md#scan-segments
    //= type=test
    //# An item MUST belong to segment `h mod TotalSegments`, where `h` is the 64-bit FNV-1a hash of its partition key's type letter (`S`, `N` or `B`) followed by the value's bytes (a number in its canonical form), so that every item is in exactly one segment and all items of a partition are in the same one.
    #[test]
    fn segments_follow_fnv1a() {
        // FNV-1a 64 of "Sa", computed independently (a three-line Python loop over the
        // published offset basis and prime).
        let h: u64 = 0x0946_2f07_b5d5_f4b9;
        assert_eq!(
            segment_of(&AttributeValue::S("a".into()), 1000),
            (h % 1000) as u32
        );
        assert_eq!(
            segment_of(&AttributeValue::N("1.50".into()), 7),
            segment_of(&AttributeValue::N("1.5".into()), 7)
        );
        assert_eq!(segment_of(&AttributeValue::S("x".into()), 1), 0);
    }
}
