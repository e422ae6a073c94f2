//! AWS Signature Version 4 for the LookupEvents client (header signing, one region and service).
//!
//! Does: compute the `Authorization` header of a request from its method, host, path, headers and
//! body, the credentials, region, service and time (`YYYYMMDDTHHMMSSZ`), as the SigV4
//! specification describes (canonical request, string to sign, derived key, HMAC-SHA256).
//! Does not: sign query strings or presigned URLs, normalise paths, or read the clock (the caller
//! passes the time). The secret key never appears in errors or `Debug` output.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Access key pair used to sign.
#[derive(Clone)]
pub struct Credentials {
    /// Access key id (appears in the `Credential=` scope).
    pub access_key_id: String,
    /// Secret access key (never printed).
    pub secret_access_key: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length: `new_from_slice` cannot fail here.
    #[allow(clippy::expect_used)]
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A request to sign. Header names may be in any case; `host` and `x-amz-date` must be among
/// them.
#[derive(Debug, Clone)]
pub struct SignableRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Absolute path, already URI-encoded (e.g. `/`).
    pub path: &'a str,
    /// Headers to sign.
    pub headers: Vec<(&'a str, &'a str)>,
    /// Request body.
    pub body: &'a [u8],
}

/// The `Authorization` header value.
pub fn authorization(
    request: &SignableRequest<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    amz_date: &str,
) -> String {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n\n{}\n{}\n{}",
        request.method,
        request.path,
        canonical_headers,
        signed_headers,
        sha256_hex(request.body)
    );
    let date = &amz_date[..amz_date.len().min(8)];
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let k_date = hmac(
        format!("AWS4{}", credentials.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let signature = hex::encode(hmac(&k_signing, string_to_sign.as_bytes()));
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key_id
    )
}

/// `YYYYMMDDTHHMMSSZ` for milliseconds since the epoch.
pub fn amz_date(millis: u64) -> String {
    let t = crate::timefmt::format_event_time(millis);
    t.replace(['-', ':'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_aws_get_vanilla_test_vector() {
        // AWS SigV4 test suite, "get-vanilla".
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".to_owned(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_owned(),
        };
        let request = SignableRequest {
            method: "GET",
            path: "/",
            headers: vec![
                ("Host", "example.amazonaws.com"),
                ("X-Amz-Date", "20150830T123600Z"),
            ],
            body: b"",
        };
        let auth = authorization(
            &request,
            &credentials,
            "us-east-1",
            "service",
            "20150830T123600Z",
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = Credentials {
            access_key_id: "AK".to_owned(),
            secret_access_key: "very-secret".to_owned(),
        };
        assert!(!format!("{c:?}").contains("very-secret"));
        assert_eq!(amz_date(1_552_262_400_000), "20190311T000000Z");
    }
}
