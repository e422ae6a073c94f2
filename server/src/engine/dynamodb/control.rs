//! The endpoint's control plane beyond tables and keys: UpdateTimeToLive and
//! DescribeTimeToLive, TagResource, UntagResource and ListTagsOfResource,
//! DescribeContinuousBackups and UpdateContinuousBackups, and DescribeLimits
//! (`spec/control-plane.md`). Index changes ride on UpdateTable (`tables.rs`).
//!
//! None of these touch SSE: they make no KMS call, and a table's key covers whatever they
//! describe (`spec/control-plane.md#sse`).

use ddbsse_wire::control_errors::{
    self, ACCOUNT_MAX_CAPACITY_UNITS, PITR_LATEST_LAG_MS, TABLE_MAX_CAPACITY_UNITS,
    TTL_UPDATE_INTERVAL_MS,
};
use ddbsse_wire::dynamodb::TableNameInput;
use ddbsse_wire::dynamodb_control::*;
use ddbsse_wire::operation::{Empty, Request};
use ddbsse_wire::time::{DAY, Timestamp};
use ddbsse_wire::{ApiError, ErrorCode, arn, validate, validate_control};
use serde_json::Value;

use super::{table_not_found, to_value};
use crate::engine::control_state::{PitrState, TtlState};
use crate::engine::lifecycle;
use crate::engine::state::{TableMeta, put_table};
use crate::engine::{Call, Engine};

impl Engine {
    /// Runs one of this module's requests; `table_arn` receives the table the record names.
    pub(crate) fn control_request(
        &self,
        call: &Call<'_>,
        req: Request,
        table_arn: &mut Option<String>,
    ) -> Result<Value, ApiError> {
        match req {
            Request::UpdateTimeToLive(i) => to_value(self.update_ttl(call, i)?),
            Request::DescribeTimeToLive(i) => to_value(self.describe_ttl(i)?),
            Request::TagResource(i) => {
                let name = self.tag_target(i.resource_arn.as_deref(), table_arn)?;
                to_value(self.ddb_tag_resource(call, &name, i)?)
            }
            Request::UntagResource(i) => {
                let name = self.tag_target(i.resource_arn.as_deref(), table_arn)?;
                to_value(self.ddb_untag_resource(&name, i)?)
            }
            Request::ListTagsOfResource(i) => {
                let name = self.tag_target(i.resource_arn.as_deref(), table_arn)?;
                to_value(self.list_tags(&name, i.resource_arn.as_deref().unwrap_or_default())?)
            }
            Request::DescribeContinuousBackups(i) => {
                to_value(self.describe_continuous_backups(call, i)?)
            }
            Request::UpdateContinuousBackups(i) => {
                to_value(self.update_continuous_backups(call, i)?)
            }
            Request::DescribeLimits(_) => to_value(describe_limits()),
            other => Err(ApiError::new(
                ErrorCode::UnknownOperation,
                format!("{} is not a DynamoDB operation", other.operation().name()),
            )),
        }
    }

    /// Changes a table's metadata under the write lock and stores it.
    fn change_table<T>(
        &self,
        name: &str,
        missing: impl FnOnce(&str) -> ApiError,
        f: impl FnOnce(&mut TableMeta) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut st = self.write_state();
        let Some(meta) = st.tables.get(name) else {
            return Err(missing(name));
        };
        let mut meta = meta.clone();
        let out = f(&mut meta)?;
        self.commit(vec![put_table(&meta)])?;
        st.tables.insert(name.to_owned(), meta);
        Ok(out)
    }

    fn update_ttl(
        &self,
        call: &Call<'_>,
        i: UpdateTimeToLiveInput,
    ) -> Result<UpdateTimeToLiveOutput, ApiError> {
        let change = validate_control::ttl_change(
            i.table_name.as_deref(),
            i.time_to_live_specification.as_ref(),
        )?;
        self.change_table(&change.table, table_not_found, |meta| {
            let current = meta.extras.ttl.as_ref();
            let enabled_on = current.filter(|t| t.enabled).map(|t| t.attribute.as_str());
            match (change.enabled, enabled_on) {
                //= spec/control-plane.md#ttl-update
                //# Enabling TTL on the attribute it is already enabled on MUST be rejected with `ValidationException` and the message `TimeToLive is already enabled`; enabling it on another attribute while it is enabled MUST be rejected with `ValidationException` and the message `TimeToLive is active on a different AttributeName: current AttributeName is <attribute>`.
                (true, Some(a)) if a == change.attribute => {
                    return Err(control_errors::ttl_already_enabled());
                }
                (true, Some(a)) => return Err(control_errors::ttl_other_attribute(a)),
                //= spec/control-plane.md#ttl-update
                //# Disabling TTL while it is not enabled MUST be rejected with `ValidationException` and the message `TimeToLive is already disabled`; disabling it naming another attribute than the enabled one MUST be rejected as enabling on another attribute is.
                (false, None) => return Err(control_errors::ttl_already_disabled()),
                (false, Some(a)) if a != change.attribute => {
                    return Err(control_errors::ttl_other_attribute(a));
                }
                _ => {}
            }
            //= spec/control-plane.md#ttl-update
            //# An UpdateTimeToLive that passes the checks above within one hour (3600000 ms) after the table's last accepted UpdateTimeToLive MUST be rejected with `ValidationException` and the message `Time to live has been modified multiple times within a fixed interval`.
            if let Some(t) = current
                && call.now < t.changed.plus(TTL_UPDATE_INTERVAL_MS)
            {
                return Err(control_errors::ttl_modified_too_often());
            }
            meta.extras.ttl = Some(TtlState {
                attribute: change.attribute.clone(),
                enabled: change.enabled,
                changed: call.now,
            });
            //= spec/control-plane.md#ttl-update
            //# An accepted UpdateTimeToLive MUST answer the `TimeToLiveSpecification` it was given.
            Ok(UpdateTimeToLiveOutput {
                time_to_live_specification: TimeToLiveSpecification {
                    enabled: Some(change.enabled),
                    attribute_name: Some(change.attribute.clone()),
                },
            })
        })
    }

    fn describe_ttl(&self, i: TableNameInput) -> Result<DescribeTimeToLiveOutput, ApiError> {
        let name = validate::require_table_name(i.table_name.as_deref())?;
        let st = self.read_state();
        let meta = st.tables.get(name).ok_or_else(|| table_not_found(name))?;
        //= spec/control-plane.md#ttl-describe
        //# DescribeTimeToLive MUST answer `TimeToLiveStatus` `ENABLED` with the `AttributeName` from the accepted UpdateTimeToLive that enabled TTL on, and `TimeToLiveStatus` `DISABLED` without `AttributeName` when TTL was never enabled or was disabled since.
        let d = match &meta.extras.ttl {
            Some(t) if t.enabled => TimeToLiveDescription {
                time_to_live_status: "ENABLED".to_owned(),
                attribute_name: Some(t.attribute.clone()),
            },
            _ => TimeToLiveDescription {
                time_to_live_status: "DISABLED".to_owned(),
                attribute_name: None,
            },
        };
        Ok(DescribeTimeToLiveOutput {
            time_to_live_description: d,
        })
    }

    /// The table a tag operation names, checked; `table_arn` receives its ARN.
    fn tag_target(
        &self,
        resource_arn: Option<&str>,
        table_arn: &mut Option<String>,
    ) -> Result<String, ApiError> {
        let name = validate_control::table_arn_name(
            resource_arn,
            &self.config.region,
            &self.config.account,
        )?;
        *table_arn = Some(arn::table(&self.config.region, &self.config.account, name));
        Ok(name.to_owned())
    }

    fn ddb_tag_resource(
        &self,
        _call: &Call<'_>,
        name: &str,
        i: TagResourceInput,
    ) -> Result<Empty, ApiError> {
        let arn = i.resource_arn.clone().unwrap_or_default();
        if i.tags.is_none() {
            return Err(validate::missing_member("tags"));
        }
        //= spec/control-plane.md#tags
        //# A tag operation naming a table ARN of no existing table MUST fail with `ResourceNotFoundException` and the message `Requested resource not found: ResourcArn: <arn> not found` (AWS's spelling).
        self.change_table(
            name,
            |_| control_errors::tag_resource_not_found(&arn),
            |meta| {
                //= spec/control-plane.md#tags
                //# TagResource MUST add each given tag to the table, replacing the value of a key the table already has.
                meta.extras.tags =
                    validate_control::tags_to_add(&meta.extras.tags, i.tags.as_deref())?;
                Ok(Empty {})
            },
        )
    }

    fn ddb_untag_resource(&self, name: &str, i: UntagResourceInput) -> Result<Empty, ApiError> {
        let arn = i.resource_arn.clone().unwrap_or_default();
        let keys = validate_control::tag_keys(i.tag_keys.as_deref())?;
        self.change_table(
            name,
            |_| control_errors::tag_resource_not_found(&arn),
            |meta| {
                //= spec/control-plane.md#tags
                //# UntagResource MUST remove the tags of the given keys; a key the table does not have MUST be ignored.
                for k in keys {
                    meta.extras.tags.remove(k);
                }
                Ok(Empty {})
            },
        )
    }

    fn list_tags(&self, name: &str, arn: &str) -> Result<ListTagsOfResourceOutput, ApiError> {
        let st = self.read_state();
        let meta = st
            .tables
            .get(name)
            .ok_or_else(|| control_errors::tag_resource_not_found(arn))?;
        //= spec/control-plane.md#tags
        //# ListTagsOfResource MUST answer every tag of the table in one page, ordered by key, without `NextToken`, and `Tags` `[]` for a table without tags.
        Ok(ListTagsOfResourceOutput {
            tags: meta
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

    /// The table for a continuous-backups request: `TableNotFoundException` when it does not
    /// exist or is archived.
    fn backups_table<'s>(
        &self,
        st: &'s crate::engine::state::State,
        name: &str,
        now: Timestamp,
    ) -> Result<&'s TableMeta, ApiError> {
        //= spec/control-plane.md#pitr
        //# DescribeContinuousBackups and UpdateContinuousBackups naming a table that does not exist, or one that is `ARCHIVING` or `ARCHIVED`, MUST fail with `TableNotFoundException` and the message `Table not found: <table name>`.
        st.tables
            .get(name)
            .filter(|m| !lifecycle::status(m, now).archived())
            .ok_or_else(|| control_errors::continuous_backups_table_not_found(name))
    }

    fn describe_continuous_backups(
        &self,
        call: &Call<'_>,
        i: TableNameInput,
    ) -> Result<ContinuousBackupsOutput, ApiError> {
        let name = validate::require_table_name(i.table_name.as_deref())?;
        let st = self.read_state();
        let meta = self.backups_table(&st, name, call.now)?;
        Ok(continuous_backups(meta.extras.pitr.as_ref(), call.now))
    }

    fn update_continuous_backups(
        &self,
        call: &Call<'_>,
        i: UpdateContinuousBackupsInput,
    ) -> Result<ContinuousBackupsOutput, ApiError> {
        let change = validate_control::pitr_change(
            i.table_name.as_deref(),
            i.point_in_time_recovery_specification.as_ref(),
        )?;
        {
            let st = self.read_state();
            self.backups_table(&st, &change.table, call.now)?;
        }
        self.change_table(
            &change.table,
            control_errors::continuous_backups_table_not_found,
            |meta| {
                //= spec/control-plane.md#pitr
                //# An accepted UpdateContinuousBackups that enables point-in-time recovery MUST keep the time it was first enabled when it was enabled already (changing only the recovery period), and one that disables it MUST forget that time.
                meta.extras.pitr = change.enabled.then(|| PitrState {
                    since: meta.extras.pitr.as_ref().map_or(call.now, |p| p.since),
                    days: change.days,
                });
                Ok(continuous_backups(meta.extras.pitr.as_ref(), call.now))
            },
        )
    }
}

/// The continuous-backups description at `now`.
fn continuous_backups(pitr: Option<&PitrState>, now: Timestamp) -> ContinuousBackupsOutput {
    //= spec/control-plane.md#pitr
    //# `ContinuousBackupsStatus` MUST be `ENABLED` for every table; while point-in-time recovery is disabled `PointInTimeRecoveryDescription` MUST be `{"PointInTimeRecoveryStatus": "DISABLED"}` alone.
    let description = match pitr {
        None => PointInTimeRecoveryDescription {
            point_in_time_recovery_status: "DISABLED".to_owned(),
            ..PointInTimeRecoveryDescription::default()
        },
        //= spec/control-plane.md#pitr
        //# While it is enabled, the description MUST carry `PointInTimeRecoveryStatus` `ENABLED`, `RecoveryPeriodInDays`, `EarliestRestorableDateTime` equal to the later of the time it was enabled and `now` minus the recovery period, and `LatestRestorableDateTime` equal to the later of the time it was enabled and `now` minus 5 minutes, both in epoch seconds.
        Some(p) => {
            let period = u64::try_from(p.days).unwrap_or(0) * DAY;
            let earliest = p.since.max(Timestamp(now.0.saturating_sub(period)));
            let latest = p
                .since
                .max(Timestamp(now.0.saturating_sub(PITR_LATEST_LAG_MS)));
            PointInTimeRecoveryDescription {
                point_in_time_recovery_status: "ENABLED".to_owned(),
                recovery_period_in_days: Some(p.days),
                earliest_restorable_date_time: Some(earliest.epoch_seconds()),
                latest_restorable_date_time: Some(latest.epoch_seconds()),
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

/// DescribeLimits' answer.
fn describe_limits() -> DescribeLimitsOutput {
    //= spec/control-plane.md#limits
    //# DescribeLimits MUST answer `AccountMaxReadCapacityUnits` and `AccountMaxWriteCapacityUnits` 80000 and `TableMaxReadCapacityUnits` and `TableMaxWriteCapacityUnits` 40000.
    DescribeLimitsOutput {
        account_max_read_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
        account_max_write_capacity_units: ACCOUNT_MAX_CAPACITY_UNITS,
        table_max_read_capacity_units: TABLE_MAX_CAPACITY_UNITS,
        table_max_write_capacity_units: TABLE_MAX_CAPACITY_UNITS,
    }
}
