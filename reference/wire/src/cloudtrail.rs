//! CloudTrail `LookupEvents` shapes (awsJson1_1).

use serde::{Deserialize, Serialize};

/// One `LookupAttribute`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupAttribute {
    /// `EventId`, `EventName`, `ReadOnly`, `Username`, `ResourceType`, `ResourceName`,
    /// `EventSource` or `AccessKeyId`.
    pub attribute_key: Option<String>,
    /// 1-2000 characters.
    pub attribute_value: Option<String>,
}

/// `LookupEvents` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupEventsInput {
    /// At most one attribute.
    pub lookup_attributes: Option<Vec<LookupAttribute>>,
    /// Inclusive start (epoch seconds).
    pub start_time: Option<f64>,
    /// Inclusive end (epoch seconds).
    pub end_time: Option<f64>,
    /// Absent (management events) or `insight` ([`EventCategory::parse`]).
    pub event_category: Option<String>,
    /// 1-50, default 50.
    pub max_results: Option<i64>,
    /// From a previous response.
    pub next_token: Option<String>,
}

/// `Resource` of an `Event`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventResource {
    /// `AWS::KMS::Key`.
    pub resource_type: String,
    /// The ARN.
    pub resource_name: String,
}

/// `Event`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Event {
    /// Event id.
    pub event_id: String,
    /// Event name.
    pub event_name: String,
    /// `"true"` or `"false"`.
    pub read_only: String,
    /// Access key id, when a principal signed the call.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub access_key_id: Option<String>,
    /// Epoch seconds.
    pub event_time: f64,
    /// Event source.
    pub event_source: String,
    /// User name.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub username: Option<String>,
    /// Resources.
    pub resources: Vec<EventResource>,
    /// The full record as a JSON string.
    pub cloud_trail_event: String,
}

/// `LookupEvents` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LookupEventsOutput {
    /// Newest first.
    pub events: Vec<Event>,
    /// Set when more events follow.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub next_token: Option<String>,
}

/// Longest `AttributeValue` LookupEvents accepts, in bytes of its UTF-8 text.
pub const MAX_ATTRIBUTE_VALUE_LEN: usize = 2000;

/// `LookupAttributes` of a LookupEvents request, checked: none, or the one (key, value) pair to
/// filter on. This is the stateless part of LookupEvents; matching records is behaviour, owned by
/// each implementation (it uses [`crate::trail::TrailRecord::matches`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupFilter {
    /// Which field the value is compared with.
    pub key: crate::trail::LookupAttributeKey,
    /// The value, 1 to [`MAX_ATTRIBUTE_VALUE_LEN`] bytes.
    pub value: String,
}

impl LookupFilter {
    /// Checks the `LookupAttributes` of a request: absent or empty gives `None`, one valid
    /// attribute gives its filter, anything else `InvalidLookupAttributesException`.
    pub fn parse(
        attributes: Option<&[LookupAttribute]>,
    ) -> Result<Option<Self>, crate::error::ApiError> {
        use crate::error::{ApiError, ErrorCode};
        //= spec/trail.md#lookup-attributes
        //# More than one `LookupAttribute`, or an `AttributeKey` outside the enum, MUST fail with `InvalidLookupAttributesException`.
        let one = match attributes {
            None | Some([]) => return Ok(None),
            Some([one]) => one,
            Some(_) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidLookupAttributes,
                    "You cannot specify more than one lookup attribute.",
                ));
            }
        };
        let key = one.attribute_key.as_deref().unwrap_or_default();
        let key = crate::trail::LookupAttributeKey::from_name(key).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidLookupAttributes,
                format!("Invalid lookup attribute key: {key}"),
            )
        })?;
        let value = one.attribute_value.clone().unwrap_or_default();
        if value.is_empty() || value.len() > MAX_ATTRIBUTE_VALUE_LEN {
            return Err(ApiError::new(
                ErrorCode::InvalidLookupAttributes,
                "The lookup attribute value must be 1 to 2000 characters long.",
            ));
        }
        Ok(Some(Self { key, value }))
    }
}

/// The one `EventCategory` value LookupEvents accepts (M-CT's enum `["insight"]`).
pub const INSIGHT: &str = "insight";

/// `EventCategory` of a LookupEvents request, checked. This is the stateless part; what each
/// category returns is behaviour, owned by each implementation (neither keeps Insights events,
/// so `insight` returns none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventCategory {
    /// No `EventCategory`: management events.
    Management,
    /// `insight`: CloudTrail Insights events.
    Insight,
}

impl EventCategory {
    /// Checks the `EventCategory` of a request: absent gives [`EventCategory::Management`],
    /// exactly `insight` gives [`EventCategory::Insight`], anything else
    /// `InvalidEventCategoryException` with our message (AWS publishes none).
    pub fn parse(value: Option<&str>) -> Result<Self, crate::error::ApiError> {
        use crate::error::{ApiError, ErrorCode};
        //= spec/trail.md#lookup-category
        //# LookupEvents with `EventCategory` `insight` MUST succeed and return no events, and any other `EventCategory` value MUST fail with `InvalidEventCategoryException` and the message `Event category <value> is not valid; the only valid value is insight`.
        match value {
            None => Ok(Self::Management),
            Some(v) if v == INSIGHT => Ok(Self::Insight),
            Some(v) => Err(ApiError::new(
                ErrorCode::InvalidEventCategory,
                format!("Event category {v} is not valid; the only valid value is {INSIGHT}"),
            )),
        }
    }
}

/// The largest and the default `MaxResults` of LookupEvents.
pub const LOOKUP_MAX_RESULTS: i64 = 50;

/// Checks a LookupEvents `MaxResults`: 1 to 50, 50 when absent. The message is ours (the spec
/// names only the exception).
pub fn lookup_max_results(value: Option<i64>) -> Result<usize, crate::error::ApiError> {
    use crate::error::{ApiError, ErrorCode};
    //= spec/trail.md#lookup-paging
    //# LookupEvents MUST return at most `MaxResults` events, where `MaxResults` is 1 to 50 and defaults to 50, and MUST fail with `InvalidMaxResultsException` for a value outside 1 to 50.
    let max = value.unwrap_or(LOOKUP_MAX_RESULTS);
    if !(1..=LOOKUP_MAX_RESULTS).contains(&max) {
        return Err(ApiError::new(
            ErrorCode::InvalidMaxResults,
            "MaxResults must be between 1 and 50.",
        ));
    }
    usize::try_from(max).map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidMaxResults,
            "MaxResults must be between 1 and 50.",
        )
    })
}

/// Checks that a LookupEvents `StartTime` is not after its `EndTime` (either may be absent). The
/// message is ours.
pub fn lookup_time_range(
    start: Option<f64>,
    end: Option<f64>,
) -> Result<(), crate::error::ApiError> {
    use crate::error::{ApiError, ErrorCode};
    //= spec/trail.md#lookup-time
    //# LookupEvents MUST return only events whose `eventTime`, in whole seconds, lies within `StartTime` and `EndTime` inclusive (either bound may be absent), and MUST fail with `InvalidTimeRangeException` when `StartTime` is after `EndTime`.
    match (start, end) {
        (Some(s), Some(e)) if s > e => Err(ApiError::new(
            ErrorCode::InvalidTimeRange,
            "Start time must not be after end time.",
        )),
        _ => Ok(()),
    }
}

/// `InvalidNextTokenException` for a LookupEvents token the target did not issue for the
/// request's parameters. The message is ours.
pub fn invalid_next_token() -> crate::error::ApiError {
    crate::error::ApiError::new(
        crate::error::ErrorCode::InvalidNextToken,
        "Invalid NextToken.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::trail::LookupAttributeKey;

    #[test]
    fn lookup_max_results_is_1_to_50_and_50_by_default() {
        assert_eq!(lookup_max_results(None).ok(), Some(50));
        assert_eq!(lookup_max_results(Some(1)).ok(), Some(1));
        assert_eq!(lookup_max_results(Some(50)).ok(), Some(50));
        for bad in [0, 51, -1] {
            let e = lookup_max_results(Some(bad)).err();
            assert_eq!(
                e.map(|e| (e.code, e.message)),
                Some((
                    ErrorCode::InvalidMaxResults,
                    "MaxResults must be between 1 and 50.".to_owned()
                ))
            );
        }
    }

    #[test]
    fn lookup_time_range_refuses_a_start_after_the_end_only() {
        assert!(lookup_time_range(Some(5.0), Some(5.0)).is_ok());
        assert!(lookup_time_range(Some(5.0), None).is_ok());
        assert!(lookup_time_range(None, Some(5.0)).is_ok());
        let e = lookup_time_range(Some(6.0), Some(5.0)).err();
        assert_eq!(e.map(|e| e.code), Some(ErrorCode::InvalidTimeRange));
    }

    fn attr(key: &str, value: &str) -> LookupAttribute {
        LookupAttribute {
            attribute_key: Some(key.to_owned()),
            attribute_value: Some(value.to_owned()),
        }
    }

    #[test]
    fn event_category_is_absent_or_exactly_insight() {
        assert_eq!(EventCategory::parse(None), Ok(EventCategory::Management));
        assert_eq!(
            EventCategory::parse(Some("insight")),
            Ok(EventCategory::Insight)
        );
        for bad in ["Insight", "INSIGHT", "management", "data", " insight", ""] {
            let err = EventCategory::parse(Some(bad)).expect_err("refused");
            assert_eq!(err.code, ErrorCode::InvalidEventCategory, "{bad:?}");
            assert_eq!(
                err.message,
                format!("Event category {bad} is not valid; the only valid value is insight")
            );
        }
    }

    //= spec/trail.md#lookup-attributes
    //= type=test
    //# More than one `LookupAttribute`, or an `AttributeKey` outside the enum, MUST fail with `InvalidLookupAttributesException`.
    #[test]
    fn lookup_attributes_parse_into_one_filter_or_fail() {
        assert_eq!(LookupFilter::parse(None), Ok(None));
        assert_eq!(LookupFilter::parse(Some(&[])), Ok(None));
        assert_eq!(
            LookupFilter::parse(Some(&[attr("EventName", "Decrypt")])),
            Ok(Some(LookupFilter {
                key: LookupAttributeKey::EventName,
                value: "Decrypt".to_owned()
            }))
        );
        for bad in [
            vec![attr("EventName", "Decrypt"), attr("ReadOnly", "true")],
            vec![attr("eventName", "Decrypt")],
            vec![attr("EventName", "")],
            vec![attr("EventName", &"x".repeat(2001))],
        ] {
            let err = LookupFilter::parse(Some(&bad)).expect_err("refused");
            assert_eq!(err.code, ErrorCode::InvalidLookupAttributes, "{bad:?}");
        }
    }
}
