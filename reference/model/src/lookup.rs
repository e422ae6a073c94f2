//! CloudTrail `LookupEvents` over the records the model made (`spec/trail.md#lookup-events`):
//! one optional attribute, an inclusive time range on whole seconds, newest first, pages of 1 to
//! 50 events with tokens bound to the parameters they were issued for.
//!
//! Reading never changes the trail (LookupEvents is not recorded); it only remembers which page
//! tokens it issued, so a forged or reused-elsewhere token is refused.

use ddbsse_wire::ApiError;
use ddbsse_wire::cloudtrail::{
    self, EventCategory, LookupEventsInput, LookupEventsOutput, LookupFilter,
};
use ddbsse_wire::ids::IdSource;
use ddbsse_wire::trail::TrailRecord;

use super::Model;

/// What a page token continues: the parameters' fingerprint and the recording index of the
/// next (older) record to consider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedToken {
    fingerprint: String,
    next_index: usize,
}

impl Model {
    pub(super) fn lookup_events(
        &mut self,
        input: &LookupEventsInput,
    ) -> Result<LookupEventsOutput, ApiError> {
        let attribute = LookupFilter::parse(input.lookup_attributes.as_deref())?;
        //= spec/trail.md#lookup-category
        //# LookupEvents with `EventCategory` `insight` MUST succeed and return no events, and any other `EventCategory` value MUST fail with `InvalidEventCategoryException` and the message `Event category <value> is not valid; the only valid value is insight`.
        let category = EventCategory::parse(input.event_category.as_deref())?;
        let max = cloudtrail::lookup_max_results(input.max_results)?;
        cloudtrail::lookup_time_range(input.start_time, input.end_time)?;
        let fingerprint = format!(
            "{:?}|{:?}|{:?}|{:?}",
            input.lookup_attributes, input.start_time, input.end_time, input.event_category
        );
        //= spec/trail.md#lookup-paging
        //# When more events match, the response MUST carry a `NextToken` that, sent with the same parameters, returns the following events, and a token that the target did not issue for those parameters MUST fail with `InvalidNextTokenException`.
        let mut next_index = self.trail.len();
        if let Some(token) = input.next_token.as_deref() {
            match self.lookup_tokens.get(token) {
                Some(t) if t.fingerprint == fingerprint => next_index = t.next_index,
                _ => return Err(cloudtrail::invalid_next_token()),
            }
        }
        // The model keeps no Insights events.
        let insight = category == EventCategory::Insight;
        let matches = |r: &TrailRecord| {
            if insight {
                return false;
            }
            //= spec/trail.md#lookup-attributes
            //# With one `LookupAttribute`, LookupEvents MUST return only events whose `EventId`, `EventName`, `ReadOnly`, `Username`, `EventSource` or `AccessKeyId` equals `AttributeValue`, or with a `Resources` entry whose `ResourceType` or `ResourceName` equals it, as `AttributeKey` says.
            if let Some(LookupFilter { key, value }) = &attribute
                && !r.matches(*key, value)
            {
                return false;
            }
            let secs = r.time().map_or(0.0, |t| (t.millis() / 1000) as f64);
            input.start_time.is_none_or(|s| secs >= s) && input.end_time.is_none_or(|e| secs <= e)
        };
        //= spec/trail.md#lookup-shape
        //# LookupEvents MUST return events newest first, a later-recorded event before an earlier one with the same time, each as `{"EventId", "EventName", "ReadOnly", "AccessKeyId", "EventTime", "EventSource", "Username", "Resources", "CloudTrailEvent"}`.
        let limit = max;
        let mut events = Vec::new();
        let mut index = next_index;
        while index > 0 && events.len() < limit {
            index -= 1;
            if matches(&self.trail[index]) {
                events.push(self.trail[index].lookup_event());
            }
        }
        let more = (0..index).any(|i| matches(&self.trail[i]));
        let next_token = if more {
            let token = self.ids.hex(24);
            self.lookup_tokens.insert(
                token.clone(),
                IssuedToken {
                    fingerprint,
                    next_index: index,
                },
            );
            Some(token)
        } else {
            None
        };
        Ok(LookupEventsOutput { events, next_token })
    }
}
