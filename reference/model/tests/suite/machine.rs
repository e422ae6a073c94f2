//! A proptest state machine over the model alone (`proptest-state-machine`): random sequences of
//! key, grant, table, item, trail and clock transitions, with time advances forced onto the
//! spec's boundaries (299, 300, 301, 900 s, 6 h, 7 days, 7 days + 300 s) besides random ones.
//!
//! After every transition the test checks, against its own shadow of what the model must do:
//! every KMS record DynamoDB causes carries the table's encryption context; a data-plane request
//! calls Decrypt exactly when its (principal, connection, table, generation) entry is missing or
//! at least 300 s old, so successful Decrypts of one entry are at least 300 s apart; no
//! data-plane request succeeds past the cache window while the key is unusable; every item
//! acknowledged while the table was accessible reads back identical; owned-key tables cause no
//! KMS record; and LookupEvents, paged, returns exactly the records made, newest first.
//!
//! The test keeps its own shadow of key states, table keys, grants and the status timeline (a
//! second, independent reading of `spec/kms.md#key-state-transitions` and
//! `spec/tables.md#status`), so "the key is unusable" and "the table is INACCESSIBLE" are not
//! taken from the model it checks.

use std::collections::BTreeMap;

use ddbsse_model::{Model, ModelConfig, Outcome};
use ddbsse_wire::Request;
use ddbsse_wire::caller::Caller;
use ddbsse_wire::time::{DAY, HOUR, MANUAL_CLOCK_START, SECOND, Timestamp};
use ddbsse_wire::trail::TrailRecord;
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use serde_json::{Value, json};

use super::support::{ratings_table, target_of};

const TABLES: [&str; 2] = ["ratings", "scores"];
const PRINCIPALS: [&str; 2] = ["AKIAPRINCIPALONE", "AKIAPRINCIPALTWO"];

/// Which key a table uses.
#[derive(Clone, Debug)]
enum Sse {
    Owned,
    Managed,
    /// Key index and id form (0 id, 1 ARN, 2 alias name, 3 alias ARN).
    Customer(usize, u8),
}

#[derive(Clone, Debug)]
enum T {
    CreateKey,
    DisableKey(usize),
    EnableKey(usize),
    ScheduleKeyDeletion(usize, i64),
    CancelKeyDeletion(usize),
    RevokeTableGrant(usize),
    CreateTable(usize, Sse),
    SwitchKey(usize, Sse),
    DeleteTable(usize),
    Put {
        table: usize,
        who: usize,
        conn: u64,
        player: u8,
        rating: u8,
        value: u16,
    },
    Get {
        table: usize,
        who: usize,
        conn: u64,
        player: u8,
        rating: u8,
    },
    DeleteItem {
        table: usize,
        who: usize,
        conn: u64,
        player: u8,
        rating: u8,
    },
    Scan {
        table: usize,
        who: usize,
        conn: u64,
        limit: i64,
    },
    Describe(usize),
    Advance(u64),
    Lookup(i64),
}

/// The reference side only counts keys, so indices can be drawn; the SUT side holds the shadow.
struct Machine;

impl ReferenceStateMachine for Machine {
    type State = usize;
    type Transition = T;

    fn init_state() -> BoxedStrategy<Self::State> {
        Just(0).boxed()
    }

    fn transitions(_keys: &Self::State) -> BoxedStrategy<Self::Transition> {
        let key = 0..3usize;
        let table = 0..2usize;
        let sse = prop_oneof![
            Just(Sse::Owned),
            Just(Sse::Managed),
            (0..3usize, 0..4u8).prop_map(|(k, f)| Sse::Customer(k, f)),
        ];
        let who = 0..2usize;
        let conn = 1..3u64;
        let advance = prop_oneof![
            Just(299 * SECOND),
            Just(300 * SECOND),
            Just(301 * SECOND),
            Just(SECOND),
            Just(900 * SECOND),
            Just(6 * HOUR),
            Just(7 * DAY),
            Just(7 * DAY + 300 * SECOND),
            0..1_000_000u64,
        ];
        prop_oneof![
            2 => Just(T::CreateKey),
            1 => key.clone().prop_map(T::DisableKey),
            1 => key.clone().prop_map(T::EnableKey),
            1 => (key.clone(), 7..=30i64).prop_map(|(k, d)| T::ScheduleKeyDeletion(k, d)),
            1 => key.clone().prop_map(T::CancelKeyDeletion),
            1 => table.clone().prop_map(T::RevokeTableGrant),
            2 => (table.clone(), sse.clone()).prop_map(|(t, s)| T::CreateTable(t, s)),
            1 => (table.clone(), sse).prop_map(|(t, s)| T::SwitchKey(t, s)),
            1 => table.clone().prop_map(T::DeleteTable),
            4 => (table.clone(), who.clone(), conn.clone(), 0..3u8, 0..3u8, any::<u16>())
                .prop_map(|(table, who, conn, player, rating, value)| T::Put { table, who, conn, player, rating, value }),
            4 => (table.clone(), who.clone(), conn.clone(), 0..3u8, 0..3u8)
                .prop_map(|(table, who, conn, player, rating)| T::Get { table, who, conn, player, rating }),
            1 => (table.clone(), who, conn, 0..3u8, 0..3u8)
                .prop_map(|(table, who, conn, player, rating)| T::DeleteItem { table, who, conn, player, rating }),
            2 => (table.clone(), 0..2usize, 1..3u64, 1..8i64)
                .prop_map(|(table, who, conn, limit)| T::Scan { table, who, conn, limit }),
            3 => table.prop_map(T::Describe),
            4 => advance.prop_map(T::Advance),
            1 => (1..=50i64).prop_map(T::Lookup),
        ]
        .boxed()
    }

    fn apply(keys: Self::State, transition: &Self::Transition) -> Self::State {
        match transition {
            T::CreateKey => keys + 1,
            _ => keys,
        }
    }
}

/// The shadow of a key's state, kept by this test independently of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyShadow {
    Enabled,
    Disabled,
    Pending(Timestamp),
    Deleted,
}

/// Which key a table uses, in the shadow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TableKey {
    Owned,
    Managed,
    Customer(usize),
}

/// The shadow of a table's key and lifecycle, kept independently of the model.
#[derive(Clone, Debug)]
struct TableShadow {
    key: TableKey,
    grant: bool,
    unusable_since: Option<Timestamp>,
    /// `ACTIVE`, `INACCESSIBLE_ENCRYPTION_CREDENTIALS`, `ARCHIVING` or `ARCHIVED`.
    status: &'static str,
    archiving_at: Option<Timestamp>,
    /// When the last accepted key switch was handled (`SSEDescription.Status` `UPDATING` for
    /// 22 s from then).
    switched_at: Option<Timestamp>,
}

/// The system under test and the shadow the checks compare it with.
struct Sut {
    model: Model,
    now: Timestamp,
    keys: Vec<String>,
    recorded: Vec<TrailRecord>,
    /// Acknowledged items per table: (player, rating) -> value.
    items: BTreeMap<String, BTreeMap<(u8, u8), u16>>,
    /// Predicted cache: (principal, connection, table id, generation) -> fetch time.
    cache: BTreeMap<(String, u64, String, u64), Timestamp>,
    /// Shadow key states, by index.
    key_states: Vec<KeyShadow>,
    /// Shadow tables.
    shadow: BTreeMap<String, TableShadow>,
    /// Deleted tables and their DeleteTable time (`DELETING` for 8 s).
    deleting: BTreeMap<String, Timestamp>,
}

impl Sut {
    fn call(&mut self, who: usize, conn: u64, op: &str, body: Value) -> Outcome {
        let caller = Caller::new(PRINCIPALS[who], conn);
        let request = Request::parse(&target_of(op), body.to_string().as_bytes()).expect("parses");
        let out = self.model.handle(self.now, &caller, &request);
        // KMS's own key deletion records carry the deletion date (spec/trail.md#key-deletion),
        // at or before the request's time; every other record carries the request's time.
        for e in out
            .events
            .iter()
            .filter(|e| e.event_type == "AwsServiceEvent")
        {
            assert_eq!(e.event_name, "DeleteKey");
            assert!(e.event_time <= self.now.event_time());
        }
        for e in out
            .events
            .iter()
            .filter(|e| e.event_type != "AwsServiceEvent")
        {
            assert_eq!(
                e.event_time,
                self.now.event_time(),
                "records carry the request's time"
            );
        }
        self.recorded.extend(out.events.iter().cloned());
        // The checks below are about the request's own records: KMS's key deletion records,
        // checked above, are set aside.
        let mut out = out;
        out.events.retain(|e| e.event_type != "AwsServiceEvent");
        out
    }

    fn key_ref(&self, k: usize, form: u8) -> String {
        let Some(id) = self.keys.get(k % self.keys.len().max(1)) else {
            return "00000000-0000-4000-8000-000000000000".to_owned();
        };
        match form {
            0 => id.clone(),
            1 => format!("arn:aws:kms:us-east-1:123456789012:key/{id}"),
            2 => format!("alias/k{}", k % self.keys.len()),
            _ => format!(
                "arn:aws:kms:us-east-1:123456789012:alias/k{}",
                k % self.keys.len()
            ),
        }
    }

    /// The key a choice names in the shadow; `None` when it names no live key.
    fn shadow_key(&self, sse: &Sse) -> Option<TableKey> {
        match sse {
            Sse::Owned => Some(TableKey::Owned),
            Sse::Managed => Some(TableKey::Managed),
            Sse::Customer(k, _) => {
                let i = self.key_index(*k)?;
                (self.key_states[i] != KeyShadow::Deleted).then_some(TableKey::Customer(i))
            }
        }
    }

    fn sse_body(&self, sse: &Sse) -> Value {
        match sse {
            Sse::Owned => json!({"Enabled": false}),
            Sse::Managed => json!({"Enabled": true}),
            Sse::Customer(k, f) => {
                json!({"SSEType": "KMS", "KMSMasterKeyId": self.key_ref(*k, *f)})
            }
        }
    }

    /// Every KMS record DynamoDB caused in `out` carries `table`'s context.
    fn check_contexts(out: &Outcome, table: &str) {
        let ctx =
            json!({"aws:dynamodb:tableName": table, "aws:dynamodb:subscriberId": "123456789012"});
        for e in &out.events {
            if e.user_identity.invoked_by.as_deref() != Some("dynamodb.amazonaws.com")
                || e.event_source != "kms.amazonaws.com"
            {
                continue;
            }
            match e.event_name.as_str() {
                "Decrypt" | "GenerateDataKey" => {
                    assert_eq!(
                        e.request_parameters["encryptionContext"], ctx,
                        "{}",
                        e.event_name
                    );
                }
                "CreateGrant" => assert_eq!(
                    e.request_parameters["constraints"]["encryptionContextSubset"],
                    ctx
                ),
                "DescribeKey" | "RetireGrant" => {}
                other => panic!("unexpected KMS call by DynamoDB: {other}"),
            }
        }
    }

    /// A data-plane request: cache prediction, unusable-key and item checks.
    fn data_plane(
        &mut self,
        table: usize,
        who: usize,
        conn: u64,
        op: &str,
        body: Value,
    ) -> Outcome {
        let name = TABLES[table];
        let before = self.model.table_at(name, self.now);
        let s_usable = self.shadow.get(name).is_some_and(|t| self.shadow_usable(t));
        let s_archived = self
            .shadow
            .get(name)
            .is_some_and(|t| t.status == "ARCHIVING" || t.status == "ARCHIVED");
        let out = self.call(who, conn, op, body);
        Self::check_contexts(&out, name);
        let decrypts: Vec<&TrailRecord> = out
            .events
            .iter()
            .filter(|e| e.event_name == "Decrypt")
            .collect();
        assert!(
            out.events.len() == decrypts.len(),
            "data plane records only Decrypt"
        );
        let Some(view) = before else {
            assert!(decrypts.is_empty());
            return out;
        };
        assert_eq!(
            view.status.is_archival(),
            s_archived,
            "archival per the shadow"
        );
        if view.key_arn.is_none() || view.status.is_archival() {
            assert!(
                decrypts.is_empty(),
                "owned-key or archived table: no KMS call"
            );
            return out;
        }
        let ck = (
            PRINCIPALS[who].to_owned(),
            conn,
            view.id.clone(),
            view.generation,
        );
        let fresh = self
            .cache
            .get(&ck)
            .is_some_and(|t0| self.now.since(*t0) < 300 * SECOND);
        if fresh {
            assert!(
                decrypts.is_empty(),
                "fresh entry (< 300 s): served from the cache"
            );
        } else {
            assert_eq!(
                decrypts.len(),
                1,
                "missing or >= 300 s old entry: exactly one Decrypt"
            );
            let ok = decrypts[0].error_code.is_none();
            assert_eq!(
                ok,
                out.result.is_ok(),
                "the request fails exactly when the Decrypt does"
            );
            let usable = s_usable;
            assert_eq!(
                ok, usable,
                "a Decrypt succeeds exactly while the key is usable (shadow)"
            );
            if ok {
                assert!(
                    view.unusable_since.is_none(),
                    "no data-plane success past the cache window while the key is unusable"
                );
                self.cache.insert(ck, self.now);
            } else {
                self.cache.remove(&ck);
            }
        }
        out
    }

    /// Whether `name` is still `DELETING` (8 s after its DeleteTable).
    fn is_deleting(&self, name: &str) -> bool {
        self.deleting
            .get(name)
            .is_some_and(|d| self.now < d.plus(8 * SECOND))
    }

    fn forget_table(&mut self, name: &str) {
        self.items.remove(name);
        self.shadow.remove(name);
    }

    fn key_index(&self, k: usize) -> Option<usize> {
        (!self.keys.is_empty()).then(|| k % self.keys.len())
    }

    /// Timed changes up to `now`: key deletion at its date, detection after 900 s, archiving
    /// 7 days after detection, archived 300 s later (the shadow's own reading of the spec).
    fn shadow_settle(&mut self) {
        let now = self.now;
        for k in &mut self.key_states {
            if let KeyShadow::Pending(at) = *k
                && now >= at
            {
                *k = KeyShadow::Deleted;
            }
        }
        for t in self.shadow.values_mut() {
            if let Some(since) = t.unusable_since {
                let detected = since.plus(900 * SECOND);
                if t.status == "ACTIVE" && now >= detected {
                    t.status = "INACCESSIBLE_ENCRYPTION_CREDENTIALS";
                }
                if t.status == "INACCESSIBLE_ENCRYPTION_CREDENTIALS"
                    && now >= detected.plus(7 * DAY)
                {
                    t.status = "ARCHIVING";
                    t.archiving_at = Some(detected.plus(7 * DAY));
                }
            }
            if t.status == "ARCHIVING"
                && t.archiving_at.is_some_and(|a| now >= a.plus(300 * SECOND))
            {
                t.status = "ARCHIVED";
            }
        }
    }

    /// Whether DynamoDB may use the table's key, in the shadow.
    fn shadow_usable(&self, t: &TableShadow) -> bool {
        match t.key {
            TableKey::Owned => true,
            TableKey::Managed => t.grant,
            TableKey::Customer(k) => t.grant && self.key_states.get(k) == Some(&KeyShadow::Enabled),
        }
    }

    /// After a request: start or end each table's unusable period.
    fn shadow_refresh(&mut self) {
        let usable: Vec<(String, bool)> = self
            .shadow
            .iter()
            .map(|(n, t)| (n.clone(), self.shadow_usable(t)))
            .collect();
        let now = self.now;
        for (name, usable) in usable {
            let Some(t) = self.shadow.get_mut(&name) else {
                continue;
            };
            if t.status == "ARCHIVING" || t.status == "ARCHIVED" {
                continue;
            }
            match (usable, t.unusable_since) {
                (false, None) => t.unusable_since = Some(now),
                (true, Some(_)) => {
                    t.unusable_since = None;
                    t.status = "ACTIVE";
                }
                _ => {}
            }
        }
    }

    /// The shadow's prediction of a key operation's success, compared with the model's.
    fn check_key_op(&mut self, k: usize, op: &str, ok: bool) {
        let Some(i) = self.key_index(k) else {
            assert!(!ok, "{op} on no key");
            return;
        };
        let state = self.key_states[i];
        let (expect, next) = match (op, state) {
            (_, KeyShadow::Deleted) => (false, state),
            ("DisableKey", KeyShadow::Enabled | KeyShadow::Disabled) => (true, KeyShadow::Disabled),
            ("EnableKey", KeyShadow::Enabled | KeyShadow::Disabled) => (true, KeyShadow::Enabled),
            ("ScheduleKeyDeletion", KeyShadow::Enabled | KeyShadow::Disabled) => (true, state),
            ("CancelKeyDeletion", KeyShadow::Pending(_)) => (true, KeyShadow::Disabled),
            _ => (false, state),
        };
        assert_eq!(ok, expect, "{op} on a key in {state:?}");
        self.key_states[i] = next;
    }
}

impl StateMachineTest for Sut {
    type SystemUnderTest = Sut;
    type Reference = Machine;

    fn init_test(_: &usize) -> Sut {
        Sut {
            model: Model::new(ModelConfig::default()),
            now: MANUAL_CLOCK_START,
            keys: Vec::new(),
            recorded: Vec::new(),
            items: BTreeMap::new(),
            cache: BTreeMap::new(),
            key_states: Vec::new(),
            shadow: BTreeMap::new(),
            deleting: BTreeMap::new(),
        }
    }

    fn apply(mut s: Sut, _: &usize, t: T) -> Sut {
        s.shadow_settle();
        match t {
            T::CreateKey => {
                if s.keys.len() < 3 {
                    let out = s.call(0, 1, "CreateKey", json!({}));
                    let body = out.result.expect("CreateKey").body();
                    let id = body["KeyMetadata"]["KeyId"]
                        .as_str()
                        .expect("id")
                        .to_owned();
                    let alias = format!("alias/k{}", s.keys.len());
                    s.call(
                        0,
                        1,
                        "CreateAlias",
                        json!({"AliasName": alias, "TargetKeyId": id}),
                    )
                    .result
                    .expect("CreateAlias");
                    s.keys.push(id);
                    s.key_states.push(KeyShadow::Enabled);
                }
            }
            T::DisableKey(k) => {
                let id = s.key_ref(k, 0);
                let ok = s
                    .call(0, 1, "DisableKey", json!({"KeyId": id}))
                    .result
                    .is_ok();
                s.check_key_op(k, "DisableKey", ok);
            }
            T::EnableKey(k) => {
                let id = s.key_ref(k, 1);
                let ok = s
                    .call(0, 1, "EnableKey", json!({"KeyId": id}))
                    .result
                    .is_ok();
                s.check_key_op(k, "EnableKey", ok);
            }
            T::ScheduleKeyDeletion(k, days) => {
                let id = s.key_ref(k, 0);
                let body = json!({"KeyId": id, "PendingWindowInDays": days});
                let ok = s.call(0, 1, "ScheduleKeyDeletion", body).result.is_ok();
                s.check_key_op(k, "ScheduleKeyDeletion", ok);
                if ok && let Some(i) = s.key_index(k) {
                    let days = u64::try_from(days).unwrap_or(30);
                    s.key_states[i] = KeyShadow::Pending(s.now.plus(days * DAY));
                }
            }
            T::CancelKeyDeletion(k) => {
                let id = s.key_ref(k, 0);
                let ok = s
                    .call(0, 1, "CancelKeyDeletion", json!({"KeyId": id}))
                    .result
                    .is_ok();
                s.check_key_op(k, "CancelKeyDeletion", ok);
            }
            T::RevokeTableGrant(t) => {
                if let Some(view) = s.model.table(TABLES[t])
                    && let (Some(arn), Some(grant)) = (view.key_arn, view.grant_id)
                {
                    let out = s.call(0, 1, "RevokeGrant", json!({"KeyId": arn, "GrantId": grant}));
                    if out.result.is_ok()
                        && let Some(t) = s.shadow.get_mut(TABLES[t])
                    {
                        t.grant = false;
                    }
                }
            }
            T::CreateTable(t, sse) => {
                let name = TABLES[t];
                let existed = s.model.table(name).is_some() || s.is_deleting(name);
                let body = ratings_table(name, s.sse_body(&sse));
                let out = s.call(0, 1, "CreateTable", body);
                Sut::check_contexts(&out, name);
                if matches!(sse, Sse::Owned) {
                    assert!(
                        out.events
                            .iter()
                            .all(|e| e.event_source != "kms.amazonaws.com")
                    );
                }
                let key = s.shadow_key(&sse);
                let usable_key = match key {
                    Some(TableKey::Customer(i)) => s.key_states[i] == KeyShadow::Enabled,
                    Some(_) => true,
                    None => false,
                };
                assert_eq!(
                    out.result.is_ok(),
                    !existed && usable_key,
                    "CreateTable {sse:?}"
                );
                if let (Ok(_), Some(key)) = (&out.result, key) {
                    s.items.insert(name.to_owned(), BTreeMap::new());
                    s.shadow.insert(
                        name.to_owned(),
                        TableShadow {
                            key,
                            grant: true,
                            unusable_since: None,
                            status: "ACTIVE",
                            archiving_at: None,
                            switched_at: None,
                        },
                    );
                }
            }
            T::SwitchKey(t, sse) => {
                let name = TABLES[t];
                let body = json!({"TableName": name, "SSESpecification": s.sse_body(&sse)});
                let out = s.call(0, 1, "UpdateTable", body);
                Sut::check_contexts(&out, name);
                if out.result.is_ok() {
                    let view = s.model.table(name).expect("table");
                    assert_eq!(view.status.wire_name(), "ACTIVE", "a switch keeps ACTIVE");
                    let key = s
                        .shadow_key(&sse)
                        .expect("an accepted switch names an existing key");
                    let t = s.shadow.get_mut(name).expect("shadow table");
                    t.key = key;
                    t.grant = true;
                    t.switched_at = Some(s.now);
                }
            }
            T::DeleteTable(t) => {
                let name = TABLES[t];
                let deleting = s.is_deleting(name);
                let refused = s.shadow.get(name).is_some_and(|t| {
                    t.status == "ARCHIVING"
                        || t.switched_at.is_some_and(|at| s.now < at.plus(22 * SECOND))
                });
                let out = s.call(0, 1, "DeleteTable", json!({"TableName": name}));
                Sut::check_contexts(&out, name);
                assert_eq!(
                    out.result.is_ok(),
                    deleting || (s.shadow.contains_key(name) && !refused),
                    "DeleteTable: refused while ARCHIVING or UPDATING, idempotent while DELETING"
                );
                if let Ok(r) = out.result {
                    if !deleting {
                        s.forget_table(name);
                        s.deleting.insert(name.to_owned(), s.now);
                    }
                    assert!(s.model.table(name).is_none());
                    assert_eq!(r.body()["TableDescription"]["TableStatus"], "DELETING");
                }
            }
            T::Put {
                table,
                who,
                conn,
                player,
                rating,
                value,
            } => {
                let name = TABLES[table];
                let item = json!({"player": {"S": format!("p{player}")}, "rating": {"N": rating.to_string()}, "v": {"N": value.to_string()}});
                let out = s.data_plane(
                    table,
                    who,
                    conn,
                    "PutItem",
                    json!({"TableName": name, "Item": item}),
                );
                if out.result.is_ok() {
                    s.items
                        .entry(name.to_owned())
                        .or_default()
                        .insert((player, rating), value);
                }
            }
            T::Get {
                table,
                who,
                conn,
                player,
                rating,
            } => {
                let name = TABLES[table];
                let key = json!({"player": {"S": format!("p{player}")}, "rating": {"N": rating.to_string()}});
                let out = s.data_plane(
                    table,
                    who,
                    conn,
                    "GetItem",
                    json!({"TableName": name, "Key": key}),
                );
                if let Ok(r) = out.result {
                    let body = r.body();
                    let expected = s.items.get(name).and_then(|m| m.get(&(player, rating)));
                    match expected {
                        Some(v) => assert_eq!(
                            body["Item"]["v"]["N"],
                            v.to_string(),
                            "acknowledged item reads back"
                        ),
                        None => assert!(body.get("Item").is_none(), "no phantom item"),
                    }
                }
            }
            T::DeleteItem {
                table,
                who,
                conn,
                player,
                rating,
            } => {
                let name = TABLES[table];
                let key = json!({"player": {"S": format!("p{player}")}, "rating": {"N": rating.to_string()}});
                let out = s.data_plane(
                    table,
                    who,
                    conn,
                    "DeleteItem",
                    json!({"TableName": name, "Key": key}),
                );
                if out.result.is_ok() {
                    s.items
                        .entry(name.to_owned())
                        .or_default()
                        .remove(&(player, rating));
                }
            }
            T::Scan {
                table,
                who,
                conn,
                limit,
            } => {
                let name = TABLES[table];
                let mut seen = BTreeMap::new();
                let mut start: Option<Value> = None;
                loop {
                    let mut body = json!({"TableName": name, "Limit": limit});
                    if let Some(k) = &start {
                        body["ExclusiveStartKey"] = k.clone();
                    }
                    let out = s.data_plane(table, who, conn, "Scan", body);
                    let Ok(r) = out.result else { break };
                    let r = r.body();
                    for item in r["Items"].as_array().expect("items") {
                        let player: u8 = item["player"]["S"]
                            .as_str()
                            .and_then(|p| p[1..].parse().ok())
                            .expect("player");
                        let rating: u8 = item["rating"]["N"]
                            .as_str()
                            .and_then(|n| n.parse().ok())
                            .expect("rating");
                        let v: u16 = item["v"]["N"]
                            .as_str()
                            .and_then(|n| n.parse().ok())
                            .expect("v");
                        assert!(
                            seen.insert((player, rating), v).is_none(),
                            "a page repeats an item"
                        );
                    }
                    match r.get("LastEvaluatedKey") {
                        Some(k) => start = Some(k.clone()),
                        None => {
                            let expected = s.items.get(name).cloned().unwrap_or_default();
                            assert_eq!(
                                seen, expected,
                                "a paged Scan returns exactly the acknowledged items"
                            );
                            break;
                        }
                    }
                }
            }
            T::Describe(t) => {
                let name = TABLES[t];
                let out = s.call(0, 1, "DescribeTable", json!({"TableName": name}));
                assert_eq!(
                    out.result.is_ok(),
                    s.shadow.contains_key(name) || s.is_deleting(name)
                );
                if s.is_deleting(name) {
                    let r = out.result.expect("DELETING");
                    assert_eq!(r.body()["Table"]["TableStatus"], "DELETING");
                } else if let Ok(r) = out.result {
                    let table = &r.body()["Table"];
                    let shadow = s.shadow.get(name).expect("shadow").clone();
                    assert_eq!(
                        table["TableStatus"], shadow.status,
                        "status per the spec's timeline"
                    );
                    if shadow.status != "ACTIVE" {
                        let detected = shadow
                            .unusable_since
                            .map(|u| u.plus(900 * SECOND).epoch_seconds());
                        assert_eq!(
                            table["SSEDescription"]["InaccessibleEncryptionDateTime"].as_f64(),
                            detected
                        );
                    }
                    let inaccessible = table["TableStatus"] != "ACTIVE";
                    assert_eq!(
                        table["SSEDescription"]
                            .get("InaccessibleEncryptionDateTime")
                            .is_some(),
                        inaccessible,
                        "InaccessibleEncryptionDateTime exactly while not ACTIVE"
                    );
                }
            }
            T::Advance(ms) => s.now = s.now.plus(ms),
            T::Lookup(max) => {
                let mut seen = Vec::new();
                let mut token: Option<String> = None;
                //= spec/trail.md#lookup-paging
                //= type=test
                //# When more events match, the response MUST carry a `NextToken` that, sent with the same parameters, returns the following events, and a token that the target did not issue for those parameters MUST fail with `InvalidNextTokenException`.
                // A token "returns the following events", so every page but the last brings at
                // least one: more pages than records means the paging goes nowhere (a mutant
                // that pages forever is caught here instead of hanging the test).
                let mut pages = 0;
                loop {
                    pages += 1;
                    assert!(
                        pages <= s.recorded.len() + 1,
                        "LookupEvents paging makes no progress after {pages} pages"
                    );
                    let mut body = json!({"MaxResults": max});
                    if let Some(t) = &token {
                        body["NextToken"] = json!(t);
                    }
                    let out = s.call(0, 1, "LookupEvents", body);
                    assert!(out.events.is_empty(), "LookupEvents is not recorded");
                    let r = out.result.expect("LookupEvents").body();
                    let events = r["Events"].as_array().expect("events").clone();
                    assert!(events.len() <= usize::try_from(max).unwrap_or(50));
                    seen.extend(
                        events
                            .into_iter()
                            .map(|e| e["CloudTrailEvent"].as_str().expect("s").to_owned()),
                    );
                    match r.get("NextToken").and_then(Value::as_str) {
                        Some(t) => token = Some(t.to_owned()),
                        None => break,
                    }
                }
                let expected: Vec<String> = s
                    .recorded
                    .iter()
                    .rev()
                    .map(|r| serde_json::to_string(r).expect("json"))
                    .collect();
                assert_eq!(
                    seen, expected,
                    "LookupEvents returns exactly the records, newest first"
                );
            }
        }
        s.shadow_refresh();
        s
    }

    fn check_invariants(s: &Sut, _: &usize) {
        assert_eq!(s.model.events().len(), s.recorded.len());
        let times: Vec<Timestamp> = s.recorded.iter().filter_map(TrailRecord::time).collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "records in non-decreasing time"
        );
        for name in TABLES {
            assert_eq!(
                s.model.table(name).map(|t| t.item_count),
                s.items.get(name).map(BTreeMap::len),
                "{name}: the model holds exactly the acknowledged items"
            );
        }
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 2000, .. ProptestConfig::default() })]
    #[test]
    fn model_state_machine(sequential 1..60 => Sut);
}
