//! The principal of a request: the access key id of the SigV4 `Authorization` header's credential
//! scope (`spec/conformance.md#principals`, `spec/errors.md#missing-auth`).
//!
//! Used when signatures are not verified (no `--credentials`): like moto and dynalite, the
//! endpoint then knows no secret keys, so it trusts the access key id the client names
//! (`spec/errors.md#missing-auth` allows this); with `--credentials`, [`super::sigv4`] verifies
//! the signature and names the principal instead. The access key id is an identifier, not a
//! secret; the signature is never logged or kept.

/// The access key id named by an `Authorization` header value, or `None` when the header is not a
/// SigV4 header with a well-formed `Credential=<access key id>/<date>/<region>/<service>/aws4_request`.
pub fn access_key_id(authorization: &str) -> Option<&str> {
    let rest = authorization
        .trim_start()
        .strip_prefix("AWS4-HMAC-SHA256")?;
    // The algorithm is followed by at least one space, then comma-separated `name=value` parts.
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let credential = rest
        .split(',')
        .map(str::trim)
        .find_map(|part| part.strip_prefix("Credential="))?;
    let mut scope = credential.split('/');
    let key = scope.next()?;
    let (date, region, service, terminator) =
        (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    let well_formed = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric())
        && date.len() == 8
        && date.bytes().all(|b| b.is_ascii_digit())
        && !region.is_empty()
        && !service.is_empty()
        && terminator == "aws4_request"
        && scope.next().is_none();
    well_formed.then_some(key)
}

#[cfg(test)]
mod tests {
    use super::access_key_id;

    #[test]
    fn reads_the_access_key_of_the_credential_scope() {
        let header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20190311/us-east-1/dynamodb/aws4_request, \
                      SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abcdef";
        assert_eq!(access_key_id(header), Some("AKIDEXAMPLE"));
        let compact = "AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/kms/aws4_request,SignedHeaders=host,Signature=0";
        assert_eq!(access_key_id(compact), Some("testing"));
    }

    #[test]
    fn refuses_headers_that_name_no_sigv4_credential() {
        for header in [
            "",
            "Bearer abc",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=0",
            "AWS4-HMAC-SHA256 Credential=/20200101/us-east-1/kms/aws4_request",
            "AWS4-HMAC-SHA256 Credential=AKID/2020/us-east-1/kms/aws4_request",
            "AWS4-HMAC-SHA256 Credential=AKID/20200101/us-east-1/kms",
            "AWS4-HMAC-SHA256 Credential=AKID/20200101/us-east-1/kms/aws4_request/extra",
            "AWS4-HMAC-SHA256 Credential=AK ID/20200101/us-east-1/kms/aws4_request",
            "AWS4-HMAC-SHA256Credential=AKID/20200101/us-east-1/kms/aws4_request",
        ] {
            assert_eq!(access_key_id(header), None, "{header:?}");
        }
    }
}
