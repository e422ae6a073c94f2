//! A blocking, signed awsJson client: the one SigV4 signer (`aws-sigv4`) and the one HTTP client
//! (`ureq`, rustls for `https://`) of the workspace.
//!
//! # What it does
//! [`Client::call`] POSTs a JSON body to an endpoint's `/` with `Content-Type` (awsJson 1.0 or
//! 1.1), `X-Amz-Target` and, when [`Credentials`] are given, SigV4 headers (`Authorization`,
//! `X-Amz-Date`, and `X-Amz-Security-Token` for a session token) for a region and a signing name
//! (`dynamodb`, `kms`, `cloudtrail`), and returns the status, headers and body of the answer
//! whatever the status ([`Response`], which also lists the headers sent).
//! [`Client::call_query`] POSTs a signed awsQuery form (STS `GetCallerIdentity`). [`Client::get`] and [`Client::post_json`] send unsigned
//! requests (for the conformance control routes).
//!
//! Each [`Client`] keeps at most one idle connection: requests through one client travel on one
//! TCP connection (HTTP/1.1 keep-alive) as long as the server keeps it open, and two clients never
//! share one. A caller that needs distinct connections makes distinct clients.
//!
//! # What it does not do
//! It does not retry, follow redirects, throttle, parse AWS errors (the body is returned as it
//! came), read credentials from the environment or a profile, or sign anything but the headers of
//! a request with its whole body (no presigning, no chunked signing). Secrets never appear in
//! `Debug` output or in errors.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

/// `Content-Type` of awsJson 1.0 (DynamoDB).
pub const AWS_JSON_1_0: &str = "application/x-amz-json-1.0";
/// `Content-Type` of awsJson 1.1 (KMS, CloudTrail).
pub const AWS_JSON_1_1: &str = "application/x-amz-json-1.1";

/// An access key, with an optional session token. `Debug` shows only the access key id.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (it names the principal; not a secret).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// A session token of temporary credentials, sent as `X-Amz-Security-Token`.
    pub session_token: Option<String>,
}

impl Credentials {
    /// Long-term credentials (no session token).
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// One awsJson request.
#[derive(Clone, Copy, Debug)]
pub struct AwsJsonRequest<'a> {
    /// `X-Amz-Target`, e.g. `TrentService.ListKeys`.
    pub target: &'a str,
    /// [`AWS_JSON_1_0`] or [`AWS_JSON_1_1`].
    pub content_type: &'a str,
    /// The SigV4 signing name: `dynamodb`, `kms`, `cloudtrail`.
    pub service: &'a str,
    /// The JSON body.
    pub body: &'a [u8],
}

/// `Content-Type` of an awsQuery form (STS).
pub const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";

/// An answer: any status, its headers (names lower-case) and its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The headers this client set on the request (names lower-case), signature headers
    /// included: a caller that shows or stores them must redact `authorization` and
    /// `x-amz-security-token`.
    pub request_headers: Vec<(String, String)>,
    /// HTTP status.
    pub status: u16,
    /// Headers in the order received, names lower-case; values that are not UTF-8 are left out.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why a request got no answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The endpoint is not an `http://` or `https://` URL with a host.
    #[error("endpoint {0:?} must look like http://127.0.0.1:8000 or https://host")]
    BadEndpoint(String),
    /// The request could not be signed.
    #[error("cannot sign the request: {0}")]
    Signing(String),
    /// Connecting, sending or reading failed.
    #[error("{method} {url}: {source}")]
    Transport {
        /// `GET` or `POST`.
        method: &'static str,
        /// The URL.
        url: String,
        /// What ureq said.
        #[source]
        source: Box<ureq::Error>,
    },
}

/// A client of one endpoint over (at most) one TCP connection; see the module documentation.
pub struct Client {
    base: String,
    host: String,
    region: String,
    agent: ureq::Agent,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Largest body read back (LookupEvents pages of 50 large records fit many times).
const BODY_LIMIT: u64 = 256 << 20;

/// How long an idle connection is kept for the next request (ureq's default is 15 s).
pub const IDLE_CONNECTION_KEPT: Duration = Duration::from_secs(24 * 3600);

impl Client {
    /// A client of `endpoint` (`http://host[:port]` or `https://...`, an optional trailing `/`),
    /// signing for `region`, each request limited to `timeout`.
    pub fn new(endpoint: &str, region: &str, timeout: Duration) -> Result<Self, Error> {
        let bad = || Error::BadEndpoint(endpoint.to_owned());
        let trimmed = endpoint.trim_end_matches('/');
        let rest = trimmed
            .strip_prefix("http://")
            .or_else(|| trimmed.strip_prefix("https://"))
            .ok_or_else(bad)?;
        if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
            return Err(bad());
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_idle_connections(1)
            .max_idle_connections_per_host(1)
            // One client is one TCP connection for as long as it lives: the conformance harness
            // sends one simulated client's requests over one connection
            // (spec/conformance.md#connections), and a target keys its table-key cache by it.
            // ureq drops a pooled connection idle for 15 s by default and opens another, which
            // made a slow run (or a real-time wait of 299 s) look like a new client.
            .max_idle_age(IDLE_CONNECTION_KEPT)
            .timeout_global(Some(timeout))
            .user_agent("ddbsse")
            .build()
            .into();
        Ok(Self {
            base: trimmed.to_owned(),
            host: rest.to_owned(),
            region: region.to_owned(),
            agent,
        })
    }

    /// The endpoint, without a trailing `/`.
    pub fn endpoint(&self) -> &str {
        &self.base
    }

    /// POSTs an awsJson request to `/`, signed with `credentials` when given (unsigned when
    /// `None`), dated `now`.
    pub fn call(
        &self,
        request: &AwsJsonRequest<'_>,
        credentials: Option<&Credentials>,
        now: SystemTime,
    ) -> Result<Response, Error> {
        let headers = [
            ("content-type", request.content_type),
            ("x-amz-target", request.target),
        ];
        self.post_signed(&headers, request.service, request.body, credentials, now)
    }

    /// POSTs an awsQuery form (`Action=...&Version=...`, already URL-encoded) to `/`, signed for
    /// `service` (`sts`) with `credentials` when given, dated `now`.
    pub fn call_query(
        &self,
        service: &str,
        form: &[u8],
        credentials: Option<&Credentials>,
        now: SystemTime,
    ) -> Result<Response, Error> {
        let headers = [("content-type", FORM_URLENCODED)];
        self.post_signed(&headers, service, form, credentials, now)
    }

    fn post_signed(
        &self,
        headers: &[(&str, &str)],
        service: &str,
        body: &[u8],
        credentials: Option<&Credentials>,
        now: SystemTime,
    ) -> Result<Response, Error> {
        let url = format!("{}/", self.base);
        let mut sent: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        if let Some(credentials) = credentials {
            sent.extend(self.sign(headers, service, body, credentials, &url, now)?);
        }
        let mut builder = self.agent.post(&url);
        for (k, v) in &sent {
            builder = builder.header(k.as_str(), v.as_str());
        }
        let mut response = read("POST", &url, builder.send(body))?;
        response.request_headers = sent;
        Ok(response)
    }

    /// An unsigned `GET` of `path` (which starts with `/`).
    pub fn get(&self, path: &str) -> Result<Response, Error> {
        let url = format!("{}{path}", self.base);
        read("GET", &url, self.agent.get(&url).call())
    }

    /// An unsigned `POST` of a JSON body to `path` (which starts with `/`).
    pub fn post_json(&self, path: &str, body: &[u8]) -> Result<Response, Error> {
        let url = format!("{}{path}", self.base);
        let builder = self
            .agent
            .post(&url)
            .header("content-type", "application/json");
        read("POST", &url, builder.send(body))
    }

    /// The SigV4 headers of a POST of `request` to `url` (`authorization`, `x-amz-date`, and
    /// `x-amz-security-token` with a session token).
    fn sign(
        &self,
        headers: &[(&str, &str)],
        service: &str,
        body: &[u8],
        credentials: &Credentials,
        url: &str,
        now: SystemTime,
    ) -> Result<Vec<(String, String)>, Error> {
        let identity = aws_credential_types::Credentials::new(
            credentials.access_key_id.clone(),
            credentials.secret_access_key.clone(),
            credentials.session_token.clone(),
            None,
            "ddbsse",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(service)
            .time(now)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| Error::Signing(e.to_string()))?
            .into();
        let signed = std::iter::once(("host", self.host.as_str())).chain(headers.iter().copied());
        let signable = SignableRequest::new("POST", url, signed, SignableBody::Bytes(body))
            .map_err(|e| Error::Signing(e.to_string()))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| Error::Signing(e.to_string()))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect())
    }
}

fn read(
    method: &'static str,
    url: &str,
    sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<Response, Error> {
    let transport = |source| Error::Transport {
        method,
        url: url.to_owned(),
        source: Box::new(source),
    };
    let mut response = sent.map_err(transport)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let body = response
        .body_mut()
        .with_config()
        .limit(BODY_LIMIT)
        .read_to_vec()
        .map_err(transport)?;
    Ok(Response {
        request_headers: Vec::new(),
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(credentials: &Credentials) -> Vec<(String, String)> {
        let client = Client::new("http://127.0.0.1:8000", "eu-west-1", Duration::from_secs(1))
            .expect("valid endpoint");
        let request = AwsJsonRequest {
            target: "TrentService.ListKeys",
            content_type: AWS_JSON_1_1,
            service: "kms",
            body: b"{}",
        };
        client
            .sign(
                &[
                    ("content-type", request.content_type),
                    ("x-amz-target", request.target),
                ],
                request.service,
                request.body,
                credentials,
                "http://127.0.0.1:8000/",
                SystemTime::now(),
            )
            .expect("signs")
    }

    //= spec/conformance.md#principals
    //= type=test
    //# A target MUST identify the principal of a request with the access key id of the `Credential` of its SigV4 `Authorization` header.
    #[test]
    fn the_credential_scope_names_the_access_key_region_and_service() {
        let headers = signed(&Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI"));
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
        assert!(!headers.iter().any(|(k, _)| k == "x-amz-security-token"));
    }

    #[test]
    fn a_session_token_is_sent_and_signed() {
        let credentials = Credentials {
            session_token: Some("FwoGZXIvYXdzEXAMPLE".to_owned()),
            ..Credentials::new("ASIAEXAMPLE", "secret")
        };
        let headers = signed(&credentials);
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "x-amz-security-token" && v == "FwoGZXIvYXdzEXAMPLE"),
            "{headers:?}"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let credentials = Credentials {
            session_token: Some("TOKEN123".to_owned()),
            ..Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI")
        };
        let shown = format!("{credentials:?}");
        assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
        assert!(
            !shown.contains("wJalrXUtnFEMI") && !shown.contains("TOKEN123"),
            "{shown}"
        );
    }

    #[test]
    fn endpoints_are_http_or_https_urls_with_a_host() {
        let t = Duration::from_secs(1);
        assert!(Client::new("http://127.0.0.1:8000/", "us-east-1", t).is_ok());
        assert!(Client::new("https://kms.us-east-1.amazonaws.com", "us-east-1", t).is_ok());
        for bad in ["127.0.0.1:8000", "ftp://x", "http://", "http://h/path"] {
            assert!(
                matches!(Client::new(bad, "us-east-1", t), Err(Error::BadEndpoint(_))),
                "{bad}"
            );
        }
    }
}
