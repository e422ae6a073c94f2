//! The DynamoDB control plane: CreateTable, DescribeTable, UpdateTable (including SSE key
//! switches), DeleteTable and ListTables (`spec/tables.md`, `spec/errors.md#resource-errors`).
//!
//! What a table is ([`Table`]) and how it is described live here; the timed status changes are
//! in `lifecycle.rs`, items in `items.rs`, the KMS calls in `service_calls.rs`.

use std::collections::BTreeMap;

use ddbsse_wire::attribute::Item;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::dynamodb::*;
use ddbsse_wire::dynamodb_errors::{self, table_not_found};
use ddbsse_wire::ids::IdSource;
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::validate::{self, KeySchema, SseChoice, Violations};
use ddbsse_wire::{ApiError, arn, table_settings};

use super::Model;
use super::items::PrimaryKey;
use super::lifecycle::{DETECTION_DELAY_MS, SWITCH_OLD_KEY_MS, SWITCH_UPDATING_MS};
use super::quota;
use super::table_status::{TableEvent, TableStatus, next_table_status};

/// A table's KMS encryption (absent for the AWS owned key).
#[derive(Clone, Debug)]
pub struct KmsSse {
    /// The key ARN, resolved once (`spec/tables.md#sse-resolve-once`).
    pub key_arn: String,
    /// The grant DynamoDB created for the table on that key.
    pub grant_id: String,
    /// The table key, wrapped by GenerateDataKey under the key.
    pub wrapped_table_key: Vec<u8>,
}

/// The last accepted key switch of a table (`spec/tables.md#update-status`).
#[derive(Clone, Debug)]
pub struct Switch {
    /// When the UpdateTable was handled (`t0`).
    pub at: Timestamp,
    /// The key ARN before the switch; `None`: the AWS owned key.
    pub old: Option<String>,
}

impl Switch {
    /// Whether `SSEDescription.Status` is still `UPDATING` at `now`.
    pub fn updating(&self, now: Timestamp) -> bool {
        now < self.at.plus(SWITCH_UPDATING_MS)
    }
}

/// One table.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub created: Timestamp,
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeySchemaElement>,
    pub schema: KeySchema,
    pub billing_mode: String,
    pub read_capacity: i64,
    pub write_capacity: i64,
    /// When `PAY_PER_REQUEST` was last set (`None`: never on demand).
    pub pay_per_request_at: Option<Timestamp>,
    /// The class UpdateTable last set, and when (`None`: never set).
    pub table_class: Option<(String, Timestamp)>,
    pub deletion_protection: bool,
    pub status: TableStatus,
    /// `None`: the AWS owned key.
    pub sse: Option<KmsSse>,
    /// Table-key generation: bumped on every accepted switch.
    pub generation: u64,
    /// Start of the current uninterrupted period during which the key has been unusable.
    pub unusable_since: Option<Timestamp>,
    /// When `ARCHIVING` started.
    pub archiving_since: Option<Timestamp>,
    /// The backup made at archival.
    pub archival_backup_arn: Option<String>,
    /// Accepted SSE changes (quota).
    pub changes: Vec<Timestamp>,
    /// The last accepted key switch.
    pub switch: Option<Switch>,
    /// Items by primary key.
    pub items: BTreeMap<PrimaryKey, Item>,
    /// Indexes, time to live, tags, point-in-time recovery (`spec/control-plane.md`).
    pub extras: super::control::Extras,
}

/// The `SSEDescription` of a switch in progress showing `key_arn` (`None`: the AWS owned key).
fn updating_description(key_arn: Option<&str>) -> SseDescription {
    //= spec/tables.md#update-status
    //# The UpdateTable response of an accepted switch MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the old `KMSMasterKeyArn` when the table used a KMS key before the switch, or with `Status` alone when it used the AWS owned key.
    SseDescription {
        status: Some("UPDATING".to_owned()),
        sse_type: key_arn.map(|_| "KMS".to_owned()),
        kms_master_key_arn: key_arn.map(str::to_owned),
        inaccessible_encryption_date_time: None,
    }
}

impl Model {
    /// A table's ARN.
    pub(super) fn table_arn(&self, name: &str) -> String {
        arn::table(&self.config.region, &self.config.account, name)
    }

    /// The `TableDescription` of a table as it stands.
    pub(super) fn describe(&self, t: &Table) -> TableDescription {
        let inaccessible = matches!(
            t.status,
            TableStatus::InaccessibleEncryptionCredentials
                | TableStatus::Archiving
                | TableStatus::Archived
        );
        //= spec/tables.md#sse-owned-key
        //# The `TableDescription` of a table encrypted under the AWS owned key MUST NOT contain `SSEDescription` in any response, and a target MUST NOT produce a trail record with `eventSource` `kms.amazonaws.com` for any request on such a table.
        //= spec/tables.md#sse-description
        //# The `TableDescription` of a KMS table MUST contain `SSEDescription` with `Status` `ENABLED`, `SSEType` `KMS` and `KMSMasterKeyArn` equal to the table's key ARN, from the CreateTable response on, except while section 4.4 says otherwise.
        //= spec/tables.md#status-inaccessible
        //# While a table is `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, `ARCHIVING` or `ARCHIVED`, its `SSEDescription` MUST keep `Status` `ENABLED` and its `KMSMasterKeyArn`, and MUST add `InaccessibleEncryptionDateTime` equal to the unusable-since time plus 900 s, in epoch seconds.
        let sse_description = t.sse.as_ref().map(|sse| SseDescription {
            status: Some("ENABLED".to_owned()),
            sse_type: Some("KMS".to_owned()),
            kms_master_key_arn: Some(sse.key_arn.clone()),
            inaccessible_encryption_date_time: if inaccessible {
                t.unusable_since
                    .map(|u| u.plus(DETECTION_DELAY_MS).epoch_seconds())
            } else {
                None
            },
        });
        let sse_description = match &t.switch {
            //= spec/tables.md#update-status
            //# A description of the table made before `t0` + 8 s (8000 ms) MUST carry the same `SSEDescription` as the UpdateTable response.
            Some(sw) if self.now < sw.at.plus(SWITCH_OLD_KEY_MS) => {
                Some(updating_description(sw.old.as_deref()))
            }
            //= spec/tables.md#update-status
            //# A description of the table made at or after `t0` + 8 s and before `t0` + 22 s (22000 ms) MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the new key ARN when the new key is a KMS key, or with `Status` alone when the new key is the AWS owned key.
            Some(sw) if sw.updating(self.now) => Some(updating_description(
                t.sse.as_ref().map(|s| s.key_arn.as_str()),
            )),
            //= spec/tables.md#update-status
            //# A description of the table made at or after `t0` + 22 s MUST describe the new key: `SSEDescription` with `Status` `ENABLED` and the new key ARN for a KMS key, or no `SSEDescription` for the AWS owned key.
            _ => sse_description,
        };
        let archival_summary = match (t.status, t.archiving_since, &t.archival_backup_arn) {
            (TableStatus::Archived, Some(since), Some(arn)) => Some(ArchivalSummary {
                archival_date_time: since.epoch_seconds(),
                archival_reason: "INACCESSIBLE_ENCRYPTION_CREDENTIALS".to_owned(),
                archival_backup_arn: arn.clone(),
            }),
            _ => None,
        };
        let (mut local_secondary_indexes, mut global_secondary_indexes) =
            t.extras.describe(self.now, &t.arn);
        let figures = |name: &str| {
            t.extras
                .indexes
                .iter()
                .find(|i| i.def.name == name)
                .map(|i| {
                    let view =
                        ddbsse_wire::index_read::IndexView::of(&i.def, &t.attribute_definitions);
                    super::index_items::index_figures(t, &view)
                })
                .unwrap_or((0, 0))
        };
        for d in local_secondary_indexes.iter_mut().flatten() {
            (d.item_count, d.index_size_bytes) = figures(&d.index_name);
        }
        for d in global_secondary_indexes.iter_mut().flatten() {
            (d.item_count, d.index_size_bytes) = figures(&d.index_name);
        }
        let mut table_status = t.status.wire_name();
        //= spec/control-plane.md#index-status
        //# While a global index of the table is `CREATING` or `DELETING`, a table that would otherwise be described as `ACTIVE` MUST be described with `TableStatus` `UPDATING`.
        if table_status == "ACTIVE" && t.extras.index_changing(self.now) {
            table_status = "UPDATING";
        }
        TableDescription {
            local_secondary_indexes,
            global_secondary_indexes,
            attribute_definitions: t.attribute_definitions.clone(),
            table_name: t.name.clone(),
            key_schema: t.key_schema.clone(),
            table_status: table_status.to_owned(),
            creation_date_time: t.created.epoch_seconds(),
            provisioned_throughput: ProvisionedThroughputDescription {
                number_of_decreases_today: 0,
                read_capacity_units: t.read_capacity,
                write_capacity_units: t.write_capacity,
            },
            table_size_bytes: t
                .items
                .values()
                .map(|i| i64::try_from(ddbsse_wire::attribute::item_size(i)).unwrap_or(i64::MAX))
                .sum(),
            item_count: i64::try_from(t.items.len()).unwrap_or(i64::MAX),
            table_arn: t.arn.clone(),
            table_id: t.id.clone(),
            //= spec/control-plane.md#update-billing
            //# An UpdateTable with `BillingMode` `PROVISIONED` and `ProvisionedThroughput` on a `PAY_PER_REQUEST` table MUST be accepted, and its response and every later DescribeTable MUST show the requested capacities and `BillingModeSummary` with `BillingMode` `PROVISIONED` and the `LastUpdateToPayPerRequestDateTime` of the table's last switch to `PAY_PER_REQUEST` (its creation time when it was created so).
            billing_mode_summary: t.pay_per_request_at.map(|at| BillingModeSummary {
                billing_mode: t.billing_mode.clone(),
                last_update_to_pay_per_request_date_time: Some(at.epoch_seconds()),
            }),
            //= spec/control-plane.md#update-table-class
            //# An UpdateTable with `TableClass` `STANDARD` or `STANDARD_INFREQUENT_ACCESS` and no other member besides `TableName` MUST be accepted, and its response and every later DescribeTable MUST show `TableClassSummary` with that `TableClass` and `LastUpdateDateTime` equal to the request's time.
            table_class_summary: t.table_class.as_ref().map(|(class, at)| TableClassSummary {
                table_class: class.clone(),
                last_update_date_time: Some(at.epoch_seconds()),
            }),
            sse_description,
            archival_summary,
            deletion_protection_enabled: t.deletion_protection,
        }
    }

    pub(super) fn create_table(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &CreateTableInput,
    ) -> Result<TableDescriptionOutput, ApiError> {
        let mut v = Violations::default();
        let name = validate::table_name(input.table_name.as_deref(), &mut v);
        if input.attribute_definitions.is_none() {
            v.null("attributeDefinitions");
        }
        if input.key_schema.is_none() {
            v.null("keySchema");
        }
        v.into_result()?;
        let name = name
            .ok_or_else(|| ApiError::validation("missing table name"))?
            .to_owned();
        let defs = input.attribute_definitions.clone().unwrap_or_default();
        let key_schema = input.key_schema.clone().unwrap_or_default();
        let has_indexes =
            input.global_secondary_indexes.is_some() || input.local_secondary_indexes.is_some();
        let schema = KeySchema::from_create_with_indexes(&key_schema, &defs, has_indexes)?;
        let validate::Billing {
            mode: billing_mode,
            read: rcu,
            write: wcu,
        } = validate::billing(
            input.billing_mode.as_deref(),
            input.provisioned_throughput.as_ref(),
        )?;
        //= spec/control-plane.md#index-definitions
        //# A target MUST check CreateTable's indexes after its key schema and billing mode and before its `SSESpecification`.
        let indexes = if has_indexes {
            ddbsse_wire::validate_indexes::create_indexes(
                input.global_secondary_indexes.as_deref(),
                input.local_secondary_indexes.as_deref(),
                &key_schema,
                &defs,
                &billing_mode,
            )?
        } else {
            Vec::new()
        };
        //= spec/control-plane.md#tags
        //# The `Tags` of a CreateTable MUST be checked as TagResource checks them, before `SSESpecification`, and MUST become the new table's tags.
        let tags =
            ddbsse_wire::validate_control::tags_to_add(&BTreeMap::new(), input.tags.as_deref())?;
        let extras = super::control::Extras {
            indexes: indexes
                .into_iter()
                .map(|def| super::control::Index {
                    def,
                    added: None,
                    deleted: None,
                })
                .collect(),
            tags,
            ..Default::default()
        };
        //= spec/tables.md#sse-validation-order
        //# A target MUST apply the checks of sections 3.2 to 3.6 in that order and report only the first that fails.
        //= spec/tables.md#sse-type-enum
        //# An `SSEType` other than `AES256` or `KMS` (compared case-sensitively) MUST be rejected with the message `1 validation error detected: Value '<value>' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]`.
        //= spec/tables.md#sse-type-with-disabled
        //# An `SSESpecification` with `Enabled` false and an `SSEType` MUST be rejected with the message `One or more parameter values were invalid: SSEType can not be specified if Enabled is false`.
        //= spec/tables.md#sse-key-with-disabled
        //# An `SSESpecification` with `Enabled` false and a `KMSMasterKeyId` MUST be rejected with the message `One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false`.
        //= spec/tables.md#sse-type-aes256
        //# An `SSESpecification` with `SSEType` `AES256` MUST be rejected with the message `One or more parameter values were invalid: SSEType AES256 is not supported`.
        //= spec/tables.md#sse-type-required
        //# An `SSESpecification` with a `KMSMasterKeyId` and without `SSEType` MUST be rejected with the message `One or more parameter values were invalid: SSEType KMS is required if KMSMasterKeyId is specified`.
        let choice = validate::sse_choice(input.sse_specification.as_ref())?;
        //= spec/errors.md#resource-errors
        //# A CreateTable naming a table that exists MUST fail with `ResourceInUseException` and the message `Table already exists: <table name>`.
        //= spec/tables.md#delete
        //# Before `d` + 8 s, ListTables MUST list the table, a CreateTable naming it MUST fail with `ResourceInUseException` and the message `Table already exists: <table name>`, and every other request naming it MUST fail with `ResourceNotFoundException`.
        if self.tables.contains_key(&name) || self.deleting.contains_key(&name) {
            return Err(dynamodb_errors::table_exists(&name));
        }
        //= spec/cache.md#scope
        //# CreateTable and UpdateTable MUST NOT create entries, so the first data-plane request after them calls Decrypt.
        let sse = match choice {
            //= spec/tables.md#sse-owned-key
            //# A CreateTable request without `SSESpecification`, with `SSESpecification` equal to `{}`, or with `{"Enabled": false}` and no other member MUST create a table encrypted under the AWS owned key.
            SseChoice::Owned => None,
            //= spec/tables.md#sse-managed-key
            //# A CreateTable request whose `SSESpecification` is `{"Enabled": true}`, `{"Enabled": true, "SSEType": "KMS"}` or `{"SSEType": "KMS"}` MUST encrypt the table under the AWS managed key, creating that key first when it does not exist yet, as `spec/kms.md#aws-managed-key` describes.
            //= spec/tables.md#sse-managed-key
            //# A CreateTable request whose `SSESpecification` is `{"Enabled": true}`, `{"Enabled": true, "SSEType": "KMS"}` or `{"SSEType": "KMS"}` MUST encrypt the table under the AWS managed key, creating that key first when it does not exist yet, as `spec/kms.md#aws-managed-key` describes.
            SseChoice::Managed => Some(self.ddb_enable_kms(now, caller, None, &name)?),
            //= spec/tables.md#sse-customer-key
            //# A `KMSMasterKeyId` given as a key id, a key ARN, an alias name (`alias/<name>`) or an alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`) MUST select the key it names, and all four forms of the same key MUST produce the same `KMSMasterKeyArn`, which is the key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, never an alias ARN.
            SseChoice::Customer(k) => Some(self.ddb_enable_kms(now, caller, Some(&k), &name)?),
        };
        let status = next_table_status(TableStatus::Absent, TableEvent::CreateTableAccepted)
            .unwrap_or(TableStatus::Creating);
        let table = Table {
            id: self.ids.uuid(),
            arn: self.table_arn(&name),
            name: name.clone(),
            created: now,
            attribute_definitions: defs,
            key_schema,
            schema,
            pay_per_request_at: (billing_mode == "PAY_PER_REQUEST").then_some(now),
            table_class: None,
            billing_mode,
            read_capacity: rcu,
            write_capacity: wcu,
            deletion_protection: input.deletion_protection_enabled.unwrap_or(false),
            status,
            sse,
            generation: 0,
            unusable_since: None,
            archiving_since: None,
            archival_backup_arn: None,
            changes: Vec::new(),
            switch: None,
            items: BTreeMap::new(),
            extras,
        };
        //= spec/tables.md#status-create
        //# The CreateTable response MUST carry `TableStatus` `CREATING`, and every later request MUST observe the table as `ACTIVE` (unless section 5.2 applies).
        let table_description = self.describe(&table);
        self.tables.insert(name, table);
        Ok(TableDescriptionOutput { table_description })
    }

    /// DescribeKey, state check, CreateGrant and GenerateDataKey: putting a table under a KMS key.
    fn ddb_enable_kms(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        given: Option<&str>,
        table: &str,
    ) -> Result<KmsSse, ApiError> {
        //= spec/trail.md#ddb-kms-calls
        //# Each DynamoDB request MUST produce exactly the KMS records the table above lists for it, in the order shown, with the identities shown, and no other KMS record.
        let i = self.ddb_select_key(now, caller, given)?;
        let grant_id = self.ddb_create_grant(now, caller, i, table);
        let wrapped_table_key = self.ddb_generate_table_key(now, caller, i, table)?;
        //= spec/tables.md#sse-customer-key
        //# A `KMSMasterKeyId` given as a key id, a key ARN, an alias name (`alias/<name>`) or an alias ARN (`arn:aws:kms:<region>:<account>:alias/<name>`) MUST select the key it names, and all four forms of the same key MUST produce the same `KMSMasterKeyArn`, which is the key ARN `arn:aws:kms:<region>:<account>:key/<key id>`, never an alias ARN.
        Ok(KmsSse {
            key_arn: self.kms.keys[i].arn.clone(),
            grant_id,
            wrapped_table_key,
        })
    }

    /// The table named by a request, after the name checks.
    fn existing_table(&self, name: Option<&str>) -> Result<String, ApiError> {
        let name = validate::require_table_name(name)?;
        if self.tables.contains_key(name) {
            Ok(name.to_owned())
        } else {
            Err(table_not_found(name))
        }
    }

    pub(super) fn describe_table(
        &self,
        input: &TableNameInput,
    ) -> Result<DescribeTableOutput, ApiError> {
        let name = validate::require_table_name(input.table_name.as_deref())?;
        //= spec/tables.md#delete
        //# Before `d` + 8 s (8000 ms), DescribeTable and DeleteTable naming the table MUST answer the description of that DeleteTable response, with `TableStatus` `DELETING`, and such a DeleteTable MUST make no KMS call.
        if let Some((description, _)) = self.deleting.get(name) {
            return Ok(DescribeTableOutput {
                table: description.clone(),
            });
        }
        let name = self.existing_table(Some(name))?;
        let table = self
            .tables
            .get(&name)
            .ok_or_else(|| table_not_found(&name))?;
        Ok(DescribeTableOutput {
            table: self.describe(table),
        })
    }

    pub(super) fn list_tables(
        &self,
        input: &ListTablesInput,
    ) -> Result<ListTablesOutput, ApiError> {
        //= spec/tables.md#list-tables-limit
        //# A ListTables without `Limit` MUST answer at most 100 names per page.
        let limit = validate::list_tables_limit(input.limit)?;
        let listed: std::collections::BTreeSet<&String> =
            self.tables.keys().chain(self.deleting.keys()).collect();
        //= spec/tables.md#list-tables-pages
        //# A ListTables MUST answer the names of the tables it lists in ascending byte order, and only names greater than `ExclusiveStartTableName` when that member is present, whether or not it names a table.
        let names: Vec<String> = listed
            .into_iter()
            .filter(|n| {
                input
                    .exclusive_start_table_name
                    .as_ref()
                    .is_none_or(|s| n.as_str() > s.as_str())
            })
            .cloned()
            .collect();
        //= spec/tables.md#list-tables-pages
        //# A ListTables MUST answer `LastEvaluatedTableName`, equal to the last name of its page, exactly when at least one listed name is greater than that last name; a page that ends with the greatest listed name MUST NOT carry `LastEvaluatedTableName`, even when it holds `Limit` names.
        let more = names.len() > limit;
        //= spec/tables.md#list-tables-limit
        //# A ListTables whose `Limit` is between 1 and 100 MUST answer at most `Limit` names.
        let table_names: Vec<String> = names.into_iter().take(limit).collect();
        Ok(ListTablesOutput {
            last_evaluated_table_name: if more {
                table_names.last().cloned()
            } else {
                None
            },
            table_names,
        })
    }

    pub(super) fn delete_table(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &TableNameInput,
    ) -> Result<TableDescriptionOutput, ApiError> {
        let name = validate::require_table_name(input.table_name.as_deref())?;
        //= spec/tables.md#delete
        //# Before `d` + 8 s (8000 ms), DescribeTable and DeleteTable naming the table MUST answer the description of that DeleteTable response, with `TableStatus` `DELETING`, and such a DeleteTable MUST make no KMS call.
        if let Some((description, _)) = self.deleting.get(name) {
            return Ok(TableDescriptionOutput {
                table_description: description.clone(),
            });
        }
        let name = self.existing_table(Some(name))?;
        if self
            .tables
            .get(&name)
            .is_some_and(|t| t.deletion_protection)
        {
            return Err(ApiError::validation(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
            ));
        }
        if let Some(t) = self.tables.get(&name) {
            //= spec/tables.md#delete
            //# DeleteTable on an `ARCHIVING` table MUST fail with `ResourceInUseException` and the message below:
            if t.status == TableStatus::Archiving {
                return Err(dynamodb_errors::table_being_archived(&name));
            }
            //= spec/tables.md#delete
            //# DeleteTable on a table whose `SSEDescription.Status` is `UPDATING` (section 4.4) MUST fail with `ResourceInUseException` and the message below:
            if t.switch.as_ref().is_some_and(|sw| sw.updating(now)) {
                return Err(dynamodb_errors::table_being_updated(&name));
            }
        }
        let Some(mut table) = self.tables.remove(&name) else {
            return Err(table_not_found(&name));
        };
        //= spec/tables.md#delete
        //# DeleteTable on a KMS table whose grant still exists MUST retire that grant, whatever the key state.
        if let Some(sse) = &table.sse {
            let (arn, grant) = (sse.key_arn.clone(), sse.grant_id.clone());
            self.ddb_retire_grant(now, caller, &arn, &grant);
        }
        //= spec/tables.md#delete
        //# DeleteTable MUST succeed on a table whose `TableStatus` is `ACTIVE`, `INACCESSIBLE_ENCRYPTION_CREDENTIALS` or `ARCHIVED` and whose `SSEDescription.Status` is not `UPDATING`, with a response carrying the table's description and `TableStatus` `DELETING`.
        self.cache.evict_table(&table.id, None);
        let mut description = self.describe(&table);
        table.status = next_table_status(table.status, TableEvent::DeleteTable)
            .unwrap_or(TableStatus::Deleting);
        description.table_status = table.status.wire_name().to_owned();
        self.deleting.insert(name, (description.clone(), now));
        Ok(TableDescriptionOutput {
            table_description: description,
        })
    }

    pub(super) fn update_table(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        input: &UpdateTableInput,
    ) -> Result<TableDescriptionOutput, ApiError> {
        validate::require_table_name(input.table_name.as_deref())?;
        let other = input.attribute_definitions.is_some()
            || input.billing_mode.is_some()
            || input.provisioned_throughput.is_some()
            || input.global_secondary_index_updates.is_some()
            || input.stream_specification.is_some()
            || input.replica_updates.is_some()
            || input.table_class.is_some()
            || input.deletion_protection_enabled.is_some();
        let Some(spec) = input.sse_specification.as_ref() else {
            //= spec/control-plane.md#update-table-nothing
            //# An UpdateTable that carries no member besides `TableName` MUST fail with `ValidationException` and the message `At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required`.
            //= spec/control-plane.md#update-table-nothing
            //# An UpdateTable that carries `TableName` and exactly one of `BillingMode`, `ProvisionedThroughput`, `GlobalSecondaryIndexUpdates`, `StreamSpecification`, `ReplicaUpdates`, `TableClass` or `DeletionProtectionEnabled` MUST NOT fail with that message.
            if !other {
                return Err(table_settings::nothing_to_update());
            }
            return self.update_settings(now, input);
        };
        //= spec/tables.md#update-sse-only
        //# An UpdateTable that carries `SSESpecification` together with any other member besides `TableName` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request`.
        if other {
            return Err(dynamodb_errors::sse_not_alone());
        }
        let choice = validate::sse_choice(Some(spec))?;
        let name = self.existing_table(input.table_name.as_deref())?;
        self.switch_key(now, caller, &name, choice)
    }

    /// UpdateTable without SSE (`spec/control-plane.md#update-table`): streams and replicas are
    /// refused, then the table class, throughput, billing mode, deletion protection and indexes.
    fn update_settings(
        &mut self,
        now: Timestamp,
        input: &UpdateTableInput,
    ) -> Result<TableDescriptionOutput, ApiError> {
        let name = self.existing_table(input.table_name.as_deref())?;
        if let Some(stream) = &input.stream_specification {
            return Err(table_settings::stream_change(stream, &name));
        }
        if input.replica_updates.is_some() {
            return Err(table_settings::replicas_unsupported());
        }
        let class = input
            .table_class
            .as_deref()
            .map(table_settings::table_class)
            .transpose()?;
        let current_mode = self
            .tables
            .get(&name)
            .map(|t| t.billing_mode.clone())
            .unwrap_or_default();
        let billing = table_settings::update_billing(
            input.billing_mode.as_deref(),
            input.provisioned_throughput.as_ref(),
            &current_mode,
        )?;
        let mut table = self
            .tables
            .get(&name)
            .cloned()
            .ok_or_else(|| table_not_found(&name))?;
        if let Some(b) = billing {
            //= spec/control-plane.md#update-billing
            //# An UpdateTable with `BillingMode` `PAY_PER_REQUEST` and no other member besides `TableName` MUST be accepted on a `PROVISIONED` table, and its response and every later DescribeTable MUST show `BillingModeSummary` with `BillingMode` `PAY_PER_REQUEST` and `LastUpdateToPayPerRequestDateTime` equal to the request's time, and `ProvisionedThroughput` with `ReadCapacityUnits` and `WriteCapacityUnits` 0.
            if b.mode == "PAY_PER_REQUEST" && table.billing_mode != b.mode {
                table.pay_per_request_at = Some(now);
            }
            table.billing_mode = b.mode;
            table.read_capacity = b.read;
            table.write_capacity = b.write;
        }
        if let Some(class) = class {
            table.table_class = Some((class.to_owned(), now));
        }
        if let Some(p) = input.deletion_protection_enabled {
            table.deletion_protection = p;
        }
        Self::update_indexes(&mut table, input, self.now)?;
        self.tables.insert(name.clone(), table);
        let table = self
            .tables
            .get(&name)
            .ok_or_else(|| table_not_found(&name))?;
        Ok(TableDescriptionOutput {
            table_description: self.describe(table),
        })
    }

    /// An UpdateTable with `SSESpecification` (`spec/tables.md#update`).
    fn switch_key(
        &mut self,
        now: Timestamp,
        caller: &Caller,
        name: &str,
        choice: SseChoice,
    ) -> Result<TableDescriptionOutput, ApiError> {
        let table = self.tables.get(name).ok_or_else(|| table_not_found(name))?;
        if table.status.is_archival() {
            return Err(dynamodb_errors::table_archived(name));
        }
        let old = table.sse.clone();
        match (&old, &choice) {
            //= spec/tables.md#update-resend
            //# On a table using the AWS owned key, an UpdateTable whose `SSESpecification` selects the AWS owned key MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Table is already encrypted by default`.
            (None, SseChoice::Owned) => {
                return Err(dynamodb_errors::already_encrypted_by_default());
            }
            //= spec/tables.md#update-resend
            //# On a table already using key X, an UpdateTable whose `KMSMasterKeyId` is X's key ARN MUST fail with `ValidationException` and the message below:
            (Some(sse), SseChoice::Customer(k)) if *k == sse.key_arn => {
                return Err(dynamodb_errors::already_encrypted_with_key());
            }
            _ => {}
        }
        //= spec/tables.md#update-quota
        //# The quota check MUST run after the checks of sections 3, 4.2 and 4.3 and before the key checks of sections 4.5 and 3.7 (in that order), and a request rejected by any check MUST NOT count as a change.
        //= spec/tables.md#update-quota
        //# A switch to the AWS owned key MUST always be accepted by the quota check, and it counts as a change.
        if choice != SseChoice::Owned {
            quota::check(table.created, &table.changes, now)?;
        }
        //= spec/tables.md#update-old-key-unusable
        //# While a table's current key is disabled or pending deletion, an UpdateTable with `SSESpecification` MUST fail with the message of section 3.7 that names the current key, whatever key the request selects.
        if let Some(sse) = &old
            && let Some(i) = self.kms.by_arn(&sse.key_arn)
            && self.ddb_key_state_error(i).is_some()
        {
            let i = self.ddb_describe_key(now, caller, &sse.key_arn)?;
            if let Some(e) = self.ddb_key_state_error(i) {
                return Err(e);
            }
        }
        //= spec/tables.md#update-switch
        //# An UpdateTable whose `SSESpecification` selects a different key kind or a different key MUST be accepted, subject to sections 3, 4.2, 4.3, 4.5 and 4.6, for every pair among the AWS owned key, the AWS managed key and customer managed keys.
        //= spec/tables.md#update-switch
        //# An accepted switch MUST create a grant on the new key and a new table key under it when the new key is a KMS key, and MUST retire the table's grant on the old key when the table used a KMS key, as `spec/trail.md#ddb-kms-calls` lists.
        //= spec/tables.md#update-resend
        //# On a table already using key X, an UpdateTable that selects X without naming its key ARN (by key id, alias name, alias ARN, or `Enabled` true when X is the AWS managed key) MUST be accepted as a switch to X that counts against the quota of section 4.6.
        //= spec/tables.md#update-resend
        //# On a table already using key X, an UpdateTable that selects X without naming its key ARN (by key id, alias name, alias ARN, or `Enabled` true when X is the AWS managed key) MUST be accepted as a switch to X that counts against the quota of section 4.6.
        let new = match &choice {
            SseChoice::Owned => None,
            SseChoice::Managed => Some(self.ddb_enable_kms(now, caller, None, name)?),
            SseChoice::Customer(k) => Some(self.ddb_enable_kms(now, caller, Some(k), name)?),
        };
        //= spec/tables.md#update-switch
        //# An accepted switch MUST create a grant on the new key and a new table key under it when the new key is a KMS key, and MUST retire the table's grant on the old key when the table used a KMS key, as `spec/trail.md#ddb-kms-calls` lists.
        if let Some(sse) = &old {
            let (arn, grant) = (sse.key_arn.clone(), sse.grant_id.clone());
            self.ddb_retire_grant(now, caller, &arn, &grant);
        }
        let table = self
            .tables
            .get_mut(name)
            .ok_or_else(|| table_not_found(name))?;
        //= spec/tables.md#update-status
        //# From `t0` on, data-plane requests on the table MUST use the new table key and only the new key, so disabling the old key after `t0` MUST NOT make a data-plane request on the table fail.
        table.sse = new;
        table.generation += 1;
        table.changes.push(now);
        table.switch = Some(Switch {
            at: now,
            old: old.as_ref().map(|s| s.key_arn.clone()),
        });
        //= spec/tables.md#update-status
        //# The `TableStatus` of a table MUST stay `ACTIVE` during and after an accepted SSE switch.
        if let Some(next) = next_table_status(table.status, TableEvent::SseSwitchAccepted) {
            table.status = next;
        }
        let (table_id, generation) = (table.id.clone(), table.generation);
        self.cache.evict_table(&table_id, Some(generation));
        self.refresh_table_usability(name, now);
        let table = self.tables.get(name).ok_or_else(|| table_not_found(name))?;
        let mut description = self.describe(table);
        description.sse_description = Some(updating_description(
            old.as_ref().map(|s| s.key_arn.as_str()),
        ));
        Ok(TableDescriptionOutput {
            table_description: description,
        })
    }
}
