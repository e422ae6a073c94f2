//! The endpoint's DynamoDB: control plane ([`tables`]), the KMS calls DynamoDB makes ([`sse`]),
//! single and batch item operations ([`items`]), UpdateItem ([`update_item`]),
//! TransactWriteItems ([`transact`]) and Query/Scan ([`query`]).
//!
//! Control-plane requests are recorded in the trail (after the KMS calls they caused); data-plane
//! requests are not (they are data events), but the KMS Decrypt a data-plane request causes is.

pub mod control;
pub mod index_entries;
pub mod items;
pub mod query;
pub mod sse;
pub mod tables;
pub mod transact;
pub mod update_item;

use ddbsse_wire::dynamodb::{
    ArchivalSummary, BillingModeSummary, ProvisionedThroughputDescription, SseDescription,
    TableClassSummary, TableDescription,
};
use ddbsse_wire::operation::{Request, Response};
use ddbsse_wire::table_arn::{Renamed, Scope, resolve as resolve_table_arn};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::TrailRecord;
use ddbsse_wire::{ApiError, ErrorCode, Operation, arn};
use serde_json::Value;

use super::lifecycle::{self, Lifecycle};
use super::state::{TableMeta, TableSse};
use super::trail::{Actor, RecordSpec, lower_camel};
use super::{Call, Engine};
use crate::storage::Space;

pub use ddbsse_wire::dynamodb_errors::table_not_found;

/// Overrides of the description a response shows.
#[derive(Clone, Debug, Default)]
pub struct DescribeAs {
    /// `CREATING` or `DELETING` instead of the lifecycle status.
    pub status: Option<&'static str>,
    /// The `SSEDescription` of an UpdateTable response.
    pub sse: Option<Option<SseDescription>>,
}

fn to_value(v: impl serde::Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|_| super::table_crypto::internal("response encoding failed"))
}

/// The JSON body of an output, written straight from the output (the data plane's answers skip
/// the `Value` tree that the control plane needs for its trail record).
pub(crate) fn encode(v: impl serde::Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(&v).map_err(|_| super::table_crypto::internal("response encoding failed"))
}

impl Engine {
    /// Runs one DynamoDB request.
    pub(crate) fn dynamodb_request(
        &self,
        call: &Call<'_>,
        req: Request,
    ) -> Result<Vec<u8>, ApiError> {
        let name = req.operation().name();
        let control = req.operation().control_plane();
        // The handlers see table names only (`spec/tables.md#table-arn`); a refused table ARN
        // is the request's result, recorded like any other refusal of a control-plane call.
        let scope = Scope {
            region: &self.config.region,
            account: &self.config.account,
            access_key_id: &call.caller.access_key_id,
        };
        let (req, renamed, refused) = match req.resolve_table_arns(&scope) {
            Ok(Some((resolved, renamed))) => (resolved, renamed, None),
            Ok(None) => (req, Renamed::default(), None),
            Err(e) if !control => return Err(e),
            Err(e) => (req, Renamed::default(), Some(e)),
        };
        if !control {
            return match req {
                Request::PutItem(i) => encode(self.put_item(call, i)?),
                Request::GetItem(i) => self.get_item(call, i),
                Request::DeleteItem(i) => encode(self.delete_item(call, i)?),
                Request::UpdateItem(i) => encode(self.update_item(call, i)?),
                Request::TransactWriteItems(i) => encode(self.transact_write_items(call, i)?),
                Request::TransactGetItems(i) => encode(self.transact_get_items(call, i)?),
                Request::Query(i) => encode(self.query(call, i)?),
                Request::Scan(i) => encode(self.scan(call, i)?),
                Request::BatchWriteItem(i) => {
                    let mut answer = Response::BatchWriteItem(self.batch_write_item(call, i)?);
                    renamed.restore(&mut answer);
                    encode(answer)
                }
                Request::BatchGetItem(i) => {
                    let mut answer = Response::BatchGetItem(self.batch_get_item(call, i)?);
                    renamed.restore(&mut answer);
                    encode(answer)
                }
                other => Err(ApiError::new(
                    ErrorCode::UnknownOperation,
                    format!("{} is not a DynamoDB operation", other.operation().name()),
                )),
            };
        }
        let mut kms_records: Vec<TrailRecord> = Vec::new();
        let mut table_arn: Option<String> = None;
        let result = match (refused, req) {
            (Some(refusal), _) => Err(refusal),
            (None, Request::CreateTable(i)) => self
                .create_table(call, i, &mut kms_records, &mut table_arn)
                .and_then(to_value),
            (None, Request::DescribeTable(i)) => self
                .describe_table(call, i, &mut table_arn)
                .and_then(to_value),
            (None, Request::UpdateTable(i)) => self
                .update_table(call, i, &mut kms_records, &mut table_arn)
                .and_then(to_value),
            (None, Request::DeleteTable(i)) => self
                .delete_table(call, i, &mut kms_records, &mut table_arn)
                .and_then(to_value),
            (None, Request::ListTables(i)) => self.list_tables(call, i).and_then(to_value),
            (None, other) => self.control_request(call, other, &mut table_arn),
        };
        //= spec/trail.md#resources
        //# `resources` MUST be `[{"ARN": <key ARN>, "accountId": <account>, "type": "AWS::KMS::Key"}]` on records of KMS operations that name an existing key, `[{"ARN": <table ARN>, "accountId": <account>, "type": "AWS::DynamoDB::Table"}]` on records of DynamoDB requests that name a table, and `[]` otherwise.
        if table_arn.is_none()
            && let Some(t) = call.body.get("TableName").and_then(Value::as_str)
            && let Ok(t) = resolve_table_arn(t, &scope, name)
            && ddbsse_wire::validate::require_table_name(Some(t)).is_ok()
        {
            table_arn = Some(arn::table(&self.config.region, &self.config.account, t));
        }
        let read_only = Operation::from_name(name).is_some_and(Operation::read_only);
        //= spec/trail.md#response-elements
        //# `responseElements` MUST be `{"grantId": <grant id>, "keyId": <key ARN>}` for a successful CreateGrant (by a caller or by DynamoDB), `{"keyId": <key ARN>, "keyState": "PendingDeletion", "deletionDate": <deletion date>}` for a successful ScheduleKeyDeletion, `{"keyId": <key ARN>}` for a successful CancelKeyDeletion, `{"keyMetadata": <KeyMetadata with lowercased member names>}` for a successful CreateKey, `{"tableDescription": <the response's TableDescription with lowercased member names>}` for a successful CreateTable, UpdateTable or DeleteTable, and `null` for every other record except the alias records of the next sentence.
        let describes_table = matches!(name, "CreateTable" | "UpdateTable" | "DeleteTable");
        let (response_elements, error) = match &result {
            Ok(v) if describes_table => (lower_camel(v), None),
            Ok(_) => (Value::Null, None),
            Err(e) => (Value::Null, Some((e.name().to_owned(), e.message.clone()))),
        };
        let request_parameters = match call.body {
            Value::Object(m) if m.is_empty() => Value::Null,
            b => lower_camel(b),
        };
        let record = self.record(
            RecordSpec {
                kms: false,
                event_name: name,
                actor: Actor::Caller(call.caller),
                request_parameters,
                response_elements,
                additional: None,
                request_id: call.request_id.to_owned(),
                read_only,
                resource: table_arn,
                error,
            },
            call.now,
        );
        kms_records.push(record);
        self.append_trail(kms_records)?;
        result.and_then(encode)
    }

    /// The table's description at `now`.
    pub(crate) fn describe(
        &self,
        meta: &TableMeta,
        now: Timestamp,
        as_: DescribeAs,
    ) -> TableDescription {
        let life = lifecycle::status(meta, now);
        let mut status = as_.status.unwrap_or(life.table_status());
        //= spec/control-plane.md#index-status
        //# While a global index of the table is `CREATING` or `DELETING`, a table that would otherwise be described as `ACTIVE` MUST be described with `TableStatus` `UPDATING`.
        if status == "ACTIVE" && meta.extras.index_changing(now) {
            status = "UPDATING";
        }
        let table_arn = meta.arn(&self.config.region, &self.config.account);
        //= spec/control-plane.md#index-describe
        //# A table with local secondary indexes MUST be described with `LocalSecondaryIndexes`, and one with global secondary indexes with `GlobalSecondaryIndexes`, each entry with the index's name, key schema and projection as created, `ItemCount` and `IndexSizeBytes` as section 2.4.1 says, and `IndexArn` `<table ARN>/index/<index name>`; global entries add `IndexStatus` and `ProvisionedThroughput`; a table without indexes of a kind MUST NOT carry that member.
        let locals: Vec<_> = meta
            .extras
            .indexes
            .iter()
            .filter(|x| !x.def.global)
            .map(|x| {
                let mut d = x.def.describe_local(&table_arn);
                (d.item_count, d.index_size_bytes) = self.index_figures(meta, x);
                d
            })
            .collect();
        let globals: Vec<_> = meta
            .extras
            .indexes
            .iter()
            .filter(|x| x.def.global)
            .filter_map(|x| {
                x.status(now).map(|st| {
                    let mut d = x.def.describe_global(st, &table_arn);
                    (d.item_count, d.index_size_bytes) = self.index_figures(meta, x);
                    d
                })
            })
            .collect();
        let updating = |key_arn: Option<&str>| SseDescription {
            status: Some("UPDATING".to_owned()),
            sse_type: key_arn.map(|_| "KMS".to_owned()),
            kms_master_key_arn: key_arn.map(|k| self.shown_key_arn(k)),
            inaccessible_encryption_date_time: None,
        };
        let new_key_arn = match &meta.sse {
            TableSse::Owned => None,
            TableSse::Kms { key_arn, .. } => Some(key_arn.as_str()),
        };
        let sse = match (as_.sse, &meta.switch) {
            (Some(s), _) => s,
            //= spec/tables.md#update-status
            //# A description of the table made before `t0` + 8 s (8000 ms) MUST carry the same `SSEDescription` as the UpdateTable response.
            (None, Some(sw)) if now < sw.at.plus(lifecycle::SWITCH_OLD_KEY_MS) => {
                Some(updating(sw.old_key_arn.as_deref()))
            }
            //= spec/tables.md#update-status
            //# A description of the table made at or after `t0` + 8 s and before `t0` + 22 s (22000 ms) MUST carry `SSEDescription` with `Status` `UPDATING`, and with `SSEType` `KMS` and the new key ARN when the new key is a KMS key, or with `Status` alone when the new key is the AWS owned key.
            (None, Some(_)) if lifecycle::switch_updating(meta, now) => Some(updating(new_key_arn)),
            //= spec/tables.md#update-status
            //# A description of the table made at or after `t0` + 22 s MUST describe the new key: `SSEDescription` with `Status` `ENABLED` and the new key ARN for a KMS key, or no `SSEDescription` for the AWS owned key.
            (None, _) => match &meta.sse {
                TableSse::Owned => None,
                //= spec/tables.md#sse-description
                //# The `TableDescription` of a KMS table MUST contain `SSEDescription` with `Status` `ENABLED`, `SSEType` `KMS` and `KMSMasterKeyArn` equal to the table's key ARN, from the CreateTable response on, except while section 4.4 says otherwise.
                TableSse::Kms { key_arn, .. } => Some(SseDescription {
                    status: Some("ENABLED".to_owned()),
                    sse_type: Some("KMS".to_owned()),
                    kms_master_key_arn: Some(self.shown_key_arn(key_arn)),
                    //= spec/tables.md#status-inaccessible
                    //# While a table is `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, `ARCHIVING` or `ARCHIVED`, its `SSEDescription` MUST keep `Status` `ENABLED` and its `KMSMasterKeyArn`, and MUST add `InaccessibleEncryptionDateTime` equal to the unusable-since time plus 900 s, in epoch seconds.
                    inaccessible_encryption_date_time: life
                        .detected()
                        .map(Timestamp::epoch_seconds),
                }),
            },
        };
        let archival_summary = match life {
            Lifecycle::Archived { start, .. } => Some(ArchivalSummary {
                archival_date_time: start.epoch_seconds(),
                archival_reason: "INACCESSIBLE_ENCRYPTION_CREDENTIALS".to_owned(),
                archival_backup_arn: format!(
                    "{}/backup/{:014}-{}",
                    meta.arn(&self.config.region, &self.config.account),
                    start.millis(),
                    &meta.uid.get(..8).unwrap_or("00000000")
                ),
            }),
            _ => None,
        };
        let item_count = self
            .store
            .count(Space::Items, &meta.uid_bytes())
            .unwrap_or(0) as i64;
        TableDescription {
            attribute_definitions: meta.attribute_definitions.clone(),
            table_name: meta.name.clone(),
            key_schema: meta.key_schema.clone(),
            table_status: status.to_owned(),
            creation_date_time: meta.created.epoch_seconds(),
            provisioned_throughput: ProvisionedThroughputDescription {
                number_of_decreases_today: 0,
                read_capacity_units: meta.read_capacity,
                write_capacity_units: meta.write_capacity,
            },
            table_size_bytes: 0,
            item_count,
            table_arn,
            table_id: meta.table_id.clone(),
            //= spec/control-plane.md#update-billing
            //# An UpdateTable with `BillingMode` `PROVISIONED` and `ProvisionedThroughput` on a `PAY_PER_REQUEST` table MUST be accepted, and its response and every later DescribeTable MUST show the requested capacities and `BillingModeSummary` with `BillingMode` `PROVISIONED` and the `LastUpdateToPayPerRequestDateTime` of the table's last switch to `PAY_PER_REQUEST` (its creation time when it was created so).
            billing_mode_summary: meta
                .extras
                .pay_per_request_since(meta.created, meta.billing_mode == "PAY_PER_REQUEST")
                .map(|at| BillingModeSummary {
                    billing_mode: meta.billing_mode.clone(),
                    last_update_to_pay_per_request_date_time: Some(at.epoch_seconds()),
                }),
            //= spec/control-plane.md#update-table-class
            //# An UpdateTable with `TableClass` `STANDARD` or `STANDARD_INFREQUENT_ACCESS` and no other member besides `TableName` MUST be accepted, and its response and every later DescribeTable MUST show `TableClassSummary` with that `TableClass` and `LastUpdateDateTime` equal to the request's time.
            table_class_summary: meta.extras.table_class.as_ref().map(|(class, at)| {
                TableClassSummary {
                    table_class: class.clone(),
                    last_update_date_time: Some(at.epoch_seconds()),
                }
            }),
            local_secondary_indexes: (!locals.is_empty()).then_some(locals),
            global_secondary_indexes: (!globals.is_empty()).then_some(globals),
            sse_description: sse,
            archival_summary,
            deletion_protection_enabled: meta.deletion_protection,
        }
    }

    /// The key ARN `SSEDescription` shows (wrong on purpose under the fault).
    pub(crate) fn shown_key_arn(&self, key_arn: &str) -> String {
        if !self.config.faults.wrong_sse_key_arn {
            return key_arn.to_owned();
        }
        let mut s = key_arn.to_owned();
        if let Some(last) = s.pop() {
            s.push(if last == '0' { '1' } else { '0' });
        }
        s
    }
}
