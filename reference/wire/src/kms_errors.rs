//! KMS's errors and their messages, built in one place for the model and the endpoint
//! (`spec/kms.md`, `spec/errors.md`).
//!
//! Does: build the `ApiError` (code and exact text) of each refusal whose text does not depend on
//! state beyond the names it quotes. Does not: decide when a refusal applies; that is behaviour,
//! implemented separately by the model and by the endpoint. The conformance cases keep their own
//! copies of these texts, taken from the spec, so a wrong message here is still caught.

use crate::error::{ApiError, ErrorCode};

/// The Description of the AWS managed key DynamoDB creates (`spec/kms.md#managed-key`).
pub const MANAGED_KEY_DESCRIPTION: &str =
    "Default key that protects my DynamoDB data when no other key is defined";

/// KMS's text when DynamoDB may not use a key (missing grant, deleted key).
pub const ACCESS_DENIED_TEXT: &str = "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.";

/// KMS's Coral `ValidationException` for one missing member.
pub fn null_member(member: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KmsValidation,
        format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ),
    )
}

/// KMS's Coral `ValidationException` for one violated constraint on a present value.
pub fn constraint(value: &str, member: &str, constraint: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KmsValidation,
        format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
        ),
    )
}

/// KMS's own range check of `PendingWindowInDays` (7 to 30), inside the model's 1 to 365
/// (`spec/kms.md#deletion`).
pub const PENDING_WINDOW_TEXT: &str = "PendingWindowInDays must be between 7 and 30";

/// The text of a CreateGrant with neither or both grantees (`spec/kms.md#create-grant`).
pub const ONE_GRANTEE_TEXT: &str =
    "You must specify either GranteePrincipal or GranteeServicePrincipal, but not both.";

/// `ValidationException` for a CreateGrant with neither or both grantees.
pub fn one_grantee() -> ApiError {
    ApiError::new(ErrorCode::KmsValidation, ONE_GRANTEE_TEXT)
}

/// The text of a ListGrants with both grantee filters (M-KMS's sentence, `spec/kms.md#list-grants`).
pub const ONE_GRANTEE_FILTER_TEXT: &str =
    "You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.";

//= spec/kms.md#list-grants
//# A `GranteeServicePrincipal` filter MUST limit the listing to the key's grants created with that `GranteeServicePrincipal`, and a ListGrants with both `GranteePrincipal` and `GranteeServicePrincipal` MUST fail with `ValidationException` and the message `You can specify either GranteePrincipal or GranteeServicePrincipal, but not both.`.
/// Refuses a ListGrants that gives both grantee filters.
pub fn one_grantee_filter(input: &crate::kms::ListInput) -> Result<(), ApiError> {
    if input.grantee_principal.is_some() && input.grantee_service_principal.is_some() {
        return Err(ApiError::new(
            ErrorCode::KmsValidation,
            ONE_GRANTEE_FILTER_TEXT,
        ));
    }
    Ok(())
}

/// `NotFoundException` for a key ARN that names no key.
pub fn key_not_found(key_arn: &str) -> ApiError {
    ApiError::new(ErrorCode::NotFound, key_not_found_text(key_arn))
}

/// The text of [`key_not_found`].
pub fn key_not_found_text(key_arn: &str) -> String {
    format!("Key '{key_arn}' does not exist")
}

/// `NotFoundException` for an alias ARN that names no alias.
pub fn alias_not_found(alias_arn: &str) -> ApiError {
    ApiError::new(ErrorCode::NotFound, alias_not_found_text(alias_arn))
}

/// The text of [`alias_not_found`].
pub fn alias_not_found_text(alias_arn: &str) -> String {
    format!("Alias {alias_arn} is not found.")
}

//= spec/kms.md#key-state-effects
//# The disabled error MUST be `DisabledException` with the message `<key arn> is disabled.`, the pending error `KMSInvalidStateException` with `<key arn> is pending deletion.`, and the not-pending error `KMSInvalidStateException` with `<key arn> is not pending deletion.`.
/// `DisabledException` for a disabled key.
pub fn disabled(key_arn: &str) -> ApiError {
    ApiError::new(ErrorCode::Disabled, format!("{key_arn} is disabled."))
}

/// `KMSInvalidStateException` for a key pending deletion.
pub fn pending_deletion(key_arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KmsInvalidState,
        format!("{key_arn} is pending deletion."),
    )
}

/// `KMSInvalidStateException` for a key that is not pending deletion (CancelKeyDeletion).
pub fn not_pending_deletion(key_arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::KmsInvalidState,
        format!("{key_arn} is not pending deletion."),
    )
}

/// `AccessDeniedException` as KMS answers DynamoDB when no grant lets it use the key.
pub fn access_denied() -> ApiError {
    ApiError::new(ErrorCode::AccessDenied, ACCESS_DENIED_TEXT)
}

/// `NotFoundException` for a grant id that names no grant of the key.
pub fn grant_not_found(grant_id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        format!("Grant ID {grant_id} not found"),
    )
}

/// Whether `id` has the form of every grant id KMS issues, 64 hex digits
/// (`spec/kms.md#retire-revoke`, `spec/kms.md#list-grants`).
pub fn is_grant_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `InvalidGrantIdException` for a grant id that is not 64 hex digits (the text is ours).
pub fn invalid_grant_id(grant_id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidGrantId,
        format!("Invalid grant ID {grant_id}"),
    )
}

/// The text of `InvalidGrantTokenException` (ours, `spec/kms.md#retire-revoke`).
pub const INVALID_GRANT_TOKEN_TEXT: &str = "Grant token is not valid";

/// `InvalidGrantTokenException` for a RetireGrant token that is no grant's, or not the token of
/// the grant `KeyId` and `GrantId` name.
pub fn invalid_grant_token() -> ApiError {
    ApiError::new(ErrorCode::InvalidGrantToken, INVALID_GRANT_TOKEN_TEXT)
}

/// The text of the refusal of a RetireGrant that names no grant (ours, `spec/kms.md#retire-revoke`).
pub const RETIRE_NAMES_NO_GRANT_TEXT: &str =
    "Either GrantToken, or both KeyId and GrantId must be specified";

/// The refusal of a RetireGrant without `GrantToken` that lacks `KeyId` or `GrantId`.
pub fn retire_names_no_grant() -> ApiError {
    ApiError::new(ErrorCode::KmsValidation, RETIRE_NAMES_NO_GRANT_TEXT)
}

/// The text of the refusal of an alias name without the `alias/` prefix.
pub const ALIAS_PREFIX_TEXT: &str = "Alias must start with the prefix \"alias/\".";

/// The text of a cryptographic request naming a key that cannot do it.
pub const KEY_CANNOT_PERFORM_TEXT: &str =
    "The key ID in the request does not identify a CMK that can perform this operation.";

/// The text of a GenerateDataKey with neither or both of `NumberOfBytes` and `KeySpec`.
pub const BYTES_OR_KEY_SPEC_TEXT: &str = "Please specify either number of bytes or key spec.";

/// The Java SDK tail DynamoDB appends to a wrapped KMS error.
fn sdk_tail(code: &str, request_id: &str) -> String {
    format!(
        "(Service: AWSKMS; Status Code: 400; Error Code: {code}; Request ID: {request_id}; Proxy: null)"
    )
}

/// DynamoDB's error around a failed KMS call it made on a table's behalf (CreateTable,
/// UpdateTable, the data plane), naming that call's `request_id`
/// (`spec/tables.md#sse-key-unusable`, `spec/tables.md#data-plane-errors`).
pub fn wrapped_by_dynamodb(kms: &ApiError, request_id: &str) -> ApiError {
    match kms.code {
        //= spec/tables.md#sse-key-unusable
        //# A CreateTable or UpdateTable that selects a disabled key MUST fail with `ValidationException` and the message below:
        ErrorCode::Disabled => ApiError::validation(format!(
            "KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: {} {}",
            kms.message,
            sdk_tail("DisabledException", request_id)
        )),
        //= spec/tables.md#sse-key-unusable
        //# A CreateTable or UpdateTable that selects a key pending deletion MUST fail with `ValidationException` and the message below:
        ErrorCode::KmsInvalidState => ApiError::validation(format!(
            "KMS validation error: com.amazonaws.services.kms.model.KMSInvalidStateException: {} {}",
            kms.message,
            sdk_tail("KMSInvalidStateException", request_id)
        )),
        //= spec/tables.md#sse-key-unusable
        //# A CreateTable or UpdateTable that names an unknown key id or key ARN MUST fail with `ValidationException` and the message `KMS validation error: com.amazonaws.services.kms.model.NotFoundException: Key '<key arn>' does not exist (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: <uuid>; Proxy: null)`.
        //= spec/tables.md#sse-key-unusable
        //# A CreateTable or UpdateTable that names an unknown alias MUST fail with `ValidationException` and the message below:
        ErrorCode::NotFound => ApiError::validation(format!(
            "KMS validation error: com.amazonaws.services.kms.model.NotFoundException: {} {}",
            kms.message,
            sdk_tail("NotFoundException", request_id)
        )),
        //= spec/tables.md#data-plane-errors
        //# When the table's grant is missing or the key is deleted, the request MUST fail with `AccessDeniedException` and the message below:
        _ => ApiError::new(
            ErrorCode::AccessDenied,
            format!(
                "KMS key access denied error: com.amazonaws.services.kms.model.AWSKMSException: {} {}",
                kms.message,
                sdk_tail("AccessDeniedException", request_id)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::CreateGrantInput;

    #[test]
    fn dynamodb_wraps_the_kms_error_with_the_sdk_tail() {
        let e = wrapped_by_dynamodb(&disabled("arn:k"), "rid-1");
        assert_eq!(e.code, ErrorCode::Validation);
        assert_eq!(
            e.message,
            "KMS key disabled error: com.amazonaws.services.kms.model.DisabledException: arn:k is disabled. (Service: AWSKMS; Status Code: 400; Error Code: DisabledException; Request ID: rid-1; Proxy: null)"
        );
        let e = wrapped_by_dynamodb(&access_denied(), "r");
        assert_eq!(e.code, ErrorCode::AccessDenied);
        assert!(e.message.contains(ACCESS_DENIED_TEXT));
        let e = wrapped_by_dynamodb(&alias_not_found("arn:a"), "r");
        assert!(
            e.message
                .contains("NotFoundException: Alias arn:a is not found. (Service")
        );
    }

    #[test]
    fn create_grant_members_are_checked_in_kms_order() {
        let mut i = CreateGrantInput::default();
        assert!(i.checked().unwrap_err().message.contains("at 'keyId'"));
        i.key_id = Some("k".into());
        assert!(i.checked().unwrap_err().message.contains("at 'operations'"));
        i.operations = Some(vec![]);
        assert!(
            i.checked()
                .unwrap_err()
                .message
                .contains("length greater than or equal to 1")
        );
        i.operations = Some(vec!["Decrypt".into(), "Fly".into()]);
        let e = i.checked().unwrap_err();
        assert_eq!(e.code, ErrorCode::KmsValidation);
        assert!(e.message.contains("Value '[Fly]' at 'operations'"));
        i.operations = Some(vec!["Decrypt".into()]);
        // Neither grantee, then both: M-KMS's own sentence.
        assert_eq!(i.checked().unwrap_err().message, ONE_GRANTEE_TEXT);
        i.grantee_principal = Some("p".into());
        i.grantee_service_principal = Some("dynamodb.amazonaws.com".into());
        assert_eq!(i.checked().unwrap_err().message, ONE_GRANTEE_TEXT);
        i.grantee_service_principal = None;
        let ok = i.checked().unwrap();
        assert_eq!(
            (
                ok.key_id,
                ok.grantee,
                ok.service_grantee,
                ok.operations.len()
            ),
            ("k", "p", false, 1)
        );
        i.grantee_principal = None;
        i.grantee_service_principal = Some("dynamodb.amazonaws.com".into());
        let ok = i.checked().unwrap();
        assert_eq!(
            (ok.grantee, ok.service_grantee),
            ("dynamodb.amazonaws.com", true)
        );
    }
}
