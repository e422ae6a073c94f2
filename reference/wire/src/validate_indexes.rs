//! Secondary indexes: the checks CreateTable and UpdateTable apply to `GlobalSecondaryIndexes`,
//! `LocalSecondaryIndexes` and `GlobalSecondaryIndexUpdates` before any state is read, and the
//! validated definition ([`IndexDef`]) both implementations store and describe
//! (`spec/control-plane.md#indexes`).
//!
//! Does: shapes, limits, key schemas against attribute definitions, projections, throughput per
//! billing mode, with AWS's messages. Does not: know which indexes a table already has (the
//! implementations check names against their state), nor the index's status over time.

use super::dynamodb::{AttributeDefinition, KeySchemaElement, ProvisionedThroughputDescription};
use super::dynamodb_control::{
    GlobalSecondaryIndex, GlobalSecondaryIndexDescription, GlobalSecondaryIndexUpdate,
    LocalSecondaryIndex, LocalSecondaryIndexDescription, Projection,
};
use super::dynamodb_errors::invalid_parameter;
use super::error::ApiError;
use super::validate::Violations;

/// At most this many global secondary indexes per table (`spec/control-plane.md#index-limits`).
pub const MAX_GLOBAL_INDEXES: usize = 20;
/// At most this many local secondary indexes per table (`spec/control-plane.md#index-limits`).
pub const MAX_LOCAL_INDEXES: usize = 5;
/// At most this many `NonKeyAttributes` over all indexes of a table.
pub const MAX_PROJECTED_ATTRIBUTES: usize = 100;

/// A validated secondary index definition.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexDef {
    /// The index name.
    pub name: String,
    /// Global (`true`) or local.
    pub global: bool,
    /// The key schema as sent.
    pub key_schema: Vec<KeySchemaElement>,
    /// The projection as sent.
    pub projection: Projection,
    /// Read capacity (0 on demand and for local indexes).
    pub read: i64,
    /// Write capacity (0 on demand and for local indexes).
    pub write: i64,
}

impl IndexDef {
    /// `<table ARN>/index/<index name>`.
    pub fn arn(&self, table_arn: &str) -> String {
        format!("{table_arn}/index/{}", self.name)
    }

    /// The `GlobalSecondaryIndexDescription` of this index with `status`; `Backfilling` is
    /// present (`true`) while `CREATING`.
    pub fn describe_global(
        &self,
        status: &str,
        table_arn: &str,
    ) -> GlobalSecondaryIndexDescription {
        GlobalSecondaryIndexDescription {
            index_name: self.name.clone(),
            key_schema: self.key_schema.clone(),
            projection: self.projection.clone(),
            index_status: status.to_owned(),
            backfilling: (status == "CREATING").then_some(true),
            provisioned_throughput: ProvisionedThroughputDescription {
                number_of_decreases_today: 0,
                read_capacity_units: self.read,
                write_capacity_units: self.write,
            },
            index_size_bytes: 0,
            item_count: 0,
            index_arn: self.arn(table_arn),
        }
    }

    /// The `LocalSecondaryIndexDescription` of this index.
    pub fn describe_local(&self, table_arn: &str) -> LocalSecondaryIndexDescription {
        LocalSecondaryIndexDescription {
            index_name: self.name.clone(),
            key_schema: self.key_schema.clone(),
            projection: self.projection.clone(),
            index_size_bytes: 0,
            item_count: 0,
            index_arn: self.arn(table_arn),
        }
    }

    /// The attribute names of the index's keys.
    pub fn key_names(&self) -> impl Iterator<Item = &str> {
        self.key_schema.iter().map(|k| k.attribute_name.as_str())
    }
}

/// Checks an index name (3-255 of `[a-zA-Z0-9_.-]`), recording violations at `member`.
fn index_name(name: Option<&str>, member: &str, v: &mut Violations) {
    let Some(name) = name else {
        v.null(member);
        return;
    };
    if name.len() < 3 {
        v.constraint(
            name,
            member,
            "Member must have length greater than or equal to 3",
        );
    } else if name.len() > 255 {
        v.constraint(
            name,
            member,
            "Member must have length less than or equal to 255",
        );
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
    {
        v.constraint(
            name,
            member,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        );
    }
}

/// The shape checks of one index (name, key types, projection type), recorded at `prefix`
/// (`globalSecondaryIndexes.1.member`).
fn shape(
    prefix: &str,
    name: Option<&str>,
    schema: Option<&[KeySchemaElement]>,
    projection: Option<&Projection>,
    v: &mut Violations,
) {
    index_name(name, &format!("{prefix}.indexName"), v);
    match schema {
        None => v.null(&format!("{prefix}.keySchema")),
        Some(s) => {
            for (i, k) in s.iter().enumerate() {
                if !matches!(k.key_type.as_str(), "HASH" | "RANGE") {
                    v.constraint(
                        &k.key_type,
                        &format!("{prefix}.keySchema.{}.member.keyType", i + 1),
                        "Member must satisfy enum value set: [HASH, RANGE]",
                    );
                }
            }
        }
    }
    match projection {
        None => v.null(&format!("{prefix}.projection")),
        Some(p) => {
            if let Some(t) = p.projection_type.as_deref()
                && !matches!(t, "ALL" | "KEYS_ONLY" | "INCLUDE")
            {
                v.constraint(
                    t,
                    &format!("{prefix}.projection.projectionType"),
                    "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]",
                );
            }
        }
    }
}

/// The semantic checks of one index's key schema and projection.
fn keys_and_projection(
    name: &str,
    schema: &[KeySchemaElement],
    projection: &Projection,
    defs: &[AttributeDefinition],
) -> Result<(), ApiError> {
    //= spec/control-plane.md#index-definitions
    //# An index key attribute that is not in `AttributeDefinitions` MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [<keys>], AttributeDefinitions: [<definitions>]`.
    let missing: Vec<&str> = schema
        .iter()
        .filter(|k| !defs.iter().any(|d| d.attribute_name == k.attribute_name))
        .map(|k| k.attribute_name.as_str())
        .collect();
    if !missing.is_empty() {
        let all: Vec<&str> = defs.iter().map(|d| d.attribute_name.as_str()).collect();
        return Err(invalid_parameter(&format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            missing.join(", "),
            all.join(", ")
        )));
    }
    match schema {
        [h] if h.key_type == "HASH" => {}
        [h, r] if h.key_type == "HASH" && r.key_type == "RANGE" => {
            if h.attribute_name == r.attribute_name {
                return Err(invalid_parameter(
                    "Both the Hash Key and the Range Key element in the KeySchema have the same name",
                ));
            }
        }
        [] => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1 (index {name})"
            )));
        }
        [h, ..] if h.key_type != "HASH" => {
            return Err(invalid_parameter(
                "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
            ));
        }
        _ => {
            return Err(invalid_parameter(
                "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key",
            ));
        }
    }
    //= spec/control-plane.md#index-definitions
    //# A projection MUST have a `ProjectionType`; `NonKeyAttributes` MUST be present with `INCLUDE` and absent otherwise, each violation rejected with `ValidationException`.
    match (
        projection.projection_type.as_deref(),
        &projection.non_key_attributes,
    ) {
        (None, _) => Err(invalid_parameter(&format!(
            "Unknown ProjectionType: null for index: {name}"
        ))),
        (Some("INCLUDE"), None) => Err(invalid_parameter(&format!(
            "ProjectionType is INCLUDE, but NonKeyAttributes is not specified for index: {name}"
        ))),
        (Some(t @ ("ALL" | "KEYS_ONLY")), Some(_)) => Err(invalid_parameter(&format!(
            "ProjectionType is {t}, but NonKeyAttributes is specified"
        ))),
        _ => Ok(()),
    }
}

/// The throughput of a global index under `billing_mode`, with AWS's refusals.
fn gsi_throughput(
    name: &str,
    gsi: &GlobalSecondaryIndex,
    billing_mode: &str,
) -> Result<(i64, i64), ApiError> {
    //= spec/control-plane.md#index-definitions
    //# Under `PROVISIONED` billing a global index MUST carry `ProvisionedThroughput` with both capacities of at least 1; under `PAY_PER_REQUEST` billing it MUST NOT carry `ProvisionedThroughput`.
    match (billing_mode, &gsi.provisioned_throughput) {
        ("PAY_PER_REQUEST", None) => Ok((0, 0)),
        ("PAY_PER_REQUEST", Some(_)) => Err(invalid_parameter(&format!(
            "ProvisionedThroughput should not be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
        ))),
        (_, None) => Err(invalid_parameter(&format!(
            "ProvisionedThroughput must be specified for index: {name}"
        ))),
        (_, Some(p)) => {
            let (read, write) = (
                p.read_capacity_units.unwrap_or(0),
                p.write_capacity_units.unwrap_or(0),
            );
            let mut v = Violations::default();
            for (m, value) in [("readCapacityUnits", read), ("writeCapacityUnits", write)] {
                if value < 1 {
                    v.constraint(
                        &value.to_string(),
                        &format!("provisionedThroughput.{m}"),
                        "Member must have value greater than or equal to 1",
                    );
                }
            }
            v.into_result()?;
            Ok((read, write))
        }
    }
}

/// Checks one global index of CreateTable or of an UpdateTable `Create` action.
pub fn global_index(
    gsi: &GlobalSecondaryIndex,
    prefix: &str,
    defs: &[AttributeDefinition],
    billing_mode: &str,
) -> Result<IndexDef, ApiError> {
    let mut v = Violations::default();
    shape(
        prefix,
        gsi.index_name.as_deref(),
        gsi.key_schema.as_deref(),
        gsi.projection.as_ref(),
        &mut v,
    );
    v.into_result()?;
    let name = gsi.index_name.clone().unwrap_or_default();
    let schema = gsi.key_schema.clone().unwrap_or_default();
    let projection = gsi.projection.clone().unwrap_or_default();
    keys_and_projection(&name, &schema, &projection, defs)?;
    let (read, write) = gsi_throughput(&name, gsi, billing_mode)?;
    Ok(IndexDef {
        name,
        global: true,
        key_schema: schema,
        projection,
        read,
        write,
    })
}

/// Checks CreateTable's indexes against the table's key schema and attribute definitions, and
/// that every attribute definition is used by some key.
pub fn create_indexes(
    gsis: Option<&[GlobalSecondaryIndex]>,
    lsis: Option<&[LocalSecondaryIndex]>,
    table_schema: &[KeySchemaElement],
    defs: &[AttributeDefinition],
    billing_mode: &str,
) -> Result<Vec<IndexDef>, ApiError> {
    let mut v = Violations::default();
    for (i, g) in gsis.unwrap_or_default().iter().enumerate() {
        let prefix = format!("globalSecondaryIndexes.{}.member", i + 1);
        shape(
            &prefix,
            g.index_name.as_deref(),
            g.key_schema.as_deref(),
            g.projection.as_ref(),
            &mut v,
        );
    }
    for (i, l) in lsis.unwrap_or_default().iter().enumerate() {
        let prefix = format!("localSecondaryIndexes.{}.member", i + 1);
        shape(
            &prefix,
            l.index_name.as_deref(),
            l.key_schema.as_deref(),
            l.projection.as_ref(),
            &mut v,
        );
    }
    v.into_result()?;
    //= spec/control-plane.md#index-limits
    //# A CreateTable with an empty `GlobalSecondaryIndexes` or `LocalSecondaryIndexes` list MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty` (or `LocalSecondaryIndexes`).
    for (list, what) in [
        (gsis.map(<[_]>::len), "GlobalSecondaryIndexes"),
        (lsis.map(<[_]>::len), "LocalSecondaryIndexes"),
    ] {
        if list == Some(0) {
            return Err(invalid_parameter(&format!("List of {what} is empty")));
        }
    }
    let gsis = gsis.unwrap_or_default();
    let lsis = lsis.unwrap_or_default();
    //= spec/control-plane.md#index-limits
    //# A table MUST NOT have more than 20 global secondary indexes nor more than 5 local secondary indexes; a CreateTable or UpdateTable that would exceed either MUST be rejected with `ValidationException` and the messages below.
    if gsis.len() > MAX_GLOBAL_INDEXES {
        return Err(too_many_global_indexes());
    }
    if lsis.len() > MAX_LOCAL_INDEXES {
        return Err(invalid_parameter(&format!(
            "Number of LocalSecondaryIndexes exceeds per-table limit of {MAX_LOCAL_INDEXES}"
        )));
    }
    let mut out = Vec::new();
    let table_hash = table_schema
        .iter()
        .find(|k| k.key_type == "HASH")
        .map(|k| k.attribute_name.as_str());
    let table_range = table_schema.iter().find(|k| k.key_type == "RANGE");
    for l in lsis {
        let name = l.index_name.clone().unwrap_or_default();
        let schema = l.key_schema.clone().unwrap_or_default();
        let projection = l.projection.clone().unwrap_or_default();
        keys_and_projection(&name, &schema, &projection, defs)?;
        //= spec/control-plane.md#local-indexes
        //# A local secondary index MUST be rejected with `ValidationException` unless the table has a sort key, the index has a sort key, and the index's partition key is the table's partition key; the messages are below.
        if table_range.is_none() {
            return Err(invalid_parameter(
                "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
            ));
        }
        if schema.len() != 2 {
            return Err(invalid_parameter(&format!(
                "Index KeySchema does not have a range key for index: {name}"
            )));
        }
        if schema.first().map(|k| k.attribute_name.as_str()) != table_hash {
            return Err(invalid_parameter(&format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {name}. index hash key: {}, table hash key: {}",
                schema
                    .first()
                    .map(|k| k.attribute_name.as_str())
                    .unwrap_or_default(),
                table_hash.unwrap_or_default()
            )));
        }
        out.push(IndexDef {
            name,
            global: false,
            key_schema: schema,
            projection,
            read: 0,
            write: 0,
        });
    }
    for (i, g) in gsis.iter().enumerate() {
        let prefix = format!("globalSecondaryIndexes.{}.member", i + 1);
        out.push(global_index(g, &prefix, defs, billing_mode)?);
    }
    //= spec/control-plane.md#index-definitions
    //# Index names MUST be unique within a table across global and local indexes; a repeated name MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: Duplicate index name: <index name>`.
    for (i, d) in out.iter().enumerate() {
        if out[..i].iter().any(|e| e.name == d.name) {
            return Err(invalid_parameter(&format!(
                "Duplicate index name: {}",
                d.name
            )));
        }
    }
    let projected: usize = out
        .iter()
        .map(|d| d.projection.non_key_attributes.as_ref().map_or(0, Vec::len))
        .sum();
    if projected > MAX_PROJECTED_ATTRIBUTES {
        return Err(invalid_parameter(&format!(
            "The number of projected attributes in all indexes exceeds the limit of {MAX_PROJECTED_ATTRIBUTES}, provided: {projected}"
        )));
    }
    definitions_used(defs, table_schema, &out)?;
    Ok(out)
}

/// `LimitExceededException`-free refusal of a 21st global index (`ValidationException`).
pub fn too_many_global_indexes() -> ApiError {
    invalid_parameter(&format!(
        "GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GLOBAL_INDEXES}"
    ))
}

/// Every attribute definition must be a key of the table or of an index.
pub fn definitions_used(
    defs: &[AttributeDefinition],
    table_schema: &[KeySchemaElement],
    indexes: &[IndexDef],
) -> Result<(), ApiError> {
    let used = |name: &str| {
        table_schema.iter().any(|k| k.attribute_name == name)
            || indexes.iter().any(|d| d.key_names().any(|k| k == name))
    };
    //= spec/control-plane.md#index-definitions
    //# When a table has secondary indexes, an attribute definition that is not a key of the table or of any of its indexes MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [<definitions>], keys used: [<used definitions>]`, both lists in the order of `AttributeDefinitions`.
    if defs.iter().all(|d| used(&d.attribute_name)) {
        return Ok(());
    }
    let all: Vec<&str> = defs.iter().map(|d| d.attribute_name.as_str()).collect();
    let keys: Vec<&str> = all.iter().copied().filter(|n| used(n)).collect();
    Err(invalid_parameter(&format!(
        "Some AttributeDefinitions are not used. AttributeDefinitions: [{}], keys used: [{}]",
        all.join(", "),
        keys.join(", ")
    )))
}

/// A definition used by two keys must not change type; definitions must not repeat.
pub fn merge_definitions(
    current: &[AttributeDefinition],
    given: &[AttributeDefinition],
) -> Result<Vec<AttributeDefinition>, ApiError> {
    let mut out = current.to_vec();
    for d in given {
        match out.iter().find(|c| c.attribute_name == d.attribute_name) {
            Some(c) if c.attribute_type != d.attribute_type => {
                return Err(invalid_parameter(&format!(
                    "Cannot change the type of attribute {} from {} to {}",
                    d.attribute_name, c.attribute_type, d.attribute_type
                )));
            }
            Some(_) => {}
            None => out.push(d.clone()),
        }
    }
    Ok(out)
}

/// The definitions still used once `indexes` are the table's indexes (UpdateTable drops the
/// definitions of a deleted index's keys).
pub fn used_definitions(
    defs: &[AttributeDefinition],
    table_schema: &[KeySchemaElement],
    indexes: &[IndexDef],
) -> Vec<AttributeDefinition> {
    defs.iter()
        .filter(|d| {
            table_schema
                .iter()
                .any(|k| k.attribute_name == d.attribute_name)
                || indexes
                    .iter()
                    .any(|i| i.key_names().any(|k| k == d.attribute_name))
        })
        .cloned()
        .collect()
}

/// What an accepted `GlobalSecondaryIndexUpdates` does to a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexPlan {
    /// The global index to add (`CREATING`).
    pub create: Option<IndexDef>,
    /// The global index to delete (`DELETING`).
    pub delete: Option<String>,
    /// New throughput of existing global indexes: (name, read, write).
    pub throughput: Vec<(String, i64, i64)>,
    /// The table's attribute definitions afterwards.
    pub definitions: Vec<AttributeDefinition>,
}

/// Checks UpdateTable's `GlobalSecondaryIndexUpdates` (with its `AttributeDefinitions`) against
/// the table's current indexes (those not being deleted) and whether an index of the table is
/// `CREATING` or `DELETING` (`busy`) (`spec/control-plane.md#index-updates`).
#[allow(clippy::too_many_arguments)]
pub fn plan_index_updates(
    table: &str,
    updates: &[GlobalSecondaryIndexUpdate],
    given_definitions: Option<&[AttributeDefinition]>,
    current: &[&IndexDef],
    busy: bool,
    definitions: &[AttributeDefinition],
    table_schema: &[KeySchemaElement],
    billing_mode: &str,
) -> Result<IndexPlan, ApiError> {
    //= spec/control-plane.md#index-updates
    //# Each element of `GlobalSecondaryIndexUpdates` MUST hold exactly one of `Create`, `Update` and `Delete`, else the request MUST be rejected with `ValidationException`.
    if updates.iter().any(|u| {
        usize::from(u.create.is_some())
            + usize::from(u.update.is_some())
            + usize::from(u.delete.is_some())
            != 1
    }) {
        return Err(crate::control_errors::index_update_shape());
    }
    //= spec/control-plane.md#index-updates
    //# An UpdateTable that creates or deletes more than one index, or that creates or deletes one while another index of the table is `CREATING` or `DELETING`, MUST be rejected with `LimitExceededException` and the message below.
    let changes = updates
        .iter()
        .filter(|u| u.create.is_some() || u.delete.is_some())
        .count();
    if changes > 1 || (changes == 1 && busy) {
        return Err(crate::control_errors::one_index_change_at_a_time(table));
    }
    let merged = merge_definitions(definitions, given_definitions.unwrap_or_default())?;
    let mut plan = IndexPlan::default();
    let live = current;
    for (i, u) in updates.iter().enumerate() {
        if let Some(c) = &u.create {
            let prefix = format!("globalSecondaryIndexUpdates.{}.member.create", i + 1);
            let def = global_index(c, &prefix, &merged, billing_mode)?;
            //= spec/control-plane.md#index-updates
            //# A `Create` naming an index the table has MUST be rejected with `ValidationException`; a `Create` that would give the table a 21st global index MUST be rejected as section 2.2 says.
            if live.iter().any(|d| d.name == def.name) {
                return Err(crate::control_errors::index_exists(&def.name));
            }
            if live.iter().filter(|d| d.global).count() >= MAX_GLOBAL_INDEXES {
                return Err(too_many_global_indexes());
            }
            plan.create = Some(def);
        }
        //= spec/control-plane.md#index-updates
        //# A `Delete` or `Update` naming no global index of the table MUST be rejected with `ResourceNotFoundException` and the message `Requested resource not found: Table: <table name> Index: <index name> not found`.
        if let Some(d) = &u.delete {
            let name = d.index_name.clone().unwrap_or_default();
            if !live.iter().any(|x| x.global && x.name == name) {
                return Err(crate::control_errors::index_not_found(table, &name));
            }
            plan.delete = Some(name);
        }
        if let Some(up) = &u.update {
            let name = up.index_name.clone().unwrap_or_default();
            let Some(existing) = live.iter().find(|x| x.global && x.name == name) else {
                return Err(crate::control_errors::index_not_found(table, &name));
            };
            let (read, write) = match &up.provisioned_throughput {
                Some(p) => (
                    p.read_capacity_units.unwrap_or(existing.read),
                    p.write_capacity_units.unwrap_or(existing.write),
                ),
                None => (existing.read, existing.write),
            };
            plan.throughput.push((name, read, write));
        }
    }
    let after: Vec<IndexDef> = live
        .iter()
        .filter(|d| plan.delete.as_deref() != Some(d.name.as_str()))
        .map(|d| (*d).clone())
        .chain(plan.create.clone())
        .collect();
    if let Some(given) = given_definitions {
        //= spec/control-plane.md#index-updates
        //# An `AttributeDefinitions` entry of UpdateTable that no key of the table or of its indexes uses afterwards MUST be rejected with the `Some AttributeDefinitions are not used` message of section 2.1.
        definitions_used(given, table_schema, &after)?;
    }
    plan.definitions = used_definitions(&merged, table_schema, &after);
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::ProvisionedThroughput;

    fn def(n: &str) -> AttributeDefinition {
        AttributeDefinition {
            attribute_name: n.into(),
            attribute_type: "S".into(),
        }
    }
    fn key(n: &str, t: &str) -> KeySchemaElement {
        KeySchemaElement {
            attribute_name: n.into(),
            key_type: t.into(),
        }
    }
    fn gsi(name: &str, hash: &str) -> GlobalSecondaryIndex {
        GlobalSecondaryIndex {
            index_name: Some(name.into()),
            key_schema: Some(vec![key(hash, "HASH")]),
            projection: Some(Projection {
                projection_type: Some("ALL".into()),
                non_key_attributes: None,
            }),
            ..GlobalSecondaryIndex::default()
        }
    }

    //= spec/control-plane.md#index-definitions
    //= type=test
    //# When a table has secondary indexes, an attribute definition that is not a key of the table or of any of its indexes MUST be rejected with `ValidationException` and the message `One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [<definitions>], keys used: [<used definitions>]`, both lists in the order of `AttributeDefinitions`.
    #[test]
    fn unused_definitions_are_named_in_definition_order() {
        let defs = [def("g"), def("pk"), def("extra")];
        let e = create_indexes(
            Some(&[gsi("byG", "g")]),
            None,
            &[key("pk", "HASH")],
            &defs,
            "PAY_PER_REQUEST",
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [g, pk, extra], keys used: [g, pk]"
        );
        assert!(
            create_indexes(
                Some(&[gsi("byG", "g")]),
                None,
                &[key("pk", "HASH")],
                &defs[..2],
                "PAY_PER_REQUEST"
            )
            .is_ok()
        );
    }

    //= spec/control-plane.md#index-definitions
    //= type=test
    //# Under `PROVISIONED` billing a global index MUST carry `ProvisionedThroughput` with both capacities of at least 1; under `PAY_PER_REQUEST` billing it MUST NOT carry `ProvisionedThroughput`.
    #[test]
    fn gsi_throughput_follows_the_billing_mode() {
        let defs = [def("pk"), def("g")];
        let schema = [key("pk", "HASH")];
        let e = create_indexes(
            Some(&[gsi("byG", "g")]),
            None,
            &schema,
            &defs,
            "PROVISIONED",
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("ProvisionedThroughput must be specified for index: byG")
        );
        let mut g = gsi("byG", "g");
        g.provisioned_throughput = Some(ProvisionedThroughput {
            read_capacity_units: Some(2),
            write_capacity_units: Some(3),
        });
        let ok = create_indexes(
            Some(std::slice::from_ref(&g)),
            None,
            &schema,
            &defs,
            "PROVISIONED",
        )
        .unwrap();
        assert_eq!((ok[0].read, ok[0].write), (2, 3));
        assert!(create_indexes(Some(&[g]), None, &schema, &defs, "PAY_PER_REQUEST").is_err());
    }

    //= spec/control-plane.md#index-limits
    //= type=test
    //# A table MUST NOT have more than 20 global secondary indexes nor more than 5 local secondary indexes; a CreateTable or UpdateTable that would exceed either MUST be rejected with `ValidationException` and the messages below.
    #[test]
    fn limits_and_local_index_rules() {
        let mut defs = vec![def("pk")];
        let gs: Vec<GlobalSecondaryIndex> = (0..21)
            .map(|i| {
                defs.push(def(&format!("g{i}")));
                gsi(&format!("idx{i}"), &format!("g{i}"))
            })
            .collect();
        let schema = [key("pk", "HASH")];
        let e = create_indexes(Some(&gs), None, &schema, &defs, "PAY_PER_REQUEST").unwrap_err();
        assert_eq!(e, too_many_global_indexes());
        let l = LocalSecondaryIndex {
            index_name: Some("byL".into()),
            key_schema: Some(vec![key("pk", "HASH"), key("l", "RANGE")]),
            projection: Some(Projection {
                projection_type: Some("KEYS_ONLY".into()),
                non_key_attributes: None,
            }),
        };
        let e = create_indexes(
            None,
            Some(std::slice::from_ref(&l)),
            &schema,
            &[def("pk"), def("l")],
            "PAY_PER_REQUEST",
        )
        .unwrap_err();
        assert!(
            e.message
                .contains("Table KeySchema does not have a range key")
        );
        let ls: Vec<LocalSecondaryIndex> = (0..6)
            .map(|i| LocalSecondaryIndex {
                index_name: Some(format!("lsi{i}")),
                ..l.clone()
            })
            .collect();
        let e = create_indexes(
            None,
            Some(&ls),
            &[key("pk", "HASH"), key("sk", "RANGE")],
            &[def("pk"), def("sk"), def("l")],
            "PAY_PER_REQUEST",
        )
        .unwrap_err();
        assert!(e.message.contains("per-table limit of 5"));
    }
}
