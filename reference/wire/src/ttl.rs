//! Time to live, as far as it does not depend on state (`spec/control-plane.md#ttl-expiry`):
//! which items a sweep at a given time deletes, and how long after a table's key became unusable
//! DynamoDB keeps deleting them.
//!
//! Does: read an item's TTL attribute and decide, for a sweep at `now`, whether the item is
//! expired, due for deletion or ignored. Does not: find the items, hold the table key, delete
//! anything or decide when a sweep runs (the model and the endpoint's engine do that, each in
//! its own way).

use crate::attribute::{AttributeValue, Item};
use crate::number::Number;
use crate::time::{DAY, MINUTE, Timestamp};

/// How long after its expiry time an expired item is deleted (decided here: 24 h, inside
/// AWS's "typically ... within two days of expiration").
pub const DELETE_AFTER_MS: u64 = DAY;

/// An expiry time further in the past than this, seen from the sweep, is not acted on (AWS:
/// a TTL more than five years in the past is not eligible; five years of 365 days is ours).
pub const IGNORED_AFTER_MS: u64 = 5 * 365 * DAY;

/// How long TTL deletes go on after a table's KMS key became unusable (AWS: "Time to Live (TTL)
/// deletes continue for 30 minutes").
pub const KEY_GRACE_MS: u64 = 30 * MINUTE;

/// What a sweep at some time makes of one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No TTL value the sweep acts on: the attribute is absent, not a Number, or more than
    /// [`IGNORED_AFTER_MS`] in the past.
    Ignored,
    /// The expiry time is not yet reached.
    Live,
    /// Expired, still readable: deleted once [`DELETE_AFTER_MS`] have passed since expiry.
    Expired,
    /// Expired at least [`DELETE_AFTER_MS`] ago: the sweep deletes it.
    Due,
}

/// Epoch seconds with millisecond precision, as a DynamoDB number.
fn seconds(ms: u64) -> Option<Number> {
    Number::parse(&format!("{}.{:03}", ms / 1000, ms % 1000)).ok()
}

//= spec/control-plane.md#ttl-expiry
//# An item whose TTL attribute is absent, is not of type Number, or holds a Number `e` (epoch seconds) more than five years (157680000 s) before the time of the sweep MUST be left alone by the sweep.
//= spec/control-plane.md#ttl-expiry
//# An item whose TTL attribute is a Number `e` is expired from the first time `t` with `e < t` (in seconds), and a sweep at time `t` MUST delete it when `e + 86400 <= t`.
/// What a sweep at `now` makes of `item` under the TTL attribute `attribute`.
pub fn verdict(item: &Item, attribute: &str, now: Timestamp) -> Verdict {
    let Some(AttributeValue::N(raw)) = item.get(attribute) else {
        return Verdict::Ignored;
    };
    let Ok(e) = Number::parse(raw) else {
        return Verdict::Ignored;
    };
    let t = now.millis();
    if let Some(oldest) = seconds(t.saturating_sub(IGNORED_AFTER_MS))
        && e < oldest
    {
        return Verdict::Ignored;
    }
    match (seconds(t), seconds(t.saturating_sub(DELETE_AFTER_MS))) {
        (Some(_), Some(due)) if t >= DELETE_AFTER_MS && e <= due => Verdict::Due,
        //= spec/control-plane.md#ttl-expiry
        //# Until a sweep deletes it, an expired item MUST be returned by reads, queries and scans as any other item.
        (Some(now_s), _) if e < now_s => Verdict::Expired,
        _ => Verdict::Live,
    }
}

/// Whether a sweep at `now` may still delete items of a KMS table whose key has been unusable
/// since `unusable_since` (`None`: the key is usable).
pub fn key_allows_sweep(unusable_since: Option<Timestamp>, now: Timestamp) -> bool {
    //= spec/control-plane.md#ttl-sse
    //# While a KMS table's key is unusable (`tables.md#status-inaccessible`), the sweep MUST go on deleting the table's due items for 30 minutes (1800000 ms) from the start of the unusable period and MUST NOT delete any of its items from then until the key is usable again.
    unusable_since.is_none_or(|since| now < since.plus(KEY_GRACE_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(v: AttributeValue) -> Item {
        let mut i = Item::new();
        i.insert("exp".to_owned(), v);
        i
    }

    const T: Timestamp = Timestamp(1_552_262_400_000);

    #[test]
    fn a_number_expires_after_its_second_and_is_due_a_day_later() {
        let e = T.millis() / 1000;
        let n = |s: u64| item(AttributeValue::N(s.to_string()));
        assert_eq!(verdict(&n(e), "exp", T), Verdict::Live, "e == t is not < t");
        assert_eq!(verdict(&n(e), "exp", T.plus(1)), Verdict::Expired);
        assert_eq!(
            verdict(&n(e), "exp", T.plus(DELETE_AFTER_MS - 1)),
            Verdict::Expired
        );
        assert_eq!(verdict(&n(e), "exp", T.plus(DELETE_AFTER_MS)), Verdict::Due);
        assert_eq!(verdict(&n(e + 10), "exp", T), Verdict::Live);
        let frac = item(AttributeValue::N(format!("{e}.5")));
        assert_eq!(verdict(&frac, "exp", T.plus(500)), Verdict::Live);
        assert_eq!(verdict(&frac, "exp", T.plus(501)), Verdict::Expired);
    }

    #[test]
    fn other_types_absent_and_very_old_values_are_ignored() {
        let e = T.millis() / 1000;
        assert_eq!(
            verdict(
                &item(AttributeValue::S(e.to_string())),
                "exp",
                T.plus(DAY * 2)
            ),
            Verdict::Ignored
        );
        assert_eq!(
            verdict(
                &item(AttributeValue::N(e.to_string())),
                "other",
                T.plus(DAY * 2)
            ),
            Verdict::Ignored
        );
        let old = e - IGNORED_AFTER_MS / 1000 - 1;
        assert_eq!(
            verdict(&item(AttributeValue::N(old.to_string())), "exp", T),
            Verdict::Ignored
        );
        let edge = e - IGNORED_AFTER_MS / 1000;
        assert_eq!(
            verdict(&item(AttributeValue::N(edge.to_string())), "exp", T),
            Verdict::Due
        );
        assert_eq!(
            verdict(&item(AttributeValue::N("-5".to_owned())), "exp", T),
            Verdict::Ignored
        );
    }

    #[test]
    fn deletes_go_on_for_thirty_minutes_after_the_key_became_unusable() {
        assert!(key_allows_sweep(None, T));
        assert!(key_allows_sweep(Some(T), T.plus(KEY_GRACE_MS - 1)));
        assert!(!key_allows_sweep(Some(T), T.plus(KEY_GRACE_MS)));
    }
}
