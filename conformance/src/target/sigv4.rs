//! SigV4 header signing of one request with `aws-sigv4`. Returns the headers to add
//! (`authorization`, `x-amz-date`); the secret key never leaves the credentials value.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

use super::TargetError;

/// Signs a POST/GET of `body` to `url` with `headers` (which must include `host`).
pub(crate) fn signed_headers(
    credentials: &Credentials,
    region: &str,
    service: &str,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Vec<(String, String)>, TargetError> {
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| TargetError::Transport(format!("signing parameters: {e}")))?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| TargetError::Transport(format!("signable request: {e}")))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| TargetError::Transport(format!("signing: {e}")))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    //= spec/conformance.md#principals
    //= type=test
    //# A target MUST identify the principal of a request with the access key id of the `Credential` of its SigV4 `Authorization` header.
    #[test]
    fn the_credential_scope_names_the_access_key_region_and_service() {
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI", None, None, "test");
        let headers = signed_headers(
            &creds,
            "eu-west-1",
            "kms",
            "POST",
            "http://127.0.0.1:8000/",
            &[
                ("host", "127.0.0.1:8000"),
                ("x-amz-target", "TrentService.ListKeys"),
            ],
            b"{}",
        )
        .expect("signs");
        let auth = headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.as_str())
            .expect("an authorization header");
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
            "{auth}"
        );
        assert!(auth.contains("/eu-west-1/kms/aws4_request"), "{auth}");
        assert!(
            auth.contains("x-amz-target"),
            "the target header is signed: {auth}"
        );
        assert!(!auth.contains("wJalrXUtnFEMI"), "the secret never appears");
        assert!(headers.iter().any(|(k, _)| k == "x-amz-date"));
    }
}
