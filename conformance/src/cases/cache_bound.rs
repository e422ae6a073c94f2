//! The table-key cache at its bound (`spec/cache.md#bound`): a fetch that finds the cache full
//! gives up expired entries before fresh ones, and at most the fresh entry fetched earliest.
//!
//! Each case fills a target's cache with exactly 4096 entries of its own (the spec's floor for a
//! bound, so a conforming target never drops one of them during the fill), fetches one or two
//! more, disables the key and then reads every entry that must have survived: a dropped entry
//! needs a Decrypt, which now fails, so the read names the entry; and the trail from the reads on
//! must hold no Decrypt of the case's tables at all. Entries are (principal, connection, table): two
//! principals (one when the target offers only one) on 256 (512) fresh connections over 8
//! tables, so an HTTP target needs a few hundred TCP connections, not thousands. Every fetch and
//! read is a GetItem of an item that does not exist: a data-plane read needs the table key all
//! the same (`spec/cache.md#scope`) and costs less than a write. Entries of earlier cases are at
//! least an hour old (each case advances the clock by an hour), so a target whose cache still
//! holds them drops them as expired when the fill reaches its bound. An unbounded target (AWS as
//! documented, the model) or one bounded above 4096 drops nothing and passes. The cases need a
//! manual clock: their entries are exactly 300 s old or one second apart. They close their
//! connections at the end, which lets the target evict their entries.

use ddbsse_wire::time::{SECOND, Timestamp};
use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, Key, check};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "cache/bound/expired-first",
        title: "4096 entries, half expired: further fetches keep every fresh entry (no Decrypt)",
        needs: &[Need::ManualClock],
        run: expired_first,
    },
    Case {
        id: "cache/bound/earliest-only",
        title: "4096 fresh entries: one more fetch keeps all but the one fetched earliest",
        needs: &[Need::ManualClock],
        run: earliest_only,
    },
];

/// The floor `spec/cache.md#bound` puts under a bound (kept literal here, from the spec).
const BOUND: usize = 4096;
/// Tables the entries are spread over.
const TABLES: usize = 8;

/// One cache entry of the case: principal, the harness's connection index, table index.
#[derive(Clone, Copy, Debug)]
struct Entry {
    principal: usize,
    connection: usize,
    table: usize,
}

/// What a case made: its key, its tables and the connections it opened.
struct Scene {
    key: Key,
    tables: Vec<String>,
    connections: Vec<usize>,
}

impl Scene {
    /// A key, [`TABLES`] tables under it, and enough fresh connections for [`BOUND`] entries.
    fn new(ctx: &mut Ctx<'_>) -> Result<Self, Failure> {
        let key = ctx.create_key()?;
        let mut tables = Vec::with_capacity(TABLES);
        for _ in 0..TABLES {
            tables.push(ctx.created_table(
                "bound",
                Some(json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key.id})),
            )?);
        }
        let principals = ctx.principal_count().clamp(1, 2);
        let mut scene = Self {
            key,
            tables,
            connections: Vec::new(),
        };
        for _ in 0..BOUND / (TABLES * principals) {
            scene.open(ctx)?;
        }
        Ok(scene)
    }

    /// Opens one more connection; returns its index.
    fn open(&mut self, ctx: &mut Ctx<'_>) -> Result<usize, Failure> {
        let c = ctx.open_connection()?;
        self.connections.push(c);
        Ok(c)
    }

    /// Every entry of the fill, [`BOUND`] of them, in fill order.
    fn entries(&self, ctx: &Ctx<'_>) -> Vec<Entry> {
        let principals = ctx.principal_count().clamp(1, 2);
        let mut v = Vec::with_capacity(BOUND);
        for &connection in &self.connections {
            for principal in 0..principals {
                for table in 0..self.tables.len() {
                    v.push(Entry {
                        principal,
                        connection,
                        table,
                    });
                }
            }
        }
        v
    }

    /// Fetches `entries`: one GetItem each (of an item that does not exist: a read needs the
    /// table key all the same, and costs the target less than a write).
    fn fill(&self, ctx: &mut Ctx<'_>, entries: &[Entry]) -> CaseResult {
        for e in entries {
            ctx.get_as(
                e.principal,
                e.connection,
                &self.tables[e.table],
                &item_key(e),
            )?
            .ok()?;
        }
        Ok(())
    }

    /// Reads the item of each of `entries` (key disabled: only a cached entry can serve) and
    /// fails naming the entries that could not, which the fetch at the bound dropped.
    fn expect_served(&self, ctx: &mut Ctx<'_>, entries: &[Entry], why: &str) -> CaseResult {
        let mut dropped = Vec::new();
        for e in entries {
            let r = ctx.get_as(
                e.principal,
                e.connection,
                &self.tables[e.table],
                &item_key(e),
            )?;
            let served = r.status == 200 && r.body.get("Item").is_none();
            if !served {
                dropped.push(format!(
                    "principal {} connection {} table {}: {} {}",
                    e.principal,
                    e.connection,
                    e.table,
                    r.status,
                    r.error_code().unwrap_or("(an item)")
                ));
            }
        }
        check(
            dropped.is_empty(),
            format!(
                "each of {} entries ({why}) serves GetItem from the cache after DisableKey",
                entries.len()
            ),
            format!(
                "{} of them did not (dropped by the fetch at the bound), first: {}",
                dropped.len(),
                dropped
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
    }

    /// Fails unless the trail from `since` on holds no Decrypt record of the case's tables (the
    /// reads began at `since`, a second after the last fetch).
    fn expect_no_decrypt_since(&self, ctx: &mut Ctx<'_>, since: Timestamp) -> CaseResult {
        let events = ctx.lookup_events(json!({"StartTime": since.epoch_seconds()}))?;
        let decrypts: Vec<String> = events
            .iter()
            .filter_map(|e| e["CloudTrailEvent"].as_str())
            .filter_map(|s| serde_json::from_str::<Value>(s).ok())
            .filter(|r| {
                r["eventName"] == "Decrypt"
                    && self.tables.iter().any(|t| {
                        r["requestParameters"]["encryptionContext"]["aws:dynamodb:tableName"] == *t
                    })
            })
            .map(|r| {
                format!(
                    "{} {}",
                    r["userIdentity"]["accessKeyId"].as_str().unwrap_or("?"),
                    r["errorCode"].as_str().unwrap_or("ok")
                )
            })
            .collect();
        check(
            decrypts.is_empty(),
            "no Decrypt record of the case's tables for the reads after the fetch at the bound",
            format!(
                "{} Decrypt record(s), first: {}",
                decrypts.len(),
                decrypts
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }

    /// Closes the connections the case opened (the target may then evict their entries).
    fn close(&self, ctx: &mut Ctx<'_>) -> CaseResult {
        for &c in &self.connections {
            ctx.close_connection(c)?;
        }
        Ok(())
    }
}

fn item_key(e: &Entry) -> String {
    format!("p{}-c{}", e.principal, e.connection)
}

/// Runs `body` on a fresh [`Scene`] and closes its connections whatever the outcome.
fn with_scene(ctx: &mut Ctx<'_>, body: fn(&mut Ctx<'_>, &mut Scene) -> CaseResult) -> CaseResult {
    let mut scene = Scene::new(ctx)?;
    let outcome = body(ctx, &mut scene);
    let closed = scene.close(ctx);
    outcome.and(closed)
}

//= spec/cache.md#bound
//= type=test
//# A fetch that finds the cache at its bound MUST NOT drop a fresh entry while an expired entry can be dropped, and MUST NOT drop any fresh entry other than the one fetched earliest.
/// Half the entries fetched at `t0`, half at `t0 + 150 s`; at `t0 + 300 s` the first half is
/// expired (exactly 300 s old) and a further fetch finds the cache full: the expired entries can
/// make room, so every fresh one, and the new ones, must still serve without a Decrypt.
fn expired_first(ctx: &mut Ctx<'_>) -> CaseResult {
    with_scene(ctx, |ctx, scene| {
        let entries = scene.entries(ctx);
        let (expiring, fresh) = entries.split_at(BOUND / 2);
        scene.fill(ctx, expiring)?;
        ctx.advance(150 * SECOND)?;
        scene.fill(ctx, fresh)?;
        ctx.advance(150 * SECOND)?;
        // Two more fetches, not one: if entries of earlier cases filled the cache during the
        // fill, a target that wrongly drops a fresh entry along with them holds 4095 entries
        // now, so only the second fetch finds it at its bound.
        let connection = scene.open(ctx)?;
        let extra = [0, 1].map(|table| Entry {
            principal: 0,
            connection,
            table,
        });
        scene.fill(ctx, &extra)?;
        ctx.advance(SECOND)?;
        let reads = ctx.now();
        ctx.kms("DisableKey", json!({"KeyId": scene.key.id}))?
            .ok()?;
        let mut must_serve = fresh.to_vec();
        must_serve.extend(extra);
        scene.expect_served(
            ctx,
            &must_serve,
            "fresh at the fetch at the bound, when 2048 expired entries could go",
        )?;
        scene.expect_no_decrypt_since(ctx, reads)
    })
}

//= spec/cache.md#bound
//= type=test
//# A fetch that finds the cache at its bound MUST NOT drop a fresh entry while an expired entry can be dropped, and MUST NOT drop any fresh entry other than the one fetched earliest.
/// The first entry fetched at `t1`, the other 4095 at `t1 + 1 s`, one more at `t1 + 2 s`: every
/// entry is fresh, so the new fetch may drop the first entry and no other. Nothing is asserted
/// about the first entry.
fn earliest_only(ctx: &mut Ctx<'_>) -> CaseResult {
    with_scene(ctx, |ctx, scene| {
        let entries = scene.entries(ctx);
        let (earliest, rest) = entries.split_at(1);
        scene.fill(ctx, earliest)?;
        ctx.advance(SECOND)?;
        scene.fill(ctx, rest)?;
        ctx.advance(SECOND)?;
        let extra = Entry {
            principal: 0,
            connection: scene.open(ctx)?,
            table: 0,
        };
        scene.fill(ctx, &[extra])?;
        ctx.advance(SECOND)?;
        let reads = ctx.now();
        ctx.kms("DisableKey", json!({"KeyId": scene.key.id}))?
            .ok()?;
        let mut must_serve = rest.to_vec();
        must_serve.push(extra);
        scene.expect_served(
            ctx,
            &must_serve,
            "all fresh, none of them the one fetched earliest",
        )?;
        scene.expect_no_decrypt_since(ctx, reads)
    })
}
