//! A borrowed, partial view of one CloudTrail record, parsed in one pass without building a tree.
//!
//! Does: deserialize the fields the analytics use (event time, source, name, region, source IP,
//! the identity, the DynamoDB table from the encryption context, the first resource ARN) from a
//! record's JSON text, borrowing strings where possible and skipping every other field; check the
//! fields CloudTrail never omits ([`REQUIRED_FIELDS`]). This is a read-only view for the
//! analytics; the record's shape (and every field name and constant it shares with the writer) is
//! `ddbsse_wire::trail`.
//! Does not: keep the record's other fields (callers that need them re-parse the raw text), or
//! judge whether values are plausible beyond the `eventTime` format.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use ddbsse_wire::time::Timestamp;

use ddbsse_wire::kms::TABLE_NAME_CONTEXT_KEY;
#[cfg(test)]
use ddbsse_wire::trail::DYNAMODB_SERVICE;
pub use ddbsse_wire::trail::REQUIRED_FIELDS;

/// A JSON scalar as text, with Athena's STRING-column semantics: strings as they are, numbers and
/// booleans as their JSON text, `null`, objects and arrays as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The text, if the value was a scalar.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor)
    }
}

/// Picks one scalar at the end of a path of object keys; anything that is not an object on the
/// way gives `None` (like Presto's `json_extract_scalar`).
struct PathPicker<'p> {
    path: &'p [&'p str],
}

impl<'de> de::DeserializeSeed<'de> for PathPicker<'_> {
    type Value = Text<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.path.split_first() {
            None => Text::deserialize(d),
            Some(_) => d.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for PathPicker<'_> {
    type Value = Text<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return Ok(Text(None));
        };
        let mut found = Text(None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == *first {
                found = map.next_value_seed(PathPicker { path: rest })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
}

/// The table names carried by `requestParameters`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableRefs<'a> {
    /// `requestParameters.encryptionContext."aws:dynamodb:tableName"`: the blog's `ddbtbl`.
    pub context: Text<'a>,
    /// `requestParameters.constraints.encryptionContextSubset."aws:dynamodb:tableName"`
    /// (CreateGrant carries the table there).
    pub grant_constraint: Text<'a>,
}

impl<'de: 'a, 'a> Deserialize<'de> for TableRefs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TableRefs<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = TableRefs::default();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    match key.as_ref() {
                        "encryptionContext" => {
                            out.context = map.next_value_seed(PathPicker {
                                path: &[TABLE_NAME_CONTEXT_KEY],
                            })?;
                        }
                        "constraints" => {
                            out.grant_constraint = map.next_value_seed(PathPicker {
                                path: &["encryptionContextSubset", TABLE_NAME_CONTEXT_KEY],
                            })?;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TableRefs::default())
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(TableRefs::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(TableRefs::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(TableRefs::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(TableRefs::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(TableRefs::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(TableRefs::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TableRefs::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The ARN of the first element of `resources` (Athena's `resources[1].arn`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirstResourceArn<'a>(pub Text<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for FirstResourceArn<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FirstResourceArn<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of resources")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let first = seq
                    .next_element_seed(PathPicker { path: &["ARN"] })?
                    .unwrap_or_default();
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstResourceArn(first))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(FirstResourceArn::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(FirstResourceArn::default())
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(FirstResourceArn::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(FirstResourceArn::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(FirstResourceArn::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(FirstResourceArn::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(FirstResourceArn::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(FirstResourceArn::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The identity fields the analytics use.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IdentityView<'a> {
    /// `type`, e.g. `AWSService`, `IAMUser`, `AssumedRole`.
    #[serde(rename = "type", borrow)]
    pub kind: Text<'a>,
    /// `principalId`.
    #[serde(rename = "principalId", borrow)]
    pub principal_id: Text<'a>,
    /// `arn`.
    #[serde(borrow)]
    pub arn: Text<'a>,
    /// `accessKeyId`.
    #[serde(rename = "accessKeyId", borrow)]
    pub access_key_id: Text<'a>,
    /// `invokedBy`: the service that made the call on the principal's behalf.
    #[serde(rename = "invokedBy", borrow)]
    pub invoked_by: Text<'a>,
}

impl IdentityView<'_> {
    /// Who made the call: the invoking service for `AWSService` identities, otherwise the access
    /// key id, else the ARN, else the principal id, else the invoking service.
    pub fn principal(&self) -> Option<&str> {
        if self.kind.get() == Some("AWSService")
            && let Some(s) = self.invoked_by.get()
        {
            return Some(s);
        }
        self.access_key_id
            .get()
            .or(self.arn.get())
            .or(self.principal_id.get())
            .or(self.invoked_by.get())
    }
}

/// The fields of one record the analytics use, borrowed from the record's JSON text.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RecordView<'a> {
    /// `eventVersion`.
    #[serde(rename = "eventVersion", borrow)]
    pub event_version: Text<'a>,
    /// `userIdentity` (`None` when absent or null).
    #[serde(rename = "userIdentity", borrow)]
    pub user_identity: Option<IdentityView<'a>>,
    /// `eventTime`.
    #[serde(rename = "eventTime", borrow)]
    pub event_time: Text<'a>,
    /// `eventSource`.
    #[serde(rename = "eventSource", borrow)]
    pub event_source: Text<'a>,
    /// `eventName`.
    #[serde(rename = "eventName", borrow)]
    pub event_name: Text<'a>,
    /// `awsRegion`.
    #[serde(rename = "awsRegion", borrow)]
    pub aws_region: Text<'a>,
    /// `sourceIPAddress`.
    #[serde(rename = "sourceIPAddress", borrow)]
    pub source_ip: Text<'a>,
    /// Table names found in `requestParameters`.
    #[serde(rename = "requestParameters", borrow)]
    pub tables: TableRefs<'a>,
    /// `resources[0].ARN`.
    #[serde(rename = "resources", borrow)]
    pub first_resource_arn: FirstResourceArn<'a>,
}

/// Why a record was not used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordProblem {
    /// The element of `Records` is not a JSON object, or a field has an impossible shape.
    Malformed(String),
    /// A field of [`REQUIRED_FIELDS`] is absent or null.
    MissingField(&'static str),
    /// `eventTime` is not `YYYY-MM-DDTHH:MM:SSZ`.
    BadEventTime(String),
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordProblem::Malformed(why) => write!(f, "malformed record: {why}"),
            RecordProblem::MissingField(name) => write!(f, "record missing required field {name}"),
            RecordProblem::BadEventTime(v) => {
                write!(f, "eventTime {v:?} is not YYYY-MM-DDTHH:MM:SSZ")
            }
        }
    }
}

impl RecordProblem {
    /// A short reason used to count problems of the same kind.
    pub fn reason(&self) -> String {
        match self {
            RecordProblem::Malformed(_) => "malformed record".to_owned(),
            RecordProblem::MissingField(name) => format!("missing field {name}"),
            RecordProblem::BadEventTime(_) => "bad eventTime".to_owned(),
        }
    }
}

/// A record view whose required fields are present, with its event time in milliseconds.
#[derive(Debug, Clone)]
pub struct CheckedRecord<'a> {
    /// The parsed fields.
    pub view: RecordView<'a>,
    /// `eventTime` in milliseconds since the epoch.
    pub time_millis: u64,
}

impl<'a> CheckedRecord<'a> {
    /// `eventSource` (present by construction).
    pub fn event_source(&self) -> &str {
        self.view.event_source.get().unwrap_or_default()
    }
    /// `eventName` (present by construction).
    pub fn event_name(&self) -> &str {
        self.view.event_name.get().unwrap_or_default()
    }
    /// The blog's `ddbtbl`: the table in `requestParameters.encryptionContext`.
    pub fn context_table(&self) -> Option<&str> {
        self.view.tables.context.get()
    }
    /// The table a KMS call concerns: the encryption context's table, else the grant constraint's.
    pub fn table(&self) -> Option<&str> {
        self.view
            .tables
            .context
            .get()
            .or(self.view.tables.grant_constraint.get())
    }
    /// `resources[0].ARN`.
    pub fn key_arn(&self) -> Option<&str> {
        self.view.first_resource_arn.0.get()
    }
    /// `userIdentity.invokedBy`.
    pub fn invoked_by(&self) -> Option<&str> {
        self.view.user_identity.as_ref()?.invoked_by.get()
    }
    /// See [`IdentityView::principal`].
    pub fn principal(&self) -> Option<&str> {
        self.view.user_identity.as_ref()?.principal()
    }
}

/// One element of `Records` parsed straight into a view in the single-pass reader: a non-object
/// element is kept as a problem instead of failing the file. (A field of an impossible type still
/// fails the whole parse; the reader then falls back to checking record by record.)
#[derive(Debug)]
pub struct LenientRecord<'a>(pub Result<RecordView<'a>, RecordProblem>);

impl<'de: 'a, 'a> Deserialize<'de> for LenientRecord<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientRecord<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a CloudTrail record")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                RecordView::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|v| LenientRecord(Ok(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(not_an_object("an array"))
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Self::Value, E> {
                Ok(not_an_object("a string"))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(not_an_object("a string"))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(not_an_object("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(not_an_object("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(not_an_object("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(not_an_object("a number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(not_an_object("null"))
            }
        }
        d.deserialize_any(V)
    }
}

fn not_an_object(what: &str) -> LenientRecord<'static> {
    LenientRecord(Err(RecordProblem::Malformed(format!(
        "invalid type: {what}, expected a JSON object"
    ))))
}

/// Parses one record's JSON text and checks its required fields.
pub fn check_record(raw: &str) -> Result<CheckedRecord<'_>, RecordProblem> {
    // A derived struct would also accept a JSON array (fields by position): refuse it here, as
    // the single-pass reader's `LenientRecord` does.
    if !raw.trim_start().starts_with('{') {
        return Err(RecordProblem::Malformed(
            "invalid type: not a JSON object, expected a JSON object".to_owned(),
        ));
    }
    let view: RecordView<'_> = serde_json::from_str(raw).map_err(|e| {
        RecordProblem::Malformed(match e.classify() {
            serde_json::error::Category::Data => e.to_string(),
            _ => format!("invalid JSON: {e}"),
        })
    })?;
    check_view(view)
}

/// Checks the required fields of an already parsed view.
pub fn check_view(view: RecordView<'_>) -> Result<CheckedRecord<'_>, RecordProblem> {
    let present = [
        view.event_version.get().is_some(),
        view.user_identity.is_some(),
        view.event_time.get().is_some(),
        view.event_source.get().is_some(),
        view.event_name.get().is_some(),
        view.aws_region.get().is_some(),
        view.source_ip.get().is_some(),
    ];
    if let Some(i) = present.iter().position(|p| !p) {
        return Err(RecordProblem::MissingField(REQUIRED_FIELDS[i]));
    }
    let time = view.event_time.get().unwrap_or_default();
    let time_millis = Timestamp::parse_event_time(time)
        .map(Timestamp::millis)
        .ok_or_else(|| RecordProblem::BadEventTime(time.to_owned()))?;
    Ok(CheckedRecord { view, time_millis })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECRYPT: &str = r#"{"eventVersion":"1.05","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/A/u","accessKeyId":"AKIA1","invokedBy":"dynamodb.amazonaws.com"},"eventTime":"2018-02-14T16:42:39Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-west-2","sourceIPAddress":"dynamodb.amazonaws.com","requestParameters":{"encryptionContext":{"aws:dynamodb:tableName":"Books","aws:dynamodb:subscriberId":"1"}},"responseElements":null,"readOnly":true,"resources":[{"ARN":"arn:aws:kms:us-west-2:1:key/k","accountId":"1","type":"AWS::KMS::Key"}]}"#;

    #[test]
    fn extracts_the_fields_the_blog_queries_use() {
        let r = check_record(DECRYPT).expect("valid record");
        assert_eq!(r.event_name(), "Decrypt");
        assert_eq!(r.context_table(), Some("Books"));
        assert_eq!(r.key_arn(), Some("arn:aws:kms:us-west-2:1:key/k"));
        assert_eq!(r.principal(), Some("AKIA1"));
        assert_eq!(r.invoked_by(), Some(DYNAMODB_SERVICE));
    }

    #[test]
    fn create_grant_table_comes_from_the_constraint() {
        let raw = DECRYPT.replace(
            r#""encryptionContext":{"aws:dynamodb:tableName":"Books","aws:dynamodb:subscriberId":"1"}"#,
            r#""constraints":{"encryptionContextSubset":{"aws:dynamodb:tableName":"Orders"}},"operations":["Decrypt"]"#,
        );
        let r = check_record(&raw).expect("valid record");
        assert_eq!(r.context_table(), None);
        assert_eq!(r.table(), Some("Orders"));
    }

    #[test]
    fn reports_missing_fields_and_bad_times() {
        let raw = DECRYPT.replace(r#""eventName":"Decrypt","#, "");
        assert_eq!(
            check_record(&raw).err(),
            Some(RecordProblem::MissingField("eventName"))
        );
        let raw = DECRYPT.replace("2018-02-14T16:42:39Z", "yesterday");
        assert!(matches!(
            check_record(&raw),
            Err(RecordProblem::BadEventTime(_))
        ));
        assert!(matches!(
            check_record("[1,2]"),
            Err(RecordProblem::Malformed(_))
        ));
        assert!(matches!(
            check_record(r#"{"userIdentity":"x"}"#),
            Err(RecordProblem::Malformed(_))
        ));
    }

    #[test]
    fn null_request_parameters_give_no_table() {
        let raw = DECRYPT.replace(
            r#"{"encryptionContext":{"aws:dynamodb:tableName":"Books","aws:dynamodb:subscriberId":"1"}}"#,
            "null",
        );
        let r = check_record(&raw).expect("valid record");
        assert_eq!(r.table(), None);
    }
}
