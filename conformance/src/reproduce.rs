//! `ddbsse check --reproduce CASE`: a bash script that sends a case's requests again, in order,
//! with `curl --aws-sigv4`, clock moves included (`POST /_conformance/clock`, as the harness made
//! them), and prints each answer beside the status the case saw. It exits 1 when any status
//! differs from the recorded one, so a fix can be checked without the harness.
//!
//! Ids the target made (key ids, grant ids...) differ from run to run: a request that names an
//! id first seen in an earlier answer names a shell variable instead, filled from that answer
//! with `jq` (the JSON path of the string holding the id, and the id's place in it). Names of
//! tables and aliases are kept as the case made them. Each `curl` opens its own TCP connection:
//! the case's connection numbers are in the comments (cases about per-connection caching depend
//! on them).
//!
//! It builds text only; running the case is the runner's job.

use serde_json::Value;

use crate::exchange::{Exchange, ExchangeKind};
use crate::normalize::ids_in;
use crate::report::CaseReport;

/// Shell single-quoting of `s` (without the enclosing quotes): `'` becomes `'\''`.
fn quote(s: &str) -> String {
    s.replace('\'', r"'\''")
}

/// Where a string holding `id` is in `v`: the JSON path (keys and indexes) and the id's
/// occurrence number (from 1) among the ids of that string.
fn find_id(v: &Value, id: &str, path: &mut Vec<Value>) -> Option<(Vec<Value>, usize)> {
    match v {
        Value::String(s) => ids_in(s)
            .iter()
            .position(|x| *x == id)
            .map(|k| (path.clone(), k + 1)),
        Value::Array(a) => a.iter().enumerate().find_map(|(i, x)| {
            path.push(Value::from(i));
            let r = find_id(x, id, path);
            path.pop();
            r
        }),
        Value::Object(m) => m.iter().find_map(|(k, x)| {
            path.push(Value::from(k.as_str()));
            let r = find_id(x, id, path);
            path.pop();
            r
        }),
        _ => None,
    }
}

/// The signing name of the service a target header belongs to.
fn service(target: &str) -> &'static str {
    match ddbsse_wire::Service::from_target(target) {
        Some(ddbsse_wire::Service::Kms) => "kms",
        Some(ddbsse_wire::Service::CloudTrail) => "cloudtrail",
        _ => "dynamodb",
    }
}

const PRELUDE: &str = r#"set -u
need() { command -v "$1" >/dev/null || { echo "reproduce: needs $1" >&2; exit 2; }; }
need curl
EP=${EP:-http://127.0.0.1:8000}
EP_DYNAMODB=${EP_DYNAMODB:-$EP}
EP_KMS=${EP_KMS:-$EP}
EP_CLOUDTRAIL=${EP_CLOUDTRAIL:-$EP}
REGION=${AWS_DEFAULT_REGION:-__REGION__}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
steps=0
differs=0

# call STEP RECORDED-STATUS SERVICE TARGET URL PRINCIPAL BODY (PRINCIPAL - : unsigned)
call() {
  local step=$1 want=$2 service=$3 target=$4 url=$5 principal=$6 body=$7 ctype got
  case $service in
    dynamodb) ctype=application/x-amz-json-1.0 ;;
    *) ctype=application/x-amz-json-1.1 ;;
  esac
  local args=(-sS -o "$OUT" -w '%{http_code}' -H "Content-Type: $ctype" -H "X-Amz-Target: $target" --data-binary "$body")
  if [ "$principal" != - ]; then
    local ak="AK$principal" sk="SK$principal"
    args+=(--aws-sigv4 "aws:amz:$REGION:$service" --user "${!ak}:${!sk}")
    if [ -n "${AWS_SESSION_TOKEN:-}" ]; then
      args+=(-H "X-Amz-Security-Token: $AWS_SESSION_TOKEN")
    fi
  fi
  got=$(curl "${args[@]}" "$url") || got=000
  steps=$((steps + 1))
  if [ "$got" = "$want" ]; then
    printf '%s %s: %s\n' "$step" "${target##*.}" "$got"
  else
    differs=$((differs + 1))
    printf '%s %s: %s, recorded %s  <-- differs\n' "$step" "${target##*.}" "$got" "$want"
  fi
  head -c 2000 "$OUT"
  printf '\n'
}

# clock STEP MILLIS: moves the target's manual clock (ddbsse serve --clock manual).
clock() {
  local got
  got=$(curl -sS -o "$OUT" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "{\"advanceMillis\": $2}" "$EP_DYNAMODB/_conformance/clock") || got=000
  if [ "$got" = 200 ]; then
    printf '%s clock +%s ms: %s\n' "$1" "$2" "$(cat "$OUT")"
  else
    differs=$((differs + 1))
    printf '%s clock +%s ms: answered %s (no clock capability?)  <-- differs\n' "$1" "$2" "$got"
  fi
}
"#;

/// The script replaying `case`'s exchanges; `principals` are the access key ids the case's
/// principals had (the defaults of `AK1`, `AK2`...; secrets default to `testing`, which ddbsse
/// serve accepts, as it does not verify signatures).
pub fn script(case: &CaseReport, principals: &[String], region: &str, target: &str) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str(&format!(
        "# ddbsse check --reproduce {}: {}\n# requirement: {}\n",
        case.id, case.title, case.requirement
    ));
    for sentence in crate::requirements::sentences(&case.requirement) {
        out.push_str(&format!("#   {sentence}\n"));
    }
    out.push_str(&format!(
        "# outcome on {target}: {}\n",
        case.outcome.as_str()
    ));
    for (what, text) in [("expected", &case.expected), ("observed", &case.observed)] {
        if let Some(t) = text {
            for (i, line) in t.lines().enumerate() {
                let lead = if i == 0 { what } else { "        " };
                out.push_str(&format!("# {lead}: {line}\n"));
            }
        }
    }
    if case.exchanges.iter().any(|e| e.synthesized) {
        out.push_str(
            "# The exchanges were synthesised from the in-process engine's typed requests and\n\
             # answers (no HTTP); over HTTP `ddbsse serve --clock manual` answers the same.\n",
        );
    }
    if case.exchanges_dropped > 0 {
        out.push_str(&format!(
            "# The first {} exchanges were not kept: this script starts in the middle of the case.\n",
            case.exchanges_dropped
        ));
    }
    out.push_str(
        "#\n# Run against a fresh target whose clock starts where the case's did, for example:\n\
         #   ddbsse serve --clock manual --port 8000 &   # then: EP=http://127.0.0.1:8000 bash THIS\n\
         # Each curl is its own TCP connection; the case's connection numbers are in the comments.\n",
    );
    out.push_str(&PRELUDE.replace("__REGION__", region));
    for (i, p) in principals.iter().enumerate() {
        out.push_str(&format!(
            "AK{i}=${{AK{i}:-{}}}\nSK{i}=${{SK{i}:-testing}}\n",
            quote(p)
        ));
    }
    out.push('\n');

    // Ids named by later requests, to capture from the first answer that shows them.
    let requested: Vec<String> = case
        .exchanges
        .iter()
        .flat_map(|e| {
            ids_in(&e.request_body.to_string())
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut known: Vec<(String, String)> = Vec::new();
    let mut steps = String::new();
    for (n, e) in case.exchanges.iter().enumerate() {
        let step = case.exchanges_dropped + n + 1;
        match e.kind {
            ExchangeKind::Clock => {
                let ms = e.request_body["advanceMillis"].as_u64().unwrap_or(0);
                steps.push_str(&format!("clock {step} {ms}\n"));
            }
            ExchangeKind::Wait => {
                let ms = e.request_body["waitMillis"].as_u64().unwrap_or(0);
                steps.push_str(&format!(
                    "sleep {}.{:03}  # {step}: real time the harness waited\n",
                    ms / 1000,
                    ms % 1000
                ));
            }
            ExchangeKind::Aws | ExchangeKind::Unsigned => {
                steps.push_str(&request_lines(step, e, &known));
                capture_ids(e, &requested, &mut known, &mut steps);
            }
        }
    }
    if !known.is_empty() {
        out.push_str("need jq\n");
    }
    out.push('\n');
    out.push_str(&steps);
    out.push_str(
        "\necho \"reproduce: $steps requests, $differs answered otherwise than recorded\"\n\
         [ \"$differs\" -eq 0 ]\n",
    );
    out
}

/// The `call` line (and its comment) of one AWS exchange.
fn request_lines(step: usize, e: &Exchange, known: &[(String, String)]) -> String {
    let target = e.target.as_deref().unwrap_or("");
    let service = service(target);
    let url = match service {
        "kms" => "$EP_KMS",
        "cloudtrail" => "$EP_CLOUDTRAIL",
        _ => "$EP_DYNAMODB",
    };
    let mut body = quote(&e.request_body.to_string());
    for (id, var) in known {
        body = body.replace(id.as_str(), &format!("'\"${var}\"'"));
    }
    let who = e
        .principal
        .map_or_else(|| "unsigned".to_owned(), |p| format!("principal {}", p + 1));
    let principal = e
        .principal
        .map_or_else(|| "-".to_owned(), |p| p.to_string());
    let status = e.status.map_or_else(|| "000".to_owned(), |s| s.to_string());
    format!(
        "# {step}: {} as {who} on connection {}\ncall {step} {status} {service} {target} \"{url}/\" {principal} '{body}'\n",
        e.label(),
        e.connection.unwrap_or(0),
    )
}

/// After an exchange, a variable for every id its answer shows first that a later request
/// names.
fn capture_ids(
    e: &Exchange,
    requested: &[String],
    known: &mut Vec<(String, String)>,
    out: &mut String,
) {
    let text = e.response_body.to_string();
    for id in ids_in(&text) {
        if known.iter().any(|(k, _)| k == id) || !requested.iter().any(|r| r == id) {
            continue;
        }
        let Some((path, occurrence)) = find_id(&e.response_body, id, &mut Vec::new()) else {
            continue;
        };
        let var = format!("ID{}", known.len() + 1);
        let pattern = if id.len() == 64 {
            "[0-9a-fA-F]{64}"
        } else {
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
        };
        out.push_str(&format!(
            "{var}=$(jq -r --argjson p '{}' 'getpath($p)' \"$OUT\" | grep -oE '{pattern}' | sed -n '{occurrence}p')  # {id} in the recording\n",
            quote(&Value::Array(path).to_string()),
        ));
        known.push((id.to_owned(), var));
    }
}
