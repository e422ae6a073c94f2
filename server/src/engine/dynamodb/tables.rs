//! DynamoDB control plane: CreateTable, DescribeTable, UpdateTable (SSE switches with the
//! quota, and the other updates), DeleteTable and ListTables (`spec/tables.md`).

use std::collections::BTreeMap;
use std::sync::Arc;

use ddbsse_wire::dynamodb::{
    CreateTableInput, DescribeTableOutput, ListTablesInput, ListTablesOutput, SseDescription,
    TableDescriptionOutput, TableNameInput, UpdateTableInput,
};
use ddbsse_wire::time::{DAY, HOUR, Timestamp};
use ddbsse_wire::trail::TrailRecord;
use ddbsse_wire::validate::{self, KeySchema, SseChoice, Violations};
use ddbsse_wire::validate_indexes;
use ddbsse_wire::{ApiError, ErrorCode, arn, dynamodb_errors, table_settings};

use super::sse::KmsFailure;
use super::{DescribeAs, table_not_found};
use crate::engine::control_state::{StoredIndex, TableExtras};
use crate::engine::lifecycle::{self, DELETING_MS};
use crate::engine::state::{KeySwitch, State, TableMeta, TableSse, put_table};
use crate::engine::table_crypto::TableCrypto;
use crate::engine::{Call, Engine, random};
use crate::storage::{Space, WriteOp};

impl Engine {
    fn table_meta<'s>(&self, st: &'s State, name: &str) -> Result<&'s TableMeta, ApiError> {
        st.tables.get(name).ok_or_else(|| table_not_found(name))
    }

    /// The DeleteTable description of a table still `DELETING` at `now`.
    fn deleting<'s>(
        st: &'s State,
        name: &str,
        now: Timestamp,
    ) -> Option<&'s ddbsse_wire::dynamodb::TableDescription> {
        //= spec/tables.md#delete
        //# From `d` + 8 s on, every request naming the table MUST fail with `ResourceNotFoundException`, ListTables MUST NOT list it, and a CreateTable naming it MUST be accepted.
        st.deleting
            .get(name)
            .filter(|(_, deleted)| now < deleted.plus(DELETING_MS))
            .map(|(d, _)| d)
    }

    pub(crate) fn create_table(
        &self,
        call: &Call<'_>,
        i: CreateTableInput,
        records: &mut Vec<TrailRecord>,
        table_arn: &mut Option<String>,
    ) -> Result<TableDescriptionOutput, ApiError> {
        let mut v = Violations::default();
        let name = validate::table_name(i.table_name.as_deref(), &mut v).map(str::to_owned);
        if i.attribute_definitions.is_none() {
            v.null("attributeDefinitions");
        }
        if i.key_schema.is_none() {
            v.null("keySchema");
        }
        v.into_result()?;
        let name = name.ok_or_else(|| ApiError::validation("missing table name"))?;
        *table_arn = Some(arn::table(&self.config.region, &self.config.account, &name));
        let defs = i.attribute_definitions.unwrap_or_default();
        let schema_in = i.key_schema.unwrap_or_default();
        let has_indexes =
            i.global_secondary_indexes.is_some() || i.local_secondary_indexes.is_some();
        let schema = KeySchema::from_create_with_indexes(&schema_in, &defs, has_indexes)?;
        let validate::Billing {
            mode: billing,
            read,
            write,
        } = validate::billing(i.billing_mode.as_deref(), i.provisioned_throughput.as_ref())?;
        let indexes = if has_indexes {
            validate_indexes::create_indexes(
                i.global_secondary_indexes.as_deref(),
                i.local_secondary_indexes.as_deref(),
                &schema_in,
                &defs,
                &billing,
            )?
        } else {
            Vec::new()
        };
        let tags = ddbsse_wire::validate_control::tags_to_add(&BTreeMap::new(), i.tags.as_deref())?;
        let extras = TableExtras {
            indexes: indexes
                .into_iter()
                .map(|def| StoredIndex {
                    def,
                    added: None,
                    deleted: None,
                    unfilled: false,
                })
                .collect(),
            tags,
            pay_per_request_at: (billing == "PAY_PER_REQUEST").then_some(call.now),
            ..TableExtras::default()
        };
        //= spec/tables.md#sse-validation-order
        //# A target MUST apply the checks of sections 3.2 to 3.6 in that order and report only the first that fails.
        let choice = validate::sse_choice(i.sse_specification.as_ref())?;
        let mut st = self.write_state();
        let mut ops = st.purge_deleted(call.now);
        //= spec/tables.md#delete
        //# Before `d` + 8 s, ListTables MUST list the table, a CreateTable naming it MUST fail with `ResourceInUseException` and the message `Table already exists: <table name>`, and every other request naming it MUST fail with `ResourceNotFoundException`.
        if st.tables.contains_key(&name) || Self::deleting(&st, &name, call.now).is_some() {
            return Err(dynamodb_errors::table_exists(&name));
        }
        st.deleting.remove(&name);
        let ctx = ddbsse_crypto::EncryptionContext::for_table(&name, &self.config.account)
            .map_err(|_| ApiError::validation("Table name too long"))?;
        let key_id = self.select_sse_key(&mut st, call, &choice, records)?;
        let (sse, grant_id, wrapped) = match key_id {
            //= spec/tables.md#sse-owned-key
            //# A CreateTable request without `SSESpecification`, with `SSESpecification` equal to `{}`, or with `{"Enabled": false}` and no other member MUST create a table encrypted under the AWS owned key.
            None => {
                let (_tk, blob) = self.owned_table_key(&ctx)?;
                (TableSse::Owned, None, blob)
            }
            Some(key_id) => {
                let p = self.provision_kms_table_key(&mut st, call, &name, &key_id, records)?;
                (
                    TableSse::Kms {
                        key_id: p.key_id,
                        key_arn: p.key_arn,
                    },
                    Some(p.grant_id),
                    p.wrapped,
                )
            }
        };
        let meta = TableMeta {
            name: name.clone(),
            uid: hex::encode(random::bytes::<16>()?),
            table_id: random::uuid(),
            created: call.now,
            attribute_definitions: defs,
            key_schema: schema_in,
            hash: schema.hash,
            range: schema.range,
            billing_mode: billing,
            read_capacity: read,
            write_capacity: write,
            deletion_protection: i.deletion_protection_enabled.unwrap_or(false),
            sse,
            grant_id,
            //= spec/key-hierarchy.md#table-key
            //# A target MUST store the table key only in wrapped form, as the KMS blob (section 5) that GenerateDataKey returned.
            wrapped_table_key: hex::encode(wrapped),
            generation: 0,
            changes: Vec::new(),
            unusable_since: None,
            archival_start: None,
            switch: None,
            extras,
        };
        ops.push(put_table(&meta));
        self.commit(ops)?;
        //= spec/tables.md#status-create
        //# The CreateTable response MUST carry `TableStatus` `CREATING`, and every later request MUST observe the table as `ACTIVE` (unless section 5.2 applies).
        let desc = self.describe(
            &meta,
            call.now,
            DescribeAs {
                status: Some("CREATING"),
                sse: None,
            },
        );
        st.tables.insert(name, meta);
        Ok(TableDescriptionOutput {
            table_description: desc,
        })
    }

    pub(crate) fn describe_table(
        &self,
        call: &Call<'_>,
        i: TableNameInput,
        table_arn: &mut Option<String>,
    ) -> Result<DescribeTableOutput, ApiError> {
        let name = validate::require_table_name(i.table_name.as_deref())?;
        let st = self.read_state();
        //= spec/tables.md#delete
        //# Before `d` + 8 s (8000 ms), DescribeTable and DeleteTable naming the table MUST answer the description of that DeleteTable response, with `TableStatus` `DELETING`, and such a DeleteTable MUST make no KMS call.
        if let Some(d) = Self::deleting(&st, name, call.now) {
            *table_arn = Some(d.table_arn.clone());
            return Ok(DescribeTableOutput { table: d.clone() });
        }
        let meta = self.table_meta(&st, name)?;
        *table_arn = Some(meta.arn(&self.config.region, &self.config.account));
        Ok(DescribeTableOutput {
            table: self.describe(meta, call.now, DescribeAs::default()),
        })
    }

    pub(crate) fn list_tables(
        &self,
        call: &Call<'_>,
        i: ListTablesInput,
    ) -> Result<ListTablesOutput, ApiError> {
        //= spec/tables.md#list-tables-limit
        //# A ListTables without `Limit` MUST answer at most 100 names per page.
        let limit = validate::list_tables_limit(i.limit)?;
        let st = self.read_state();
        let listed: std::collections::BTreeSet<&String> = st
            .tables
            .keys()
            .chain(
                st.deleting
                    .keys()
                    .filter(|n| Self::deleting(&st, n, call.now).is_some()),
            )
            .collect();
        //= spec/tables.md#list-tables-pages
        //# A ListTables MUST answer the names of the tables it lists in ascending byte order, and only names greater than `ExclusiveStartTableName` when that member is present, whether or not it names a table.
        let mut names = listed.into_iter().filter(|n| {
            i.exclusive_start_table_name
                .as_ref()
                .is_none_or(|s| n.as_str() > s.as_str())
        });
        //= spec/tables.md#list-tables-limit
        //# A ListTables whose `Limit` is between 1 and 100 MUST answer at most `Limit` names.
        let page: Vec<String> = names.by_ref().take(limit).cloned().collect();
        //= spec/tables.md#list-tables-pages
        //# A ListTables MUST answer `LastEvaluatedTableName`, equal to the last name of its page, exactly when at least one listed name is greater than that last name; a page that ends with the greatest listed name MUST NOT carry `LastEvaluatedTableName`, even when it holds `Limit` names.
        let more = names.next().is_some();
        Ok(ListTablesOutput {
            last_evaluated_table_name: if more { page.last().cloned() } else { None },
            table_names: page,
        })
    }

    pub(crate) fn delete_table(
        &self,
        call: &Call<'_>,
        i: TableNameInput,
        records: &mut Vec<TrailRecord>,
        table_arn: &mut Option<String>,
    ) -> Result<TableDescriptionOutput, ApiError> {
        let name = validate::require_table_name(i.table_name.as_deref())?;
        let mut st = self.write_state();
        //= spec/tables.md#delete
        //# Before `d` + 8 s (8000 ms), DescribeTable and DeleteTable naming the table MUST answer the description of that DeleteTable response, with `TableStatus` `DELETING`, and such a DeleteTable MUST make no KMS call.
        if let Some(d) = Self::deleting(&st, name, call.now) {
            *table_arn = Some(d.table_arn.clone());
            return Ok(TableDescriptionOutput {
                table_description: d.clone(),
            });
        }
        let meta = self.table_meta(&st, name)?.clone();
        *table_arn = Some(meta.arn(&self.config.region, &self.config.account));
        if meta.deletion_protection {
            return Err(ApiError::validation(
                "Resource cannot be deleted as it is currently protected against manual deletion",
            ));
        }
        //= spec/tables.md#delete
        //# DeleteTable on an `ARCHIVING` table MUST fail with `ResourceInUseException` and the message below:
        if matches!(
            lifecycle::status(&meta, call.now),
            lifecycle::Lifecycle::Archiving { .. }
        ) {
            return Err(dynamodb_errors::table_being_archived(name));
        }
        //= spec/tables.md#delete
        //# DeleteTable on a table whose `SSEDescription.Status` is `UPDATING` (section 4.4) MUST fail with `ResourceInUseException` and the message below:
        if lifecycle::switch_updating(&meta, call.now) {
            return Err(dynamodb_errors::table_being_updated(name));
        }
        let desc = self.describe(
            &meta,
            call.now,
            DescribeAs {
                status: Some("DELETING"),
                sse: None,
            },
        );
        //= spec/tables.md#delete
        //# DeleteTable on a KMS table whose grant still exists MUST retire that grant, whatever the key state.
        self.retire_table_grant(&mut st, call, &meta, records)?;
        let uid = meta.uid_bytes();
        self.commit(vec![
            WriteOp::DeletePrefix(Space::Items, uid.to_vec()),
            WriteOp::DeletePrefix(Space::Index, uid.to_vec()),
            WriteOp::Delete(Space::Tables, meta.name.as_bytes().to_vec()),
        ])?;
        st.tables.remove(&meta.name);
        //= spec/tables.md#delete
        //# DeleteTable MUST succeed on a table whose `TableStatus` is `ACTIVE`, `INACCESSIBLE_ENCRYPTION_CREDENTIALS` or `ARCHIVED` and whose `SSEDescription.Status` is not `UPDATING`, with a response carrying the table's description and `TableStatus` `DELETING`.
        st.deleting
            .insert(meta.name.clone(), (desc.clone(), call.now));
        //= spec/tables.md#delete
        //# DeleteTable drops the table's table-key cache entries (`spec/cache.md#zeroize`).
        self.cache.evict_table(&uid);
        self.drop_owned_crypto(&uid);
        Ok(TableDescriptionOutput {
            table_description: desc,
        })
    }

    pub(crate) fn update_table(
        &self,
        call: &Call<'_>,
        i: UpdateTableInput,
        records: &mut Vec<TrailRecord>,
        table_arn: &mut Option<String>,
    ) -> Result<TableDescriptionOutput, ApiError> {
        let name = validate::require_table_name(i.table_name.as_deref())?.to_owned();
        let others = i.attribute_definitions.is_some()
            || i.billing_mode.is_some()
            || i.provisioned_throughput.is_some()
            || i.global_secondary_index_updates.is_some()
            || i.stream_specification.is_some()
            || i.replica_updates.is_some()
            || i.table_class.is_some()
            || i.deletion_protection_enabled.is_some();
        let Some(spec) = i.sse_specification.as_ref() else {
            return self.update_other(call, &i, &name, others, table_arn);
        };
        let choice = validate::sse_choice(Some(spec))?;
        //= spec/tables.md#update-sse-only
        //# An UpdateTable that carries `SSESpecification` together with any other member besides `TableName` MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request`.
        if others {
            return Err(dynamodb_errors::sse_not_alone());
        }
        let mut st = self.write_state();
        let mut ops = st.purge_deleted(call.now);
        let meta = self.table_meta(&st, &name)?.clone();
        *table_arn = Some(meta.arn(&self.config.region, &self.config.account));
        if lifecycle::status(&meta, call.now).archived() {
            return Err(dynamodb_errors::table_archived(&name));
        }
        //= spec/tables.md#update-resend
        //# On a table already using key X, an UpdateTable whose `KMSMasterKeyId` is X's key ARN MUST fail with `ValidationException` and the message below:
        if let (TableSse::Kms { key_arn, .. }, SseChoice::Customer(given)) = (&meta.sse, &choice)
            && given == key_arn
        {
            return Err(dynamodb_errors::already_encrypted_with_key());
        }
        //= spec/tables.md#update-resend
        //# On a table using the AWS owned key, an UpdateTable whose `SSESpecification` selects the AWS owned key MUST fail with `ValidationException` and the message `One or more parameter values were invalid: Table is already encrypted by default`.
        if meta.sse == TableSse::Owned && choice == SseChoice::Owned {
            return Err(dynamodb_errors::already_encrypted_by_default());
        }
        //= spec/tables.md#update-quota
        //# The quota check MUST run after the checks of sections 3, 4.2 and 4.3 and before the key checks of sections 4.5 and 3.7 (in that order), and a request rejected by any check MUST NOT count as a change.
        quota_check(&meta, call.now, choice != SseChoice::Owned)?;
        // The current key is checked before the key the request selects (section 4.5).
        self.current_key_blocks_switch(&st, call, &meta, records)?;
        let new_key = self.select_sse_key(&mut st, call, &choice, records)?;
        let ctx = meta.context(&self.config.account);
        let old_crypto = self.table_crypto_for_switch(&st, &meta)?;
        let mut updated = meta.clone();
        let new_table_key = match &new_key {
            None => {
                let (tk, blob) = self.owned_table_key(&ctx)?;
                updated.sse = TableSse::Owned;
                updated.grant_id = None;
                updated.wrapped_table_key = hex::encode(blob);
                tk
            }
            Some(key_id) => {
                let p = self.provision_kms_table_key(&mut st, call, &name, key_id, records)?;
                updated.sse = TableSse::Kms {
                    key_id: p.key_id,
                    key_arn: p.key_arn,
                };
                updated.grant_id = Some(p.grant_id);
                updated.wrapped_table_key = hex::encode(p.wrapped);
                p.table_key
            }
        };
        //= spec/tables.md#update-switch
        //# An accepted switch MUST create a grant on the new key and a new table key under it when the new key is a KMS key, and MUST retire the table's grant on the old key when the table used a KMS key, as `spec/trail.md#ddb-kms-calls` lists.
        self.retire_table_grant(&mut st, call, &meta, records)?;
        updated.generation += 1;
        updated.changes.push(call.now);
        updated.unusable_since = None;
        //= spec/tables.md#update-status
        //# From `t0` on, data-plane requests on the table MUST use the new table key and only the new key, so disabling the old key after `t0` MUST NOT make a data-plane request on the table fail.
        updated.switch = Some(KeySwitch {
            at: call.now,
            old_key_arn: match &meta.sse {
                TableSse::Owned => None,
                TableSse::Kms { key_arn, .. } => Some(key_arn.clone()),
            },
        });
        // Re-encrypt every item under the new table key (AWS: "DynamoDB generates a new table
        // key. Then, it uses the new table key to re-encrypt the data encryption keys").
        let new_crypto = TableCrypto::new(
            &new_table_key,
            &updated.arn(&self.config.region, &self.config.account),
        )?;
        let uid = meta.uid_bytes();
        let schema = meta.schema();
        let rows = self
            .store
            .scan(Space::Items, &uid)
            .map_err(|_| crate::engine::table_crypto::internal("storage read failed"))?;
        ops.push(WriteOp::DeletePrefix(Space::Items, uid.to_vec()));
        //= spec/items.md#index-at-rest
        //# A key switch MUST re-encrypt every index entry under the new table key in the same commit as the items.
        ops.push(WriteOp::DeletePrefix(Space::Index, uid.to_vec()));
        for x in &mut updated.extras.indexes {
            x.unfilled = false;
        }
        for (row, envelope) in rows {
            let item = old_crypto.open(&row, &envelope, &uid, &schema)?;
            let key = schema.key_of(&item, false)?;
            let new_row = new_crypto.row_key(&uid, &schema, &key);
            ops.push(WriteOp::Put(
                Space::Items,
                new_row.to_vec(),
                new_crypto.seal(&new_row, &item)?,
            ));
            self.index_entries_of(&new_crypto, &updated, &item, &mut ops)?;
        }
        ops.push(put_table(&updated));
        self.commit(ops)?;
        self.cache.evict_table(&uid);
        self.drop_owned_crypto(&uid);
        //= spec/tables.md#update-status
        //# The UpdateTable response of an accepted switch MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the old `KMSMasterKeyArn` when the table used a KMS key before the switch, or with `Status` alone when it used the AWS owned key.
        let sse = match &meta.sse {
            TableSse::Owned => SseDescription {
                status: Some("UPDATING".to_owned()),
                ..SseDescription::default()
            },
            TableSse::Kms { key_arn, .. } => SseDescription {
                status: Some("UPDATING".to_owned()),
                sse_type: Some("KMS".to_owned()),
                kms_master_key_arn: Some(self.shown_key_arn(key_arn)),
                inaccessible_encryption_date_time: None,
            },
        };
        let desc = self.describe(
            &updated,
            call.now,
            DescribeAs {
                status: None,
                sse: Some(Some(sse)),
            },
        );
        st.tables.insert(name, updated);
        Ok(TableDescriptionOutput {
            table_description: desc,
        })
    }

    /// The current table crypto, without a KMS record (DynamoDB re-encrypting its own table).
    fn table_crypto_for_switch(
        &self,
        st: &State,
        meta: &TableMeta,
    ) -> Result<Arc<TableCrypto>, ApiError> {
        match &meta.sse {
            TableSse::Owned => self.owned_table_crypto(meta),
            TableSse::Kms { key_id, .. } => {
                let tk = self
                    .unwrap_table_key_internal(
                        st,
                        key_id,
                        &meta.wrapped(),
                        &meta.context(&self.config.account),
                    )
                    .map_err(|_| KmsFailure::AccessDenied.to_dynamodb_error())?;
                Ok(Arc::new(TableCrypto::new(
                    &tk,
                    &meta.arn(&self.config.region, &self.config.account),
                )?))
            }
        }
    }

    /// UpdateTable without `SSESpecification`: billing mode, throughput, deletion protection.
    /// UpdateTable without SSE (`spec/control-plane.md#update-table`): streams and replicas are
    /// refused, then the table class, throughput, billing mode, deletion protection and indexes.
    fn update_other(
        &self,
        call: &Call<'_>,
        i: &UpdateTableInput,
        name: &str,
        others: bool,
        table_arn: &mut Option<String>,
    ) -> Result<TableDescriptionOutput, ApiError> {
        //= spec/control-plane.md#update-table-nothing
        //# An UpdateTable that carries no member besides `TableName` MUST fail with `ValidationException` and the message `At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required`.
        //= spec/control-plane.md#update-table-nothing
        //# An UpdateTable that carries `TableName` and exactly one of `BillingMode`, `ProvisionedThroughput`, `GlobalSecondaryIndexUpdates`, `StreamSpecification`, `ReplicaUpdates`, `TableClass` or `DeletionProtectionEnabled` MUST NOT fail with that message.
        if !others {
            return Err(table_settings::nothing_to_update());
        }
        let mut st = self.write_state();
        let mut meta = self.table_meta(&st, name)?.clone();
        *table_arn = Some(meta.arn(&self.config.region, &self.config.account));
        if let Some(stream) = &i.stream_specification {
            return Err(table_settings::stream_change(stream, name));
        }
        if i.replica_updates.is_some() {
            return Err(table_settings::replicas_unsupported());
        }
        let class = i
            .table_class
            .as_deref()
            .map(table_settings::table_class)
            .transpose()?;
        let billing = table_settings::update_billing(
            i.billing_mode.as_deref(),
            i.provisioned_throughput.as_ref(),
            &meta.billing_mode,
        )?;
        if let Some(b) = billing {
            //= spec/control-plane.md#update-billing
            //# An UpdateTable with `BillingMode` `PAY_PER_REQUEST` and no other member besides `TableName` MUST be accepted on a `PROVISIONED` table, and its response and every later DescribeTable MUST show `BillingModeSummary` with `BillingMode` `PAY_PER_REQUEST` and `LastUpdateToPayPerRequestDateTime` equal to the request's time, and `ProvisionedThroughput` with `ReadCapacityUnits` and `WriteCapacityUnits` 0.
            if b.mode == "PAY_PER_REQUEST" && meta.billing_mode != b.mode {
                meta.extras.pay_per_request_at = Some(call.now);
            } else if b.mode != "PAY_PER_REQUEST" && meta.billing_mode == "PAY_PER_REQUEST" {
                // Keep when on demand was last set, for the summary of a provisioned table.
                meta.extras.pay_per_request_at =
                    meta.extras.pay_per_request_since(meta.created, true);
            }
            meta.billing_mode = b.mode;
            meta.read_capacity = b.read;
            meta.write_capacity = b.write;
        }
        if let Some(class) = class {
            meta.extras.table_class = Some((class.to_owned(), call.now));
        }
        if let Some(dp) = i.deletion_protection_enabled {
            meta.deletion_protection = dp;
        }
        meta.extras.purge_indexes(call.now);
        if meta.billing_mode == "PAY_PER_REQUEST" {
            for x in &mut meta.extras.indexes {
                x.def.read = 0;
                x.def.write = 0;
            }
        }
        if let Some(updates) = &i.global_secondary_index_updates {
            self.apply_index_updates(&mut meta, updates, i, call.now)?;
        } else if i.attribute_definitions.is_some() {
            //= spec/control-plane.md#index-updates
            //# An UpdateTable with `AttributeDefinitions` and without `GlobalSecondaryIndexUpdates` MUST be rejected with `ValidationException`.
            return Err(ddbsse_wire::dynamodb_errors::invalid_parameter(
                "Cannot update attribute definitions without GlobalSecondaryIndexUpdates",
            ));
        }
        let mut ops = vec![put_table(&meta)];
        // A deleted index's entries go with it (a later index of the same name has another tag).
        let uid = meta.uid_bytes();
        for x in meta.extras.indexes.iter().filter(|x| x.deleted.is_some()) {
            ops.push(WriteOp::DeletePrefix(
                Space::Index,
                super::index_entries::index_prefix(&uid, x),
            ));
        }
        self.commit(ops)?;
        let desc = self.describe(&meta, call.now, DescribeAs::default());
        st.tables.insert(name.to_owned(), meta);
        Ok(TableDescriptionOutput {
            table_description: desc,
        })
    }
}

impl Engine {
    /// Applies `GlobalSecondaryIndexUpdates` to `meta` (`spec/control-plane.md#index-updates`).
    fn apply_index_updates(
        &self,
        meta: &mut TableMeta,
        updates: &[ddbsse_wire::dynamodb_control::GlobalSecondaryIndexUpdate],
        i: &UpdateTableInput,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        let current: Vec<&validate_indexes::IndexDef> = meta
            .extras
            .indexes
            .iter()
            .filter(|x| x.deleted.is_none())
            .map(|x| &x.def)
            .collect();
        let plan = validate_indexes::plan_index_updates(
            &meta.name,
            updates,
            i.attribute_definitions.as_deref(),
            &current,
            meta.extras.index_changing(now),
            &meta.attribute_definitions,
            &meta.key_schema,
            &meta.billing_mode,
        )?;
        for (name, read, write) in &plan.throughput {
            if let Some(x) = meta.extras.indexes.iter_mut().find(|x| &x.def.name == name) {
                x.def.read = *read;
                x.def.write = *write;
            }
        }
        if let Some(name) = &plan.delete
            && let Some(x) = meta.extras.indexes.iter_mut().find(|x| &x.def.name == name)
        {
            x.deleted = Some(now);
        }
        if let Some(def) = plan.create {
            meta.extras.indexes.push(StoredIndex {
                def,
                added: Some(now),
                deleted: None,
                unfilled: true,
            });
        }
        meta.attribute_definitions = plan.definitions;
        Ok(())
    }
}

//= spec/tables.md#update-quota
//# Within one 24-hour window counted from table creation, a target MUST accept the first 4 changes to a KMS key, and after those MUST accept a further change to a KMS key only when at least 6 hours (21600 s) have passed since the most recent change, rejecting it otherwise.
/// The D-QUO quota of key switches.
fn quota_check(meta: &TableMeta, now: Timestamp, to_kms: bool) -> Result<(), ApiError> {
    //= spec/tables.md#update-quota
    //# A switch to the AWS owned key MUST always be accepted by the quota check, and it counts as a change.
    if !to_kms {
        return Ok(());
    }
    let age = now.since(meta.created);
    let window_start = meta.created.plus(age / DAY * DAY);
    let window_end = window_start.plus(DAY);
    let in_window: Vec<Timestamp> = meta
        .changes
        .iter()
        .copied()
        .filter(|t| *t >= window_start && *t <= now)
        .collect();
    if in_window.len() < 4 {
        return Ok(());
    }
    let last = meta.changes.iter().copied().max().unwrap_or(meta.created);
    //= spec/tables.md#update-quota
    //# Within one 24-hour window counted from table creation, a target MUST accept the first 4 changes to a KMS key, and after those MUST accept a further change to a KMS key only when at least 6 hours (21600 s) have passed since the most recent change, rejecting it otherwise.
    if now.since(last) >= 6 * HOUR {
        return Ok(());
    }
    //= spec/tables.md#update-quota
    //# A rejected switch MUST fail with `LimitExceededException` (HTTP 400) and the message below:
    Err(ApiError::new(
        ErrorCode::LimitExceeded,
        format!(
            "Subscriber limit exceeded: Encryption mode changes are limited in the 24h window ending at {}. After the first 4 change, each subsequent change in the same window can be performed at most once every 21600 seconds. Number of updates today: {}. Last change at {}",
            window_end.iso_millis(),
            in_window.len(),
            last.iso_millis()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ddbsse_wire::attribute::ScalarType;
    use ddbsse_wire::time::SECOND;

    fn meta(changes: Vec<Timestamp>) -> TableMeta {
        TableMeta {
            name: "t".into(),
            uid: "00".repeat(16),
            table_id: "id".into(),
            created: Timestamp(0),
            attribute_definitions: vec![],
            key_schema: vec![],
            hash: ("pk".into(), ScalarType::S),
            range: None,
            billing_mode: "PAY_PER_REQUEST".into(),
            read_capacity: 0,
            write_capacity: 0,
            deletion_protection: false,
            sse: TableSse::Owned,
            grant_id: None,
            wrapped_table_key: String::new(),
            generation: 0,
            changes,
            unusable_since: None,
            archival_start: None,
            switch: None,
            extras: Default::default(),
        }
    }

    #[test]
    //= spec/tables.md#update-quota
    //= type=test
    //# Within one 24-hour window counted from table creation, a target MUST accept the first 4 changes to a KMS key, and after those MUST accept a further change to a KMS key only when at least 6 hours (21600 s) have passed since the most recent change, rejecting it otherwise.
    fn quota_four_then_one_per_six_hours() {
        let four: Vec<Timestamp> = (1..=4).map(|i| Timestamp(i * SECOND)).collect();
        assert!(quota_check(&meta(four[..3].to_vec()), Timestamp(10 * SECOND), true).is_ok());
        let m = meta(four.clone());
        let e = quota_check(&m, Timestamp(10 * SECOND), true).unwrap_err();
        assert_eq!(e.code, ErrorCode::LimitExceeded);
        assert!(e.message.contains("Number of updates today: 4"));
        assert!(
            e.message
                .contains("window ending at 1970-01-02T00:00:00.000Z")
        );
        assert!(quota_check(&m, Timestamp(10 * SECOND), false).is_ok());
        assert!(quota_check(&m, Timestamp(4 * SECOND + 6 * HOUR - 1), true).is_err());
        assert!(quota_check(&m, Timestamp(4 * SECOND + 6 * HOUR), true).is_ok());
        // A new window starts 24 h after creation.
        assert!(quota_check(&m, Timestamp(DAY), true).is_ok());
    }
}
