"""Runs the blog's four Athena queries in DuckDB over a delivery folder and compares the rows
with `ddbsse trail query` (called by scripts/trail-duckdb-check.sh).

argv: BUCKET GENERATED_JSON TRAIL_COMMAND...
"""
import collections
import json
import subprocess
import sys

import duckdb

TABLE = "Books"
LIMIT = 1000

RECORD_STRUCT = (
    "STRUCT(eventVersion VARCHAR, userIdentity STRUCT(type VARCHAR, principalId VARCHAR, "
    "arn VARCHAR, accountId VARCHAR, invokedBy VARCHAR, accessKeyId VARCHAR, userName VARCHAR, "
    "sessionContext STRUCT(attributes STRUCT(mfaAuthenticated VARCHAR, creationDate VARCHAR), "
    "sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, "
    "userName VARCHAR), ec2RoleDelivery VARCHAR)), eventTime VARCHAR, eventSource VARCHAR, "
    "eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR, "
    "errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, "
    "additionalEventData JSON, requestID VARCHAR, eventID VARCHAR, readOnly VARCHAR, "
    "resources STRUCT(ARN VARCHAR, accountId VARCHAR, type VARCHAR)[], eventType VARCHAR, "
    "apiVersion VARCHAR, recipientAccountId VARCHAR, serviceEventDetails JSON, "
    "sharedEventID VARCHAR, vpcEndpointId VARCHAR, eventCategory VARCHAR)[]"
)
PART = r"'/(\d{4})/(\d{2})/(\d{2})/[^/]+$'"


def create_view(con, bucket):
    """Defines `cloudtrail_logs` over the delivery folder and the `json_extract_scalar` macro."""
    con.execute(VIEW_SQL.replace("<BUCKET>", bucket))
    con.execute("CREATE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)")


VIEW_SQL = f"""
CREATE VIEW cloudtrail_logs AS
SELECT r.eventVersion AS eventversion, r.userIdentity AS useridentity, r.eventTime AS eventtime,
       r.eventSource AS eventsource, r.eventName AS eventname, r.awsRegion AS awsregion,
       r.sourceIPAddress AS sourceipaddress, r.userAgent AS useragent, r.errorCode AS errorcode,
       r.errorMessage AS errormessage,
       CAST(r.requestParameters AS VARCHAR) AS requestparameters,
       CAST(r.responseElements AS VARCHAR) AS responseelements,
       CAST(r.additionalEventData AS VARCHAR) AS additionaleventdata,
       r.requestID AS requestid, r.eventID AS eventid, r.readOnly AS readonly,
       r.resources AS resources, r.eventType AS eventtype, r.apiVersion AS apiversion,
       r.recipientAccountId AS recipientaccountid,
       CAST(r.serviceEventDetails AS VARCHAR) AS serviceeventdetails,
       r.sharedEventID AS sharedeventid, r.vpcEndpointId AS vpcendpointid,
       regexp_extract(filename, {PART}, 1) AS year,
       regexp_extract(filename, {PART}, 2) AS month,
       regexp_extract(filename, {PART}, 3) AS day
FROM (SELECT unnest(Records) AS r, filename
      FROM read_json('<BUCKET>/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz',
                     format = 'unstructured', filename = true, compression = 'gzip',
                     maximum_object_size = 1073741824,
                     columns = {{Records: '{RECORD_STRUCT}'}}))
"""



def blog_queries(key):
    """The blog's queries, verbatim but for the table name and the literals."""
    return {
        "q1": """SELECT * FROM cloudtrail_logs
    WHERE year='2019' AND month='03' AND day='11'
    AND eventsource = 'dynamodb.amazonaws.com'
    LIMIT 1000;""",
        "q2": """SELECT eventtime, eventname, sourceipaddress, useridentity, requestparameters FROM cloudtrail_logs
    WHERE year='2019' AND month='03' AND day='11'
    AND eventsource = 'kms.amazonaws.com'
    AND sourceipaddress = 'dynamodb.amazonaws.com'
    LIMIT 1000;""",
        "q3": f"""SELECT eventtime, eventname, sourceipaddress, useridentity, requestparameters FROM cloudtrail_logs
    WHERE year='2019' AND month='03' AND day='11'
    AND eventsource = 'kms.amazonaws.com'
    AND sourceipaddress = 'dynamodb.amazonaws.com'
    AND REPLACE(JSON_EXTRACT_SCALAR(requestparameters, '$.encryptionContext.aws:dynamodb:tableName'),'"','') = '{TABLE}'
    ORDER BY eventtime
    LIMIT 1000;""",
        "q4": f"""SELECT eventtime, eventname, REPLACE(JSON_EXTRACT_SCALAR(requestparameters, '$.encryptionContext.aws:dynamodb:tableName'),'"','') as ddbtbl FROM cloudtrail_logs
    WHERE year='2019' and month='03' and day='11'
    AND eventsource = 'kms.amazonaws.com'
    AND sourceipaddress = 'dynamodb.amazonaws.com'
    AND resources[1].arn = '{key}'
    ORDER BY ddbtbl
    LIMIT 1000;""",
    }


def main():
    bucket, generated, trail = sys.argv[1], sys.argv[2], sys.argv[3:]
    key = json.load(open(generated))["keyArns"][1]  # the customer key of Orders and Services
    sys.exit(compare(bucket, key, trail))


COMMON = ["--date", "2019-03-11", "--format", "jsonl", "--strict"]
KMS = ["--event-source", "kms.amazonaws.com"]


def our_queries(key):
    return {
        "q1": [COMMON + ["--event-source", "dynamodb.amazonaws.com", "--columns", "all"]],
        "q2": [COMMON + KMS + ["--source-ip", "dynamodb.amazonaws.com"], COMMON + KMS + ["--via-dynamodb"]],
        "q3": [COMMON + KMS + ["--via-dynamodb", "--table", TABLE, "--order", "time"]],
        "q4": [COMMON + KMS + ["--via-dynamodb", "--key-arn", key, "--order", "table"]],
    }


ORDER_COLUMN = {"q3": "eventtime", "q4": "ddbtbl"}
JSON_TEXT = {"requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails"}


def norm(value, column=None):
    """Comparable form: JSON-text columns parsed, structs without null fields, keys lower-case."""
    if column in JSON_TEXT and isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, dict):
        return tuple(sorted((k.lower(), norm(v)) for k, v in value.items() if v is not None))
    if isinstance(value, list):
        return tuple(norm(v) for v in value)
    return value


def row_key(row):
    return tuple(sorted((k, norm(v, k)) for k, v in row.items()))


def compare(bucket, key, trail):
    """Runs both sides; returns the number of differences."""
    con = duckdb.connect()
    create_view(con, bucket)
    print(f"duckdb {duckdb.__version__}; key {key}")
    failures = 0
    for name, sql in blog_queries(key).items():
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        theirs = [dict(zip(cols, r)) for r in cur.fetchall()]
        if not 0 < len(theirs) < LIMIT:
            print(f"{name}: DuckDB returned {len(theirs)} rows; need 1..{LIMIT - 1} for a conclusive comparison")
            failures += 1
            continue
        for args in our_queries(key)[name]:
            out = subprocess.run(trail + ["query", bucket] + args, check=True, capture_output=True, text=True).stdout
            ours = [json.loads(line) for line in out.splitlines() if line]
            problems = []
            if set(ours[0].keys()) != set(cols) if ours else True:
                problems.append(f"columns differ: ours {sorted(ours[0].keys()) if ours else None} vs {sorted(cols)}")
            elif collections.Counter(map(row_key, ours)) != collections.Counter(map(row_key, theirs)):
                only_ours = collections.Counter(map(row_key, ours)) - collections.Counter(map(row_key, theirs))
                only_theirs = collections.Counter(map(row_key, theirs)) - collections.Counter(map(row_key, ours))
                problems.append(f"rows differ: {len(ours)} ours vs {len(theirs)} DuckDB; "
                                f"only ours e.g. {str(list(only_ours)[:1])[:300]}; "
                                f"only DuckDB e.g. {str(list(only_theirs)[:1])[:300]}")
            if name in ORDER_COLUMN:
                c = ORDER_COLUMN[name]
                if [r[c] for r in ours] != [r[c] for r in theirs]:
                    problems.append(f"order by {c} differs")
            status = "ok" if not problems else "DIFFERENT: " + "; ".join(problems)
            print(f"{name}: {len(theirs)} rows, ddbsse trail query {' '.join(args[len(COMMON):])}: {status}")
            failures += bool(problems)
    return failures


if __name__ == "__main__":
    main()
