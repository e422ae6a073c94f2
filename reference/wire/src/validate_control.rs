//! The checks of UpdateTimeToLive, the tag operations and UpdateContinuousBackups that need no
//! state, with AWS's messages (`spec/control-plane.md`), and the table ARN the tag operations
//! name.
//!
//! Does: member presence, lengths, ranges, reserved tag keys, the tag limit, parsing a table
//! ARN. Does not: look tables up or decide what a request changes.

use std::collections::BTreeMap;

use crate::control_errors::{self, MAX_TAGS, PITR_MAX_RECOVERY_DAYS};
use crate::dynamodb_control::{PointInTimeRecoverySpecification, Tag, TimeToLiveSpecification};
use crate::error::ApiError;
use crate::validate::{self, Violations};

/// A checked UpdateTimeToLive: table name, enable or disable, attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TtlChange {
    /// The table.
    pub table: String,
    /// Enable (`true`) or disable.
    pub enabled: bool,
    /// The attribute.
    pub attribute: String,
}

fn length(v: &mut Violations, value: &str, member: &str, min: usize, max: usize) {
    let n = value.chars().count();
    if n < min {
        v.constraint(
            value,
            member,
            &format!("Member must have length greater than or equal to {min}"),
        );
    } else if n > max {
        v.constraint(
            value,
            member,
            &format!("Member must have length less than or equal to {max}"),
        );
    }
}

/// Checks an UpdateTimeToLive's members.
pub fn ttl_change(
    table: Option<&str>,
    spec: Option<&TimeToLiveSpecification>,
) -> Result<TtlChange, ApiError> {
    let mut v = Violations::default();
    let name = validate::table_name(table, &mut v);
    //= spec/control-plane.md#ttl-update
    //# An UpdateTimeToLive without `TimeToLiveSpecification`, or whose specification lacks `Enabled` or `AttributeName`, or whose `AttributeName` is not 1-255 characters long, MUST be rejected with `ValidationException` and DynamoDB's constraint message.
    match spec {
        None => v.null("timeToLiveSpecification"),
        Some(s) => {
            if s.enabled.is_none() {
                v.null("timeToLiveSpecification.enabled");
            }
            match s.attribute_name.as_deref() {
                None => v.null("timeToLiveSpecification.attributeName"),
                Some(a) => length(&mut v, a, "timeToLiveSpecification.attributeName", 1, 255),
            }
        }
    }
    v.into_result()?;
    Ok(TtlChange {
        table: name.unwrap_or_default().to_owned(),
        enabled: spec.and_then(|s| s.enabled).unwrap_or(false),
        attribute: spec
            .and_then(|s| s.attribute_name.clone())
            .unwrap_or_default(),
    })
}

/// The table name in a table ARN of `region` and `account`
/// (`arn:aws:dynamodb:<region>:<account>:table/<name>`), or `ValidationException`.
pub fn table_arn_name<'a>(
    arn: Option<&'a str>,
    region: &str,
    account: &str,
) -> Result<&'a str, ApiError> {
    //= spec/control-plane.md#tags
    //# TagResource, UntagResource and ListTagsOfResource MUST name the table by its ARN in `ResourceArn`; a missing `ResourceArn` MUST be rejected with DynamoDB's null-member message, and one that is not a table ARN of the target's account and region with `ValidationException` and the message `Invalid TableArn: <arn>`.
    let Some(arn) = arn else {
        return Err(validate::missing_member("resourceArn"));
    };
    let mut v = Violations::default();
    length(&mut v, arn, "resourceArn", 1, 1283);
    v.into_result()?;
    let prefix = format!("arn:aws:dynamodb:{region}:{account}:table/");
    arn.strip_prefix(&prefix)
        .filter(|n| validate::require_table_name(Some(n)).is_ok())
        .ok_or_else(|| control_errors::invalid_table_arn(arn))
}

/// The table's tags after adding `tags` to `current`, checking each tag and the limit.
pub fn tags_to_add(
    current: &BTreeMap<String, String>,
    tags: Option<&[Tag]>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let mut v = Violations::default();
    let tags = tags.unwrap_or_default();
    //= spec/control-plane.md#tags
    //# A tag key MUST be 1-128 characters and a tag value 0-256 characters, and both MUST be present; a violation MUST be rejected with `ValidationException` and DynamoDB's constraint message.
    for (i, t) in tags.iter().enumerate() {
        match t.key.as_deref() {
            None => v.null(&format!("tags.{}.member.key", i + 1)),
            Some(k) => length(&mut v, k, &format!("tags.{}.member.key", i + 1), 1, 128),
        }
        match t.value.as_deref() {
            None => v.null(&format!("tags.{}.member.value", i + 1)),
            Some(val) => length(&mut v, val, &format!("tags.{}.member.value", i + 1), 0, 256),
        }
    }
    v.into_result()?;
    let mut out = current.clone();
    for t in tags {
        let key = t.key.clone().unwrap_or_default();
        //= spec/control-plane.md#tags
        //# A tag key starting with `aws:` MUST be rejected with `ValidationException`.
        if key.starts_with("aws:") {
            return Err(control_errors::reserved_tag_key(&key));
        }
        out.insert(key, t.value.clone().unwrap_or_default());
    }
    //= spec/control-plane.md#tags
    //# A request that would leave more than 50 tags on a table MUST be rejected with `ValidationException` and change nothing.
    if out.len() > MAX_TAGS {
        return Err(control_errors::too_many_tags());
    }
    Ok(out)
}

/// Checks UntagResource's `TagKeys`.
pub fn tag_keys(keys: Option<&[String]>) -> Result<&[String], ApiError> {
    let Some(keys) = keys else {
        return Err(validate::missing_member("tagKeys"));
    };
    let mut v = Violations::default();
    for (i, k) in keys.iter().enumerate() {
        length(&mut v, k, &format!("tagKeys.{}.member", i + 1), 1, 128);
    }
    v.into_result()?;
    Ok(keys)
}

/// A checked UpdateContinuousBackups: enable or disable, and the recovery period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PitrChange {
    /// The table.
    pub table: String,
    /// Enable (`true`) or disable.
    pub enabled: bool,
    /// `RecoveryPeriodInDays` (35 when not given).
    pub days: i64,
}

/// Checks an UpdateContinuousBackups's members.
pub fn pitr_change(
    table: Option<&str>,
    spec: Option<&PointInTimeRecoverySpecification>,
) -> Result<PitrChange, ApiError> {
    let mut v = Violations::default();
    let name = validate::table_name(table, &mut v);
    //= spec/control-plane.md#pitr
    //# An UpdateContinuousBackups without `PointInTimeRecoverySpecification` or without its `PointInTimeRecoveryEnabled`, or with a `RecoveryPeriodInDays` outside 1-35, MUST be rejected with `ValidationException` and DynamoDB's constraint message.
    match spec {
        None => v.null("pointInTimeRecoverySpecification"),
        Some(s) => {
            if s.point_in_time_recovery_enabled.is_none() {
                v.null("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled");
            }
            if let Some(d) = s.recovery_period_in_days {
                let member = "pointInTimeRecoverySpecification.recoveryPeriodInDays";
                if d < 1 {
                    v.constraint(
                        &d.to_string(),
                        member,
                        "Member must have value greater than or equal to 1",
                    );
                } else if d > PITR_MAX_RECOVERY_DAYS {
                    v.constraint(
                        &d.to_string(),
                        member,
                        &format!(
                            "Member must have value less than or equal to {PITR_MAX_RECOVERY_DAYS}"
                        ),
                    );
                }
            }
        }
    }
    v.into_result()?;
    let enabled = spec
        .and_then(|s| s.point_in_time_recovery_enabled)
        .unwrap_or(false);
    let days = spec.and_then(|s| s.recovery_period_in_days);
    //= spec/control-plane.md#pitr
    //# A `RecoveryPeriodInDays` given while `PointInTimeRecoveryEnabled` is false MUST be rejected with `ValidationException`.
    if !enabled && days.is_some() {
        return Err(crate::dynamodb_errors::invalid_parameter(
            "RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true",
        ));
    }
    Ok(PitrChange {
        table: name.unwrap_or_default().to_owned(),
        enabled,
        days: days.unwrap_or(PITR_MAX_RECOVERY_DAYS),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_arns_of_this_account_and_region_only() {
        let ok = table_arn_name(
            Some("arn:aws:dynamodb:us-east-1:123456789012:table/t-1"),
            "us-east-1",
            "123456789012",
        );
        assert_eq!(ok, Ok("t-1"));
        for bad in [
            "arn:aws:dynamodb:eu-west-1:123456789012:table/t-1",
            "arn:aws:dynamodb:us-east-1:123456789012:table/t-1/index/i",
            "t-1",
        ] {
            let e = table_arn_name(Some(bad), "us-east-1", "123456789012").unwrap_err();
            assert_eq!(e.message, format!("Invalid TableArn: {bad}"));
        }
    }

    //= spec/control-plane.md#tags
    //= type=test
    //# A request that would leave more than 50 tags on a table MUST be rejected with `ValidationException` and change nothing.
    #[test]
    fn tags_overwrite_by_key_and_stop_at_fifty() {
        let tag = |k: &str, v: &str| Tag {
            key: Some(k.into()),
            value: Some(v.into()),
        };
        let one = tags_to_add(&BTreeMap::new(), Some(&[tag("a", "1")])).unwrap();
        let two = tags_to_add(&one, Some(&[tag("a", "2")])).unwrap();
        assert_eq!(two.get("a").map(String::as_str), Some("2"));
        let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
        assert_eq!(
            tags_to_add(&BTreeMap::new(), Some(&many)).unwrap_err(),
            control_errors::too_many_tags()
        );
        assert!(tags_to_add(&BTreeMap::new(), Some(&[tag("aws:x", "v")])).is_err());
    }
}
