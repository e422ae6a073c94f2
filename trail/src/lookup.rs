//! Reads a live endpoint's trail through CloudTrail `LookupEvents` (`--endpoint URL`).
//!
//! Does: POST `LookupEvents` (awsJson1_1, `X-Amz-Target:
//! com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`, signed with SigV4 for
//! service `cloudtrail`), follow `NextToken` until the last page, and run an [`Analysis`] over each
//! page's `Events[].CloudTrailEvent` strings (each one record), with the same checks and
//! accounting as files (a page is one unit; its partition day is the `eventTime` date).
//! `StartTime`/`EndTime` (epoch seconds) narrow the lookup; at most one `LookupAttributes` item is
//! sent (AWS accepts only one); every filter is applied again to the records.
//! Signing and HTTP (`http://` or `https://`) are `ddbsse_client`'s.
//! Does not: retry, or throttle to AWS's 2 requests per second.

use std::ops::ControlFlow;
use std::time::{Duration, UNIX_EPOCH};

use ddbsse_client::{AWS_JSON_1_1, AwsJsonRequest, Client, Credentials};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::scan::{Analysis, ScanReport, StrictRefusal, account, fold_records};

/// `X-Amz-Target` of LookupEvents.
pub const LOOKUP_EVENTS_TARGET: &str =
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

/// A LookupEvents client for one endpoint.
#[derive(Debug)]
pub struct LookupClient {
    client: Client,
    credentials: Credentials,
}

/// Errors talking to the endpoint.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The URL is not usable, or the request got no answer.
    #[error("LookupEvents: {0}")]
    Client(#[from] ddbsse_client::Error),
    /// The endpoint answered with an AWS error.
    #[error("LookupEvents failed with HTTP {status}: {code}: {message}")]
    Service {
        /// HTTP status.
        status: u16,
        /// `__type`.
        code: String,
        /// `message`.
        message: String,
    },
    /// The answer is not a LookupEvents response.
    #[error("LookupEvents response is not understood: {0}")]
    BadResponse(#[source] serde_json::Error),
    /// The endpoint sent the same `NextToken` twice in a row (it would never end).
    #[error("LookupEvents response is not understood: NextToken repeated the previous token")]
    RepeatedToken,
    /// `--strict` stopped at a problem.
    #[error(transparent)]
    Strict(#[from] StrictRefusal),
}

/// What to ask LookupEvents for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupRequest {
    /// `StartTime`, epoch seconds.
    pub start_secs: Option<u64>,
    /// `EndTime`, epoch seconds.
    pub end_secs: Option<u64>,
    /// One `LookupAttributes` item: (`AttributeKey`, `AttributeValue`).
    pub attribute: Option<(String, String)>,
    /// `MaxResults` per page (1-50).
    pub max_results: u32,
}

#[derive(Deserialize)]
struct Page {
    #[serde(rename = "Events", default)]
    events: Vec<PageEvent>,
    #[serde(rename = "NextToken", default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct PageEvent {
    #[serde(rename = "CloudTrailEvent", default)]
    cloudtrail_event: Option<String>,
}

impl LookupClient {
    /// A client for `url` (e.g. `http://127.0.0.1:8000`), signing for `region`.
    pub fn new(url: &str, region: &str, credentials: Credentials) -> Result<Self, LookupError> {
        let client = Client::new(url, region, Duration::from_secs(60))?;
        Ok(LookupClient {
            client,
            credentials,
        })
    }

    fn call(&self, body: &[u8], now_millis: u64) -> Result<Page, LookupError> {
        let request = AwsJsonRequest {
            target: LOOKUP_EVENTS_TARGET,
            content_type: AWS_JSON_1_1,
            service: "cloudtrail",
            body,
        };
        let now = UNIX_EPOCH + Duration::from_millis(now_millis);
        let response = self.client.call(&request, Some(&self.credentials), now)?;
        if response.status != 200 {
            let v: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
            let field = |k: &str| {
                v.get(k)
                    .or_else(|| v.get(k.to_ascii_lowercase()))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            return Err(LookupError::Service {
                status: response.status,
                code: field("__type"),
                message: field("Message"),
            });
        }
        serde_json::from_slice(&response.body).map_err(LookupError::BadResponse)
    }

    /// Runs `analysis` over every page of the lookup; each page's partial result goes to
    /// `consume` in page order (newest events first, as LookupEvents returns them). `now_millis`
    /// dates the signatures.
    pub fn scan<A: Analysis>(
        &self,
        analysis: &A,
        request: &LookupRequest,
        strict: bool,
        report: &mut ScanReport,
        now_millis: &dyn Fn() -> u64,
        mut consume: impl FnMut(A::Partial) -> ControlFlow<()>,
    ) -> Result<(), LookupError> {
        report.unit_name = "LookupEvents pages";
        let mut token: Option<String> = None;
        let mut unit = 0usize;
        loop {
            let mut body = json!({"MaxResults": request.max_results.clamp(1, 50)});
            if let Some(s) = request.start_secs {
                body["StartTime"] = json!(s);
            }
            if let Some(e) = request.end_secs {
                body["EndTime"] = json!(e);
            }
            if let Some((k, v)) = &request.attribute {
                body["LookupAttributes"] = json!([{"AttributeKey": k, "AttributeValue": v}]);
            }
            if let Some(t) = &token {
                body["NextToken"] = json!(t);
            }
            let page = self.call(body.to_string().as_bytes(), now_millis())?;
            let texts: Vec<String> = page
                .events
                .into_iter()
                .map(|e| e.cloudtrail_event.unwrap_or_default())
                .collect();
            let outcome = fold_records(analysis, texts.iter().map(String::as_str), unit, None);
            let name = format!("LookupEvents page {}", unit + 1);
            if let Some(partial) = account(report, &name, outcome, strict)?
                && consume(partial).is_break()
            {
                return Ok(());
            }
            unit += 1;
            match page.next_token {
                Some(next) if !next.is_empty() => {
                    if token.as_deref() == Some(next.as_str()) {
                        return Err(LookupError::RepeatedToken);
                    }
                    token = Some(next);
                }
                _ => return Ok(()),
            }
        }
    }
}
