#!/usr/bin/env bash
# Terraform's AWS provider runs its whole lifecycle against `ddbsse serve` (issue 15).
#
# Usage: scripts/terraform-check.sh
#
# What it does:
#   1. checks that `terraform` (1.5 or later) and the AWS provider's filesystem mirror
#      (/opt/tf-plugins, or $TF_PLUGIN_MIRROR) are on the machine; it installs nothing and fails
#      when either is missing;
#   2. builds `target/debug/ddbsse` and starts `ddbsse serve --port 0` on the system clock (the
#      key switch goes through SSEDescription UPDATING in real time, about 22 s);
#   3. copies scripts/terraform/ to a scratch folder, writes a CLI configuration whose only
#      provider source is the mirror, and runs `terraform init` offline;
#   4. `terraform apply` (two customer managed keys, an alias, three tables under the customer
#      managed, AWS managed and AWS owned keys, each with hash and range keys, a GSI, an LSI, TTL,
#      tags and point-in-time recovery, and one item each), then `terraform plan
#      -detailed-exitcode`, which must show no change;
#   5. a second apply with `switched=true` moves the customer-key table to a second customer
#      managed key (Terraform waits while SSEDescription is UPDATING), and a plan must again show
#      no change; the table's SSEDescription is checked over the API;
#   6. `terraform destroy`, then checks over the API that the tables are gone, both keys are
#      `PendingDeletion` and the alias is gone.
# Every Terraform run logs at TF_LOG=DEBUG into the scratch folder; on a failure the script prints
# the AWS calls that answered an error, then exits 1. Prints `ok - ...` / `FAIL - ...` per check.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }

work="$(mktemp -d "${TMPDIR:-/tmp}/ddbsse-terraform.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  if [ -n "${KEEP_TF_WORK:-}" ]; then echo "terraform-check: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The AWS calls of a Terraform log that answered an error, one line each.
failed_calls() { # $1: log file
  grep -E 'http.status_code=[45][0-9][0-9]' "$1" 2>/dev/null \
    | sed -n 's/.*rpc.method=\([A-Za-z]*\).*http.status_code=\([0-9]*\).*/\1 \2/p; s/.*http.status_code=\([0-9]*\).*rpc.method=\([A-Za-z]*\).*/\2 \1/p' \
    | sort | uniq -c
  grep -oE '"__type":"[^"]*"(,"message":"[^"]{0,200})?' "$1" 2>/dev/null | sort | uniq -c | head -20
}

die() {
  echo "terraform-check: $1" >&2
  for log in "$work"/tf-*.log; do
    [ -f "$log" ] || continue
    echo "--- AWS calls that failed in $(basename "$log"):" >&2
    failed_calls "$log" >&2
  done
  echo "terraform-check: $passed passed, $((failed + 1)) failed"
  exit 1
}

# --- 1. tools -----------------------------------------------------------------------------------
mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
command -v terraform >/dev/null || die "terraform is not installed (see the machine docs)"
[ -d "$mirror/registry.terraform.io/hashicorp/aws" ] || die "no AWS provider in the mirror $mirror"
# The only provider source is the mirror (the machine's own CLI configuration is not read).
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
echo "terraform-check: $(terraform version | head -n 1), provider mirror $mirror"

echo "terraform-check: building ddbsse"
cargo build -q --locked -p ddbsse || die "cargo build -p ddbsse failed"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/ddbsse"

# --- 2. server ----------------------------------------------------------------------------------
"$bin" serve --port 0 --data-dir "$work/data" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.err" >&2; die "ddbsse serve exited at start"; }
  url="$(sed -n 's/^ddbsse listening on \(http:\/\/[0-9.:]*\)$/\1/p' "$work/serve.out")"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || die "ddbsse serve printed no listening line within 30 s"
echo "terraform-check: ddbsse serve (pid $server_pid) on $url"

# api TARGET BODY: one awsJson call with a well-formed (unverified) SigV4 Authorization header.
api() {
  local service="dynamodb" ctype="application/x-amz-json-1.0"
  case "$1" in TrentService.*) service="kms"; ctype="application/x-amz-json-1.1" ;; esac
  curl -sS --max-time 30 "$url/" \
    -H "Content-Type: $ctype" -H "X-Amz-Target: $1" -H "X-Amz-Date: 20190311T000000Z" \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=AKIDTERRAFORMCHECK/20190311/us-east-1/$service/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000" \
    -d "$2"
}

# expect WHAT JSON PYTHON: evaluates PYTHON with `d` the parsed JSON; `assert` to check.
expect() {
  local what="$1" json="$2" code="$3" out
  if out="$(python3 -c "
import json, sys
d = json.loads(sys.argv[1])
$code
" "$json" 2>&1)"; then ok "$what"; else fail "$what: $(echo "$out" | tail -n 2 | tr '\n' ' ') in $(echo "$json" | head -c 300)"; fi
}

# --- 3. terraform init --------------------------------------------------------------------------
cp scripts/terraform/*.tf "$work/"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_LOG_PATH AWS_PROFILE AWS_ENDPOINT_URL 2>/dev/null || true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
prefix="tfcheck-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
vars=(-var "endpoint=$url" -var "prefix=$prefix")

# tf NAME ARGS...: a Terraform command with its DEBUG log in $work/tf-NAME.log.
tf() {
  local name="$1"
  shift
  (cd "$work" && TF_LOG=DEBUG TF_LOG_PATH="$work/tf-$name.log" terraform "$@") >"$work/$name.out" 2>&1
}

tf init init -no-color || { cat "$work/init.out" >&2; die "terraform init (offline, from $mirror) failed"; }
ok "terraform init, offline from the mirror"

# --- 4. apply and plan --------------------------------------------------------------------------
if tf apply1 apply -no-color -auto-approve "${vars[@]}"; then
  ok "terraform apply creates the key, the alias, three tables and their items"
else
  tail -n 30 "$work/apply1.out" >&2
  die "the first terraform apply failed"
fi
plan_no_change() { # $1: name
  tf "$1" plan -no-color -detailed-exitcode "${vars[@]}" "${@:2}"
  local rc=$?
  case "$rc" in
    0) ok "$1: terraform plan -detailed-exitcode shows no change" ;;
    2) fail "$1: terraform plan shows changes: $(grep -E '^  [~+-]|will be|must be' "$work/$1.out" | head -n 12 | tr '\n' ' ')" ;;
    *) tail -n 20 "$work/$1.out" >&2; fail "$1: terraform plan failed (exit $rc)" ;;
  esac
}
plan_no_change plan1

key_arn="$(cd "$work" && terraform output -raw key_arn 2>/dev/null)"
for kind in customer managed owned; do
  d="$(api DynamoDB_20120810.DescribeTable "{\"TableName\":\"$prefix-$kind\"}")"
  expect "$kind table: ACTIVE with a GSI, an LSI and the key Terraform asked for" "$d" "
t = d['Table']
assert t['TableStatus'] == 'ACTIVE', t['TableStatus']
assert [g['IndexName'] for g in t['GlobalSecondaryIndexes']] == ['by-game']
assert t['GlobalSecondaryIndexes'][0]['IndexStatus'] == 'ACTIVE'
assert [l['IndexName'] for l in t['LocalSecondaryIndexes']] == ['by-played']
assert t['ItemCount'] == 1, t['ItemCount']
sse = t.get('SSEDescription')
kind = '$kind'
if kind == 'owned': assert sse is None, sse
elif kind == 'customer': assert sse['KMSMasterKeyArn'] == '$key_arn', sse
else: assert sse['KMSMasterKeyArn'] != '$key_arn' and sse['Status'] == 'ENABLED', sse
"
done

# --- 5. switch the key --------------------------------------------------------------------------
if tf apply2 apply -no-color -auto-approve "${vars[@]}" -var switched=true; then
  ok "second terraform apply switches the customer-key table to the second key"
else
  tail -n 30 "$work/apply2.out" >&2
  die "the second terraform apply (key switch) failed"
fi
next_arn="$(cd "$work" && terraform output -raw next_key_arn 2>/dev/null)"
d="$(api DynamoDB_20120810.DescribeTable "{\"TableName\":\"$prefix-customer\"}")"
expect "the switched table is ENABLED under the second key" "$d" "
sse = d['Table']['SSEDescription']
assert sse == {'Status': 'ENABLED', 'SSEType': 'KMS', 'KMSMasterKeyArn': '$next_arn'}, sse
"
if grep -q '"Status":"UPDATING"' "$work/tf-apply2.log"; then
  ok "Terraform saw SSEDescription UPDATING during the switch"
else
  fail "Terraform never saw SSEDescription UPDATING during the switch"
fi
plan_no_change plan2 -var switched=true

# --- 6. destroy ---------------------------------------------------------------------------------
if tf destroy destroy -no-color -auto-approve "${vars[@]}" -var switched=true; then
  ok "terraform destroy"
else
  tail -n 30 "$work/destroy.out" >&2
  die "terraform destroy failed"
fi
d="$(api DynamoDB_20120810.ListTables '{}')"
expect "no table of the configuration is left" "$d" "
left = [n for n in d['TableNames'] if n.startswith('$prefix-')]
assert not left, left
"
for k in "$key_arn" "$next_arn"; do
  d="$(api TrentService.DescribeKey "{\"KeyId\":\"$k\"}")"
  expect "customer managed key ${k##*/} is PendingDeletion" "$d" "
assert d['KeyMetadata']['KeyState'] == 'PendingDeletion', d['KeyMetadata']['KeyState']
"
done
d="$(api TrentService.ListAliases '{}')"
expect "the alias is gone" "$d" "
names = [a['AliasName'] for a in d['Aliases']]
assert 'alias/$prefix-table' not in names, names
"

echo "terraform-check: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
  for log in "$work"/tf-*.log; do
    echo "--- AWS calls that failed in $(basename "$log"):"
    failed_calls "$log"
  done
  exit 1
fi
