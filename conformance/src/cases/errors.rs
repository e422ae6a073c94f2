//! Error shapes (`spec/errors.md`): the envelope and `__type`, HTTP status, requests naming no
//! valid operation, malformed bodies, missing members, item size, key-schema mismatches and
//! missing or existing tables.

use serde_json::{Value, json};

use ddbsse_wire::signature;

use super::{Case, Need};
use crate::ctx::{CaseResult, Ctx, Failure, check, check_eq};
use crate::normalize::{error_text, short};
use crate::target::{BadSignature, RawResponse};

/// Cases of this file.
pub const CASES: &[Case] = &[
    Case {
        id: "errors/envelope",
        title: "an error body has a string __type and its text in message (Message, or none, as AWS sends)",
        needs: &[],
        run: envelope,
    },
    Case {
        id: "errors/serialization/not-json",
        title: "a body that is not JSON: SerializationException, 400",
        needs: &[],
        run: not_json,
    },
    Case {
        id: "errors/serialization/wrong-type",
        title: "a member of the wrong JSON type: SerializationException",
        needs: &[],
        run: wrong_type,
    },
    Case {
        id: "errors/unknown-operation/dynamodb",
        title: "an unknown DynamoDB operation: UnknownOperationException",
        needs: &[],
        run: unknown_ddb,
    },
    Case {
        id: "errors/unknown-operation/kms",
        title: "an unknown KMS operation: UnknownOperationException",
        needs: &[],
        run: unknown_kms,
    },
    Case {
        id: "errors/missing-auth",
        title: "a request without Authorization: MissingAuthenticationTokenException",
        needs: &[Need::Http],
        run: missing_auth,
    },
    Case {
        id: "errors/signatures/unknown-key",
        title: "a request signed with an access key id the target does not know: UnrecognizedClientException",
        needs: &[Need::Http, Need::Signatures],
        run: unknown_key,
    },
    Case {
        id: "errors/signature-mismatch",
        title: "a request signed with the wrong secret: InvalidSignatureException, the mismatch text",
        needs: &[Need::Http, Need::Signatures],
        run: wrong_secret,
    },
    Case {
        id: "errors/signature-expired",
        title: "a request dated 20 minutes ago: InvalidSignatureException, Signature expired",
        needs: &[Need::Http, Need::Signatures],
        run: expired_signature,
    },
    Case {
        id: "errors/type-field",
        title: "__type per service and code (coral validate, dynamodb namespace, bare KMS name)",
        needs: &[],
        run: type_field,
    },
    Case {
        id: "errors/kms-http-status",
        title: "KMS DisabledException and NotFoundException travel with HTTP 400",
        needs: &[],
        run: kms_status,
    },
    Case {
        id: "errors/missing-member",
        title: "a missing required member: the Coral 'Member must not be null' message",
        needs: &[],
        run: missing_member,
    },
    Case {
        id: "errors/item-size",
        title: "an item of exactly 409600 bytes is accepted, one byte more is rejected",
        needs: &[],
        run: item_size,
    },
    Case {
        id: "errors/key-schema-mismatch",
        title: "GetItem with a key that does not match the schema",
        needs: &[],
        run: key_schema,
    },
    Case {
        id: "errors/resource-errors/missing-table",
        title: "a missing table: ResourceNotFoundException with the table name",
        needs: &[],
        run: missing_table,
    },
    Case {
        id: "errors/resource-errors/table-exists",
        title: "CreateTable of an existing table: ResourceInUseException",
        needs: &[],
        run: table_exists,
    },
];

/// Cases run after every other: a target may stop on their inputs (dynalite 3 exits on a `null`
/// body), and a stopped target would fail every case after them for a reason of their own.
pub const LAST_CASES: &[Case] = &[Case {
    id: "errors/no-500",
    title: "malformed requests get 4xx and the next request is served normally",
    needs: &[],
    run: no_500,
}];

const DESCRIBE: &str = "DynamoDB_20120810.DescribeTable";

//= spec/errors.md#envelope
//= type=test
//# The conformance harness MUST read an error's text from `message` or, when that member is absent, from `Message`, and MUST read an error body with neither member as an error whose text is empty.
/// The body of an error as the harness reads it: a string `__type`, and a text that is a string
/// when present in `message` or `Message` (both spellings, or none, are what AWS sends).
fn envelope(ctx: &mut Ctx<'_>) -> CaseResult {
    let missing = ctx.name("missing");
    for r in [
        ctx.ddb("DescribeTable", json!({"TableName": missing}))?,
        ctx.kms(
            "DescribeKey",
            json!({"KeyId": "0badc0de-0000-4000-8000-00000000beef"}),
        )?,
    ] {
        let text = r.body.get("message").or_else(|| r.body.get("Message"));
        check(
            r.status == 400
                && r.body.get("__type").is_some_and(Value::is_string)
                && text.is_none_or(Value::is_string),
            format!(
                "{}: 400 with a string __type and a string message, Message or none",
                r.op
            ),
            format!("{}: {} {}", r.op, r.status, short(&r.body)),
        )?;
        check(
            !error_text(&r.body).is_empty(),
            format!("{}: the error names what is missing", r.op),
            format!("{}: {}", r.op, short(&r.body)),
        )?;
    }
    Ok(())
}

//= spec/errors.md#serialization
//= type=test
//# A body that is not a JSON object, or that has a member of the wrong JSON type, MUST fail with `SerializationException` and MUST NOT change any state.
fn not_json(ctx: &mut Ctx<'_>) -> CaseResult {
    ctx.call_raw(0, 0, DESCRIBE, b"{not json")?
        .expect_error("SerializationException", None)
}

fn wrong_type(ctx: &mut Ctx<'_>) -> CaseResult {
    ctx.call_raw(0, 0, DESCRIBE, br#"{"TableName": 5}"#)?
        .expect_error("SerializationException", None)
}

//= spec/errors.md#unknown-operation
//= type=test
//# A request whose `X-Amz-Target` is absent or does not name an operation the target serves (prefixes `DynamoDB_20120810.`, `TrentService.` and `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.`) MUST fail with `UnknownOperationException`.
fn unknown_ddb(ctx: &mut Ctx<'_>) -> CaseResult {
    ctx.call("DynamoDB_20120810.FlyToTheMoon", json!({}))?
        .expect_error("UnknownOperationException", None)
}

fn unknown_kms(ctx: &mut Ctx<'_>) -> CaseResult {
    ctx.call("TrentService.FlyToTheMoon", json!({}))?
        .expect_error("UnknownOperationException", None)
}

//= spec/errors.md#missing-auth
//= type=test
//# A request without an `Authorization` header carrying a SigV4 `Credential=<access key id>/<date>/<region>/<service>/aws4_request` MUST fail with `MissingAuthenticationTokenException` and the message `Request is missing Authentication Token`.
fn missing_auth(ctx: &mut Ctx<'_>) -> CaseResult {
    let r = ctx.call_unsigned("DynamoDB_20120810.ListTables", b"{}")?;
    let code = r.body["__type"]
        .as_str()
        .map(ddbsse_wire::error::error_name_from_type)
        .unwrap_or("(none)");
    check_eq(
        "unsigned ListTables",
        &json!([
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token"
        ]),
        &json!([r.status, code, error_text(&r.body)]),
    )
}

/// `[status, error name, message]` of an answer, for comparing with the expected triple.
fn status_code_message(r: &RawResponse) -> serde_json::Value {
    let code = r.body["__type"]
        .as_str()
        .map(ddbsse_wire::error::error_name_from_type)
        .unwrap_or("(none)");
    json!([r.status, code, error_text(&r.body)])
}

//= spec/errors.md#signatures
//= type=test
//# With signature verification on, a request whose access key id is not among the target's keys, or whose key has a session token that the request's `X-Amz-Security-Token` does not equal (or a request with a token for a key without one), MUST fail with `UnrecognizedClientException` and the message `The security token included in the request is invalid.` (HTTP 400).
fn unknown_key(ctx: &mut Ctx<'_>) -> CaseResult {
    let r = ctx.call_badly_signed(
        "DynamoDB_20120810.ListTables",
        b"{}",
        BadSignature::UnknownKey,
    )?;
    check_eq(
        "ListTables signed with an unknown access key id",
        &json!([
            400,
            "UnrecognizedClientException",
            signature::UNRECOGNIZED_CLIENT_MESSAGE
        ]),
        &status_code_message(&r),
    )
}

//= spec/errors.md#signature-mismatch
//= type=test
//# With signature verification on, a request whose signature differs from the SigV4 signature of its canonical request under the secret of its access key MUST fail with `InvalidSignatureException` (HTTP 400) and the message `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.`, and the signatures MUST be compared in constant time.
fn wrong_secret(ctx: &mut Ctx<'_>) -> CaseResult {
    let r = ctx.call_badly_signed("TrentService.ListKeys", b"{}", BadSignature::WrongSecret)?;
    check_eq(
        "KMS ListKeys signed with the wrong secret",
        &json!([
            400,
            "InvalidSignatureException",
            signature::SIGNATURE_MISMATCH_MESSAGE
        ]),
        &status_code_message(&r),
    )
}

//= spec/errors.md#signature-expired
//= type=test
//# With signature verification on, a request whose `X-Amz-Date` is more than 15 minutes before the target's wall clock MUST fail with `InvalidSignatureException` (HTTP 400) and the message `Signature expired: <X-Amz-Date> is now earlier than <now - 15 min> (<now> - 15 min.)`, times in the `X-Amz-Date` form.
fn expired_signature(ctx: &mut Ctx<'_>) -> CaseResult {
    let r = ctx.call_badly_signed("DynamoDB_20120810.ListTables", b"{}", BadSignature::Expired)?;
    // The times depend on the second the request was signed and answered: the form is checked.
    const FORM: &str = "Signature expired: <date> is now earlier than <date> (<date> - 15 min.)";
    let observed = status_code_message(&r);
    let message = error_text(&r.body);
    let shown = if expired_form(message) { FORM } else { message };
    check_eq(
        "ListTables dated 20 minutes ago",
        &json!([400, "InvalidSignatureException", FORM]),
        &json!([observed[0], observed[1], shown]),
    )
}

/// Whether `message` reads `Signature expired: D1 is now earlier than D2 (D3 - 15 min.)` with
/// three `X-Amz-Date` times, D1 before D2.
fn expired_form(message: &str) -> bool {
    let Some(rest) = message.strip_prefix("Signature expired: ") else {
        return false;
    };
    let words: Vec<&str> = rest.split(' ').collect();
    let [
        d1,
        "is",
        "now",
        "earlier",
        "than",
        d2,
        d3,
        "-",
        "15",
        "min.)",
    ] = words.as_slice()
    else {
        return false;
    };
    let date = |d: &str| signature::parse_amz_date(d);
    match (date(d1), date(d2), d3.strip_prefix('(').and_then(date)) {
        (Some(a), Some(b), Some(_)) => a < b,
        _ => false,
    }
}

//= spec/errors.md#type-field
//= type=test
//# The `__type` of every error MUST be the one the table above gives for its service and code.
fn type_field(ctx: &mut Ctx<'_>) -> CaseResult {
    let missing = ctx.name("missing");
    let v = ctx.ddb("DescribeTable", json!({}))?;
    let n = ctx.ddb("DescribeTable", json!({"TableName": missing}))?;
    let k = ctx.kms(
        "DescribeKey",
        json!({"KeyId": "0badc0de-0000-4000-8000-00000000beef"}),
    )?;
    check_eq(
        "__type of ValidationException, ResourceNotFoundException (DynamoDB) and NotFoundException (KMS)",
        &json!([
            "com.amazon.coral.validate#ValidationException",
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            "NotFoundException"
        ]),
        &json!([v.body["__type"], n.body["__type"], k.body["__type"]]),
    )
}

//= spec/errors.md#http-status
//= type=test
//# Every error code of this specification MUST travel with HTTP status 400, except `InternalServerError` and `KMSInternalException`, which travel with 500 and are never caused by client input.
//= spec/errors.md#kms-http-status
//= type=test
//# KMS `DisabledException`, `KMSInvalidStateException` and `NotFoundException` MUST travel with HTTP status 400.
fn kms_status(ctx: &mut Ctx<'_>) -> CaseResult {
    let key = ctx.create_key()?;
    ctx.kms("DisableKey", json!({"KeyId": key.id}))?.ok()?;
    ctx.kms("Encrypt", json!({"KeyId": key.id, "Plaintext": "aGVsbG8="}))?
        .expect_error(
            "DisabledException",
            Some(&format!("{} is disabled.", key.arn)),
        )?;
    ctx.kms(
        "DescribeKey",
        json!({"KeyId": "0badc0de-0000-4000-8000-00000000beef"}),
    )?
    .expect_error("NotFoundException", None)
}

//= spec/errors.md#missing-member
//= type=test
//# A request missing a required member MUST fail with `ValidationException` and the message `1 validation error detected: Value null at '<member path>' failed to satisfy constraint: Member must not be null`, or, for several violations, `<n> validation errors detected: ` followed by the violations joined with `; `.
fn missing_member(ctx: &mut Ctx<'_>) -> CaseResult {
    ctx.ddb("DescribeTable", json!({}))?.expect_error(
        "ValidationException",
        Some("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"),
    )
}

//= spec/errors.md#item-size
//= type=test
//# A PutItem or BatchWriteItem put of an item larger than 400 KB (409600 bytes) MUST fail with `ValidationException` and the message `Item size has exceeded the maximum allowed size`, and an item of exactly 409600 bytes MUST be accepted.
fn item_size(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("size", None)?;
    // "pk" + "a" = 3 bytes, "v" = 1 byte: the value makes up the rest.
    let exact = "x".repeat(409_600 - 4);
    ctx.put(&table, "a", &exact)?.ok()?;
    ctx.put(&table, "a", &format!("{exact}x"))?.expect_error(
        "ValidationException",
        Some("Item size has exceeded the maximum allowed size"),
    )
}

//= spec/errors.md#key-schema-mismatch
//= type=test
//# A request whose item or key does not match the table's key schema MUST fail with `ValidationException` and the message of the row of the table above that applies.
fn key_schema(ctx: &mut Ctx<'_>) -> CaseResult {
    let table = ctx.created_table("schema", None)?;
    ctx.ddb(
        "GetItem",
        json!({"TableName": table, "Key": {"other": {"S": "a"}}}),
    )?
    .expect_error(
        "ValidationException",
        Some("The provided key element does not match the schema"),
    )?;
    ctx.ddb(
        "PutItem",
        json!({"TableName": table, "Item": {"v": {"S": "a"}}}),
    )?
    .expect_error(
        "ValidationException",
        Some("One or more parameter values were invalid: Missing the key pk in the item"),
    )
}

//= spec/errors.md#resource-errors
//= type=test
//# A request naming a table that does not exist MUST fail with `ResourceNotFoundException` and the message `Requested resource not found: Table: <table name> not found`.
fn missing_table(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.name("missing");
    ctx.ddb("DescribeTable", json!({"TableName": name}))?
        .expect_error(
            "ResourceNotFoundException",
            Some(&format!(
                "Requested resource not found: Table: {name} not found"
            )),
        )
}

//= spec/errors.md#resource-errors
//= type=test
//# A CreateTable naming a table that exists MUST fail with `ResourceInUseException` and the message `Table already exists: <table name>`.
fn table_exists(ctx: &mut Ctx<'_>) -> CaseResult {
    let name = ctx.created_table("twice", None)?;
    ctx.ddb("CreateTable", Ctx::table_body(&name, None))?
        .expect_error(
            "ResourceInUseException",
            Some(&format!("Table already exists: {name}")),
        )
}

//= spec/errors.md#no-500
//= type=test
//# A target MUST answer every malformed or invalid request with a 4xx status and the envelope of section 1, without dropping the connection or stopping, and MUST serve the next well-formed request normally.
fn no_500(ctx: &mut Ctx<'_>) -> CaseResult {
    let bodies: [&[u8]; 5] = [
        b"",
        b"[]",
        b"null",
        b"{\"TableName\": {\"S\": 1}}",
        &[0xff, 0xfe, 0x00],
    ];
    for body in bodies {
        let r = ctx.call_raw(0, 0, "DynamoDB_20120810.CreateTable", body)?;
        check(
            (400..500).contains(&r.status) && r.body.get("__type").is_some_and(Value::is_string),
            "a 4xx answer with the error envelope",
            format!("{} {}", r.status, r.body),
        )?;
    }
    ctx.ddb("ListTables", json!({}))?.ok()?;
    Ok(())
}

/// The protocol checks that look at every exchange of the run; they close the suite (see
/// [`super::all`]), so that their verdict covers every case before them.
pub const PROTOCOL_CASES: &[Case] = &[Case {
    id: "errors/crc32",
    title: "every DynamoDB answer of the run carries x-amz-crc32, the CRC-32 of its body",
    needs: &[],
    run: crc32_every_exchange,
}];

//= spec/errors.md#crc32
//= type=test
//# Every DynamoDB response MUST carry an `x-amz-crc32` header whose value is the CRC-32 (IEEE) of the response body bytes as sent, written as a decimal unsigned 32-bit integer.
/// Makes a success, an error and a larger answer of its own (so that the case means something
/// when run alone), then judges every DynamoDB exchange of the run so far. Its own exchanges may
/// fail (a target that stopped answering after an earlier case): what it judges is the headers of
/// the answers there were.
fn crc32_every_exchange(ctx: &mut Ctx<'_>) -> CaseResult {
    let _ = ctx.ddb("ListTables", json!({}));
    let absent = ctx.name("absent");
    let _ = ctx.ddb("DescribeTable", json!({"TableName": absent}));
    let _ = ctx.call_raw(0, 0, DESCRIBE, b"{not json");
    if let Ok(table) = ctx.created_table("crc", None) {
        let _ = ctx.put(&table, "k", &"x".repeat(2000));
        let _ = ctx.get(&table, "k");
    }
    let log = ctx.log.borrow().clone();
    if log.crc_checked == 0 {
        return Err(Failure::Skip("target gives no response headers".to_owned()));
    }
    check(
        log.crc_bad == 0,
        "every DynamoDB answer carries x-amz-crc32, the CRC-32 of its body bytes in decimal",
        format!(
            "{} of {} DynamoDB answers checked had a missing or wrong x-amz-crc32 ({} without headers); first {}",
            log.crc_bad,
            log.crc_checked,
            log.crc_unchecked,
            log.crc_first_bad.unwrap_or_default()
        ),
    )
}
