//! DynamoDB's errors and their messages, built in one place for the model and the endpoint
//! (`spec/tables.md`, `spec/errors.md`).
//!
//! Does: build the `ApiError` (code and exact text) of each refusal whose text does not depend on
//! state beyond the names it quotes. Does not: decide when a refusal applies; that is behaviour,
//! implemented separately by the model and by the endpoint. The conformance cases keep their own
//! copies of these texts, taken from the spec, so a wrong message here is still caught.

use crate::error::{ApiError, ErrorCode};

/// `ValidationException` "One or more parameter values were invalid: <detail>".
pub fn invalid_parameter(detail: &str) -> ApiError {
    ApiError::validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// `ResourceNotFoundException` for a table that does not exist.
pub fn table_not_found(name: &str) -> ApiError {
    //= spec/errors.md#resource-errors
    //# A request naming a table that does not exist MUST fail with `ResourceNotFoundException` and the message `Requested resource not found: Table: <table name> not found`.
    ApiError::new(
        ErrorCode::ResourceNotFound,
        format!("Requested resource not found: Table: {name} not found"),
    )
}

/// `ValidationException` for a `TableName` that starts like an ARN but names no table: another
/// service, an index, a stream or a malformed ARN (`spec/tables.md#table-arn`, text decided there).
pub fn not_a_table_arn(given: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value '{given}' at 'tableName' failed to satisfy constraint: Member must be a table name or the ARN of a table"
    ))
}

/// `ValidationException` for a table ARN of another region (`spec/tables.md#table-arn`, observed
/// text).
pub fn table_arn_other_region(given: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Invalid AWS region in '{given}'"
    ))
}

/// `AccessDeniedException` for a table ARN of another account: without a resource-based policy
/// no caller may reach another account's table (`spec/tables.md#table-arn`, IAM's implicit-deny
/// text).
pub fn table_arn_other_account(caller_arn: &str, action: &str, given: &str) -> ApiError {
    ApiError::new(
        ErrorCode::AccessDenied,
        format!(
            "User: {caller_arn} is not authorized to perform: dynamodb:{action} on resource: {given} because no resource-based policy allows the dynamodb:{action} action"
        ),
    )
}

/// `ValidationException` for a batch that names one table twice, once by name and once by ARN
/// (`spec/tables.md#table-arn`, text decided there).
pub fn table_named_twice(name: &str) -> ApiError {
    ApiError::validation(format!(
        "Provided list of item keys contains duplicates: table {name} is named more than once"
    ))
}

/// `ResourceInUseException` for a CreateTable naming a table that exists.
pub fn table_exists(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceInUse,
        format!("Table already exists: {name}"),
    )
}

/// `ResourceInUseException` for a DeleteTable while the table's `SSEDescription.Status` is
/// `UPDATING` (`spec/tables.md#delete`, observed text).
pub fn table_being_updated(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceInUse,
        format!(
            "Attempt to change a resource which is still in use: Table: {name} is in the process of being updated."
        ),
    )
}

/// `ResourceInUseException` for a DeleteTable on an `ARCHIVING` table (`spec/tables.md#delete`,
/// text decided there).
pub fn table_being_archived(name: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceInUse,
        format!(
            "Attempt to change a resource which is still in use: Table: {name} is being archived."
        ),
    )
}

/// `ValidationException` for a request on an `ARCHIVING` or `ARCHIVED` table.
pub fn table_archived(name: &str) -> ApiError {
    ApiError::validation(format!("Table {name} is archived"))
}

/// An UpdateTable that changes SSE together with anything else.
pub fn sse_not_alone() -> ApiError {
    invalid_parameter(
        "Server-Side Encryption modification must be the only operation in the request",
    )
}

/// An UpdateTable selecting the AWS owned key for a table that uses it.
pub fn already_encrypted_by_default() -> ApiError {
    invalid_parameter("Table is already encrypted by default")
}

/// An UpdateTable selecting the KMS key a table already uses.
pub fn already_encrypted_with_key() -> ApiError {
    invalid_parameter(
        "Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key",
    )
}

/// A request item whose attribute value sets more than one type.
pub fn more_than_one_datatype() -> ApiError {
    ApiError::validation(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
    )
}

/// A batch naming one key twice.
pub fn duplicate_keys() -> ApiError {
    ApiError::validation("Provided list of item keys contains duplicates")
}

/// A BatchWriteItem or BatchGetItem whose `RequestItems` holds no request.
pub fn no_request_items() -> ApiError {
    ApiError::validation(
        "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
    )
}

/// A batch with more requests than the operation allows (`operation` is `BatchWriteItem` or
/// `BatchGetItem`).
pub fn too_many_items(operation: &str) -> ApiError {
    ApiError::validation(format!("Too many items requested for the {operation} call"))
}

/// A Query with no key condition.
pub fn no_key_condition() -> ApiError {
    ApiError::validation(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
    )
}

/// A key condition that leaves out the partition key (`element` is its attribute name).
pub fn key_condition_missed(element: &str) -> ApiError {
    ApiError::validation(format!(
        "Query condition missed key schema element: {element}"
    ))
}

/// A key condition of a kind DynamoDB does not allow on that key.
pub fn key_condition_not_supported() -> ApiError {
    ApiError::validation("Query key condition not supported")
}

/// A key condition value whose type is not the key attribute's.
pub fn condition_type_mismatch() -> ApiError {
    invalid_parameter("Condition parameter type does not match schema type")
}

/// An `ExclusiveStartKey` that is not a key of the table.
pub fn invalid_start_key() -> ApiError {
    ApiError::validation(
        "The provided starting key is invalid: The provided key element does not match the schema",
    )
}
