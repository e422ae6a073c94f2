//! The model's control plane beyond tables and keys (`spec/control-plane.md`): secondary indexes
//! and their timed status, UpdateTimeToLive and DescribeTimeToLive, the tag operations,
//! DescribeContinuousBackups and UpdateContinuousBackups, and DescribeLimits.
//!
//! What a table is lives in `tables.rs`; this file holds the extras a table carries for these
//! operations and their transitions. None of them makes a KMS call.

use std::collections::BTreeMap;

use ddbsse_wire::control_errors::{
    self, ACCOUNT_MAX_CAPACITY_UNITS, INDEX_CREATING_MS, INDEX_DELETING_MS, PITR_LATEST_LAG_MS,
    TABLE_MAX_CAPACITY_UNITS, TTL_UPDATE_INTERVAL_MS,
};
use ddbsse_wire::dynamodb::{TableNameInput, UpdateTableInput};
use ddbsse_wire::dynamodb_control::*;
use ddbsse_wire::dynamodb_errors::table_not_found;
use ddbsse_wire::operation::Empty;
use ddbsse_wire::time::{DAY, Timestamp};
use ddbsse_wire::validate_indexes::{self, IndexDef};
use ddbsse_wire::{ApiError, validate, validate_control};

use super::Model;
use super::tables::Table;

/// One secondary index of a table.
#[derive(Clone, Debug)]
pub struct Index {
    /// The validated definition.
    pub def: IndexDef,
    /// When UpdateTable added it (`None`: with the table).
    pub added: Option<Timestamp>,
    /// When UpdateTable deleted it.
    pub deleted: Option<Timestamp>,
}

impl Index {
    /// `CREATING`, `ACTIVE` or `DELETING` at `now`; `None` once a deleted index is gone.
    pub fn status(&self, now: Timestamp) -> Option<&'static str> {
        //= spec/control-plane.md#index-status
        //# A global index deleted by UpdateTable MUST be described with `IndexStatus` `DELETING` from the UpdateTable response until 5 s (5000 ms) later, and MUST NOT be described from then on.
        if let Some(d) = self.deleted {
            return (now < d.plus(INDEX_DELETING_MS)).then_some("DELETING");
        }
        //= spec/control-plane.md#index-status
        //# A global index added by UpdateTable MUST be described with `IndexStatus` `CREATING` and `Backfilling` `true` from the UpdateTable response until 5 s (5000 ms) later, and with `IndexStatus` `ACTIVE` and no `Backfilling` from then on.
        match self.added {
            Some(a) if now < a.plus(INDEX_CREATING_MS) => Some("CREATING"),
            _ => Some("ACTIVE"),
        }
    }
}

/// A table's time to live: attribute, enabled, last accepted change.
#[derive(Clone, Debug)]
pub struct Ttl {
    pub attribute: String,
    pub enabled: bool,
    pub changed: Timestamp,
}

/// The extras of a table.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// Local indexes first, then global ones, in request order.
    pub indexes: Vec<Index>,
    pub ttl: Option<Ttl>,
    pub tags: BTreeMap<String, String>,
    /// Point-in-time recovery: enabled since, recovery period in days.
    pub pitr: Option<(Timestamp, i64)>,
}

impl Extras {
    /// Whether an index is `CREATING` or `DELETING` at `now`.
    pub fn index_changing(&self, now: Timestamp) -> bool {
        self.indexes
            .iter()
            .any(|i| matches!(i.status(now), Some("CREATING" | "DELETING")))
    }

    /// The description members of the table's indexes at `now`.
    pub fn describe(
        &self,
        now: Timestamp,
        table_arn: &str,
    ) -> (
        Option<Vec<LocalSecondaryIndexDescription>>,
        Option<Vec<GlobalSecondaryIndexDescription>>,
    ) {
        //= spec/control-plane.md#index-describe
        //# A table with local secondary indexes MUST be described with `LocalSecondaryIndexes`, and one with global secondary indexes with `GlobalSecondaryIndexes`, each entry with the index's name, key schema and projection as created, `ItemCount` and `IndexSizeBytes` as section 2.4.1 says, and `IndexArn` `<table ARN>/index/<index name>`; global entries add `IndexStatus` and `ProvisionedThroughput`; a table without indexes of a kind MUST NOT carry that member.
        let locals: Vec<_> = self
            .indexes
            .iter()
            .filter(|i| !i.def.global)
            .map(|i| i.def.describe_local(table_arn))
            .collect();
        let globals: Vec<_> = self
            .indexes
            .iter()
            .filter(|i| i.def.global)
            .filter_map(|i| i.status(now).map(|s| i.def.describe_global(s, table_arn)))
            .collect();
        (
            (!locals.is_empty()).then_some(locals),
            (!globals.is_empty()).then_some(globals),
        )
    }
}

impl Model {
    /// Applies UpdateTable's index updates to `table` (`spec/control-plane.md#index-updates`).
    pub(super) fn update_indexes(
        table: &mut Table,
        input: &UpdateTableInput,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        table.extras.indexes.retain(|i| i.status(now).is_some());
        if table.billing_mode == "PAY_PER_REQUEST" {
            for i in &mut table.extras.indexes {
                i.def.read = 0;
                i.def.write = 0;
            }
        }
        let Some(updates) = &input.global_secondary_index_updates else {
            //= spec/control-plane.md#index-updates
            //# An UpdateTable with `AttributeDefinitions` and without `GlobalSecondaryIndexUpdates` MUST be rejected with `ValidationException`.
            if input.attribute_definitions.is_some() {
                return Err(ddbsse_wire::dynamodb_errors::invalid_parameter(
                    "Cannot update attribute definitions without GlobalSecondaryIndexUpdates",
                ));
            }
            return Ok(());
        };
        let current: Vec<&IndexDef> = table
            .extras
            .indexes
            .iter()
            .filter(|i| i.deleted.is_none())
            .map(|i| &i.def)
            .collect();
        let plan = validate_indexes::plan_index_updates(
            &table.name,
            updates,
            input.attribute_definitions.as_deref(),
            &current,
            table.extras.index_changing(now),
            &table.attribute_definitions,
            &table.key_schema,
            &table.billing_mode,
        )?;
        for (name, read, write) in &plan.throughput {
            if let Some(i) = table
                .extras
                .indexes
                .iter_mut()
                .find(|i| &i.def.name == name)
            {
                i.def.read = *read;
                i.def.write = *write;
            }
        }
        if let Some(name) = &plan.delete
            && let Some(i) = table
                .extras
                .indexes
                .iter_mut()
                .find(|i| &i.def.name == name)
        {
            i.deleted = Some(now);
        }
        if let Some(def) = plan.create {
            table.extras.indexes.push(Index {
                def,
                added: Some(now),
                deleted: None,
            });
        }
        table.attribute_definitions = plan.definitions;
        Ok(())
    }

    pub(super) fn update_time_to_live(
        &mut self,
        now: Timestamp,
        input: &UpdateTimeToLiveInput,
    ) -> Result<UpdateTimeToLiveOutput, ApiError> {
        let change = validate_control::ttl_change(
            input.table_name.as_deref(),
            input.time_to_live_specification.as_ref(),
        )?;
        let table = self
            .tables
            .get_mut(&change.table)
            .ok_or_else(|| table_not_found(&change.table))?;
        let current = table.extras.ttl.as_ref();
        let enabled_on = current.filter(|t| t.enabled).map(|t| t.attribute.clone());
        match (change.enabled, enabled_on) {
            //= spec/control-plane.md#ttl-update
            //# Enabling TTL on the attribute it is already enabled on MUST be rejected with `ValidationException` and the message `TimeToLive is already enabled`; enabling it on another attribute while it is enabled MUST be rejected with `ValidationException` and the message `TimeToLive is active on a different AttributeName: current AttributeName is <attribute>`.
            (true, Some(a)) if a == change.attribute => {
                return Err(control_errors::ttl_already_enabled());
            }
            (true, Some(a)) => return Err(control_errors::ttl_other_attribute(&a)),
            //= spec/control-plane.md#ttl-update
            //# Disabling TTL while it is not enabled MUST be rejected with `ValidationException` and the message `TimeToLive is already disabled`; disabling it naming another attribute than the enabled one MUST be rejected as enabling on another attribute is.
            (false, None) => return Err(control_errors::ttl_already_disabled()),
            (false, Some(a)) if a != change.attribute => {
                return Err(control_errors::ttl_other_attribute(&a));
            }
            _ => {}
        }
        //= spec/control-plane.md#ttl-update
        //# An UpdateTimeToLive that passes the checks above within one hour (3600000 ms) after the table's last accepted UpdateTimeToLive MUST be rejected with `ValidationException` and the message `Time to live has been modified multiple times within a fixed interval`.
        if current.is_some_and(|t| now < t.changed.plus(TTL_UPDATE_INTERVAL_MS)) {
            return Err(control_errors::ttl_modified_too_often());
        }
        table.extras.ttl = Some(Ttl {
            attribute: change.attribute.clone(),
            enabled: change.enabled,
            changed: now,
        });
        //= spec/control-plane.md#ttl-update
        //# An accepted UpdateTimeToLive MUST answer the `TimeToLiveSpecification` it was given.
        Ok(UpdateTimeToLiveOutput {
            time_to_live_specification: TimeToLiveSpecification {
                enabled: Some(change.enabled),
                attribute_name: Some(change.attribute),
            },
        })
    }

    pub(super) fn describe_time_to_live(
        &self,
        input: &TableNameInput,
    ) -> Result<DescribeTimeToLiveOutput, ApiError> {
        let name = validate::require_table_name(input.table_name.as_deref())?;
        let table = self.tables.get(name).ok_or_else(|| table_not_found(name))?;
        //= spec/control-plane.md#ttl-describe
        //# DescribeTimeToLive MUST answer `TimeToLiveStatus` `ENABLED` with the `AttributeName` from the accepted UpdateTimeToLive that enabled TTL on, and `TimeToLiveStatus` `DISABLED` without `AttributeName` when TTL was never enabled or was disabled since.
        let (status, attribute_name) = match &table.extras.ttl {
            Some(t) if t.enabled => ("ENABLED", Some(t.attribute.clone())),
            _ => ("DISABLED", None),
        };
        Ok(DescribeTimeToLiveOutput {
            time_to_live_description: TimeToLiveDescription {
                time_to_live_status: status.to_owned(),
                attribute_name,
            },
        })
    }

    /// The table a tag operation names.
    fn tag_table(&self, arn: Option<&str>) -> Result<String, ApiError> {
        let name =
            validate_control::table_arn_name(arn, &self.config.region, &self.config.account)?;
        //= spec/control-plane.md#tags
        //# A tag operation naming a table ARN of no existing table MUST fail with `ResourceNotFoundException` and the message `Requested resource not found: ResourcArn: <arn> not found` (AWS's spelling).
        if self.tables.contains_key(name) {
            Ok(name.to_owned())
        } else {
            Err(control_errors::tag_resource_not_found(
                arn.unwrap_or_default(),
            ))
        }
    }

    pub(super) fn ddb_tag_resource(&mut self, input: &TagResourceInput) -> Result<Empty, ApiError> {
        let arn = input.resource_arn.as_deref();
        validate_control::table_arn_name(arn, &self.config.region, &self.config.account)?;
        if input.tags.is_none() {
            return Err(validate::missing_member("tags"));
        }
        let name = self.tag_table(arn)?;
        let table = self
            .tables
            .get_mut(&name)
            .ok_or_else(|| table_not_found(&name))?;
        //= spec/control-plane.md#tags
        //# TagResource MUST add each given tag to the table, replacing the value of a key the table already has.
        table.extras.tags =
            validate_control::tags_to_add(&table.extras.tags, input.tags.as_deref())?;
        Ok(Empty {})
    }

    pub(super) fn ddb_untag_resource(
        &mut self,
        input: &UntagResourceInput,
    ) -> Result<Empty, ApiError> {
        let arn = input.resource_arn.as_deref();
        validate_control::table_arn_name(arn, &self.config.region, &self.config.account)?;
        let keys = validate_control::tag_keys(input.tag_keys.as_deref())?.to_vec();
        let name = self.tag_table(arn)?;
        let table = self
            .tables
            .get_mut(&name)
            .ok_or_else(|| table_not_found(&name))?;
        //= spec/control-plane.md#tags
        //# UntagResource MUST remove the tags of the given keys; a key the table does not have MUST be ignored.
        for k in &keys {
            table.extras.tags.remove(k);
        }
        Ok(Empty {})
    }

    pub(super) fn ddb_list_tags_of_resource(
        &self,
        input: &ListTagsOfResourceInput,
    ) -> Result<ListTagsOfResourceOutput, ApiError> {
        let name = self.tag_table(input.resource_arn.as_deref())?;
        let table = self
            .tables
            .get(&name)
            .ok_or_else(|| table_not_found(&name))?;
        //= spec/control-plane.md#tags
        //# ListTagsOfResource MUST answer every tag of the table in one page, ordered by key, without `NextToken`, and `Tags` `[]` for a table without tags.
        Ok(ListTagsOfResourceOutput {
            tags: table
                .extras
                .tags
                .iter()
                .map(|(k, v)| Tag {
                    key: Some(k.clone()),
                    value: Some(v.clone()),
                })
                .collect(),
            next_token: None,
        })
    }

    /// The table of a continuous-backups request.
    fn backups_table(&self, name: &str) -> Result<&Table, ApiError> {
        //= spec/control-plane.md#pitr
        //# DescribeContinuousBackups and UpdateContinuousBackups naming a table that does not exist, or one that is `ARCHIVING` or `ARCHIVED`, MUST fail with `TableNotFoundException` and the message `Table not found: <table name>`.
        self.tables
            .get(name)
            .filter(|t| !t.status.is_archival())
            .ok_or_else(|| control_errors::continuous_backups_table_not_found(name))
    }

    pub(super) fn describe_continuous_backups(
        &self,
        now: Timestamp,
        input: &TableNameInput,
    ) -> Result<ContinuousBackupsOutput, ApiError> {
        let name = validate::require_table_name(input.table_name.as_deref())?;
        let table = self.backups_table(name)?;
        Ok(continuous_backups(table.extras.pitr, now))
    }

    pub(super) fn update_continuous_backups(
        &mut self,
        now: Timestamp,
        input: &UpdateContinuousBackupsInput,
    ) -> Result<ContinuousBackupsOutput, ApiError> {
        let change = validate_control::pitr_change(
            input.table_name.as_deref(),
            input.point_in_time_recovery_specification.as_ref(),
        )?;
        self.backups_table(&change.table)?;
        let table = self
            .tables
            .get_mut(&change.table)
            .ok_or_else(|| control_errors::continuous_backups_table_not_found(&change.table))?;
        //= spec/control-plane.md#pitr
        //# An accepted UpdateContinuousBackups that enables point-in-time recovery MUST keep the time it was first enabled when it was enabled already (changing only the recovery period), and one that disables it MUST forget that time.
        table.extras.pitr = change.enabled.then(|| {
            (
                table.extras.pitr.map_or(now, |(since, _)| since),
                change.days,
            )
        });
        Ok(continuous_backups(table.extras.pitr, now))
    }

    pub(super) fn describe_limits(&self) -> Result<DescribeLimitsOutput, ApiError> {
        //= spec/control-plane.md#limits
        //# DescribeLimits MUST answer `AccountMaxReadCapacityUnits` and `AccountMaxWriteCapacityUnits` 80000 and `TableMaxReadCapacityUnits` and `TableMaxWriteCapacityUnits` 40000.
        Ok(DescribeLimitsOutput {
            account_max_read_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
            account_max_write_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
            table_max_read_capacity_units: TABLE_MAX_CAPACITY_UNITS,
            table_max_write_capacity_units: TABLE_MAX_CAPACITY_UNITS,
        })
    }
}

/// The continuous-backups description at `now`.
fn continuous_backups(pitr: Option<(Timestamp, i64)>, now: Timestamp) -> ContinuousBackupsOutput {
    //= spec/control-plane.md#pitr
    //# `ContinuousBackupsStatus` MUST be `ENABLED` for every table; while point-in-time recovery is disabled `PointInTimeRecoveryDescription` MUST be `{"PointInTimeRecoveryStatus": "DISABLED"}` alone.
    let description = match pitr {
        None => PointInTimeRecoveryDescription {
            point_in_time_recovery_status: "DISABLED".to_owned(),
            ..PointInTimeRecoveryDescription::default()
        },
        //= spec/control-plane.md#pitr
        //# While it is enabled, the description MUST carry `PointInTimeRecoveryStatus` `ENABLED`, `RecoveryPeriodInDays`, `EarliestRestorableDateTime` equal to the later of the time it was enabled and `now` minus the recovery period, and `LatestRestorableDateTime` equal to the later of the time it was enabled and `now` minus 5 minutes, both in epoch seconds.
        Some((since, days)) => {
            let period = u64::try_from(days).unwrap_or(0) * DAY;
            PointInTimeRecoveryDescription {
                point_in_time_recovery_status: "ENABLED".to_owned(),
                recovery_period_in_days: Some(days),
                earliest_restorable_date_time: Some(
                    since
                        .max(Timestamp(now.0.saturating_sub(period)))
                        .epoch_seconds(),
                ),
                latest_restorable_date_time: Some(
                    since
                        .max(Timestamp(now.0.saturating_sub(PITR_LATEST_LAG_MS)))
                        .epoch_seconds(),
                ),
            }
        }
    };
    ContinuousBackupsOutput {
        continuous_backups_description: ContinuousBackupsDescription {
            continuous_backups_status: "ENABLED".to_owned(),
            point_in_time_recovery_description: description,
        },
    }
}
