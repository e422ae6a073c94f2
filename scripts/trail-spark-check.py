"""Runs the blog's questions in Spark SQL over a delivery folder and compares the counts with
`ddbsse trail query` and `ddbsse trail stats` (called by scripts/trail-spark-check.sh).

argv: BUCKET GENERATED_JSON TRAIL_COMMAND...
"""
import json
import subprocess
import sys

from pyspark.sql import SparkSession

bucket, generated, trail = sys.argv[1], sys.argv[2], sys.argv[3:]
KEY = json.load(open(generated))["keyArns"][1]
TABLE = "Books"

# camelCase read schema: Spark matches JSON field names case-sensitively; SQL is case-insensitive.
RECORD = (
    "STRUCT<eventVersion: STRING, userIdentity: STRUCT<type: STRING, principalId: STRING, "
    "arn: STRING, accountId: STRING, invokedBy: STRING, accessKeyId: STRING, userName: STRING>, "
    "eventTime: STRING, eventSource: STRING, eventName: STRING, awsRegion: STRING, "
    "sourceIPAddress: STRING, userAgent: STRING, errorCode: STRING, errorMessage: STRING, "
    "requestParameters: STRING, responseElements: STRING, additionalEventData: STRING, "
    "requestID: STRING, eventID: STRING, readOnly: STRING, "
    "resources: ARRAY<STRUCT<ARN: STRING, accountId: STRING, type: STRING>>, eventType: STRING, "
    "apiVersion: STRING, recipientAccountId: STRING, sharedEventID: STRING>"
)

spark = (
    SparkSession.builder.master("local[2]")
    .appName("ddbsse-trail-check")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.ui.showConsoleProgress", "false")
    # list the ~600 files on the driver instead of a 600-task listing job
    .config("spark.sql.sources.parallelPartitionDiscovery.threshold", "100000")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
df = spark.read.schema(f"Records ARRAY<{RECORD}>").json(f"{bucket}/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz")
df.selectExpr("explode(Records) AS r", "_metadata.file_path AS path").createOrReplaceTempView("exploded")
PART = r"'/([0-9]{4})/([0-9]{2})/([0-9]{2})/[^/]+$'"
spark.sql(f"""
CREATE OR REPLACE TEMP VIEW cloudtrail_logs AS
SELECT r.eventVersion AS eventversion, r.userIdentity AS useridentity, r.eventTime AS eventtime,
       r.eventSource AS eventsource, r.eventName AS eventname, r.awsRegion AS awsregion,
       r.sourceIPAddress AS sourceipaddress, r.requestParameters AS requestparameters,
       r.resources AS resources, r.eventID AS eventid,
       regexp_extract(path, {PART}, 1) AS year,
       regexp_extract(path, {PART}, 2) AS month,
       regexp_extract(path, {PART}, 3) AS day
FROM exploded""")
spark.sql("CACHE TABLE cloudtrail_logs")  # read the files once for all the questions

DAY = "year = '2019' AND month = '03' AND day = '11'"
KMS_VIA_DDB = "eventsource = 'kms.amazonaws.com' AND sourceipaddress = 'dynamodb.amazonaws.com'"
TABLE_EXPR = "REPLACE(get_json_object(requestparameters, '$.encryptionContext.aws:dynamodb:tableName'), '\"', '')"
KEY_EXPR = "try_element_at(resources, 1).arn"


def spark_count(where):
    return spark.sql(f"SELECT count(*) FROM cloudtrail_logs WHERE {where}").collect()[0][0]


def spark_groups(key_expr, where="true"):
    rows = spark.sql(
        f"SELECT coalesce({key_expr}, '(none)') AS k, eventname, count(*) AS n FROM cloudtrail_logs "
        f"WHERE {where} GROUP BY 1, 2"
    ).collect()
    out = {}
    for k, name, n in rows:
        out.setdefault(k, {})[name] = n
    return out


def ours(*args):
    return subprocess.run(trail + list(args), check=True, capture_output=True, text=True).stdout


def our_count(*filters):
    out = ours("query", bucket, "--limit", "0", "--format", "jsonl", "--strict", *filters)
    return sum(1 for line in out.splitlines() if line)


D = ["--date", "2019-03-11"]
K = ["--event-source", "kms.amazonaws.com", "--source-ip", "dynamodb.amazonaws.com"]
checks = [
    ("q1 DynamoDB calls of the day", spark_count(f"{DAY} AND eventsource = 'dynamodb.amazonaws.com'"),
     our_count(*D, "--event-source", "dynamodb.amazonaws.com")),
    ("q2 KMS calls made by DynamoDB", spark_count(f"{DAY} AND {KMS_VIA_DDB}"), our_count(*D, *K)),
    ("q3 ... for table Books", spark_count(f"{DAY} AND {KMS_VIA_DDB} AND {TABLE_EXPR} = '{TABLE}'"),
     our_count(*D, *K, "--table", TABLE)),
    ("q4 ... for one key", spark_count(f"{DAY} AND {KMS_VIA_DDB} AND {KEY_EXPR} = '{KEY}'"),
     our_count(*D, *K, "--key-arn", KEY)),
]
stats_all = json.loads(ours("stats", bucket, "--json", "--strict"))
stats_kms = json.loads(ours("stats", bucket, "--json", "--strict", "--event-source", "kms.amazonaws.com"))
spark_names = {name: n for name, n in spark.sql(
    "SELECT eventname, count(*) FROM cloudtrail_logs GROUP BY 1").collect()}
checks += [
    ("records, both days", spark_count("true"), stats_all["records"]),
    ("calls by event name", spark_names, stats_all["byEventName"]),
    ("KMS calls per key and event name", spark_groups(KEY_EXPR, "eventsource = 'kms.amazonaws.com'"),
     stats_kms["byKey"]),
]
failures = 0
for label, theirs, mine in checks:
    same = theirs == mine
    failures += not same
    shown = theirs if not isinstance(theirs, dict) else f"{sum(v if isinstance(v, int) else sum(v.values()) for v in theirs.values())} in {len(theirs)} groups"
    print(f"{label}: Spark {shown}: {'ok' if same else f'DIFFERENT from ours {mine}'}")
spark.stop()
sys.exit(1 if failures else 0)
