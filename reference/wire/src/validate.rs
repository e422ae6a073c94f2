//! Input validation AWS performs before any state is read, with AWS's messages
//! (`spec/tables.md`, `spec/errors.md`). Shared by every implementation because it is part of the
//! protocol: the same request must be refused with the same text everywhere.

use super::attribute::{AttributeValue, Item, ScalarType};
use super::dynamodb::{
    AttributeDefinition, KeySchemaElement, ProvisionedThroughput, SseSpecification,
};
use super::dynamodb_errors::invalid_parameter;
use super::error::ApiError;

/// Collects constraint violations into DynamoDB's "N validation error(s) detected: ..." message.
#[derive(Debug, Default)]
pub struct Violations(Vec<String>);

impl Violations {
    /// Records that `member` is missing.
    pub fn null(&mut self, member: &str) {
        self.0.push(format!(
            "Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ));
    }

    /// Records a violated constraint on a present value.
    pub fn constraint(&mut self, value: &str, member: &str, constraint: &str) {
        self.0.push(format!(
            "Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// The error, if anything was recorded.
    pub fn into_result(self) -> Result<(), ApiError> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(ApiError::validation(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            n => Err(ApiError::validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// The error of a request whose one required `member` is missing.
pub fn missing_member(member: &str) -> ApiError {
    let mut v = Violations::default();
    v.null(member);
    match v.into_result() {
        Err(e) => e,
        Ok(()) => ApiError::validation(member),
    }
}

/// Checks a table name's length and characters (3-255 of `[a-zA-Z0-9_.-]`).
pub fn table_name<'a>(name: Option<&'a str>, v: &mut Violations) -> Option<&'a str> {
    let Some(name) = name else {
        v.null("tableName");
        return None;
    };
    if name.len() < 3 {
        v.constraint(
            name,
            "tableName",
            "Member must have length greater than or equal to 3",
        );
    } else if name.len() > 255 {
        v.constraint(
            name,
            "tableName",
            "Member must have length less than or equal to 255",
        );
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    {
        v.constraint(
            name,
            "tableName",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        );
    }
    Some(name)
}

/// The `Limit` of a Query or Scan (of a table or an index): absent, or at least 1, with
/// DynamoDB's constraint message otherwise.
pub fn read_limit(limit: Option<i64>) -> Result<Option<usize>, ApiError> {
    match limit {
        None => Ok(None),
        Some(n) if n >= 1 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
        Some(n) => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ))),
    }
}

/// The largest page of ListTables and the page size when `Limit` is absent.
pub const LIST_TABLES_MAX_LIMIT: i64 = 100;

/// The `Limit` of a ListTables: absent (a page of [`LIST_TABLES_MAX_LIMIT`] names), or 1 to
/// [`LIST_TABLES_MAX_LIMIT`], with DynamoDB's constraint message naming the bound it broke
/// otherwise (`spec/tables.md#list-tables-limit`). It does not look at any table.
pub fn list_tables_limit(limit: Option<i64>) -> Result<usize, ApiError> {
    let n = limit.unwrap_or(LIST_TABLES_MAX_LIMIT);
    //= spec/tables.md#list-tables-limit
    //# A ListTables whose `Limit` is less than 1 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<limit>' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`.
    //= spec/tables.md#list-tables-limit
    //# A ListTables whose `Limit` is greater than 100 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<limit>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`.
    let bound = if n < 1 {
        "greater than or equal to 1"
    } else if n > LIST_TABLES_MAX_LIMIT {
        "less than or equal to 100"
    } else {
        return Ok(usize::try_from(n).unwrap_or(usize::MAX));
    };
    Err(ApiError::validation(format!(
        "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value {bound}"
    )))
}

/// A table name alone, as a `Result`.
pub fn require_table_name(name: Option<&str>) -> Result<&str, ApiError> {
    let mut v = Violations::default();
    let out = table_name(name, &mut v);
    v.into_result()?;
    out.ok_or_else(|| ApiError::validation("missing table name"))
}

/// A validated primary-key schema: the partition key and the optional sort key with types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySchema {
    /// Partition key name and type.
    pub hash: (String, ScalarType),
    /// Sort key name and type.
    pub range: Option<(String, ScalarType)>,
}

impl KeySchema {
    /// The key attributes' names, partition key first.
    pub fn names(&self) -> Vec<&str> {
        let mut out = vec![self.hash.0.as_str()];
        if let Some((r, _)) = &self.range {
            out.push(r.as_str());
        }
        out
    }

    /// Checks CreateTable's key schema against its attribute definitions.
    pub fn from_create(
        schema: &[KeySchemaElement],
        defs: &[AttributeDefinition],
    ) -> Result<Self, ApiError> {
        Self::from_create_with_indexes(schema, defs, false)
    }

    /// Checks CreateTable's key schema against its attribute definitions; with secondary
    /// indexes, definitions may name index keys (`super::validate_indexes::definitions_used`
    /// checks that each is used).
    pub fn from_create_with_indexes(
        schema: &[KeySchemaElement],
        defs: &[AttributeDefinition],
        has_indexes: bool,
    ) -> Result<Self, ApiError> {
        let invalid = |m: &str| {
            ApiError::validation(format!("One or more parameter values were invalid: {m}"))
        };
        let mut v = Violations::default();
        for (i, d) in defs.iter().enumerate() {
            if !matches!(d.attribute_type.as_str(), "S" | "N" | "B") {
                v.constraint(
                    &d.attribute_type,
                    &format!("attributeDefinitions.{}.member.attributeType", i + 1),
                    "Member must satisfy enum value set: [B, N, S]",
                );
            }
        }
        for (i, k) in schema.iter().enumerate() {
            if !matches!(k.key_type.as_str(), "HASH" | "RANGE") {
                v.constraint(
                    &k.key_type,
                    &format!("keySchema.{}.member.keyType", i + 1),
                    "Member must satisfy enum value set: [HASH, RANGE]",
                );
            }
        }
        if schema.is_empty() || schema.len() > 2 {
            v.constraint(
                &format!("{schema:?}"),
                "keySchema",
                "Member must have length less than or equal to 2",
            );
        }
        v.into_result()?;
        let ty = |name: &str| -> Option<ScalarType> {
            defs.iter().find(|d| d.attribute_name == name).map(|d| {
                match d.attribute_type.as_str() {
                    "N" => ScalarType::N,
                    "B" => ScalarType::B,
                    _ => ScalarType::S,
                }
            })
        };
        let missing: Vec<&str> = schema
            .iter()
            .filter(|k| ty(&k.attribute_name).is_none())
            .map(|k| k.attribute_name.as_str())
            .collect();
        if !missing.is_empty() {
            let defs_list: Vec<&str> = defs.iter().map(|d| d.attribute_name.as_str()).collect();
            return Err(invalid(&format!(
                "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
                missing.join(", "),
                defs_list.join(", ")
            )));
        }
        if !has_indexes && defs.len() != schema.len() {
            return Err(invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
            ));
        }
        let first = &schema[0];
        if first.key_type != "HASH" {
            return Err(invalid(
                "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
            ));
        }
        let range = match schema.get(1) {
            Some(k) if k.key_type == "RANGE" && k.attribute_name != first.attribute_name => {
                Some((k.attribute_name.clone(), ty(&k.attribute_name)))
            }
            Some(k) if k.key_type == "HASH" => {
                return Err(invalid(
                    "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key",
                ));
            }
            Some(_) => {
                return Err(invalid(
                    "Both the Hash Key and the Range Key element in the KeySchema have the same name",
                ));
            }
            None => None,
        };
        Ok(Self {
            hash: (
                first.attribute_name.clone(),
                ty(&first.attribute_name).unwrap_or(ScalarType::S),
            ),
            range: range.map(|(n, t)| (n, t.unwrap_or(ScalarType::S))),
        })
    }

    /// The key attributes of `item` in schema order, after checking names and types.
    ///
    /// `whole_key` demands exactly the key attributes (GetItem, DeleteItem); otherwise other
    /// attributes may be present (PutItem).
    pub fn key_of(&self, item: &Item, whole_key: bool) -> Result<Item, ApiError> {
        let mismatch =
            || ApiError::validation("The provided key element does not match the schema");
        let mut key = Item::new();
        for (name, ty) in std::iter::once(&self.hash).chain(self.range.as_ref()) {
            let Some(value) = item.get(name) else {
                return Err(if whole_key {
                    mismatch()
                } else {
                    ApiError::validation(format!(
                        "One or more parameter values were invalid: Missing the key {name} in the item"
                    ))
                });
            };
            if value.scalar_type() != Some(*ty) {
                return Err(if whole_key {
                    mismatch()
                } else {
                    ApiError::validation(format!(
                        "One or more parameter values were invalid: Type mismatch for key {name} expected: {} actual: {}",
                        ty.as_str(),
                        value.type_name()
                    ))
                });
            }
            let empty = match value {
                AttributeValue::S(s) => s.is_empty(),
                AttributeValue::B(b) => b.0.is_empty(),
                _ => false,
            };
            if empty {
                return Err(ApiError::validation(format!(
                    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {} value. Key: {name}",
                    if ty == &ScalarType::S {
                        "string"
                    } else {
                        "binary"
                    }
                )));
            }
            key.insert(name.clone(), value.normalized()?);
        }
        if whole_key && item.len() != key.len() {
            return Err(mismatch());
        }
        Ok(key)
    }
}

/// What an `SSESpecification` asks for (`spec/tables.md`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SseChoice {
    /// The AWS owned key: no `SSEDescription`.
    Owned,
    /// The AWS managed key `alias/aws/dynamodb`.
    Managed,
    /// A customer managed key, as given (key id, key ARN, alias name or alias ARN).
    Customer(String),
}

/// Reads an `SSESpecification` (absent means the AWS owned key), with AWS's messages.
pub fn sse_choice(spec: Option<&SseSpecification>) -> Result<SseChoice, ApiError> {
    let Some(spec) = spec else {
        return Ok(SseChoice::Owned);
    };
    let invalid =
        |m: &str| ApiError::validation(format!("One or more parameter values were invalid: {m}"));
    if let Some(t) = spec.sse_type.as_deref()
        && t != "AES256"
        && t != "KMS"
    {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{t}' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]"
        )));
    }
    if spec.enabled == Some(false) {
        if spec.sse_type.is_some() {
            return Err(invalid("SSEType can not be specified if Enabled is false"));
        }
        if spec.kms_master_key_id.is_some() {
            return Err(invalid(
                "KMSMasterKeyId can not be specified if Enabled is false",
            ));
        }
        return Ok(SseChoice::Owned);
    }
    if spec.sse_type.as_deref() == Some("AES256") {
        return Err(invalid("SSEType AES256 is not supported"));
    }
    match (spec.sse_type.as_deref(), spec.kms_master_key_id.as_deref()) {
        (None, Some(_)) => Err(invalid(
            "SSEType KMS is required if KMSMasterKeyId is specified",
        )),
        (Some(_), Some(k)) => Ok(SseChoice::Customer(k.to_owned())),
        (Some(_), None) => Ok(SseChoice::Managed),
        (None, None) if spec.enabled == Some(true) => Ok(SseChoice::Managed),
        (None, None) => Ok(SseChoice::Owned),
    }
}

/// A table's billing: `BillingMode` with its read and write capacity units (0 and 0 on demand).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Billing {
    /// `PROVISIONED` or `PAY_PER_REQUEST`.
    pub mode: String,
    /// `ReadCapacityUnits`.
    pub read: i64,
    /// `WriteCapacityUnits`.
    pub write: i64,
}

/// Checks `BillingMode` (default `PROVISIONED`) against `ProvisionedThroughput`, with AWS's
/// messages: provisioned tables need both capacities, each at least 1; on-demand tables take none.
pub fn billing(
    mode: Option<&str>,
    throughput: Option<&ProvisionedThroughput>,
) -> Result<Billing, ApiError> {
    match mode.unwrap_or("PROVISIONED") {
        "PROVISIONED" => {
            let (Some(read), Some(write)) = (
                throughput.and_then(|p| p.read_capacity_units),
                throughput.and_then(|p| p.write_capacity_units),
            ) else {
                return Err(invalid_parameter(
                    "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
                ));
            };
            let mut v = Violations::default();
            for (name, value) in [("readCapacityUnits", read), ("writeCapacityUnits", write)] {
                if value < 1 {
                    v.constraint(
                        &value.to_string(),
                        &format!("provisionedThroughput.{name}"),
                        "Member must have value greater than or equal to 1",
                    );
                }
            }
            v.into_result()?;
            Ok(Billing {
                mode: "PROVISIONED".to_owned(),
                read,
                write,
            })
        }
        "PAY_PER_REQUEST" => {
            if throughput.is_some() {
                return Err(invalid_parameter(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                ));
            }
            Ok(Billing {
                mode: "PAY_PER_REQUEST".to_owned(),
                read: 0,
                write: 0,
            })
        }
        other => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{other}' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_member_has_awss_message() {
        assert_eq!(
            missing_member("requestItems").message,
            "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"
        );
    }

    //= spec/tables.md#list-tables-limit
    //= type=test
    //# A ListTables whose `Limit` is less than 1 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<limit>' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`.
    //= spec/tables.md#list-tables-limit
    //= type=test
    //# A ListTables whose `Limit` is greater than 100 MUST fail with `ValidationException` and the message `1 validation error detected: Value '<limit>' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100`.
    #[test]
    fn a_list_tables_limit_is_1_to_100_and_the_message_names_the_bound_broken() {
        let message = |n: i64| list_tables_limit(Some(n)).map_err(|e| e.message);
        let low = |n: i64| {
            format!(
                "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
            )
        };
        let high = |n: i64| {
            format!(
                "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"
            )
        };
        assert_eq!(list_tables_limit(None), Ok(100));
        assert_eq!(message(1), Ok(1));
        assert_eq!(message(100), Ok(100));
        assert_eq!(message(0), Err(low(0)));
        assert_eq!(message(-3), Err(low(-3)));
        assert_eq!(message(101), Err(high(101)));
        assert_eq!(message(i64::MAX), Err(high(i64::MAX)));
    }

    #[test]
    fn a_read_limit_is_absent_or_at_least_one() {
        assert_eq!(read_limit(None), Ok(None));
        assert_eq!(read_limit(Some(1)), Ok(Some(1)));
        for n in [0, -1] {
            let e = read_limit(Some(n)).unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::Validation);
            assert_eq!(
                e.message,
                format!(
                    "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
                )
            );
        }
    }

    fn spec(e: Option<bool>, t: Option<&str>, k: Option<&str>) -> SseSpecification {
        SseSpecification {
            enabled: e,
            sse_type: t.map(str::to_owned),
            kms_master_key_id: k.map(str::to_owned),
        }
    }

    #[test]
    fn sse_matrix_matches_observed_aws() {
        assert_eq!(sse_choice(None), Ok(SseChoice::Owned));
        assert_eq!(
            sse_choice(Some(&spec(None, None, None))),
            Ok(SseChoice::Owned)
        );
        assert_eq!(
            sse_choice(Some(&spec(Some(false), None, None))),
            Ok(SseChoice::Owned)
        );
        assert_eq!(
            sse_choice(Some(&spec(Some(true), None, None))),
            Ok(SseChoice::Managed)
        );
        assert_eq!(
            sse_choice(Some(&spec(Some(true), Some("KMS"), None))),
            Ok(SseChoice::Managed)
        );
        assert_eq!(
            sse_choice(Some(&spec(None, Some("KMS"), None))),
            Ok(SseChoice::Managed)
        );
        assert_eq!(
            sse_choice(Some(&spec(None, Some("KMS"), Some("k")))),
            Ok(SseChoice::Customer("k".into()))
        );
        let msg = |s| sse_choice(Some(&s)).unwrap_err().message;
        assert!(
            msg(spec(Some(true), None, Some("k")))
                .ends_with("SSEType KMS is required if KMSMasterKeyId is specified")
        );
        assert!(
            msg(spec(Some(false), Some("KMS"), Some("k")))
                .ends_with("SSEType can not be specified if Enabled is false")
        );
        assert!(
            msg(spec(Some(false), None, Some("k")))
                .ends_with("KMSMasterKeyId can not be specified if Enabled is false")
        );
        assert!(
            msg(spec(Some(true), Some("AES256"), None))
                .ends_with("SSEType AES256 is not supported")
        );
        assert!(
            msg(spec(Some(true), Some("kms"), None))
                .contains("Member must satisfy enum value set: [AES256, KMS]")
        );
    }

    #[test]
    fn table_name_rules() {
        assert!(require_table_name(Some("ratings")).is_ok());
        assert!(require_table_name(Some("ab")).is_err());
        assert!(require_table_name(Some("a b c")).is_err());
        let e = require_table_name(None).unwrap_err();
        assert!(e.message.contains("Value null at 'tableName'"));
    }

    fn throughput(read: Option<i64>, write: Option<i64>) -> ProvisionedThroughput {
        ProvisionedThroughput {
            read_capacity_units: read,
            write_capacity_units: write,
        }
    }

    #[test]
    fn billing_is_provisioned_by_default_and_needs_both_capacities() {
        let b = billing(None, Some(&throughput(Some(5), Some(7)))).unwrap();
        assert_eq!((b.mode.as_str(), b.read, b.write), ("PROVISIONED", 5, 7));
        let e = billing(None, Some(&throughput(Some(5), None))).unwrap_err();
        assert_eq!(
            e.message,
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
        );
    }

    #[test]
    fn billing_reports_every_capacity_below_one() {
        let e = billing(Some("PROVISIONED"), Some(&throughput(Some(0), Some(5)))).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        let e = billing(None, Some(&throughput(Some(0), Some(-5)))).unwrap_err();
        assert!(
            e.message.starts_with("2 validation errors detected: "),
            "{}",
            e.message
        );
        assert!(
            e.message
                .contains("Value '-5' at 'provisionedThroughput.writeCapacityUnits'")
        );
    }

    #[test]
    fn billing_on_demand_takes_no_capacity_and_unknown_modes_are_refused() {
        let b = billing(Some("PAY_PER_REQUEST"), None).unwrap();
        assert_eq!(
            (b.mode.as_str(), b.read, b.write),
            ("PAY_PER_REQUEST", 0, 0)
        );
        assert!(billing(Some("PAY_PER_REQUEST"), Some(&throughput(Some(1), Some(1)))).is_err());
        let e = billing(Some("SOMETIMES"), None).unwrap_err();
        assert_eq!(e.code, crate::ErrorCode::Validation);
        assert!(e.message.contains("Value 'SOMETIMES' at 'billingMode'"));
    }
}
