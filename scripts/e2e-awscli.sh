#!/usr/bin/env bash
# End to end: the AWS CLI and boto3, unmodified, against `ddbsse serve`.
#
# Usage: scripts/e2e-awscli.sh
#
# What it does:
#   1. makes a throwaway venv and installs `awscli` and `boto3` from PyPI (set E2E_VENV to a
#      folder to keep and reuse the venv between local runs);
#   2. builds `target/debug/ddbsse` and starts `ddbsse serve --port 0 --clock manual` on a fresh
#      data directory and trail directory, reading the port from its `ddbsse listening on` line;
#   3. runs the blog's `aws dynamodb create-table ... --sse-specification Enabled=true,SSEType=KMS`
#      and `aws dynamodb describe-table --query ...` commands as printed (with `--endpoint-url`;
#      the blog's typeset en dash in `–-table-name` is typed as `--`), then put-item, get-item,
#      update-item with a condition, a put-item whose condition fails, get-item with a projection,
#      transact-write-items (committed, then cancelled), transact-get-items,
#      `aws kms list-grants --key-id <arn>`, `aws cloudtrail lookup-events` and a boto3 script,
#      and checks the fields the blog shows; then ListTables paged by the CLI and UpdateTable's
#      billing mode, table class and refused stream changes; then UpdateItem, conditions, Scan filters and
#      projections, TransactWriteItems (with a ClientRequestToken repeated and reused) and
#      TransactGetItems after a switch to another customer managed key and under that key
#      disabled, with the CLI and with boto3, and a TTL deletion on the manual clock; then the
#      KMS operations Terraform's AWS provider
#      calls around a key (key policy, rotation, tags, description, update-alias, delete-alias,
#      generate-data-key-without-plaintext, re-encrypt, list-retirable-grants);
#   4. stops the server with SIGTERM (exit status 0, trail files delivered), restarts it on the
#      same data directory and checks that keys (with their policy, tags and rotation setting),
#      grants, the table, the item and the trail survived;
#   5. scans the data directory (and the server's log) for the plaintext marker written in the
#      items, which must not appear.
#   6. starts `ddbsse serve --credentials FILE` with the CLI's key and a temporary key, and checks
#      that the CLI's and boto3's signatures verify (with a session token too) and that a wrong
#      secret, an unknown key and a missing session token are refused with AWS's error codes.
# Prints `ok - ...` / `FAIL - ...` per check and ends with `e2e: N passed, N failed`; exits 1 on
# any failure. Credentials are dummies; nothing leaves 127.0.0.1 except the pip install.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }
die() {
  echo "e2e: cannot continue: $1" >&2
  echo "e2e: $passed passed, $((failed + 1)) failed"
  exit 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/ddbsse-e2e.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- 1. tools -----------------------------------------------------------------------------------
venv="${E2E_VENV:-$work/venv}"
if [ ! -x "$venv/bin/aws" ] || ! "$venv/bin/python" -c 'import boto3' 2>/dev/null; then
  echo "e2e: installing awscli and boto3 into $venv"
  python3 -m venv "$venv" || die "python3 -m venv failed"
  "$venv/bin/pip" install -q --disable-pip-version-check awscli boto3 || die "pip install awscli boto3 failed"
fi
py="$venv/bin/python"
aws_bin="$venv/bin/aws"
echo "e2e: $("$aws_bin" --version 2>&1), boto3 $("$py" -c 'import boto3; print(boto3.__version__)')"

echo "e2e: building ddbsse"
cargo build -q -p ddbsse || die "cargo build -p ddbsse failed"
bin="$root/target/debug/ddbsse"

# Dummy credentials; no profile or config file of the machine may interfere.
export AWS_ACCESS_KEY_ID=AKIDE2ETESTING
export AWS_SECRET_ACCESS_KEY=not-a-secret
export AWS_DEFAULT_REGION=us-east-1
export AWS_REGION=us-east-1
export AWS_PAGER=""
export AWS_CONFIG_FILE="$work/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL 2>/dev/null || true

data_dir="$work/data"
trail_dir="$work/trail"
marker="ddbsse-e2e-plaintext-marker-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# --- helpers ------------------------------------------------------------------------------------
start_server() { # $1: log name
  local log="$work/$1"
  "$bin" serve --port 0 --clock manual --data-dir "$data_dir" --trail-dir "$trail_dir" \
    >"$log.out" 2>"$log.err" &
  server_pid=$!
  for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      cat "$log.err" >&2
      die "ddbsse serve exited at start"
    fi
    url="$(sed -n 's/^ddbsse listening on \(http:\/\/[0-9.:]*\)$/\1/p' "$log.out")"
    if [ -n "$url" ]; then
      echo "e2e: ddbsse serve (pid $server_pid) listening on $url"
      return 0
    fi
    sleep 0.1
  done
  die "ddbsse serve printed no listening line within 30 s"
}

stop_server() { # checks a clean exit on SIGTERM
  kill -TERM "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=""
  if [ "$rc" -eq 0 ]; then ok "ddbsse serve exits 0 on SIGTERM"; else fail "ddbsse serve exited $rc on SIGTERM"; fi
}

# run NAME CMD...: runs an AWS CLI command, keeping its stdout in $work/NAME.json.
run() {
  local name="$1"
  shift
  if "$@" >"$work/$name.json" 2>"$work/$name.err"; then
    ok "$name: exit 0"
  else
    fail "$name: exit $? ($(head -c 400 "$work/$name.err"))"
  fi
}

# run_err NAME CMD...: runs an AWS CLI command that must fail, keeping its stderr in $work/NAME.err.
run_err() {
  local name="$1"
  shift
  if "$@" >"$work/$name.json" 2>"$work/$name.err"; then
    fail "$name: exit 0 where an error was expected"
  fi
}

# check NAME DESCRIPTION PYTHON: evaluates PYTHON (statements; `d` is the JSON of NAME, `assert`
# to check) and reports.
check() {
  local name="$1" what="$2" code="$3"
  local out
  if out="$("$py" - "$work/$name.json" 2>&1 <<EOF
import json, re, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    raise SystemExit(f"no JSON output: {e}")
$code
EOF
)"; then
    ok "$what"
  else
    fail "$what: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
  fi
}

ep() { echo "--endpoint-url=$url"; }

# --- 2-3. first run -----------------------------------------------------------------------------
start_server serve1

# The blog's create-table, as printed.
run create-table "$aws_bin" dynamodb create-table \
    --table-name ratings \
    --attribute-definitions AttributeName=player,AttributeType=S \
 AttributeName=rating,AttributeType=N \
    --key-schema AttributeName=player,KeyType=HASH  AttributeName=rating,KeyType=RANGE \
    --provisioned-throughput ReadCapacityUnits=5,WriteCapacityUnits=5 \
    --sse-specification Enabled=true,SSEType=KMS "$(ep)"
check create-table "create-table: SSEDescription ENABLED / KMS / a KMS key ARN, TableStatus CREATING" '
t = d["TableDescription"]
s = t["SSEDescription"]
assert s["Status"] == "ENABLED", s
assert s["SSEType"] == "KMS", s
assert re.fullmatch(r"arn:aws:kms:us-east-1:123456789012:key/[0-9a-f-]{36}", s["KMSMasterKeyArn"]), s
assert t["TableStatus"] == "CREATING", t["TableStatus"]
assert t["TableName"] == "ratings"
assert t["TableArn"] == "arn:aws:dynamodb:us-east-1:123456789012:table/ratings", t["TableArn"]
assert [k["KeyType"] for k in t["KeySchema"]] == ["HASH", "RANGE"], t["KeySchema"]
assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
'
key_arn="$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"])' "$work/create-table.json" 2>/dev/null || true)"
[ -n "$key_arn" ] || die "no KMSMasterKeyArn in the create-table output"

# The blog's describe-table, as printed.
run describe-table "$aws_bin" dynamodb describe-table --table-name ratings \
     --query 'Table.{TableName:TableName, TableStatus:TableStatus, SSEDescription:SSEDescription}' --output json "$(ep)"
check describe-table "describe-table --query: ACTIVE, ENABLED / KMS, the same key ARN" "
assert set(d) == {'TableName', 'TableStatus', 'SSEDescription'}, d
assert d['TableName'] == 'ratings'
assert d['TableStatus'] == 'ACTIVE', d
assert d['SSEDescription'] == {'Status': 'ENABLED', 'SSEType': 'KMS', 'KMSMasterKeyArn': '$key_arn'}, d['SSEDescription']
"

run put-item "$aws_bin" dynamodb put-item --table-name ratings \
    --item "{\"player\":{\"S\":\"alice\"},\"rating\":{\"N\":\"1500\"},\"note\":{\"S\":\"$marker\"}}" "$(ep)"
run get-item "$aws_bin" dynamodb get-item --table-name ratings \
    --key '{"player":{"S":"alice"},"rating":{"N":"1500"}}' "$(ep)"
check get-item "get-item returns the item put, decrypted" "
assert d['Item'] == {'player': {'S': 'alice'}, 'rating': {'N': '1500'}, 'note': {'S': '$marker'}}, d
"

# A global index from the CLI (AWS owned key, so that the AWS managed key keeps one grant):
# create-table with one, query and scan it by --index-name.
run create-leagues "$aws_bin" dynamodb create-table --table-name leagues \
    --attribute-definitions AttributeName=league,AttributeType=S AttributeName=city,AttributeType=S \
    --key-schema AttributeName=league,KeyType=HASH --billing-mode PAY_PER_REQUEST \
    --global-secondary-indexes '[{"IndexName":"byCity","KeySchema":[{"AttributeName":"city","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]' \
    "$(ep)"
for l in east west north; do
  run "put-$l" "$aws_bin" dynamodb put-item --table-name leagues \
      --item "{\"league\":{\"S\":\"$l\"},\"city\":{\"S\":\"$marker-city\"},\"note\":{\"S\":\"$marker\"}}" "$(ep)"
done
run put-nocity "$aws_bin" dynamodb put-item --table-name leagues --item '{"league":{"S":"south"}}' "$(ep)"
run query-index "$aws_bin" dynamodb query --table-name leagues --index-name byCity \
    --key-condition-expression "city = :c" --expression-attribute-values "{\":c\":{\"S\":\"$marker-city\"}}" "$(ep)"
check query-index "query --index-name: the three items of the city, whole (ALL projection)" "
assert d['Count'] == 3, d
assert sorted(i['league']['S'] for i in d['Items']) == ['east', 'north', 'west'], d
assert all(i['note'] == {'S': '$marker'} for i in d['Items']), d
"
run scan-index "$aws_bin" dynamodb scan --table-name leagues --index-name byCity "$(ep)"
check scan-index "scan --index-name: the item without a city is not in the index" "
assert d['Count'] == 3, d
"
run_err query-index-consistent "$aws_bin" dynamodb query --table-name leagues --index-name byCity \
    --consistent-read --key-condition-expression "city = :c" --expression-attribute-values '{":c":{"S":"x"}}' "$(ep)"
if grep -q "Consistent reads are not supported on global secondary indexes" "$work/query-index-consistent.err"; then
  ok "query --index-name --consistent-read on a global index is refused with AWS's text"
else
  fail "query --consistent-read on a global index: $(head -c 300 "$work/query-index-consistent.err")"
fi

# update-item with an update expression, names, values and a condition; then a condition that
# fails.
run update-item "$aws_bin" dynamodb update-item --table-name ratings \
    --key '{"player":{"S":"alice"},"rating":{"N":"1500"}}' \
    --update-expression 'SET wins = if_not_exists(wins, :zero) + :one, #s = :s' \
    --condition-expression 'attribute_exists(player) AND begins_with(note, :m)' \
    --expression-attribute-names '{"#s":"status"}' \
    --expression-attribute-values "{\":zero\":{\"N\":\"0\"},\":one\":{\"N\":\"1\"},\":s\":{\"S\":\"ranked\"},\":m\":{\"S\":\"$marker\"}}" \
    --return-values UPDATED_NEW "$(ep)"
check update-item "update-item: SET with if_not_exists and +, a #name, under a condition; UPDATED_NEW" "
assert d['Attributes'] == {'wins': {'N': '1'}, 'status': {'S': 'ranked'}}, d
"
if "$aws_bin" dynamodb put-item --table-name ratings \
    --item '{"player":{"S":"alice"},"rating":{"N":"1500"}}' \
    --condition-expression 'attribute_not_exists(player)' "$(ep)" >"$work/put-cond.json" 2>"$work/put-cond.err"; then
  fail "put-item with a false condition succeeded"
elif grep -q ConditionalCheckFailedException "$work/put-cond.err"; then
  ok "put-item with a false condition: ConditionalCheckFailedException"
else
  fail "put-item with a false condition: $(head -c 300 "$work/put-cond.err")"
fi
run get-after-update "$aws_bin" dynamodb get-item --table-name ratings \
    --key '{"player":{"S":"alice"},"rating":{"N":"1500"}}' --projection-expression 'wins, note' "$(ep)"
check get-after-update "get-item --projection-expression after the update and the refused put" "
assert d['Item'] == {'wins': {'N': '1'}, 'note': {'S': '$marker'}}, d
"

# transact-write-items: an update and a conditional put together; then the same again, cancelled
# by the put's condition, writing nothing.
tx_items='[{"Update":{"TableName":"ratings","Key":{"player":{"S":"alice"},"rating":{"N":"1500"}},"UpdateExpression":"ADD wins :one","ExpressionAttributeValues":{":one":{"N":"1"}}}},{"Put":{"TableName":"ratings","Item":{"player":{"S":"bob"},"rating":{"N":"1400"}},"ConditionExpression":"attribute_not_exists(player)"}}]'
run transact "$aws_bin" dynamodb transact-write-items --transact-items "$tx_items" "$(ep)"
if "$aws_bin" dynamodb transact-write-items --transact-items "$tx_items" "$(ep)" >"$work/tx2.json" 2>"$work/tx2.err"; then
  fail "transact-write-items with a false condition succeeded"
elif grep -q TransactionCanceledException "$work/tx2.err" && grep -q "None, ConditionalCheckFailed" "$work/tx2.err"; then
  ok "transact-write-items with a false condition: TransactionCanceledException [None, ConditionalCheckFailed]"
else
  fail "transact-write-items with a false condition: $(head -c 300 "$work/tx2.err")"
fi
run get-after-tx "$aws_bin" dynamodb get-item --table-name ratings \
    --key '{"player":{"S":"alice"},"rating":{"N":"1500"}}' --projection-expression wins "$(ep)"
check get-after-tx "get-item after one committed and one cancelled transaction: wins is 2" "
assert d['Item'] == {'wins': {'N': '2'}}, d
"

run transact-get "$aws_bin" dynamodb transact-get-items --transact-items \
    '[{"Get":{"TableName":"ratings","Key":{"player":{"S":"bob"},"rating":{"N":"1400"}}}},{"Get":{"TableName":"ratings","Key":{"player":{"S":"alice"},"rating":{"N":"1500"}},"ProjectionExpression":"wins"}}]' "$(ep)"
check transact-get "transact-get-items: both items, in order, the second projected" "
assert d['Responses'] == [{'Item': {'player': {'S': 'bob'}, 'rating': {'N': '1400'}}}, {'Item': {'wins': {'N': '2'}}}], d
"

run list-grants "$aws_bin" kms list-grants --key-id "$key_arn" "$(ep)"
check list-grants "list-grants: one grant to DynamoDB with the 7 operations and the table's context" "
g = d['Grants']
assert len(g) == 1, g
g = g[0]
assert sorted(g['Operations']) == sorted(['DescribeKey', 'GenerateDataKey', 'Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'RetireGrant']), g['Operations']
assert g['GranteePrincipal'] == 'dynamodb.us-east-1.amazonaws.com', g
assert g['RetiringPrincipal'] == 'dynamodb.us-east-1.amazonaws.com', g
assert g['KeyId'] == '$key_arn', g['KeyId']
assert g['Constraints']['EncryptionContextSubset'] == {'aws:dynamodb:tableName': 'ratings', 'aws:dynamodb:subscriberId': '123456789012'}, g
"
grant_id="$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["Grants"][0]["GrantId"])' "$work/list-grants.json" 2>/dev/null || true)"

run lookup-events "$aws_bin" cloudtrail lookup-events "$(ep)"
check lookup-events "lookup-events: CreateGrant, GenerateDataKey and Decrypt made via DynamoDB on the table's key" "
ev = d['Events']
names = [e['EventName'] for e in ev]
for n in ('CreateGrant', 'GenerateDataKey', 'Decrypt', 'CreateTable'):
    assert n in names, (n, names)
via_ddb = 0
for e in ev:
    r = json.loads(e['CloudTrailEvent'])
    if r['eventSource'] == 'kms.amazonaws.com' and r['eventName'] == 'ListGrants':
        # The CLI's own list-grants: the caller's identity and address, no invokedBy.
        assert r['userIdentity']['accessKeyId'] == 'AKIDE2ETESTING' and 'invokedBy' not in r['userIdentity'], r
        assert r['sourceIPAddress'] == '127.0.0.1', r['sourceIPAddress']
    elif r['eventSource'] == 'kms.amazonaws.com':
        via_ddb += 1
        assert r['sourceIPAddress'] == 'dynamodb.amazonaws.com', r
        assert r['resources'][0]['ARN'] == '$key_arn', r['resources']
        if r['eventName'] in ('GenerateDataKey', 'Decrypt'):
            assert r['requestParameters']['encryptionContext']['aws:dynamodb:tableName'] == 'ratings', r['requestParameters']
        if r['eventName'] == 'CreateGrant':
            assert r['requestParameters']['constraints']['encryptionContextSubset']['aws:dynamodb:tableName'] == 'ratings', r['requestParameters']
        ui = r['userIdentity']
        assert ui.get('invokedBy') == 'dynamodb.amazonaws.com', ui
assert via_ddb >= 3, via_ddb
"
run lookup-events-kms "$aws_bin" cloudtrail lookup-events \
    --lookup-attributes AttributeKey=EventSource,AttributeValue=kms.amazonaws.com "$(ep)"
check lookup-events-kms "lookup-events --lookup-attributes EventSource=kms.amazonaws.com: only KMS events" "
assert d['Events'], d
assert all(json.loads(e['CloudTrailEvent'])['eventSource'] == 'kms.amazonaws.com' for e in d['Events'])
"

# The control plane Terraform needs (spec/control-plane.md), through the AWS CLI: a table with a
# GSI, an LSI and tags under the AWS owned key, a GSI added later, TTL, tags, point-in-time
# recovery, DescribeLimits.
cat >"$work/scores-gsi.json" <<'JSON'
[{"IndexName": "by-game", "KeySchema": [{"AttributeName": "game", "KeyType": "HASH"}, {"AttributeName": "score", "KeyType": "RANGE"}],
  "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}}]
JSON
cat >"$work/scores-lsi.json" <<'JSON'
[{"IndexName": "by-played", "KeySchema": [{"AttributeName": "player", "KeyType": "HASH"}, {"AttributeName": "played", "KeyType": "RANGE"}],
  "Projection": {"ProjectionType": "KEYS_ONLY"}}]
JSON
run create-indexed "$aws_bin" dynamodb create-table --table-name scores \
    --attribute-definitions AttributeName=player,AttributeType=S AttributeName=game,AttributeType=S \
      AttributeName=score,AttributeType=N AttributeName=played,AttributeType=S \
    --key-schema AttributeName=player,KeyType=HASH AttributeName=game,KeyType=RANGE \
    --billing-mode PAY_PER_REQUEST \
    --global-secondary-indexes "file://$work/scores-gsi.json" \
    --local-secondary-indexes "file://$work/scores-lsi.json" \
    --tags Key=team,Value=red Key=env,Value=test "$(ep)"
check create-indexed "create-table with a GSI, an LSI and tags: index ARNs, ACTIVE GSI, no SSEDescription" '
t = d["TableDescription"]
arn = t["TableArn"]
g = t["GlobalSecondaryIndexes"][0]
assert g["IndexName"] == "by-game" and g["IndexStatus"] == "ACTIVE", g
assert g["IndexArn"] == arn + "/index/by-game", g["IndexArn"]
assert g["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]}, g
l = t["LocalSecondaryIndexes"][0]
assert l["IndexArn"] == arn + "/index/by-played", l
assert "SSEDescription" not in t, t
'
scores_arn="arn:aws:dynamodb:us-east-1:123456789012:table/scores"
run_err create-unused-def "$aws_bin" dynamodb create-table --table-name unused \
    --attribute-definitions AttributeName=a,AttributeType=S AttributeName=b,AttributeType=S AttributeName=c,AttributeType=S \
    --key-schema AttributeName=a,KeyType=HASH --billing-mode PAY_PER_REQUEST \
    --global-secondary-indexes 'IndexName=by-b,KeySchema=[{AttributeName=b,KeyType=HASH}],Projection={ProjectionType=ALL}' "$(ep)"
if grep -q "Some AttributeDefinitions are not used. AttributeDefinitions: \[a, b, c\], keys used: \[a, b\]" "$work/create-unused-def.err"; then
  ok "create-table with an unused attribute definition: AWS's ValidationException"
else
  fail "create-table with an unused attribute definition: $(head -c 300 "$work/create-unused-def.err")"
fi
run add-gsi "$aws_bin" dynamodb update-table --table-name scores \
    --attribute-definitions AttributeName=played,AttributeType=S \
    --global-secondary-index-updates '[{"Create": {"IndexName": "by-date", "KeySchema": [{"AttributeName": "played", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}}]' "$(ep)"
check add-gsi "update-table adds a GSI: table UPDATING, index CREATING with Backfilling" '
t = d["TableDescription"]
assert t["TableStatus"] == "UPDATING", t["TableStatus"]
g = {i["IndexName"]: i for i in t["GlobalSecondaryIndexes"]}
assert g["by-date"]["IndexStatus"] == "CREATING" and g["by-date"]["Backfilling"] is True, g["by-date"]
'
curl -s -X POST "$url/_conformance/clock" -d '{"advanceMillis": 5000}' >/dev/null
run gsi-active "$aws_bin" dynamodb describe-table --table-name scores "$(ep)"
check gsi-active "5 s later (manual clock): the new GSI is ACTIVE and the table too" '
t = d["Table"]
assert t["TableStatus"] == "ACTIVE", t["TableStatus"]
assert sorted((i["IndexName"], i["IndexStatus"]) for i in t["GlobalSecondaryIndexes"]) == [("by-date", "ACTIVE"), ("by-game", "ACTIVE")], t["GlobalSecondaryIndexes"]
'
run ttl-on "$aws_bin" dynamodb update-time-to-live --table-name scores \
    --time-to-live-specification Enabled=true,AttributeName=expires "$(ep)"
check ttl-on "update-time-to-live answers the specification" '
assert d == {"TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}}, d
'
run ttl-describe "$aws_bin" dynamodb describe-time-to-live --table-name scores "$(ep)"
check ttl-describe "describe-time-to-live: ENABLED on expires" '
assert d == {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}}, d
'
run_err ttl-again "$aws_bin" dynamodb update-time-to-live --table-name scores \
    --time-to-live-specification Enabled=true,AttributeName=expires "$(ep)"
if grep -q "TimeToLive is already enabled" "$work/ttl-again.err"; then
  ok "update-time-to-live again: TimeToLive is already enabled"
else
  fail "update-time-to-live again: $(head -c 300 "$work/ttl-again.err")"
fi
run tag "$aws_bin" dynamodb tag-resource --resource-arn "$scores_arn" --tags Key=team,Value=blue Key=owner,Value=e2e "$(ep)"
run untag "$aws_bin" dynamodb untag-resource --resource-arn "$scores_arn" --tag-keys env "$(ep)"
run list-tags "$aws_bin" dynamodb list-tags-of-resource --resource-arn "$scores_arn" "$(ep)"
check list-tags "tag-resource, untag-resource, list-tags-of-resource: tags by key" '
assert d == {"Tags": [{"Key": "owner", "Value": "e2e"}, {"Key": "team", "Value": "blue"}]}, d
'
run pitr-on "$aws_bin" dynamodb update-continuous-backups --table-name scores \
    --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=7 "$(ep)"
run pitr-describe "$aws_bin" dynamodb describe-continuous-backups --table-name scores "$(ep)"
check pitr-describe "describe-continuous-backups: PITR ENABLED for 7 days with its window" '
c = d["ContinuousBackupsDescription"]
assert c["ContinuousBackupsStatus"] == "ENABLED", c
p = c["PointInTimeRecoveryDescription"]
assert p["PointInTimeRecoveryStatus"] == "ENABLED" and p["RecoveryPeriodInDays"] == 7, p
assert p["EarliestRestorableDateTime"] and p["LatestRestorableDateTime"], p
'
run_err pitr-missing "$aws_bin" dynamodb describe-continuous-backups --table-name nope "$(ep)"
if grep -q "TableNotFoundException" "$work/pitr-missing.err" && grep -q "Table not found: nope" "$work/pitr-missing.err"; then
  ok "describe-continuous-backups of a missing table: TableNotFoundException"
else
  fail "describe-continuous-backups of a missing table: $(head -c 300 "$work/pitr-missing.err")"
fi
run limits "$aws_bin" dynamodb describe-limits "$(ep)"
check limits "describe-limits: the default quotas" '
assert d == {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000, "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}, d
'

# The boto3 script: a customer managed key, every attribute type, Query, batch calls, the cache
# refresh after 300 s on the manual clock, and botocore's CRC-32 check on every DynamoDB answer.
cat >"$work/boto3_check.py" <<'PYEOF'
import json, sys, urllib.request
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url, marker = sys.argv[1], sys.argv[2]
cfg = Config(retries={"max_attempts": 1})  # a CRC mismatch would surface as an error, not a retry
ddb = boto3.client("dynamodb", endpoint_url=url, config=cfg)
kms = boto3.client("kms", endpoint_url=url, config=cfg)
trail = boto3.client("cloudtrail", endpoint_url=url, config=cfg)
results = []

def check(what, cond, detail=""):
    results.append((what, bool(cond), detail))

def decrypts(table):
    n, token = 0, None
    while True:
        kw = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Decrypt"}]}
        if token:
            kw["NextToken"] = token
        page = trail.lookup_events(**kw)
        for e in page["Events"]:
            r = json.loads(e["CloudTrailEvent"])
            if r["requestParameters"]["encryptionContext"]["aws:dynamodb:tableName"] == table:
                n += 1
        token = page.get("NextToken")
        if not token:
            return n

key = kms.create_key(Description="e2e customer managed key")["KeyMetadata"]
check("boto3: CreateKey returns an enabled key", key["KeyState"] == "Enabled" and key["Enabled"], key)
ddb.create_table(
    TableName="games",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    BillingMode="PAY_PER_REQUEST",
    SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["Arn"]},
)
desc = ddb.describe_table(TableName="games")["Table"]
check("boto3: customer managed key table is ACTIVE with that key", desc["TableStatus"] == "ACTIVE"
      and desc["SSEDescription"]["KMSMasterKeyArn"] == key["Arn"], desc.get("SSEDescription"))

item = {
    "pk": {"S": "p1"}, "sk": {"N": "1"}, "s": {"S": marker}, "n": {"N": "-12.5e3"}, "b": {"B": b"\x00\x01\xff"},
    "t": {"BOOL": True}, "z": {"NULL": True}, "m": {"M": {"x": {"S": "y"}, "l": {"L": [{"N": "1"}, {"S": "two"}]}}},
    "l": {"L": [{"BOOL": False}, {"NULL": True}]}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
}
ddb.put_item(TableName="games", Item=item)
got = ddb.get_item(TableName="games", Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})["Item"]
norm = lambda v: {k: (sorted(x) if isinstance(x, list) and k in ("SS", "NS", "BS") else x) for k, x in v.items()}
same = set(got) == set(item) and all(norm(got[k]) == norm(item[k]) or k == "n" for k in item)
check("boto3: every attribute type round-trips", same, got)
check("boto3: numbers keep their value", float(got["n"]["N"]) == -12500.0, got.get("n"))

ddb.batch_write_item(RequestItems={"games": [
    {"PutRequest": {"Item": {"pk": {"S": "p1"}, "sk": {"N": str(i)}, "v": {"S": marker}}}} for i in range(2, 12)
]})
q = ddb.query(TableName="games", KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
              ExpressionAttributeValues={":p": {"S": "p1"}, ":a": {"N": "3"}, ":b": {"N": "7"}})
check("boto3: Query with BETWEEN on the sort key, in order", [i["sk"]["N"] for i in q["Items"]] == ["3", "4", "5", "6", "7"],
      [i["sk"]["N"] for i in q["Items"]])
pages = list(ddb.get_paginator("query").paginate(TableName="games", KeyConditionExpression="pk = :p",
             ExpressionAttributeValues={":p": {"S": "p1"}}, PaginationConfig={"PageSize": 4}))
check("boto3: Query paginates with Limit / LastEvaluatedKey", sum(len(p["Items"]) for p in pages) == 11 and len(pages) >= 3,
      [len(p["Items"]) for p in pages])
bg = ddb.batch_get_item(RequestItems={"games": {"Keys": [{"pk": {"S": "p1"}, "sk": {"N": str(i)}} for i in (2, 5, 11)]}})
check("boto3: BatchGetItem", sorted(i["sk"]["N"] for i in bg["Responses"]["games"]) == ["11", "2", "5"], bg["Responses"])
games_arn = ddb.describe_table(TableName="games")["Table"]["TableArn"]
by_arn = ddb.get_item(TableName=games_arn, Key={"pk": {"S": "p1"}, "sk": {"N": "5"}}, ConsistentRead=True)
check("boto3: GetItem with the table ARN as TableName", by_arn.get("Item", {}).get("sk") == {"N": "5"}, by_arn)
bg_arn = ddb.batch_get_item(RequestItems={games_arn: {"Keys": [{"pk": {"S": "p1"}, "sk": {"N": "2"}}]}})
check("boto3: BatchGetItem keyed by ARN answers under the ARN", list(bg_arn["Responses"]) == [games_arn], bg_arn["Responses"])

grants = kms.list_grants(KeyId=key["Arn"])["Grants"]
check("boto3: one DynamoDB grant on the customer managed key", len(grants) == 1
      and grants[0]["GranteePrincipal"] == "dynamodb.us-east-1.amazonaws.com", grants)

# One connection: the table key is cached; 300 s later (manual clock) the next read calls Decrypt.
before = decrypts("games")
ddb.get_item(TableName="games", Key={"pk": {"S": "p1"}, "sk": {"N": "2"}})
check("boto3: a cached table key makes no Decrypt", decrypts("games") == before, (before, decrypts("games")))
req = urllib.request.Request(url + "/_conformance/clock", data=b'{"advanceMillis": 300000}',
                             headers={"Content-Type": "application/json"}, method="POST")
with urllib.request.urlopen(req) as r:
    now = json.load(r)["nowMillis"]
ddb.get_item(TableName="games", Key={"pk": {"S": "p1"}, "sk": {"N": "2"}})
check("boto3: 300 s later the next read calls Decrypt once", decrypts("games") == before + 1, (before, decrypts("games"), now))

# UpdateItem on the same connection uses the cached table key; a condition that fails changes
# nothing; under a disabled key (after the 300 s window) UpdateItem fails as reads do.
before = decrypts("games")
up = ddb.update_item(TableName="games", Key={"pk": {"S": "p1"}, "sk": {"N": "2"}},
                     UpdateExpression="ADD plays :one SET tags = list_append(if_not_exists(tags, :empty), :t)",
                     ExpressionAttributeValues={":one": {"N": "1"}, ":empty": {"L": []}, ":t": {"L": [{"S": "x"}]}},
                     ReturnValues="ALL_NEW")
check("boto3: UpdateItem ADD and list_append return ALL_NEW", up["Attributes"].get("plays") == {"N": "1"}
      and up["Attributes"].get("tags") == {"L": [{"S": "x"}]}, up.get("Attributes"))
check("boto3: UpdateItem on a cached connection makes no Decrypt", decrypts("games") == before, (before, decrypts("games")))
try:
    ddb.update_item(TableName="games", Key={"pk": {"S": "p1"}, "sk": {"N": "2"}}, UpdateExpression="SET plays = :z",
                    ConditionExpression="plays > :big", ExpressionAttributeValues={":z": {"N": "0"}, ":big": {"N": "5"}},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD")
    check("boto3: a false condition fails UpdateItem", False)
except ddb.exceptions.ConditionalCheckFailedException as e:
    check("boto3: a false condition fails UpdateItem, returning the item", e.response.get("Item", {}).get("plays") == {"N": "1"}, e.response)
filtered = ddb.scan(TableName="games", FilterExpression="attribute_exists(plays)", ProjectionExpression="pk, sk, plays")
check("boto3: Scan with a FilterExpression and a projection", filtered["Count"] == 1 and filtered["Items"][0].get("plays") == {"N": "1"}
      and filtered["ScannedCount"] > 1, filtered)
kms.disable_key(KeyId=key["KeyId"])
req = urllib.request.Request(url + "/_conformance/clock", data=b'{"advanceMillis": 300000}',
                             headers={"Content-Type": "application/json"}, method="POST")
urllib.request.urlopen(req).read()
try:
    ddb.update_item(TableName="games", Key={"pk": {"S": "p1"}, "sk": {"N": "2"}}, UpdateExpression="ADD plays :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})
    check("boto3: UpdateItem under a disabled key fails", False)
except ClientError as e:
    check("boto3: UpdateItem under a disabled key fails with the disabled-key error",
          e.response["Error"]["Code"] == "ValidationException" and "KMS key disabled error" in e.response["Error"]["Message"], e.response)
kms.enable_key(KeyId=key["KeyId"])
again = ddb.get_item(TableName="games", Key={"pk": {"S": "p1"}, "sk": {"N": "2"}})
check("boto3: the refused UpdateItem changed nothing", again["Item"].get("plays") == {"N": "1"}, again.get("Item"))

# Secondary indexes: a global index (KEYS_ONLY) and a local one, sparse, paged, refused reads.
ddb.create_table(
    TableName="players",
    AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in
                          (("pk", "S"), ("sk", "S"), ("team", "S"), ("score", "N"))],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    BillingMode="PAY_PER_REQUEST",
    GlobalSecondaryIndexes=[{"IndexName": "byTeam", "Projection": {"ProjectionType": "KEYS_ONLY"},
                             "KeySchema": [{"AttributeName": "team", "KeyType": "HASH"},
                                           {"AttributeName": "score", "KeyType": "RANGE"}]}],
    LocalSecondaryIndexes=[{"IndexName": "byScore", "Projection": {"ProjectionType": "ALL"},
                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "score", "KeyType": "RANGE"}]}],
    SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["Arn"]},
)
for i in range(7):
    it = {"pk": {"S": "u"}, "sk": {"S": f"s{i}"}, "score": {"N": str(10 - i)}, "secret": {"S": marker}}
    if i != 3:
        it["team"] = {"S": marker if i % 2 else "blue"}
    ddb.put_item(TableName="players", Item=it)
gq = ddb.query(TableName="players", IndexName="byTeam", KeyConditionExpression="team = :t",
               ExpressionAttributeValues={":t": {"S": "blue"}})
check("boto3: Query on a global index: sparse, by score, keys only",
      [i["score"]["N"] for i in gq["Items"]] == ["4", "6", "8", "10"]
      and all(set(i) == {"pk", "sk", "team", "score"} for i in gq["Items"]), gq["Items"])
gp = list(ddb.get_paginator("query").paginate(TableName="players", IndexName="byTeam", KeyConditionExpression="team = :t",
          ExpressionAttributeValues={":t": {"S": "blue"}}, PaginationConfig={"PageSize": 1}))
check("boto3: a global index paginates", sum(len(p["Items"]) for p in gp) == 4 and len(gp) >= 4, [len(p["Items"]) for p in gp])
lq = ddb.query(TableName="players", IndexName="byScore", KeyConditionExpression="pk = :p AND score > :s",
               ExpressionAttributeValues={":p": {"S": "u"}, ":s": {"N": "7"}}, ScanIndexForward=False, ConsistentRead=True)
check("boto3: Query on a local index, backward, consistent", [i["score"]["N"] for i in lq["Items"]] == ["10", "9", "8"]
      and lq["Items"][0].get("secret") == {"S": marker}, lq["Items"])
gs = ddb.scan(TableName="players", IndexName="byTeam")
check("boto3: Scan of a global index holds the six items with a team", gs["Count"] == 6, gs["Count"])
for what, kw, text in [
    ("an unknown index", {"IndexName": "nope"}, "The table does not have the specified index: nope"),
    ("ConsistentRead on a global index", {"IndexName": "byTeam", "ConsistentRead": True},
     "Consistent reads are not supported on global secondary indexes"),
    ("an unprojected attribute", {"IndexName": "byTeam", "ProjectionExpression": "secret"},
     "One or more parameter values were invalid: Global secondary index byTeam does not project [secret]"),
]:
    try:
        ddb.query(TableName="players", KeyConditionExpression="team = :t",
                  ExpressionAttributeValues={":t": {"S": "blue"}}, **kw)
        check(f"boto3: Query refuses {what}", False)
    except ClientError as e:
        check(f"boto3: Query refuses {what}", e.response["Error"]["Code"] == "ValidationException"
              and e.response["Error"]["Message"] == text, e.response["Error"])
counts = {i["IndexName"]: i["ItemCount"] for i in ddb.describe_table(TableName="players")["Table"]["GlobalSecondaryIndexes"]}
check("boto3: DescribeTable counts the global index's items", counts == {"byTeam": 6}, counts)

try:
    ddb.describe_table(TableName="nope")
    check("boto3: a missing table is ResourceNotFoundException", False)
except ddb.exceptions.ResourceNotFoundException as e:
    check("boto3: a missing table is ResourceNotFoundException", "nope" in str(e), str(e))

for what, good, detail in results:
    print(("ok - " if good else "FAIL - ") + what + ("" if good else f": {detail}"))
sys.exit(0 if all(g for _, g, _ in results) else 1)
PYEOF
boto3_out="$("$py" "$work/boto3_check.py" "$url" "$marker" 2>&1)"
boto3_rc=$?
while IFS= read -r line; do
  case "$line" in
    "ok - "*) ok "${line#ok - }" ;;
    "FAIL - "*) fail "${line#FAIL - }" ;;
  esac
done <<<"$boto3_out"
if [ "$boto3_rc" -ne 0 ] && ! grep -q '^FAIL - ' <<<"$boto3_out"; then
  fail "boto3 script crashed: $(tail -n 5 <<<"$boto3_out" | tr '\n' ' ')"
fi

# --- 3b2. ListTables pages and UpdateTable's other settings -------------------------------------
# (spec/tables.md#list-tables, spec/control-plane.md#update-table) The CLI's own paging
# (--page-size 1: Limit 1 and ExclusiveStartTableName until no LastEvaluatedTableName) must list
# what one page lists; update-table with only --billing-mode, only --table-class, only
# --stream-specification, and with nothing to change.
run list-all "$aws_bin" dynamodb list-tables "$(ep)"
run list-paged "$aws_bin" dynamodb list-tables --page-size 1 "$(ep)"
check list-paged "list-tables --page-size 1 (the CLI pages with Limit 1) lists every table once, in order" "
whole = json.load(open('$work/list-all.json'))['TableNames']
assert d['TableNames'] == whole == sorted(whole), (d, whole)
assert len(whole) >= 2, whole
"
run_err list-limit-0 "$aws_bin" dynamodb list-tables --page-size 101 "$(ep)"
if grep -q "Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100" "$work/list-limit-0.err"; then
  ok "list-tables with Limit 101: AWS's ValidationException naming the bound"
else
  fail "list-tables with Limit 101: $(head -c 300 "$work/list-limit-0.err")"
fi
run settings-create "$aws_bin" dynamodb create-table --table-name settings \
    --attribute-definitions AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST "$(ep)"
run settings-provisioned "$aws_bin" dynamodb update-table --table-name settings \
    --billing-mode PROVISIONED --provisioned-throughput ReadCapacityUnits=3,WriteCapacityUnits=4 "$(ep)"
check settings-provisioned "update-table --billing-mode PROVISIONED: capacities and BillingModeSummary PROVISIONED" '
t = d["TableDescription"]
assert t["BillingModeSummary"]["BillingMode"] == "PROVISIONED", t["BillingModeSummary"]
assert "LastUpdateToPayPerRequestDateTime" in t["BillingModeSummary"], t["BillingModeSummary"]
assert (t["ProvisionedThroughput"]["ReadCapacityUnits"], t["ProvisionedThroughput"]["WriteCapacityUnits"]) == (3, 4), t
'
run settings-class "$aws_bin" dynamodb update-table --table-name settings \
    --table-class STANDARD_INFREQUENT_ACCESS "$(ep)"
run settings-describe "$aws_bin" dynamodb describe-table --table-name settings "$(ep)"
check settings-describe "update-table --table-class: describe-table shows TableClassSummary" '
assert d["Table"]["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS", d["Table"]
'
for refusal in \
  "settings-stream|StreamSpecification cannot enable a stream: ddbsse does not implement DynamoDB Streams|--stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE" \
  "settings-no-stream|Table has no stream to disable: TableName: settings|--stream-specification StreamEnabled=false" \
  "settings-no-throughput|ProvisionedThroughput must be specified when BillingMode is PROVISIONED|--billing-mode PROVISIONED" \
  "settings-nothing|At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled|"; do
  IFS='|' read -r name message args <<<"$refusal"
  # shellcheck disable=SC2086 # args is a list of CLI words
  run_err "$name" "$aws_bin" dynamodb update-table --table-name settings $args "$(ep)"
  if grep -qF "$message" "$work/$name.err"; then
    ok "update-table ${args:-with TableName alone}: ValidationException '$message'"
  else
    fail "update-table ${args:-with TableName alone}: $(head -c 300 "$work/$name.err")"
  fi
done

# --- 3c. the data plane after a key switch and under a disabled key; TTL; idempotent tokens -----
# (issue 16) With the AWS CLI: a table under customer managed key A switched to key B (UpdateTable
# SSESpecification, then the manual clock moved past the 22 s of UPDATING and `wait
# table-exists`), then UpdateItem with a condition, Scan with a filter and a projection,
# TransactWriteItems with a ClientRequestToken (a repeat writes nothing, other parameters are
# refused) and TransactGetItems, all under key B; then key B disabled and the cache aged out on
# the manual clock: every one of them fails with spec/tables.md#data-plane-errors' error.
clock_ms() { # $1: milliseconds to advance; prints the new time
  curl -s -X POST "$url/_conformance/clock" -d "{\"advanceMillis\": $1}" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["nowMillis"])'
}
key_of() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["KeyMetadata"]["Arn"])' "$work/$1.json" 2>/dev/null; }
run sw-key-a "$aws_bin" kms create-key --description "e2e switch key A" "$(ep)"
run sw-key-b "$aws_bin" kms create-key --description "e2e switch key B" "$(ep)"
key_a="$(key_of sw-key-a)"
key_b="$(key_of sw-key-b)"
[ -n "$key_a" ] && [ -n "$key_b" ] || die "create-key gave no ARN for the switch keys"
run sw-create "$aws_bin" dynamodb create-table --table-name matches \
    --attribute-definitions AttributeName=id,AttributeType=S --key-schema AttributeName=id,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST --sse-specification "Enabled=true,SSEType=KMS,KMSMasterKeyId=$key_a" "$(ep)"
run sw-put "$aws_bin" dynamodb put-item --table-name matches \
    --item "{\"id\":{\"S\":\"m1\"},\"score\":{\"N\":\"0\"},\"note\":{\"S\":\"$marker\"}}" "$(ep)"
run sw-switch "$aws_bin" dynamodb update-table --table-name matches \
    --sse-specification "Enabled=true,SSEType=KMS,KMSMasterKeyId=$key_b" "$(ep)"
check sw-switch "update-table to key B: TableStatus ACTIVE, SSEDescription UPDATING" "
t = d['TableDescription']
assert t['TableStatus'] == 'ACTIVE' and t['SSEDescription']['Status'] == 'UPDATING', t
"
clock_ms 22000 >/dev/null
run sw-wait "$aws_bin" dynamodb wait table-exists --table-name matches "$(ep)"
run sw-describe "$aws_bin" dynamodb describe-table --table-name matches "$(ep)"
check sw-describe "22 s after the switch (manual clock): ACTIVE, SSEDescription ENABLED on key B" "
t = d['Table']
assert t['TableStatus'] == 'ACTIVE', t['TableStatus']
assert t['SSEDescription'] == {'Status': 'ENABLED', 'SSEType': 'KMS', 'KMSMasterKeyArn': '$key_b'}, t['SSEDescription']
"
run sw-update "$aws_bin" dynamodb update-item --table-name matches --key '{"id":{"S":"m1"}}' \
    --update-expression 'ADD score :two' --condition-expression 'attribute_exists(id) AND score = :zero' \
    --expression-attribute-values '{":two":{"N":"2"},":zero":{"N":"0"}}' --return-values UPDATED_NEW "$(ep)"
check sw-update "after the switch: update-item under a condition, UPDATED_NEW" "
assert d == {'Attributes': {'score': {'N': '2'}}}, d
"
run_err sw-update-false "$aws_bin" dynamodb update-item --table-name matches --key '{"id":{"S":"m1"}}' \
    --update-expression 'ADD score :two' --condition-expression 'score = :zero' \
    --expression-attribute-values '{":two":{"N":"2"},":zero":{"N":"0"}}' "$(ep)"
if grep -q ConditionalCheckFailedException "$work/sw-update-false.err"; then
  ok "after the switch: a false condition is ConditionalCheckFailedException"
else
  fail "after the switch: a false condition: $(head -c 300 "$work/sw-update-false.err")"
fi
run sw-scan "$aws_bin" dynamodb scan --table-name matches --filter-expression 'score > :one' \
    --projection-expression 'id, score' --expression-attribute-values '{":one":{"N":"1"}}' "$(ep)"
check sw-scan "after the switch: scan with a filter and a projection" "
assert d['Count'] == 1 and d['Items'] == [{'id': {'S': 'm1'}, 'score': {'N': '2'}}], d
"
sw_tx='[{"Update":{"TableName":"matches","Key":{"id":{"S":"m1"}},"UpdateExpression":"ADD score :one","ExpressionAttributeValues":{":one":{"N":"1"}}}},{"Put":{"TableName":"matches","Item":{"id":{"S":"m2"}},"ConditionExpression":"attribute_not_exists(id)"}}]'
run sw-tx "$aws_bin" dynamodb transact-write-items --client-request-token e2e-token-1 --transact-items "$sw_tx" "$(ep)"
run sw-tx-repeat "$aws_bin" dynamodb transact-write-items --client-request-token e2e-token-1 --transact-items "$sw_tx" "$(ep)"
run_err sw-tx-mismatch "$aws_bin" dynamodb transact-write-items --client-request-token e2e-token-1 \
    --transact-items '[{"Delete":{"TableName":"matches","Key":{"id":{"S":"m2"}}}}]' "$(ep)"
if grep -q IdempotentParameterMismatchException "$work/sw-tx-mismatch.err"; then
  ok "transact-write-items: the token with other items is IdempotentParameterMismatchException"
else
  fail "transact-write-items: the token with other items: $(head -c 300 "$work/sw-tx-mismatch.err")"
fi
run sw-tget "$aws_bin" dynamodb transact-get-items --transact-items \
    '[{"Get":{"TableName":"matches","Key":{"id":{"S":"m1"}},"ProjectionExpression":"score"}},{"Get":{"TableName":"matches","Key":{"id":{"S":"m2"}}}}]' "$(ep)"
check sw-tget "transact-get-items: the repeated transaction wrote once (score 3), m2 is there" "
assert d['Responses'] == [{'Item': {'score': {'N': '3'}}}, {'Item': {'id': {'S': 'm2'}}}], d
"
run sw-decrypts "$aws_bin" cloudtrail lookup-events \
    --lookup-attributes AttributeKey=EventName,AttributeValue=Decrypt "$(ep)"
check sw-decrypts "the Decrypts DynamoDB made for matches after the switch name key B" "
recs = [json.loads(e['CloudTrailEvent']) for e in d['Events']]
mine = [r for r in recs if r['requestParameters']['encryptionContext']['aws:dynamodb:tableName'] == 'matches']
assert mine, 'no Decrypt of matches'
assert mine[0]['resources'][0]['ARN'] == '$key_b', mine[0]['resources']
assert mine[-1]['resources'][0]['ARN'] == '$key_a', mine[-1]['resources']
"
run sw-disable "$aws_bin" kms disable-key --key-id "$key_b" "$(ep)"
clock_ms 300000 >/dev/null
disabled_ok() { # $1: name; the error of spec/tables.md#data-plane-errors for a disabled key B
  if grep -q "ValidationException" "$work/$1.err" && grep -q "KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: $key_b is disabled." "$work/$1.err"; then
    ok "$1 under the disabled key: ValidationException, KMS key disabled error naming key B"
  else
    fail "$1 under the disabled key: $(head -c 300 "$work/$1.err")"
  fi
}
run_err sw-off-get "$aws_bin" dynamodb get-item --table-name matches --key '{"id":{"S":"m1"}}' "$(ep)"
disabled_ok sw-off-get
run_err sw-off-update "$aws_bin" dynamodb update-item --table-name matches --key '{"id":{"S":"m1"}}' \
    --update-expression 'ADD score :one' --condition-expression 'attribute_exists(id)' \
    --expression-attribute-values '{":one":{"N":"1"}}' "$(ep)"
disabled_ok sw-off-update
run_err sw-off-scan "$aws_bin" dynamodb scan --table-name matches --filter-expression 'score > :one' \
    --projection-expression 'id' --expression-attribute-values '{":one":{"N":"1"}}' "$(ep)"
disabled_ok sw-off-scan
run_err sw-off-tx "$aws_bin" dynamodb transact-write-items --client-request-token e2e-token-1 --transact-items "$sw_tx" "$(ep)"
disabled_ok sw-off-tx
run_err sw-off-tget "$aws_bin" dynamodb transact-get-items --transact-items \
    '[{"Get":{"TableName":"matches","Key":{"id":{"S":"m1"}}}}]' "$(ep)"
disabled_ok sw-off-tget
run sw-enable "$aws_bin" kms enable-key --key-id "$key_b" "$(ep)"
run sw-after "$aws_bin" dynamodb get-item --table-name matches --key '{"id":{"S":"m1"}}' --projection-expression score "$(ep)"
check sw-after "key B enabled again: the refused requests changed nothing" "
assert d == {'Item': {'score': {'N': '3'}}}, d
"

# The same with boto3, on a table of its own.
cat >"$work/boto3_switch.py" <<'PYEOF'
import json, sys, urllib.request
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url = sys.argv[1]
cfg = Config(retries={"max_attempts": 1})
ddb = boto3.client("dynamodb", endpoint_url=url, config=cfg)
kms = boto3.client("kms", endpoint_url=url, config=cfg)
results = []

def check(what, cond, detail=""):
    results.append((what, bool(cond), detail))

def advance(ms):
    req = urllib.request.Request(url + "/_conformance/clock", data=json.dumps({"advanceMillis": ms}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req) as r:
        return json.load(r)["nowMillis"]

a = kms.create_key(Description="e2e boto3 key A")["KeyMetadata"]["Arn"]
b = kms.create_key(Description="e2e boto3 key B")["KeyMetadata"]["Arn"]
t = "matches-b3"
ddb.create_table(TableName=t, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                 SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": a})
ddb.put_item(TableName=t, Item={"id": {"S": "m1"}, "score": {"N": "0"}})
up = ddb.update_table(TableName=t, SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": b})
check("boto3: UpdateTable to key B answers SSEDescription UPDATING", up["TableDescription"]["SSEDescription"]["Status"] == "UPDATING", up["TableDescription"])
advance(22000)
ddb.get_waiter("table_exists").wait(TableName=t, WaiterConfig={"Delay": 1, "MaxAttempts": 5})
sse = ddb.describe_table(TableName=t)["Table"]["SSEDescription"]
check("boto3: after 22 s the table is on key B, ENABLED", sse == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": b}, sse)

r = ddb.update_item(TableName=t, Key={"id": {"S": "m1"}}, UpdateExpression="SET score = score + :two",
                    ConditionExpression="attribute_exists(id)", ExpressionAttributeValues={":two": {"N": "2"}},
                    ReturnValues="UPDATED_NEW")
check("boto3: UpdateItem under a condition after the switch", r["Attributes"] == {"score": {"N": "2"}}, r)
try:
    ddb.put_item(TableName=t, Item={"id": {"S": "m1"}}, ConditionExpression="attribute_not_exists(id)")
    check("boto3: a false ConditionExpression fails PutItem", False)
except ddb.exceptions.ConditionalCheckFailedException:
    check("boto3: a false ConditionExpression fails PutItem", True)
s = ddb.scan(TableName=t, FilterExpression="score >= :two", ProjectionExpression="score",
             ExpressionAttributeValues={":two": {"N": "2"}})
check("boto3: Scan with a filter and a projection after the switch", s["Items"] == [{"score": {"N": "2"}}], s)
items = [{"Update": {"TableName": t, "Key": {"id": {"S": "m1"}}, "UpdateExpression": "ADD score :one",
                     "ExpressionAttributeValues": {":one": {"N": "1"}}}},
         {"Put": {"TableName": t, "Item": {"id": {"S": "m2"}}, "ConditionExpression": "attribute_not_exists(id)"}}]
ddb.transact_write_items(TransactItems=items, ClientRequestToken="boto3-token-1")
ddb.transact_write_items(TransactItems=items, ClientRequestToken="boto3-token-1")
try:
    ddb.transact_write_items(TransactItems=items[:1], ClientRequestToken="boto3-token-1")
    check("boto3: the token with other items is refused", False)
except ddb.exceptions.IdempotentParameterMismatchException:
    check("boto3: the token with other items is IdempotentParameterMismatchException", True)
got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": t, "Key": {"id": {"S": "m1"}}, "ProjectionExpression": "score"}},
                                            {"Get": {"TableName": t, "Key": {"id": {"S": "m2"}}}}])["Responses"]
check("boto3: TransactGetItems: the repeated transaction wrote once", got == [{"Item": {"score": {"N": "3"}}}, {"Item": {"id": {"S": "m2"}}}], got)
try:
    ddb.transact_write_items(TransactItems=items)
    check("boto3: without a token (botocore makes a fresh one) the put's condition cancels", False)
except ddb.exceptions.TransactionCanceledException as e:
    check("boto3: without a token (botocore makes a fresh one) the put's condition cancels", True)

kms.disable_key(KeyId=b)
advance(300000)
calls = {
    "GetItem": lambda: ddb.get_item(TableName=t, Key={"id": {"S": "m1"}}),
    "UpdateItem": lambda: ddb.update_item(TableName=t, Key={"id": {"S": "m1"}}, UpdateExpression="ADD score :one",
                                          ConditionExpression="attribute_exists(id)", ExpressionAttributeValues={":one": {"N": "1"}}),
    "Scan": lambda: ddb.scan(TableName=t, FilterExpression="score > :z", ExpressionAttributeValues={":z": {"N": "0"}}),
    "TransactWriteItems": lambda: ddb.transact_write_items(TransactItems=items, ClientRequestToken="boto3-token-1"),
    "TransactGetItems": lambda: ddb.transact_get_items(TransactItems=[{"Get": {"TableName": t, "Key": {"id": {"S": "m1"}}}}]),
}
for op, call in calls.items():
    try:
        call()
        check(f"boto3: {op} under the disabled key fails", False)
    except ClientError as e:
        err = e.response["Error"]
        check(f"boto3: {op} under the disabled key: ValidationException, KMS key disabled error naming key B",
              err["Code"] == "ValidationException" and err["Message"].startswith(
                  f"KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {b} is disabled."), err)
kms.enable_key(KeyId=b)
after = ddb.get_item(TableName=t, Key={"id": {"S": "m1"}})["Item"]
check("boto3: key B enabled again, the refused requests changed nothing", after["score"] == {"N": "3"}, after)

for what, good, detail in results:
    print(("ok - " if good else "FAIL - ") + what + ("" if good else f": {detail}"))
sys.exit(0 if all(g for _, g, _ in results) else 1)
PYEOF
switch_out="$("$py" "$work/boto3_switch.py" "$url" 2>&1)"
switch_rc=$?
while IFS= read -r line; do
  case "$line" in
    "ok - "*) ok "${line#ok - }" ;;
    "FAIL - "*) fail "${line#FAIL - }" ;;
  esac
done <<<"$switch_out"
if [ "$switch_rc" -ne 0 ] && ! grep -q '^FAIL - ' <<<"$switch_out"; then
  fail "boto3 switch script crashed: $(tail -n 5 <<<"$switch_out" | tr '\n' ' ')"
fi

# Time to live on the manual clock (spec/control-plane.md#ttl-expiry): an item expired 10 s ago
# is still read; 24 h after its expiry the sweep has deleted it; an item without the attribute
# and one expiring later stay.
run ttl-table "$aws_bin" dynamodb create-table --table-name sessions \
    --attribute-definitions AttributeName=id,AttributeType=S --key-schema AttributeName=id,KeyType=HASH \
    --billing-mode PAY_PER_REQUEST "$(ep)"
run ttl-enable "$aws_bin" dynamodb update-time-to-live --table-name sessions \
    --time-to-live-specification Enabled=true,AttributeName=exp "$(ep)"
now_s=$(( $(clock_ms 0) / 1000 ))
run ttl-put-old "$aws_bin" dynamodb put-item --table-name sessions \
    --item "{\"id\":{\"S\":\"old\"},\"exp\":{\"N\":\"$((now_s - 10))\"}}" "$(ep)"
run ttl-put-new "$aws_bin" dynamodb put-item --table-name sessions \
    --item "{\"id\":{\"S\":\"new\"},\"exp\":{\"N\":\"$((now_s + 2 * 86400))\"}}" "$(ep)"
run ttl-put-none "$aws_bin" dynamodb put-item --table-name sessions --item '{"id":{"S":"none"}}' "$(ep)"
run ttl-get-expired "$aws_bin" dynamodb get-item --table-name sessions --key '{"id":{"S":"old"}}' "$(ep)"
check ttl-get-expired "an expired item is still read before the sweep deletes it" "
assert d.get('Item', {}).get('id') == {'S': 'old'}, d
"
clock_ms 86400000 >/dev/null
run ttl-scan "$aws_bin" dynamodb scan --table-name sessions "$(ep)"
check ttl-scan "24 h after its expiry the expired item is gone; the others stay" "
assert sorted(i['id']['S'] for i in d['Items']) == ['new', 'none'], d['Items']
"

# --- 3b. the KMS operations tools call around a key (Terraform's AWS provider) ------------------
run kms-create-tagged "$aws_bin" kms create-key --description "e2e settings key" \
    --tags TagKey=team,TagValue=sse "$(ep)"
settings_key="$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["KeyMetadata"]["KeyId"])' "$work/kms-create-tagged.json" 2>/dev/null)"
[ -n "$settings_key" ] || die "create-key gave no KeyId"
run kms-get-policy "$aws_bin" kms get-key-policy --key-id "$settings_key" --policy-name default "$(ep)"
check kms-get-policy "get-key-policy: the default key policy, PolicyName default" "
p = json.loads(d['Policy'])
assert d.get('PolicyName') == 'default', d
assert p['Statement'] == [{'Sid': 'Enable IAM User Permissions', 'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::123456789012:root'}, 'Action': 'kms:*', 'Resource': '*'}], p
"
cat >"$work/policy.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Sid": "e2e", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]}
JSON
run kms-put-policy "$aws_bin" kms put-key-policy --key-id "$settings_key" --policy-name default \
    --policy "file://$work/policy.json" "$(ep)"
run kms-get-policy-2 "$aws_bin" kms get-key-policy --key-id "$settings_key" "$(ep)"
check kms-get-policy-2 "put-key-policy then get-key-policy: the document as sent" "
assert d['Policy'] == open('$work/policy.json').read(), d
"
if "$aws_bin" kms put-key-policy --key-id "$settings_key" --policy-name default --policy 'not json' "$(ep)" \
    >/dev/null 2>"$work/kms-bad-policy.err"; then
  fail "put-key-policy of a document that is not JSON succeeded"
elif grep -q MalformedPolicyDocumentException "$work/kms-bad-policy.err"; then
  ok "put-key-policy of a document that is not JSON: MalformedPolicyDocumentException"
else
  fail "put-key-policy of a document that is not JSON: $(head -c 300 "$work/kms-bad-policy.err")"
fi
run kms-enable-rotation "$aws_bin" kms enable-key-rotation --key-id "$settings_key" \
    --rotation-period-in-days 180 "$(ep)"
run kms-rotation-status "$aws_bin" kms get-key-rotation-status --key-id "$settings_key" "$(ep)"
check kms-rotation-status "get-key-rotation-status: enabled, 180 days, a next rotation date" "
assert d['KeyRotationEnabled'] is True and d['RotationPeriodInDays'] == 180 and 'NextRotationDate' in d, d
assert d['KeyId'].endswith('$settings_key'), d
"
run kms-tag "$aws_bin" kms tag-resource --key-id "$settings_key" --tags TagKey=env,TagValue=e2e "$(ep)"
run kms-untag "$aws_bin" kms untag-resource --key-id "$settings_key" --tag-keys team "$(ep)"
run kms-list-tags "$aws_bin" kms list-resource-tags --key-id "$settings_key" "$(ep)"
check kms-list-tags "create-key --tags, tag-resource, untag-resource, list-resource-tags" "
assert d['Tags'] == [{'TagKey': 'env', 'TagValue': 'e2e'}], d
"
run kms-update-description "$aws_bin" kms update-key-description --key-id "$settings_key" \
    --description "e2e settings key, described again" "$(ep)"
run kms-describe-settings "$aws_bin" kms describe-key --key-id "$settings_key" "$(ep)"
check kms-describe-settings "update-key-description: describe-key shows the new description" "
assert d['KeyMetadata']['Description'] == 'e2e settings key, described again', d
"
run kms-create-key-2 "$aws_bin" kms create-key --description "e2e second key" "$(ep)"
second_key="$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["KeyMetadata"]["KeyId"])' "$work/kms-create-key-2.json" 2>/dev/null)"
run kms-create-alias "$aws_bin" kms create-alias --alias-name alias/e2e-settings \
    --target-key-id "$settings_key" "$(ep)"
run kms-update-alias "$aws_bin" kms update-alias --alias-name alias/e2e-settings \
    --target-key-id "$second_key" "$(ep)"
run kms-aliases-of-second "$aws_bin" kms list-aliases --key-id "$second_key" "$(ep)"
check kms-aliases-of-second "update-alias: the alias names the second key" "
assert [a['AliasName'] for a in d['Aliases']] == ['alias/e2e-settings'], d
"
run kms-gdkwp "$aws_bin" kms generate-data-key-without-plaintext --key-id alias/e2e-settings \
    --key-spec AES_256 --encryption-context purpose=e2e "$(ep)"
check kms-gdkwp "generate-data-key-without-plaintext: a blob and a key material id, no plaintext" "
assert 'Plaintext' not in d and d['CiphertextBlob'] and len(d['KeyMaterialId']) == 64, d
assert d['KeyId'].endswith('$second_key'), d
import base64
open('$work/gdkwp.bin', 'wb').write(base64.b64decode(d['CiphertextBlob']))
"
run kms-reencrypt "$aws_bin" kms re-encrypt --ciphertext-blob "fileb://$work/gdkwp.bin" \
    --source-encryption-context purpose=e2e --destination-key-id "$settings_key" \
    --destination-encryption-context purpose=moved "$(ep)"
check kms-reencrypt "re-encrypt: from the second key to the first, with both key material ids" "
assert d['SourceKeyId'].endswith('$second_key') and d['KeyId'].endswith('$settings_key'), d
assert len(d['SourceKeyMaterialId']) == 64 and len(d['DestinationKeyMaterialId']) == 64, d
import base64
open('$work/reencrypted.bin', 'wb').write(base64.b64decode(d['CiphertextBlob']))
"
run kms-decrypt-moved "$aws_bin" kms decrypt --ciphertext-blob "fileb://$work/reencrypted.bin" \
    --encryption-context purpose=moved "$(ep)"
check kms-decrypt-moved "decrypt of the re-encrypted blob: the first key, 32 bytes" "
import base64
assert d['KeyId'].endswith('$settings_key') and len(base64.b64decode(d['Plaintext'])) == 32, d
"
run kms-retirable-grant "$aws_bin" kms create-grant --key-id "$settings_key" \
    --grantee-principal arn:aws:iam::123456789012:root \
    --retiring-principal arn:aws:iam::123456789012:role/e2e-retirer --operations Decrypt "$(ep)"
run kms-list-retirable "$aws_bin" kms list-retirable-grants \
    --retiring-principal arn:aws:iam::123456789012:role/e2e-retirer "$(ep)"
check kms-list-retirable "list-retirable-grants: the grant the role may retire" "
assert len(d['Grants']) == 1 and d['Grants'][0]['KeyId'].endswith('$settings_key'), d
"
retirable_grant="$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["GrantId"])' "$work/kms-retirable-grant.json" 2>/dev/null)"
run kms-grants-by-id "$aws_bin" kms list-grants --key-id "$settings_key" \
    --grant-id "$retirable_grant" "$(ep)"
check kms-grants-by-id "list-grants --grant-id: that grant only" "
assert [g['GrantId'] for g in d['Grants']] == ['$retirable_grant'], d
"
run kms-grants-by-grantee "$aws_bin" kms list-grants --key-id "$settings_key" \
    --grantee-principal arn:aws:iam::123456789012:role/nobody "$(ep)"
check kms-grants-by-grantee "list-grants --grantee-principal of no grant: no entry" "
assert d['Grants'] == [], d
"
run_err kms-grants-page-101 "$aws_bin" kms list-grants --key-id "$settings_key" --page-size 101 "$(ep)"
if grep -q "Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100" "$work/kms-grants-page-101.err"; then
  ok "list-grants --page-size 101 is refused with the spec's Limit message"
else
  fail "list-grants --page-size 101: $(head -c 400 "$work/kms-grants-page-101.err")"
fi
run kms-delete-alias "$aws_bin" kms delete-alias --alias-name alias/e2e-settings "$(ep)"
run kms-aliases-after-delete "$aws_bin" kms list-aliases --key-id "$second_key" "$(ep)"
check kms-aliases-after-delete "delete-alias: the alias is gone" "
assert d['Aliases'] == [], d
"
# The ratings table is under the AWS managed key ($key_arn): its settings cannot be changed.
for op in "put-key-policy --policy file://$work/policy.json" "enable-key-rotation" "tag-resource --tags TagKey=a,TagValue=b"; do
  # shellcheck disable=SC2086
  if "$aws_bin" kms $op --key-id "$key_arn" "$(ep)" >/dev/null 2>"$work/kms-managed.err"; then
    fail "kms ${op%% *} on the AWS managed key succeeded"
  elif grep -q AccessDeniedException "$work/kms-managed.err"; then
    ok "kms ${op%% *} on the AWS managed key: AccessDeniedException"
  else
    fail "kms ${op%% *} on the AWS managed key: $(head -c 300 "$work/kms-managed.err")"
  fi
done
run kms-managed-rotation "$aws_bin" kms get-key-rotation-status --key-id "$key_arn" "$(ep)"
check kms-managed-rotation "get-key-rotation-status of the AWS managed key: enabled, 365 days" "
assert d['KeyRotationEnabled'] is True and d['RotationPeriodInDays'] == 365, d
"
run kms-lookup-update-alias "$aws_bin" cloudtrail lookup-events \
    --lookup-attributes AttributeKey=EventName,AttributeValue=UpdateAlias "$(ep)"
check kms-lookup-update-alias "the UpdateAlias record: responseElements.keyId, the alias then the key" "
r = json.loads(d['Events'][0]['CloudTrailEvent'])
assert r['responseElements']['keyId'].endswith('$second_key'), r
assert [x['ARN'].split(':')[-1] for x in r['resources']] == ['alias/e2e-settings', 'key/$second_key'], r['resources']
"

# The CLI follows NextToken itself: this is the whole trail.
run lookup-before-restart "$aws_bin" cloudtrail lookup-events "$(ep)"

stop_server
if find "$trail_dir" -name '*.json.gz' | grep -q .; then
  ok "the trail was delivered as .json.gz files under --trail-dir"
else
  fail "no trail file under $trail_dir after shutdown"
fi
check lookup-before-restart "trail files hold every record LookupEvents returned" "
import gzip, glob, os
names = set()
for f in glob.glob(os.path.join('$trail_dir', 'AWSLogs/123456789012/CloudTrail/us-east-1/*/*/*/123456789012_CloudTrail_us-east-1_*.json.gz')):
    for r in json.loads(gzip.open(f).read())['Records']:
        names.add(r['eventID'])
ids = {e['EventId'] for e in d['Events']}
assert ids and ids <= names, (len(ids), len(names), sorted(ids - names)[:3])
"

# --- 4. restart on the same data directory ------------------------------------------------------
start_server serve2
run describe-after-restart "$aws_bin" dynamodb describe-table --table-name ratings "$(ep)"
check describe-after-restart "restart: the table is there, ACTIVE, on the same key" "
t = d['Table']
assert t['TableStatus'] == 'ACTIVE', t['TableStatus']
assert t['SSEDescription']['KMSMasterKeyArn'] == '$key_arn', t['SSEDescription']
"
run get-after-restart "$aws_bin" dynamodb get-item --table-name ratings \
    --key '{"player":{"S":"alice"},"rating":{"N":"1500"}}' "$(ep)"
check get-after-restart "restart: the item decrypts with the stored keys, the update included" "
assert d['Item']['note'] == {'S': '$marker'}, d
assert d['Item']['wins'] == {'N': '2'}, d
"
run scores-after-restart "$aws_bin" dynamodb describe-time-to-live --table-name scores "$(ep)"
check scores-after-restart "restart: TTL, tags and indexes are kept" "
assert d['TimeToLiveDescription']['TimeToLiveStatus'] == 'ENABLED', d
tags = json.loads(__import__('subprocess').run(['$aws_bin', 'dynamodb', 'list-tags-of-resource', '--resource-arn', '$scores_arn', '$(ep)'], capture_output=True, text=True).stdout)
assert len(tags['Tags']) == 2, tags
t = json.loads(__import__('subprocess').run(['$aws_bin', 'dynamodb', 'describe-table', '--table-name', 'scores', '$(ep)'], capture_output=True, text=True).stdout)['Table']
assert len(t['GlobalSecondaryIndexes']) == 2 and len(t['LocalSecondaryIndexes']) == 1, t
"
run grants-after-restart "$aws_bin" kms list-grants --key-id "$key_arn" "$(ep)"
check grants-after-restart "restart: the grant is kept, same id" "
assert [g['GrantId'] for g in d['Grants']] == ['$grant_id'], d['Grants']
"
run keys-after-restart "$aws_bin" kms describe-key --key-id "$key_arn" "$(ep)"
check keys-after-restart "restart: the key is kept and enabled" "
assert d['KeyMetadata']['Arn'] == '$key_arn' and d['KeyMetadata']['KeyState'] == 'Enabled', d
"
run kms-policy-after-restart "$aws_bin" kms get-key-policy --key-id "$settings_key" "$(ep)"
check kms-policy-after-restart "restart: the key policy, tags and rotation are kept" "
assert d['Policy'] == open('$work/policy.json').read(), d
"
run kms-tags-after-restart "$aws_bin" kms list-resource-tags --key-id "$settings_key" "$(ep)"
check kms-tags-after-restart "restart: the tags are kept" "
assert d['Tags'] == [{'TagKey': 'env', 'TagValue': 'e2e'}], d
"
run kms-rotation-after-restart "$aws_bin" kms get-key-rotation-status --key-id "$settings_key" "$(ep)"
check kms-rotation-after-restart "restart: the rotation setting is kept" "
assert d['KeyRotationEnabled'] is True and d['RotationPeriodInDays'] == 180, d
"
run lookup-after-restart "$aws_bin" cloudtrail lookup-events "$(ep)"
check lookup-after-restart "restart: the trail is kept (every event of the first run is still returned)" "
before = {e['EventId'] for e in json.load(open('$work/lookup-before-restart.json'))['Events']}
after = {e['EventId'] for e in d['Events']}
assert before, 'no events before the restart'
assert before <= after, (len(before), len(after), sorted(before - after)[:3])
assert len(after) > len(before), 'the restart run records its own calls too'
"
run lookup-ratings-after-restart "$aws_bin" cloudtrail lookup-events \
    --lookup-attributes AttributeKey=EventName,AttributeValue=CreateGrant "$(ep)"
check lookup-ratings-after-restart "restart: the CreateGrant records of the first run are still returned" "
grants = [json.loads(e['CloudTrailEvent'])['requestParameters'] for e in d['Events']]
ctx = [g['constraints']['encryptionContextSubset']['aws:dynamodb:tableName'] for g in grants if 'constraints' in g]
assert sorted(ctx) == ['games', 'matches', 'matches', 'matches-b3', 'matches-b3', 'players', 'ratings'], ctx
"
stop_server

# --- 5. no plaintext at rest --------------------------------------------------------------------
if [ -d "$data_dir" ] && [ -n "$(ls -A "$data_dir")" ]; then
  ok "the data directory holds files ($(ls "$data_dir" | tr '\n' ' '))"
else
  fail "the data directory is empty"
fi
marker_b64="$(printf '%s' "$marker" | base64 -w0)"
marker_hex="$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')"
leaks=""
for needle in "$marker" "${marker_b64%%=*}" "$marker_hex"; do
  if grep -rlaF -- "$needle" "$data_dir" >/dev/null 2>&1; then leaks="$leaks $needle"; fi
done
if [ -z "$leaks" ]; then
  ok "no plaintext marker (raw, base64 or hex) anywhere in the data directory"
else
  fail "plaintext marker found in the data directory:$leaks ($(grep -rlaF -- "$marker" "$data_dir" | tr '\n' ' '))"
fi
if grep -qaF -- "$marker" "$work"/serve1.err "$work"/serve2.err; then
  fail "the plaintext marker appears in the server's log"
else
  ok "no plaintext marker in the server's log"
fi
if [ -f "$data_dir/root.key" ]; then
  mode="$(stat -c '%a' "$data_dir/root.key")"
  if [ "$mode" = "600" ]; then ok "root.key has mode 0600"; else fail "root.key has mode $mode"; fi
fi

# --- 6. signature verification (--credentials) --------------------------------------------------
# The AWS CLI and boto3 sign as AWS expects; a server given their key verifies those signatures,
# and refuses a wrong secret, an unknown key and a missing session token with AWS's errors.
creds="$work/server-credentials"
cat >"$creds" <<KEYS
[e2e]
aws_access_key_id = $AWS_ACCESS_KEY_ID
aws_secret_access_key = $AWS_SECRET_ACCESS_KEY
[temporary]
aws_access_key_id = ASIAE2ETEMPORARY
aws_secret_access_key = temporary-secret
aws_session_token = e2e-session-token
KEYS
"$bin" serve --port 0 --credentials "$creds" >"$work/serve3.out" 2>"$work/serve3.err" &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's/^ddbsse listening on \(http:\/\/[0-9.:]*\)$/\1/p' "$work/serve3.out")"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || die "ddbsse serve --credentials exited at start"
  sleep 0.1
done
[ -n "$url" ] || die "ddbsse serve --credentials printed no listening line"
run signed-list-tables "$aws_bin" dynamodb list-tables "$(ep)"
run signed-list-keys "$aws_bin" kms list-keys "$(ep)"
run signed-lookup-events "$aws_bin" cloudtrail lookup-events --max-results 1 "$(ep)"
AWS_ACCESS_KEY_ID=ASIAE2ETEMPORARY AWS_SECRET_ACCESS_KEY=temporary-secret AWS_SESSION_TOKEN=e2e-session-token \
  run signed-with-session-token "$aws_bin" dynamodb list-tables "$(ep)"
refused() { # NAME EXPECTED-ERROR-CODE CMD...: the command fails and names the error code
  local name="$1" code="$2"
  shift 2
  if "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    fail "$name: accepted"
  elif grep -q "($code)" "$work/$name.err"; then
    ok "$name: $code"
  else
    fail "$name: $(head -c 300 "$work/$name.err")"
  fi
}
AWS_SECRET_ACCESS_KEY=wrong-secret refused wrong-secret InvalidSignatureException \
  "$aws_bin" dynamodb list-tables "$(ep)"
AWS_ACCESS_KEY_ID=AKIDE2EUNKNOWN refused unknown-key UnrecognizedClientException \
  "$aws_bin" kms list-keys "$(ep)"
AWS_ACCESS_KEY_ID=ASIAE2ETEMPORARY AWS_SECRET_ACCESS_KEY=temporary-secret \
  refused missing-session-token UnrecognizedClientException "$aws_bin" dynamodb list-tables "$(ep)"
if "$py" - "$url" <<'PY' >"$work/boto3-signed.out" 2>&1; then
import sys, boto3, botocore
ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1])
ddb.list_tables()
import os
bad = boto3.client("dynamodb", endpoint_url=sys.argv[1],
                   aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="wrong")
try:
    bad.list_tables()
    raise SystemExit("a wrong secret was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidSignatureException", e.response
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response
PY
  ok "boto3: signed calls verify, a wrong secret gets InvalidSignatureException (400)"
else
  fail "boto3 against --credentials: $(tail -n 3 "$work/boto3-signed.out" | tr '\n' ' ')"
fi
stop_server

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
