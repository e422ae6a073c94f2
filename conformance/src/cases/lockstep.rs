//! Model-based lockstep: random operation sequences (tables with each SSE choice, puts, gets,
//! deletes, updates (conditional or not), queries of the table and of its global index across principals and connections, key disable/enable, UpdateTable,
//! clock advances including 299, 300, 301 and 900 s) run against the target and a fresh reference
//! model side by side; every answer (status, body, error code and message, normalised) and, at the
//! end, the trail must agree. The first divergence is shrunk by proptest and printed as a
//! replayable script of `aws` CLI commands. `--seed` and `--cases` make a run reproducible.
//!
//! Sequences are plain proptest vectors of operations (shrinking drops and simplifies steps);
//! each sequence runs in its own fork of the case context, so its names and trail are its own.
//!
//! The model is reached only through the [`Target`](crate::target::Target) seam: every step goes
//! through [`Ctx::call_as`], which makes the same `Target::call` on the target under test and on
//! the context's oracle (a [`ModelTarget`](crate::target::model::ModelTarget)) with matching
//! connections, and the trails of both are read with `LookupEvents`.

use std::cell::RefCell;

use ddbsse_wire::time::SECOND;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::{Value, json};

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, mismatch};

/// Cases of this file.
pub const CASES: &[Case] = &[Case {
    id: "conformance/normalization/lockstep",
    title: "random operation sequences answer and record exactly as the reference model does",
    needs: &[Need::ManualClock],
    run: lockstep,
}];

/// Which key a table is created or switched to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sse {
    /// The AWS owned key.
    Owned,
    /// The AWS managed key.
    Managed,
    /// Customer key number 0 or 1 (by key id).
    Customer(u8),
}

/// One step of a sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// CreateTable of table slot `slot`.
    CreateTable { slot: u8, sse: Sse },
    /// UpdateTable switching slot `slot` to `sse`.
    UpdateTable { slot: u8, sse: Sse },
    /// DescribeTable.
    DescribeTable { slot: u8 },
    /// DeleteTable.
    DeleteTable { slot: u8 },
    /// PutItem by principal `p` on connection `c`.
    Put {
        slot: u8,
        p: u8,
        c: u8,
        pk: u8,
        v: u8,
    },
    /// GetItem by principal `p` on connection `c`.
    Get { slot: u8, p: u8, c: u8, pk: u8 },
    /// DeleteItem.
    DeleteItem { slot: u8, pk: u8 },
    /// UpdateItem by principal `p` on connection `c`: `ADD v :d` (or, with `guard`, only when
    /// the item exists, so that it fails on a missing item), returning `ALL_NEW`.
    Update {
        slot: u8,
        p: u8,
        c: u8,
        pk: u8,
        d: u8,
        guard: bool,
    },
    /// Query on the partition key.
    Query { slot: u8, p: u8, c: u8, pk: u8 },
    /// Query of the table's global index `byV` (on `v`, `KEYS_ONLY`) for `v`.
    IndexQuery { slot: u8, p: u8, c: u8, v: u8 },
    /// DisableKey of customer key `k`.
    Disable { k: u8 },
    /// EnableKey of customer key `k`.
    Enable { k: u8 },
    /// Advance the clock.
    Advance { ms: u64 },
}

fn sse() -> impl Strategy<Value = Sse> {
    prop_oneof![
        Just(Sse::Owned),
        Just(Sse::Managed),
        (0u8..2).prop_map(Sse::Customer)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let slot = 0u8..2;
    prop_oneof![
        2 => (slot.clone(), sse()).prop_map(|(slot, sse)| Op::CreateTable { slot, sse }),
        1 => (slot.clone(), sse()).prop_map(|(slot, sse)| Op::UpdateTable { slot, sse }),
        1 => slot.clone().prop_map(|slot| Op::DescribeTable { slot }),
        1 => slot.clone().prop_map(|slot| Op::DeleteTable { slot }),
        4 => (slot.clone(), 0u8..2, 0u8..2, 0u8..3, 0u8..4).prop_map(|(slot, p, c, pk, v)| Op::Put { slot, p, c, pk, v }),
        4 => (slot.clone(), 0u8..2, 0u8..2, 0u8..3).prop_map(|(slot, p, c, pk)| Op::Get { slot, p, c, pk }),
        1 => (slot.clone(), 0u8..3).prop_map(|(slot, pk)| Op::DeleteItem { slot, pk }),
        3 => (slot.clone(), 0u8..2, 0u8..2, 0u8..3, 0u8..4, any::<bool>())
            .prop_map(|(slot, p, c, pk, d, guard)| Op::Update { slot, p, c, pk, d, guard }),
        1 => (slot.clone(), 0u8..2, 0u8..2, 0u8..3).prop_map(|(slot, p, c, pk)| Op::Query { slot, p, c, pk }),
        1 => (slot, 0u8..2, 0u8..2, 0u8..8).prop_map(|(slot, p, c, v)| Op::IndexQuery { slot, p, c, v }),
        1 => (0u8..2).prop_map(|k| Op::Disable { k }),
        1 => (0u8..2).prop_map(|k| Op::Enable { k }),
        3 => prop_oneof![
            Just(SECOND), Just(60 * SECOND), Just(299 * SECOND), Just(300 * SECOND),
            Just(301 * SECOND), Just(900 * SECOND)
        ].prop_map(|ms| Op::Advance { ms }),
    ]
}

/// One request of a sequence, as sent (for the replay script).
struct Sent {
    principal: usize,
    connection: usize,
    target: String,
    body: Value,
}

/// Where a sequence first departed from the oracle, or why it could not run.
#[derive(Debug, thiserror::Error)]
enum Divergence {
    /// Setting the sequence up (its fork, keys, connections) or moving the clock failed.
    #[error("{0}")]
    Setup(#[from] Failure),
    /// A step answered differently from the oracle.
    #[error("step {step} ({op:?}): {failure}")]
    Step {
        /// The step's number, from 1.
        step: usize,
        /// The step.
        op: Op,
        /// How it differed.
        failure: Failure,
    },
    /// Every step agreed, the trails did not.
    #[error("trail after the sequence: {0}")]
    Trail(Failure),
}

/// Runs `ops` in a fresh fork; `Err` holds the first divergence.
fn run_sequence(
    ctx: &mut Ctx<'_>,
    ops: &[Op],
    prefix: String,
    sent: &mut Vec<Sent>,
    key_ids: &mut Vec<String>,
) -> Result<(), Divergence> {
    let mut sub = ctx.fork(prefix)?;
    let two = sub.principal_count() >= 2;
    let keys = [sub.create_key()?, sub.create_key()?];
    key_ids.extend(keys.iter().map(|k| k.id.clone()));
    let names = [sub.name("t0"), sub.name("t1")];
    let mut conns = vec![0usize];
    conns.push(sub.open_connection()?);
    let result = run_steps(&mut sub, ops, &names, &keys, &conns, two, sent);
    clean_up(&mut sub, &names, &keys);
    result
}

/// Deletes the sequence's tables and schedules its keys for deletion (7 days), on the target and
/// the oracle, after the comparison. Without it every table, key and grant of every earlier
/// sequence stayed on the target, and each KMS request there re-checked all of them: a run cost
/// the cube of its number of sequences. Errors are ignored (a table may already be gone).
fn clean_up(sub: &mut Ctx<'_>, names: &[String; 2], keys: &[crate::ctx::Key; 2]) {
    for name in names {
        let _ = sub.ddb("DeleteTable", json!({"TableName": name}));
    }
    for key in keys {
        let _ = sub.kms(
            "ScheduleKeyDeletion",
            json!({"KeyId": key.id, "PendingWindowInDays": 7}),
        );
    }
}

/// The steps of a sequence and the trail comparison after them.
fn run_steps(
    sub: &mut Ctx<'_>,
    ops: &[Op],
    names: &[String; 2],
    keys: &[crate::ctx::Key; 2],
    conns: &[usize],
    two: bool,
    sent: &mut Vec<Sent>,
) -> Result<(), Divergence> {
    let sse_body = |s: Sse| match s {
        Sse::Owned => json!({"Enabled": false}),
        Sse::Managed => json!({"Enabled": true}),
        Sse::Customer(k) => {
            json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": keys[usize::from(k)].id})
        }
    };
    for (i, op) in ops.iter().enumerate() {
        let t = |slot: u8| names[usize::from(slot)].clone();
        let (p, c, target, body) = match *op {
            Op::Advance { ms } => {
                sub.advance(ms)?;
                sent.push(Sent {
                    principal: 0,
                    connection: 0,
                    target: "clock".into(),
                    body: json!({"advanceMillis": ms}),
                });
                continue;
            }
            Op::CreateTable { slot, sse } => {
                let mut body = Ctx::table_body(&t(slot), None);
                // Every table has a global index on `v`, which the puts and updates change.
                body["AttributeDefinitions"] = json!([
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "v", "AttributeType": "N"}
                ]);
                body["GlobalSecondaryIndexes"] = json!([{"IndexName": "byV",
                    "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"}}]);
                if sse != Sse::Owned {
                    body["SSESpecification"] = sse_body(sse);
                }
                (0, 0, "DynamoDB_20120810.CreateTable", body)
            }
            Op::UpdateTable { slot, sse } => (
                0,
                0,
                "DynamoDB_20120810.UpdateTable",
                json!({"TableName": t(slot), "SSESpecification": sse_body(sse)}),
            ),
            Op::DescribeTable { slot } => (
                0,
                0,
                "DynamoDB_20120810.DescribeTable",
                json!({"TableName": t(slot)}),
            ),
            Op::DeleteTable { slot } => (
                0,
                0,
                "DynamoDB_20120810.DeleteTable",
                json!({"TableName": t(slot)}),
            ),
            Op::Put { slot, p, c, pk, v } => (
                p,
                c,
                "DynamoDB_20120810.PutItem",
                json!({"TableName": t(slot), "Item": {"pk": {"S": format!("k{pk}")}, "v": {"N": v.to_string()}}}),
            ),
            Op::Get { slot, p, c, pk } => (
                p,
                c,
                "DynamoDB_20120810.GetItem",
                json!({"TableName": t(slot), "Key": {"pk": {"S": format!("k{pk}")}}, "ConsistentRead": true}),
            ),
            Op::DeleteItem { slot, pk } => (
                0,
                0,
                "DynamoDB_20120810.DeleteItem",
                json!({"TableName": t(slot), "Key": {"pk": {"S": format!("k{pk}")}}}),
            ),
            Op::Update {
                slot,
                p,
                c,
                pk,
                d,
                guard,
            } => {
                let mut body = json!({"TableName": t(slot), "Key": {"pk": {"S": format!("k{pk}")}},
                    "UpdateExpression": "ADD v :d", "ExpressionAttributeValues": {":d": {"N": d.to_string()}},
                    "ReturnValues": "ALL_NEW"});
                if guard {
                    body["ConditionExpression"] = json!("attribute_exists(pk)");
                }
                (p, c, "DynamoDB_20120810.UpdateItem", body)
            }
            Op::Query { slot, p, c, pk } => (
                p,
                c,
                "DynamoDB_20120810.Query",
                json!({"TableName": t(slot), "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": format!("k{pk}")}}}),
            ),
            Op::IndexQuery { slot, p, c, v } => (
                p,
                c,
                "DynamoDB_20120810.Query",
                json!({"TableName": t(slot), "IndexName": "byV", "KeyConditionExpression": "v = :v",
                       "ExpressionAttributeValues": {":v": {"N": v.to_string()}}}),
            ),
            Op::Disable { k } => (
                0,
                0,
                "TrentService.DisableKey",
                json!({"KeyId": keys[usize::from(k)].id}),
            ),
            Op::Enable { k } => (
                0,
                0,
                "TrentService.EnableKey",
                json!({"KeyId": keys[usize::from(k)].id}),
            ),
        };
        let p = if two { usize::from(p) } else { 0 };
        let c = conns[usize::from(c)];
        sent.push(Sent {
            principal: p,
            connection: c,
            target: target.to_owned(),
            body: body.clone(),
        });
        let mut reply = sub.call_as(p, c, target, body)?;
        strip_unspecified(&mut reply.normalized);
        strip_unspecified(&mut reply.model_normalized);
        reply.same_as_model().map_err(|failure| Divergence::Step {
            step: i + 1,
            op: op.clone(),
            failure,
        })?;
    }
    let own: Vec<String> = keys.iter().map(|k| k.id.clone()).collect();
    sub.trail_of_keys_matches_model_except(Some(&own), strip_unspecified)
        .map_err(Divergence::Trail)?;
    Ok(())
}

/// Members no spec section fixes and AWS itself refreshes only every few hours
/// (`TableSizeBytes`, `ItemCount`, `IndexSizeBytes`, also inside trail `responseElements`): left
/// out of the lockstep comparison.
fn strip_unspecified(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for k in [
                "TableSizeBytes",
                "ItemCount",
                "IndexSizeBytes",
                "tableSizeBytes",
                "itemCount",
                "indexSizeBytes",
            ] {
                m.remove(k);
            }
            m.values_mut().for_each(strip_unspecified);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_unspecified),
        _ => {}
    }
}

/// The replay script of a sequence: `aws` CLI commands with `--endpoint-url`.
fn script(sent: &[Sent], endpoint: &str, keys: &[String], principals: &[String]) -> String {
    let mut out = format!(
        "#!/usr/bin/env bash\n# Replay of the shrunk lockstep divergence. Connections cannot be pinned with the CLI;\n# each step names the harness connection it used.\nset -x\nEP={endpoint}\nexport AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=\"\"\n"
    );
    for (i, _) in keys.iter().enumerate() {
        out.push_str(&format!(
            "KEY{i}=$(aws kms create-key --query KeyMetadata.KeyId --output text --endpoint-url $EP)\n"
        ));
    }
    for s in sent {
        if s.target == "clock" {
            out.push_str(&format!(
                "curl -s -X POST $EP/_conformance/clock -d '{}'\n",
                s.body
            ));
            continue;
        }
        let (service, op) = match s.target.split_once('.') {
            Some(("TrentService", op)) => ("kms", op),
            Some((_, op)) => ("dynamodb", op),
            None => ("dynamodb", s.target.as_str()),
        };
        let mut cmd = String::new();
        for (i, ch) in op.chars().enumerate() {
            if ch.is_ascii_uppercase() && i > 0 {
                cmd.push('-');
            }
            cmd.push(ch.to_ascii_lowercase());
        }
        let mut body = s.body.to_string();
        for (i, k) in keys.iter().enumerate() {
            body = body.replace(k.as_str(), &format!("'\"$KEY{i}\"'"));
        }
        let who = principals
            .get(s.principal)
            .map(|p| format!("AWS_ACCESS_KEY_ID={p} "))
            .unwrap_or_default();
        out.push_str(&format!(
            "{who}aws {service} {cmd} --cli-input-json '{body}' --endpoint-url $EP  # connection {}\n",
            s.connection
        ));
    }
    out
}

//= spec/conformance.md#normalization
//= type=test
//# Before comparing a target's responses or trail records with the reference model's, the harness MUST replace, in each document separately, every distinct id (any UUID, any 64-hex-digit string, including inside ARNs, messages and the `CloudTrailEvent` string) by `<id-N>`, where N counts distinct ids from 1 in order of first appearance in a depth-first walk in member order, and MUST replace every timestamp (epoch-second members such as `CreationDateTime`, and `eventTime` strings) by its offset in milliseconds from the start of the case.
fn lockstep(ctx: &mut Ctx<'_>) -> CaseResult {
    let options = ctx.lockstep;
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&options.seed.to_le_bytes());
    let config = Config {
        cases: options.cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let counter = RefCell::new(0u32);
    let cell = RefCell::new(&mut *ctx);
    // Every sequence starts by creating both tables (each with a random key choice), so that the
    // random steps after it mostly reach a table.
    let strategy =
        (sse(), sse(), proptest::collection::vec(op(), 1..24)).prop_map(|(a, b, rest)| {
            let mut ops = vec![
                Op::CreateTable { slot: 0, sse: a },
                Op::CreateTable { slot: 1, sse: b },
            ];
            ops.extend(rest);
            ops
        });
    let result = runner.run(&strategy, |ops| {
        let n = {
            let mut c = counter.borrow_mut();
            *c += 1;
            *c
        };
        let mut guard = cell.borrow_mut();
        let prefix = format!("{}l{n}-", guard.name("seq"));
        let (mut sent, mut keys) = (Vec::new(), Vec::new());
        run_sequence(&mut guard, &ops, prefix, &mut sent, &mut keys)
            .map_err(|d| TestCaseError::fail(d.to_string()))
    });
    let _ = cell.into_inner();
    match result {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, ops)) => {
            let n = *counter.borrow() + 1;
            let prefix = format!("{}replay{n}-", ctx.name("seq"));
            let (mut sent, mut keys) = (Vec::new(), Vec::new());
            let _ = run_sequence(ctx, &ops, prefix, &mut sent, &mut keys);
            let principals: Vec<String> = (0..ctx.principal_count())
                .filter_map(|p| ctx.principal(p).ok().map(str::to_owned))
                .collect();
            let replay = script(&sent, &ctx.endpoint_url, &keys, &principals);
            Err(mismatch(
                "every step of every sequence answers as the reference model",
                format!(
                    "seed {} : {reason}\nshrunk sequence ({} steps):\n{replay}",
                    options.seed,
                    ops.len()
                ),
            ))
        }
        Err(TestError::Abort(reason)) => {
            Err(mismatch("the lockstep run completes", reason.to_string()))
        }
    }
}
