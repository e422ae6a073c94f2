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
