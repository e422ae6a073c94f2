//! A deterministic generator of realistic DynamoDB-SSE CloudTrail trails (a development tool for
//! tests, the DuckDB and Spark checks and the benchmark; `ddbsse trail generate`, hidden).
//!
//! Does: from a seed, write exactly `records` records over `days` days in the delivery layout (via
//! the [`DeliveryWriter`], 5-minute windows), shaped like the documented DynamoDB KMS calls:
//! - at the start, per table on a KMS key: `CreateTable` (DynamoDB control plane, admin from
//!   `192.0.2.10`), then KMS `DescribeKey`, `CreateGrant` (admin + `invokedBy`), `GenerateDataKey`
//!   (`AWSService`); an owned-key table gets only its `CreateTable`;
//! - every 12 hours a scratch table on a customer key is created, and deleted an hour later
//!   (`DeleteTable`, `RetireGrant`);
//! - every hour `DescribeTable` and `ListTables` by the admin; every 6 hours a direct KMS
//!   `DescribeKey` and `ListKeys` by the admin from its IP (not via DynamoDB);
//! - the rest of each window's share of records are `Decrypt` calls, one per (principal,
//!   connection, table) session every 5 minutes (`invokedBy` and `sourceIPAddress`
//!   `dynamodb.amazonaws.com`); most sessions refresh within the first 20 s of a window, so the
//!   5-minute rhythm shows at a 1-minute interval; during one hour of the first day the
//!   `Sessions` table's key is disabled and its Decrypts fail with `DisabledException`.
//!
//! The number of principals grows with the records per window so that every session calls once per
//! window. Ids (event, request, grant, key, access key) come from the seeded generator.
//! Does not: model a workload exactly (use the endpoint for that) or read any clock.

use std::path::PathBuf;

use crate::writer::{DeliveryConfig, DeliveryWriter, WriteError};
use ddbsse_wire::kms::{SUBSCRIBER_ID_CONTEXT_KEY, TABLE_NAME_CONTEXT_KEY};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::{
    DYNAMODB_EVENT_SOURCE, DYNAMODB_SERVICE, EVENT_VERSION, KMS_EVENT_SOURCE, TrailRecord,
    TrailResource, UserIdentity,
};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

/// Options of the generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Delivery root to write under.
    pub out: PathBuf,
    /// Exact number of records.
    pub records: u64,
    /// Seed of every random choice.
    pub seed: u64,
    /// First instant, ms since the epoch (default 2019-03-11T00:00:00Z).
    pub start_millis: u64,
    /// Number of days covered.
    pub days: u32,
    /// Account id.
    pub account: String,
    /// Region.
    pub region: String,
    /// gzip level of the files.
    pub compression_level: u32,
}

impl GenerateOptions {
    /// Defaults: 2019-03-11, 2 days, account 123456789012, us-east-1, gzip level 6.
    pub fn new(out: impl Into<PathBuf>, records: u64, seed: u64) -> Self {
        GenerateOptions {
            out: out.into(),
            records,
            seed,
            start_millis: 1_552_262_400_000,
            days: 2,
            account: "123456789012".to_owned(),
            region: "us-east-1".to_owned(),
            compression_level: 6,
        }
    }
}

/// What the generator wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Files written.
    pub files: u64,
    /// Records written.
    pub records: u64,
    /// The KMS key ARNs used, managed key first.
    pub key_arns: Vec<String>,
    /// The tables on KMS keys.
    pub kms_tables: Vec<String>,
}

const WINDOW: u64 = 300_000;
const DDB: &str = DYNAMODB_SERVICE;
const KMS: &str = KMS_EVENT_SOURCE;
const ADMIN_IP: &str = "192.0.2.10";
const CLI_AGENT: &str = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12";

struct World {
    rng: ChaCha8Rng,
    account: String,
    region: String,
    keys: Vec<String>,
    /// (table, index into keys).
    tables: Vec<(&'static str, usize)>,
    admin: UserIdentity,
}

fn uuid(rng: &mut ChaCha8Rng) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn access_key(rng: &mut ChaCha8Rng) -> String {
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String = (0..16)
        .map(|_| char::from(UPPER[rng.random_range(0..UPPER.len())]))
        .collect();
    format!("AKIA{tail}")
}

impl World {
    fn new(opts: &GenerateOptions) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let keys: Vec<String> = (0..3)
            .map(|_| {
                format!(
                    "arn:aws:kms:{}:{}:key/{}",
                    opts.region,
                    opts.account,
                    uuid(&mut rng)
                )
            })
            .collect();
        let admin = UserIdentity {
            kind: "AssumedRole".to_owned(),
            principal_id: Some("AROAIGDTESTANDEXAMPLE:admin".to_owned()),
            arn: Some(format!(
                "arn:aws:sts::{}:assumed-role/Admin/admin",
                opts.account
            )),
            account_id: Some(opts.account.clone()),
            access_key_id: Some("ASIAADMINEXAMPLE0001".to_owned()),
            session_context: Some(json!({
                "attributes": {"mfaAuthenticated": "false", "creationDate": Timestamp(opts.start_millis).event_time()},
                "sessionIssuer": {"type": "Role", "principalId": "AROAIGDTESTANDEXAMPLE",
                    "arn": format!("arn:aws:iam::{}:role/Admin", opts.account),
                    "accountId": opts.account, "userName": "Admin"}
            })),
            ..UserIdentity::default()
        };
        World {
            rng,
            account: opts.account.clone(),
            region: opts.region.clone(),
            keys,
            tables: vec![
                ("Books", 0),
                ("Orders", 1),
                ("Services", 1),
                ("Sessions", 2),
                ("ratings", 0),
            ],
            admin,
        }
    }

    /// A record with the fields known before the call's parameters; [`World::finish`] completes it.
    fn base(
        &mut self,
        t: u64,
        source: &str,
        name: &str,
        identity: UserIdentity,
        ip: &str,
        agent: &str,
    ) -> TrailRecord {
        TrailRecord {
            event_version: EVENT_VERSION.to_owned(),
            user_identity: identity,
            event_time: Timestamp(t).event_time(),
            event_source: source.to_owned(),
            event_name: name.to_owned(),
            aws_region: self.region.clone(),
            source_ip_address: ip.to_owned(),
            user_agent: agent.to_owned(),
            error_code: None,
            error_message: None,
            request_parameters: Value::Null,
            response_elements: Value::Null,
            additional_event_data: None,
            request_id: String::new(),
            event_id: String::new(),
            read_only: false,
            resources: Vec::new(),
            event_type: "AwsApiCall".to_owned(),
            api_version: None,
            management_event: true,
            recipient_account_id: self.account.clone(),
            shared_event_id: None,
            event_category: "Management".to_owned(),
        }
    }

    fn finish(
        &mut self,
        mut r: TrailRecord,
        params: Value,
        response: Value,
        read_only: bool,
        key: Option<&str>,
    ) -> TrailRecord {
        r.request_parameters = params;
        r.response_elements = response;
        r.request_id = uuid(&mut self.rng);
        r.event_id = uuid(&mut self.rng);
        r.read_only = read_only;
        if let Some(arn) = key {
            r.resources = vec![TrailResource {
                arn: arn.to_owned(),
                account_id: self.account.clone(),
                kind: "AWS::KMS::Key".to_owned(),
            }];
        }
        r
    }

    fn context(&self, table: &str) -> Value {
        json!({TABLE_NAME_CONTEXT_KEY: table, SUBSCRIBER_ID_CONTEXT_KEY: self.account})
    }

    fn via_ddb(&self, identity: &UserIdentity) -> UserIdentity {
        UserIdentity {
            invoked_by: Some(DDB.to_owned()),
            ..identity.clone()
        }
    }

    fn ddb_control(
        &mut self,
        t: u64,
        name: &str,
        params: Value,
        response: Value,
        read_only: bool,
    ) -> TrailRecord {
        let admin = self.admin.clone();
        let table = params
            .get("tableName")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let mut r = self.base(t, DYNAMODB_EVENT_SOURCE, name, admin, ADMIN_IP, CLI_AGENT);
        r.api_version = Some("2012-08-10".to_owned());
        let mut r = self.finish(r, params, response, read_only, None);
        if let Some(table) = table {
            // Table-level calls name the table as their resource (a table ARN, not a key).
            r.resources = vec![TrailResource {
                arn: format!(
                    "arn:aws:dynamodb:{}:{}:table/{table}",
                    self.region, self.account
                ),
                account_id: self.account.clone(),
                kind: "AWS::DynamoDB::Table".to_owned(),
            }];
        }
        r
    }

    /// CreateTable and, on a KMS key, DescribeKey, CreateGrant, GenerateDataKey.
    fn create_table(&mut self, t: u64, table: &str, key: Option<usize>) -> Vec<TrailRecord> {
        let sse = match key {
            Some(k) => json!({"enabled": true, "sSEType": "KMS", "kMSMasterKeyId": self.keys[k]}),
            None => json!({"enabled": false}),
        };
        let mut out = vec![self.ddb_control(
            t,
            "CreateTable",
            json!({"tableName": table, "attributeDefinitions": [{"attributeName": "pk", "attributeType": "S"}],
                   "keySchema": [{"attributeName": "pk", "keyType": "HASH"}], "billingMode": "PAY_PER_REQUEST",
                   "sSESpecification": sse}),
            json!({"tableDescription": {"tableName": table, "tableStatus": "CREATING",
                   "tableArn": format!("arn:aws:dynamodb:{}:{}:table/{table}", self.region, self.account)}}),
            false,
        )];
        let Some(k) = key else { return out };
        let arn = self.keys[k].clone();
        let admin = self.via_ddb(&self.admin.clone());
        let r = self.base(t, KMS, "DescribeKey", admin.clone(), DDB, DDB);
        out.push(self.finish(r, json!({"keyId": arn}), Value::Null, true, Some(&arn)));
        let r = self.base(t, KMS, "CreateGrant", admin, DDB, DDB);
        let grant = {
            let mut b = [0u8; 32];
            self.rng.fill_bytes(&mut b);
            hex::encode(b)
        };
        let principal = format!("dynamodb.{}.amazonaws.com", self.region);
        out.push(self.finish(
            r,
            json!({"keyId": arn, "retiringPrincipal": principal,
                   "constraints": {"encryptionContextSubset": self.context(table)},
                   "granteePrincipal": principal,
                   "operations": ["DescribeKey", "GenerateDataKey", "Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "RetireGrant"]}),
            json!({"grantId": grant}),
            false,
            Some(&arn),
        ));
        let service = UserIdentity::dynamodb_service();
        let mut r = self.base(t, KMS, "GenerateDataKey", service, DDB, DDB);
        r.shared_event_id = Some(uuid(&mut self.rng));
        out.push(self.finish(
            r,
            json!({"encryptionContext": self.context(table), "keySpec": "AES_256", "keyId": arn}),
            Value::Null,
            true,
            Some(&arn),
        ));
        out
    }

    fn delete_table(&mut self, t: u64, table: &str, key: usize) -> Vec<TrailRecord> {
        let arn = self.keys[key].clone();
        let mut out = vec![self.ddb_control(
            t,
            "DeleteTable",
            json!({"tableName": table}),
            json!({"tableDescription": {"tableName": table, "tableStatus": "DELETING"}}),
            false,
        )];
        let admin = self.via_ddb(&self.admin.clone());
        let mut r = self.base(t, KMS, "RetireGrant", admin, DDB, DDB);
        let grant = {
            let mut b = [0u8; 32];
            self.rng.fill_bytes(&mut b);
            hex::encode(b)
        };
        r.additional_event_data = Some(json!({"grantId": grant}));
        out.push(self.finish(r, Value::Null, Value::Null, false, Some(&arn)));
        out
    }

    fn decrypt(
        &mut self,
        t: u64,
        user: &str,
        table: &str,
        key: usize,
        disabled: bool,
    ) -> TrailRecord {
        let arn = self.keys[key].clone();
        let identity = UserIdentity::principal_via_dynamodb(&self.account, user);
        let mut r = self.base(t, KMS, "Decrypt", identity, DDB, DDB);
        if disabled {
            r.error_code = Some("DisabledException".to_owned());
            r.error_message = Some(format!("{arn} is disabled."));
        }
        self.finish(
            r,
            json!({"encryptionContext": self.context(table), "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
            Value::Null,
            true,
            Some(&arn),
        )
    }

    fn admin_calls(&mut self, t: u64, hourly: bool, six_hourly: bool) -> Vec<TrailRecord> {
        let mut out = Vec::new();
        if hourly {
            out.push(self.ddb_control(
                t,
                "DescribeTable",
                json!({"tableName": "Books"}),
                Value::Null,
                true,
            ));
            out.push(self.ddb_control(t + 1000, "ListTables", Value::Null, Value::Null, true));
        }
        if six_hourly {
            let admin = self.admin.clone();
            let arn = self.keys[1].clone();
            let r = self.base(
                t + 2000,
                KMS,
                "DescribeKey",
                admin.clone(),
                ADMIN_IP,
                CLI_AGENT,
            );
            out.push(self.finish(r, json!({"keyId": arn}), Value::Null, true, Some(&arn)));
            let r = self.base(t + 3000, KMS, "ListKeys", admin, ADMIN_IP, CLI_AGENT);
            out.push(self.finish(r, Value::Null, Value::Null, true, None));
        }
        out
    }
}

struct Session {
    user: usize,
    table: usize,
    phase: u64,
}

/// Writes the trail; see the module documentation.
pub fn generate(opts: &GenerateOptions) -> Result<GenerateSummary, WriteError> {
    let mut world = World::new(opts);
    let windows = (u64::from(opts.days.max(1)) * 86_400_000 / WINDOW).max(1);
    let per_window = opts.records / windows;
    let extra = opts.records % windows;
    // Sessions: enough (principal, connection, table) combinations for one Decrypt each per window.
    let connections = 3usize;
    let tables = world.tables.len();
    let needed = (per_window + 1) as usize;
    let users_count = needed.div_ceil(connections * tables).max(1);
    let users: Vec<String> = (0..users_count)
        .map(|_| access_key(&mut world.rng))
        .collect();
    let mut sessions = Vec::with_capacity(users_count * connections * tables);
    for user in 0..users_count {
        for _conn in 0..connections {
            for table in 0..tables {
                let phase = if world.rng.random_range(0..10) < 8 {
                    world.rng.random_range(0..20_000)
                } else {
                    world.rng.random_range(0..WINDOW)
                };
                sessions.push(Session { user, table, phase });
            }
        }
    }
    let config = DeliveryConfig {
        compression_level: opts.compression_level,
        ..DeliveryConfig::new(&opts.out, &opts.account, &opts.region)
    };
    let writer_rng = Box::new(ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5eed_f11e));
    let mut writer = DeliveryWriter::new(config, writer_rng);
    let mut summary = GenerateSummary {
        key_arns: world.keys.clone(),
        kms_tables: world.tables.iter().map(|(t, _)| (*t).to_owned()).collect(),
        ..GenerateSummary::default()
    };
    let mut next_session = 0usize;
    let mut debt: u64 = 0;
    for w in 0..windows {
        let start = opts.start_millis + w * WINDOW;
        let budget = per_window + u64::from(w < extra);
        let mut events: Vec<TrailRecord> = Vec::new();
        if w == 0 {
            for i in 0..world.tables.len() {
                let (table, key) = world.tables[i];
                events.extend(world.create_table(start, table, Some(key)));
            }
            events.extend(world.create_table(start + 500, "Scratch", None));
        }
        let minute_of_day = (w * 5) % 1440;
        if w > 0 && minute_of_day % 720 == 0 {
            events.extend(world.create_table(start + 4000, "tmp-import", Some(2)));
        }
        if w > 0 && minute_of_day % 720 == 60 {
            events.extend(world.delete_table(start + 4000, "tmp-import", 2));
        }
        events.extend(world.admin_calls(start + 30_000, w % 12 == 6, w % 72 == 36));
        // Lifecycle events have priority: they may exceed this window's share, and later windows
        // repay the excess with fewer Decrypts (only the last window truncates, to stay exact).
        if w + 1 == windows {
            events.truncate(budget.saturating_sub(debt) as usize);
        }
        let lifecycle = events.len() as u64;
        let decrypts = budget.saturating_sub(debt + lifecycle);
        debt = (debt + lifecycle + decrypts) - budget.min(debt + lifecycle + decrypts);
        let disabled_window = (120..132).contains(&w);
        for _ in 0..decrypts {
            let s = &sessions[next_session % sessions.len()];
            next_session += 1;
            let (table, key) = world.tables[s.table];
            let user = users[s.user].clone();
            let t = start + s.phase;
            let disabled = disabled_window && table == "Sessions";
            events.push(world.decrypt(t, &user, table, key, disabled));
        }
        events.sort_by(|a, b| a.event_time.cmp(&b.event_time));
        for e in &events {
            let t = e.time().map_or(start, Timestamp::millis);
            if writer.append(t, e)?.is_some() {
                summary.files += 1;
            }
            summary.records += 1;
        }
    }
    if writer.tick(u64::MAX)?.is_some() {
        summary.files += 1;
    }
    Ok(summary)
}
