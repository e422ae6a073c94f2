//! The `Limit` of KMS's List operations (`spec/kms.md#list-limit`): each operation's range and
//! default, and the refusal of a value outside it, for the model and the endpoint alike.
//!
//! Does: turn a request's optional `Limit` into a page size, or the exact `ValidationException`.
//! Does not: page anything (markers and which entries are listed are behaviour, implemented
//! separately by the model and by the endpoint).

use crate::error::ApiError;
use crate::kms_errors::constraint;

/// The upper bound of M-KMS's `LimitType`, which Coral checks before an operation's own range.
pub const LIMIT_TYPE_MAX: i64 = 1000;

/// The page-size rule of one List operation: the range its documentation gives (1 to `max`)
/// and the size of a page when the request gives no `Limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLimit {
    /// The largest `Limit` the operation accepts (at most [`LIMIT_TYPE_MAX`]).
    pub max: i64,
    /// The page size without a `Limit`.
    pub default: i64,
}

/// ListKeys: 1 to 1000, default 100 (`spec/kms.md#list-keys`).
pub const LIST_KEYS: PageLimit = PageLimit {
    max: 1000,
    default: 100,
};
/// ListAliases: 1 to 100, default 50 (`spec/kms.md#aliases`).
pub const LIST_ALIASES: PageLimit = PageLimit {
    max: 100,
    default: 50,
};
/// ListGrants: 1 to 100, default 50 (`spec/kms.md#list-grants`).
pub const LIST_GRANTS: PageLimit = PageLimit {
    max: 100,
    default: 50,
};
/// ListRetirableGrants: 1 to 100, default 50 (`spec/kms.md#retirable-grants`).
pub const LIST_RETIRABLE_GRANTS: PageLimit = PageLimit {
    max: 100,
    default: 50,
};
/// ListResourceTags: 1 to 1000, default 50 (`spec/kms.md#tags`).
pub const LIST_RESOURCE_TAGS: PageLimit = PageLimit {
    max: 1000,
    default: 50,
};

impl PageLimit {
    //= spec/kms.md#list-limit
    //# A `Limit` below 1 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`, and a `Limit` above 1000 with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000`.
    //= spec/kms.md#list-limit
    //# A `Limit` from 101 to 1000 given to ListAliases, ListGrants or ListRetirableGrants MUST fail with `ValidationException` and the message `1 validation error detected: Value '<n>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`.
    /// The page size a request's `Limit` asks for, or the refusal of a value out of range:
    /// `LimitType`'s bounds first, then the operation's own (decided here in the same form).
    pub fn check(self, limit: Option<i64>) -> Result<usize, ApiError> {
        let l = limit.unwrap_or(self.default);
        let bound = if l < 1 {
            "greater than or equal to 1".to_owned()
        } else if l > LIMIT_TYPE_MAX {
            format!("less than or equal to {LIMIT_TYPE_MAX}")
        } else if l > self.max {
            format!("less than or equal to {}", self.max)
        } else {
            return usize::try_from(l).map_err(|_| out_of_range(l, "must fit"));
        };
        Err(out_of_range(l, &format!("have value {bound}")))
    }
}

fn out_of_range(l: i64, rule: &str) -> ApiError {
    constraint(&l.to_string(), "limit", &format!("Member must {rule}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(p: PageLimit, l: i64) -> String {
        p.check(Some(l)).unwrap_err().message
    }

    #[test]
    fn defaults_and_bounds() {
        assert_eq!(LIST_GRANTS.check(None).unwrap(), 50);
        assert_eq!(LIST_KEYS.check(None).unwrap(), 100);
        assert_eq!(LIST_GRANTS.check(Some(1)).unwrap(), 1);
        assert_eq!(LIST_GRANTS.check(Some(100)).unwrap(), 100);
        assert_eq!(LIST_KEYS.check(Some(1000)).unwrap(), 1000);
        let text = |v: i64, b: &str| {
            format!(
                "1 validation error detected: Value '{v}' at 'limit' failed to satisfy constraint: Member must have value {b}"
            )
        };
        assert_eq!(
            message(LIST_GRANTS, 0),
            text(0, "greater than or equal to 1")
        );
        assert_eq!(
            message(LIST_KEYS, -5),
            text(-5, "greater than or equal to 1")
        );
        assert_eq!(
            message(LIST_ALIASES, 101),
            text(101, "less than or equal to 100")
        );
        assert_eq!(
            message(LIST_ALIASES, 1000),
            text(1000, "less than or equal to 100")
        );
        assert_eq!(
            message(LIST_ALIASES, 1001),
            text(1001, "less than or equal to 1000")
        );
        assert_eq!(
            message(LIST_KEYS, 1001),
            text(1001, "less than or equal to 1000")
        );
    }
}
