//! An endpoint over HTTP (http or https with rustls): every request is signed with SigV4 for the
//! service its target header names (`dynamodb`, `kms`, `cloudtrail`), with the session token
//! when one is configured, and sent, by `ddbsse_client`, to the endpoint of that service
//! (`endpoint`, unless `kms_endpoint` / `cloudtrail_endpoint` name another one). With `record`,
//! every AWS exchange is appended to a JSON-lines file, secrets redacted ([`Recorder`]). Each logical connection is its own `ddbsse_client::Client` keeping at most one
//! idle connection, so distinct logical connections travel on distinct TCP connections. Capabilities come from `GET /_conformance/capabilities`
//! (`spec/conformance.md`; a 404 or any non-200 means none) and the clock is moved with
//! `POST /_conformance/clock`; with `real_time` the harness waits real time instead.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ddbsse_client::{AwsJsonRequest, Client, Credentials};
use ddbsse_wire::Service;
use ddbsse_wire::time::Timestamp;

use super::{
    BadSignature, Capabilities, ClockControl, Connection, RawResponse, ResponseHeaders, Target,
    TargetError, parse_body,
};

/// One principal: an access key pair. `Debug` never shows the secret.
#[derive(Clone)]
pub struct AccessKey {
    /// The access key id.
    pub id: String,
    /// The secret access key.
    pub secret: String,
}

impl HttpConfig {
    /// The base URL that serves `service`.
    pub fn endpoint_of(&self, service: Service) -> &str {
        let named = match service {
            Service::DynamoDb => None,
            Service::Kms => self.kms_endpoint.as_deref(),
            Service::CloudTrail => self.cloudtrail_endpoint.as_deref(),
        };
        named.unwrap_or(&self.endpoint)
    }
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// How to reach an HTTP target.
#[derive(Clone)]
pub struct HttpConfig {
    /// Base URL, `http://127.0.0.1:8000` or `https://...`: DynamoDB's, the conformance control
    /// routes', and the other services' unless named below.
    pub endpoint: String,
    /// KMS's base URL when it is not `endpoint`.
    pub kms_endpoint: Option<String>,
    /// CloudTrail's base URL when it is not `endpoint`.
    pub cloudtrail_endpoint: Option<String>,
    /// The session token of temporary credentials (sent as `X-Amz-Security-Token` by every
    /// principal).
    pub session_token: Option<String>,
    /// Append every AWS exchange to `<record>/exchanges.jsonl`, secrets redacted.
    pub record: Option<PathBuf>,
    /// Region for signing.
    pub region: String,
    /// The principals; the first is the default one.
    pub principals: Vec<AccessKey>,
    /// Wait real time instead of using the clock capability.
    pub real_time: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The folder the target delivers its trail log files to, when the harness can read it
    /// (`ddbsse serve --trail-dir` on this machine).
    pub delivery_dir: Option<PathBuf>,
}

impl std::fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("endpoint", &self.endpoint)
            .field("kms_endpoint", &self.kms_endpoint)
            .field("cloudtrail_endpoint", &self.cloudtrail_endpoint)
            .field("region", &self.region)
            .field("principals", &self.principals)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("record", &self.record)
            .field("delivery_dir", &self.delivery_dir)
            .finish_non_exhaustive()
    }
}

/// An endpoint over HTTP.
#[derive(Debug)]
pub struct HttpTarget {
    config: HttpConfig,
    clients: HashMap<(Connection, Service), Client>,
    recorder: Option<Recorder>,
    next_connection: u64,
    announced: Vec<String>,
}

impl HttpTarget {
    /// Connects (lazily) to `config.endpoint` and asks for its capabilities.
    pub fn new(config: HttpConfig) -> Result<Self, TargetError> {
        if config.principals.is_empty() {
            return Err(TargetError::Transport("no access key given".into()));
        }
        let recorder = match &config.record {
            Some(dir) => Some(Recorder::create(dir)?),
            None => None,
        };
        let mut target = Self {
            config,
            clients: HashMap::new(),
            recorder,
            next_connection: 1,
            announced: Vec::new(),
        };
        target.announced = target.fetch_capabilities()?;
        Ok(target)
    }

    //= spec/conformance.md#connections
    //# The harness MUST send the requests of one simulated client over one TCP connection (HTTP/1.1 keep-alive) and the requests of distinct simulated clients over distinct TCP connections, and a target MUST identify a client connection with the TCP connection a request arrives on.
    fn client(&mut self, connection: Connection) -> Result<&Client, TargetError> {
        self.client_of(connection, Service::DynamoDb)
    }

    /// The client of `connection` to the endpoint of `service` (one TCP connection per pair).
    fn client_of(
        &mut self,
        connection: Connection,
        service: Service,
    ) -> Result<&Client, TargetError> {
        let key = (connection, service);
        if !self.clients.contains_key(&key) {
            let client = Client::new(
                self.config.endpoint_of(service),
                &self.config.region,
                self.config.timeout,
            )
            .map_err(transport)?;
            self.clients.insert(key, client);
        }
        self.clients
            .get(&key)
            .ok_or_else(|| TargetError::Transport("client vanished".into()))
    }

    //= spec/conformance.md#capabilities
    //# A target that offers any capability MUST answer `GET /_conformance/capabilities` with HTTP 200, `Content-Type: application/json` and the body `{"version": 1, "capabilities": [<names>]}`, and the harness MUST treat a 404 as a target with no capability.
    fn fetch_capabilities(&mut self) -> Result<Vec<String>, TargetError> {
        let response = self
            .client(Connection(0))?
            .get("/_conformance/capabilities")
            .map_err(transport)?;
        if response.status != 200 {
            return Ok(Vec::new());
        }
        let body = parse_body(&response.body);
        Ok(body["capabilities"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    fn has_clock(&self) -> bool {
        self.announced.iter().any(|c| c == "clock")
    }

    fn clock_request(&mut self, body: serde_json::Value) -> Result<Timestamp, TargetError> {
        let response = self
            .client(Connection(0))?
            .post_json("/_conformance/clock", body.to_string().as_bytes())
            .map_err(transport)?;
        let answer = parse_body(&response.body);
        if response.status != 200 {
            return Err(TargetError::Transport(format!(
                "POST {}/_conformance/clock answered {}: {answer}",
                self.config.endpoint.trim_end_matches('/'),
                response.status
            )));
        }
        answer["nowMillis"].as_u64().map(Timestamp).ok_or_else(|| {
            TargetError::Transport(format!("clock answer without nowMillis: {answer}"))
        })
    }

    fn send(
        &mut self,
        connection: Connection,
        principal: Option<usize>,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        Ok(self.exchange(connection, principal, target, body)?.0)
    }

    /// The credentials of principal number `principal` (`None`: unsigned).
    fn credentials(&self, principal: Option<usize>) -> Result<Option<Credentials>, TargetError> {
        let Some(p) = principal else {
            return Ok(None);
        };
        let key = self.config.principals.get(p).ok_or_else(|| {
            TargetError::Unsupported(format!("no principal number {p} configured"))
        })?;
        Ok(Some(Credentials {
            session_token: self.config.session_token.clone(),
            ..Credentials::new(key.id.clone(), key.secret.clone())
        }))
    }

    /// Sends one request; returns the parsed answer and the raw headers with the body bytes
    /// they describe (for the protocol checks of every exchange, such as `x-amz-crc32`).
    fn exchange(
        &mut self,
        connection: Connection,
        principal: Option<usize>,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, ResponseHeaders), TargetError> {
        let credentials = self.credentials(principal)?;
        self.exchange_as(connection, credentials, SystemTime::now(), target, body)
    }

    /// Sends one request signed with `credentials` (unsigned when `None`) dated `date`.
    fn exchange_as(
        &mut self,
        connection: Connection,
        credentials: Option<Credentials>,
        date: SystemTime,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, ResponseHeaders), TargetError> {
        let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
        let request = AwsJsonRequest {
            target,
            content_type: service.content_type(),
            service: service.signing_name(),
            body,
        };
        let response = self
            .client_of(connection, service)?
            .call(&request, credentials.as_ref(), date)
            .map_err(|e| TargetError::Transport(format!("{e} ({target})")))?;
        if let Some(recorder) = &mut self.recorder {
            recorder.write(self.config.endpoint_of(service), target, body, &response)?;
        }
        let raw = RawResponse {
            status: response.status,
            body: parse_body(&response.body),
        };
        let url = format!(
            "{}/",
            self.config.endpoint_of(service).trim_end_matches('/')
        );
        Ok((
            raw,
            ResponseHeaders {
                headers: response.headers,
                body: response.body,
                request_headers: response.request_headers,
                url: Some(url),
            },
        ))
    }
}

/// Appends every AWS exchange of a run to `<dir>/exchanges.jsonl`, one JSON object a line:
/// `method`, `url`, `target`, `request_headers`, `request_body`, `status`, `response_headers`,
/// `response_body`. The `Authorization` header keeps its algorithm, credential scope (date,
/// region, service) and signed header names, but not the access key id or the signature;
/// `X-Amz-Security-Token` is replaced by `<redacted>`. Secret keys are never sent, so never
/// recorded.
#[derive(Debug)]
pub struct Recorder {
    path: PathBuf,
    file: std::fs::File,
}

impl Recorder {
    /// Creates `dir` and opens its `exchanges.jsonl` for appending (the cleanup after a run, and
    /// runs one after another, add to the same file).
    pub fn create(dir: &Path) -> Result<Self, TargetError> {
        let fail =
            |e: std::io::Error| TargetError::Transport(format!("--record {}: {e}", dir.display()));
        std::fs::create_dir_all(dir).map_err(fail)?;
        let path = dir.join("exchanges.jsonl");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(fail)?;
        Ok(Self { path, file })
    }

    fn write(
        &mut self,
        endpoint: &str,
        target: &str,
        body: &[u8],
        response: &ddbsse_client::Response,
    ) -> Result<(), TargetError> {
        let headers = |h: &[(String, String)]| {
            h.iter()
                .map(|(k, v)| serde_json::json!([k, redact_header(k, v)]))
                .collect::<Vec<_>>()
        };
        let line = serde_json::json!({
            "method": "POST",
            "url": format!("{}/", endpoint.trim_end_matches('/')),
            "target": target,
            "request_headers": headers(&response.request_headers),
            "request_body": parse_body(body),
            "status": response.status,
            "response_headers": headers(&response.headers),
            "response_body": parse_body(&response.body),
        });
        writeln!(self.file, "{line}")
            .map_err(|e| TargetError::Transport(format!("--record {}: {e}", self.path.display())))
    }
}

/// A header value as it may be stored: without signatures, access key ids or tokens.
pub fn redact_header(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("x-amz-security-token") {
        return "<redacted>".to_owned();
    }
    if !name.eq_ignore_ascii_case("authorization") {
        return value.to_owned();
    }
    value
        .split(',')
        .map(|part| {
            let (lead, rest) = part.split_at(part.len() - part.trim_start().len());
            if let Some(scope) = rest.strip_prefix("Credential=") {
                let scope = scope.split_once('/').map_or("", |(_, s)| s);
                format!("{lead}Credential=<redacted>/{scope}")
            } else if let Some(algorithm_and_credential) = rest.strip_prefix("AWS4-HMAC-SHA256 ") {
                let scope = algorithm_and_credential
                    .strip_prefix("Credential=")
                    .and_then(|c| c.split_once('/'))
                    .map_or("", |(_, s)| s);
                format!("{lead}AWS4-HMAC-SHA256 Credential=<redacted>/{scope}")
            } else if rest.starts_with("Signature=") {
                format!("{lead}Signature=<redacted>")
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn transport(e: ddbsse_client::Error) -> TargetError {
    TargetError::Transport(e.to_string())
}

impl Target for HttpTarget {
    fn name(&self) -> String {
        self.config.endpoint.clone()
    }

    fn capabilities(&self) -> Capabilities {
        let clock = if self.config.real_time {
            ClockControl::RealTime
        } else if self.has_clock() {
            ClockControl::Manual
        } else {
            ClockControl::None
        };
        Capabilities {
            clock,
            announced: self.announced.clone(),
            at_rest: false,
            http: true,
        }
    }

    fn principals(&self) -> Vec<String> {
        self.config
            .principals
            .iter()
            .map(|k| k.id.clone())
            .collect()
    }

    fn open_connection(&mut self) -> Result<Connection, TargetError> {
        let c = Connection(self.next_connection);
        self.next_connection += 1;
        self.client(c)?;
        Ok(c)
    }

    /// Drops the connection's clients, which closes their TCP connections.
    fn close_connection(&mut self, connection: Connection) -> Result<(), TargetError> {
        self.clients.retain(|(c, _), _| *c != connection);
        Ok(())
    }

    fn call(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        self.send(connection, Some(principal), target, body)
    }

    fn call_unsigned(
        &mut self,
        connection: Connection,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        self.send(connection, None, target, body)
    }

    fn call_with_headers(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, Option<ResponseHeaders>), TargetError> {
        let (raw, headers) = self.exchange(connection, Some(principal), target, body)?;
        Ok((raw, Some(headers)))
    }

    fn call_badly_signed(
        &mut self,
        connection: Connection,
        target: &str,
        body: &[u8],
        bad: BadSignature,
    ) -> Result<RawResponse, TargetError> {
        let Some(mut credentials) = self.credentials(Some(0))? else {
            return Err(TargetError::Unsupported("no principal configured".into()));
        };
        let mut date = SystemTime::now();
        match bad {
            BadSignature::WrongSecret => credentials.secret_access_key.push_str("-not-the-secret"),
            BadSignature::Expired => {
                date -= Duration::from_secs(BadSignature::EXPIRED_BY_SECONDS);
            }
            BadSignature::UnknownKey => {
                credentials.access_key_id = BadSignature::UNKNOWN_KEY.to_owned();
            }
        }
        Ok(self
            .exchange_as(connection, Some(credentials), date, target, body)?
            .0)
    }

    fn now(&mut self) -> Result<Timestamp, TargetError> {
        if !self.config.real_time && self.has_clock() {
            return self.clock_request(serde_json::json!({"advanceMillis": 0}));
        }
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| TargetError::Transport(format!("system clock: {e}")))?
            .as_millis();
        Ok(Timestamp(u64::try_from(ms).unwrap_or(u64::MAX)))
    }

    fn advance_clock(&mut self, ms: u64) -> Result<(), TargetError> {
        if self.config.real_time {
            std::thread::sleep(Duration::from_millis(ms));
            return Ok(());
        }
        if !self.has_clock() {
            return Err(TargetError::Unsupported(
                "target has no clock capability".into(),
            ));
        }
        self.clock_request(serde_json::json!({"advanceMillis": ms}))
            .map(|_| ())
    }

    /// The files in `--delivery-dir`, as the target's delivery thread has written them so far.
    fn delivery_files(&mut self) -> Result<Vec<super::DeliveryFile>, TargetError> {
        match &self.config.delivery_dir {
            Some(dir) => super::delivery::read_delivery_folder(dir),
            None => Err(TargetError::Unsupported(
                super::NO_DELIVERY_FOLDER.to_owned(),
            )),
        }
    }
}
