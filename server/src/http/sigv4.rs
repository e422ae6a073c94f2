//! SigV4 signature verification, on with `ddbsse serve --credentials FILE`
//! (`spec/errors.md#signatures`).
//!
//! What it does: reads the `Authorization` header (`AWS4-HMAC-SHA256 Credential=<access key
//! id>/<date>/<region>/<service>/aws4_request, SignedHeaders=..., Signature=...`), looks the access
//! key up in the [`KeyStore`], checks its session token (`X-Amz-Security-Token`), the credential
//! scope (the day of `X-Amz-Date`, the endpoint's region, the service the request is for) and that
//! the request date is within 15 minutes of the wall clock, then computes the signature the
//! request should carry and compares the two in constant time (`subtle`). The access key id of a
//! verified request is its principal.
//!
//! The expected signature is computed by `aws-sigv4`, the signer the workspace's client and the
//! AWS SDK for Rust use, given exactly the headers the request lists in `SignedHeaders` (with the
//! SDK's header exclusions turned off) and the request's own date: the canonical request,
//! credential scope, string to sign and key derivation are then AWS's, not a second hand-written
//! copy that could drift from the signer clients use.
//!
//! The 15 minutes are counted on the wall clock even when the endpoint runs on the manual clock:
//! clients sign with their real clocks, and the manual clock (2019 by default) only governs the
//! simulated AWS semantics.
//!
//! What it does not do: presigned URLs (query-string signatures), SigV4a, chunked payload
//! signing, or any authorization beyond "this is a known key" (every verified key may call
//! everything). Secrets and signatures are never logged.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use ddbsse_wire::signature::{self as sig, parse_amz_date};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::{ApiError, ErrorCode};
use subtle::ConstantTimeEq;

use super::credentials::KeyStore;
use super::framing::RequestHead;

/// The SigV4 algorithm name that starts an `Authorization` header.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Verifies the signatures of requests against a set of access keys.
#[derive(Debug)]
pub struct Verifier {
    keys: KeyStore,
    region: String,
}

/// The parts of a SigV4 `Authorization` header.
#[derive(Debug, PartialEq, Eq)]
struct Authorization<'a> {
    access_key_id: &'a str,
    scope_date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

impl Verifier {
    /// A verifier of requests signed with one of `keys` for `region`.
    pub fn new(keys: KeyStore, region: impl Into<String>) -> Self {
        Self {
            keys,
            region: region.into(),
        }
    }

    /// The wall clock, as the date check reads it.
    pub fn wall_clock() -> Timestamp {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        Timestamp(millis)
    }

    /// Verifies the request of `head` with `body`, for the signing name `service` (`dynamodb`,
    /// `kms`, `cloudtrail`, `sts`; `None`: whichever the scope names, for requests whose target
    /// names no service), at `now`. The verified access key id, or the error to answer.
    pub fn verify(
        &self,
        head: &RequestHead,
        body: &[u8],
        service: Option<&str>,
        now: Timestamp,
    ) -> Result<String, ApiError> {
        let header = head.authorization.as_deref().ok_or_else(missing)?;
        let auth = parse_authorization(header)?;
        let fields = head.all.as_deref().map_or(&[][..], |a| a.fields.as_slice());
        let field = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        //= spec/errors.md#signatures
        //# With signature verification on, a request whose access key id is not among the target's keys, or whose key has a session token that the request's `X-Amz-Security-Token` does not equal (or a request with a token for a key without one), MUST fail with `UnrecognizedClientException` and the message `The security token included in the request is invalid.` (HTTP 400).
        let key = self
            .keys
            .get(auth.access_key_id)
            .ok_or_else(sig::unrecognized_client)?;
        let sent_token = field("x-amz-security-token");
        let token_ok = match (&key.session_token, sent_token) {
            (None, None) => true,
            (Some(expected), Some(sent)) => bool::from(expected.as_bytes().ct_eq(sent.as_bytes())),
            _ => false,
        };
        if !token_ok {
            return Err(sig::unrecognized_client());
        }
        let amz_date = field("x-amz-date").ok_or_else(sig::missing_date)?;
        let date = parse_amz_date(amz_date).ok_or_else(sig::missing_date)?;
        if amz_date.get(0..8) != Some(auth.scope_date) {
            return Err(sig::scope_date_mismatch(auth.scope_date, amz_date));
        }
        if auth.region != self.region {
            return Err(sig::wrong_region());
        }
        let service = service.unwrap_or(auth.service);
        if auth.service != service {
            return Err(sig::wrong_service(service));
        }
        //= spec/errors.md#signature-expired
        //# With signature verification on, a request whose `X-Amz-Date` is more than 15 minutes before the target's wall clock MUST fail with `InvalidSignatureException` (HTTP 400) and the message `Signature expired: <X-Amz-Date> is now earlier than <now - 15 min> (<now> - 15 min.)`, times in the `X-Amz-Date` form.
        sig::check_date(date, now)?;
        let signed: Vec<&str> = auth.signed_headers.split(';').collect();
        if !signed.contains(&"host") {
            return Err(sig::host_not_signed());
        }
        let target = head.all.as_deref().map_or("/", |a| a.target.as_str());
        let headers = fields
            .iter()
            .filter(|(name, _)| signed.contains(&name.as_str()))
            .map(|(name, value)| (name.as_str(), value.as_str()));
        let expected = expected_authorization(
            head.method.as_str(),
            target,
            headers,
            body,
            (auth.access_key_id, key.secret.as_str()),
            &self.region,
            service,
            date,
        )
        .ok_or_else(sig::signature_mismatch)?;
        let computed = parse_authorization(&expected).map_err(|_| sig::signature_mismatch())?;
        //= spec/errors.md#signature-mismatch
        //# With signature verification on, a request whose signature differs from the SigV4 signature of its canonical request under the secret of its access key MUST fail with `InvalidSignatureException` (HTTP 400) and the message `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.`, and the signatures MUST be compared in constant time.
        let same_signature = computed
            .signature
            .as_bytes()
            .ct_eq(auth.signature.as_bytes());
        if !bool::from(same_signature) || computed.signed_headers != auth.signed_headers {
            return Err(sig::signature_mismatch());
        }
        Ok(auth.access_key_id.to_owned())
    }
}

fn missing() -> ApiError {
    ApiError::new(
        ErrorCode::MissingAuthenticationToken,
        "Request is missing Authentication Token",
    )
}

/// Reads a SigV4 `Authorization` header; a header of another scheme is a missing token, a SigV4
/// header without its three parts (or with a malformed credential) an incomplete signature.
fn parse_authorization(header: &str) -> Result<Authorization<'_>, ApiError> {
    let rest = header
        .trim_start()
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with([' ', '\t']))
        .ok_or_else(missing)?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = credential.or(Some(v));
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = signed_headers.or(Some(v));
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = signature.or(Some(v));
        }
    }
    //= spec/errors.md#incomplete-signature
    //# With signature verification on, a SigV4 `Authorization` header without a `Credential`, `SignedHeaders` or `Signature` part MUST fail with `IncompleteSignatureException` (HTTP 400), its message naming each missing part as `Authorization header requires '<part>' parameter.`
    let missing_parts: Vec<&str> = [
        ("Credential", credential.is_none()),
        ("Signature", signature.is_none()),
        ("SignedHeaders", signed_headers.is_none()),
    ]
    .into_iter()
    .filter_map(|(name, absent)| absent.then_some(name))
    .collect();
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(sig::incomplete(&missing_parts));
    };
    let mut scope = credential.split('/');
    let parts = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    );
    let (
        Some(access_key_id),
        Some(scope_date),
        Some(region),
        Some(service),
        Some("aws4_request"),
        None,
    ) = parts
    else {
        return Err(sig::incomplete(&["Credential"]));
    };
    let well_formed = !access_key_id.is_empty()
        && access_key_id.bytes().all(|b| b.is_ascii_alphanumeric())
        && scope_date.len() == 8
        && scope_date.bytes().all(|b| b.is_ascii_digit())
        && !region.is_empty()
        && !service.is_empty();
    if !well_formed {
        return Err(sig::incomplete(&["Credential"]));
    }
    Ok(Authorization {
        access_key_id,
        scope_date,
        region,
        service,
        signed_headers,
        signature,
    })
}

/// The `Authorization` header `aws-sigv4` computes for the request, signing exactly `headers`;
/// `None` when the request cannot be signed (a target that is not a URI, a header value the
/// signer refuses): such a request cannot carry a valid signature either.
#[allow(clippy::too_many_arguments)]
fn expected_authorization<'a>(
    method: &'a str,
    target: &'a str,
    headers: impl Iterator<Item = (&'a str, &'a str)>,
    body: &'a [u8],
    (access_key_id, secret): (&str, &str),
    region: &str,
    service: &str,
    date: Timestamp,
) -> Option<String> {
    let identity =
        aws_credential_types::Credentials::new(access_key_id, secret, None, None, "ddbsse-serve")
            .into();
    let mut settings = SigningSettings::default();
    // Sign what the client listed, nothing less: no header is left out on the signer's say.
    settings.excluded_headers = None;
    let time = UNIX_EPOCH + Duration::from_millis(date.0);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .ok()?
        .into();
    let signable = SignableRequest::new(method, target, headers, SignableBody::Bytes(body)).ok()?;
    let (instructions, _) = sign(signable, &params).ok()?.into_parts();
    instructions
        .headers()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_parts() {
        let auth = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20190311/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .expect("parses");
        assert_eq!(auth.access_key_id, "AKID");
        assert_eq!(auth.scope_date, "20190311");
        assert_eq!(auth.service, "dynamodb");
        assert_eq!(auth.signed_headers, "host;x-amz-date");
        assert_eq!(auth.signature, "abc");
    }

    #[test]
    fn names_missing_parts_and_refuses_other_schemes() {
        let e = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20190311/us-east-1/dynamodb/aws4_request",
        )
        .expect_err("incomplete");
        assert_eq!(e.code, ErrorCode::IncompleteSignature);
        assert!(e.message.contains("'Signature'") && e.message.contains("'SignedHeaders'"));
        let e = parse_authorization("Bearer abc").expect_err("other scheme");
        assert_eq!(e.code, ErrorCode::MissingAuthenticationToken);
        let e = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20190311/us-east-1, SignedHeaders=host, Signature=a",
        )
        .expect_err("bad scope");
        assert_eq!(e.code, ErrorCode::IncompleteSignature);
    }
}
