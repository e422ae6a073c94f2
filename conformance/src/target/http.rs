//! An endpoint over HTTP (http or https with rustls): every request is signed with SigV4 for the
//! service its target header names (`dynamodb`, `kms`, `cloudtrail`). Each logical connection is
//! its own `reqwest::Client` keeping at most one idle connection, so distinct logical connections
//! travel on distinct TCP connections. Capabilities come from `GET /_conformance/capabilities`
//! (`spec/conformance.md`; a 404 or any non-200 means none) and the clock is moved with
//! `POST /_conformance/clock`; with `real_time` the harness waits real time instead.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use ddbsse_wire::Service;
use ddbsse_wire::time::Timestamp;

use super::sigv4::signed_headers;
use super::{Capabilities, ClockControl, Connection, RawResponse, Target, TargetError, parse_body};

/// One principal: an access key pair. `Debug` never shows the secret.
#[derive(Clone)]
pub struct AccessKey {
    /// The access key id.
    pub id: String,
    /// The secret access key.
    pub secret: String,
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
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// Base URL, `http://127.0.0.1:8000` or `https://...`.
    pub endpoint: String,
    /// Region for signing.
    pub region: String,
    /// The principals; the first is the default one.
    pub principals: Vec<AccessKey>,
    /// Wait real time instead of using the clock capability.
    pub real_time: bool,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// An endpoint over HTTP.
#[derive(Debug)]
pub struct HttpTarget {
    config: HttpConfig,
    host: String,
    runtime: tokio::runtime::Runtime,
    clients: HashMap<Connection, reqwest::Client>,
    next_connection: u64,
    announced: Vec<String>,
}

impl HttpTarget {
    /// Connects (lazily) to `config.endpoint` and asks for its capabilities.
    pub fn new(config: HttpConfig) -> Result<Self, TargetError> {
        let url = reqwest::Url::parse(&config.endpoint)
            .map_err(|e| TargetError::Transport(format!("endpoint {}: {e}", config.endpoint)))?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => {
                return Err(TargetError::Transport(format!(
                    "endpoint {} has no host",
                    config.endpoint
                )));
            }
        };
        if config.principals.is_empty() {
            return Err(TargetError::Transport("no access key given".into()));
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| TargetError::Transport(format!("tokio runtime: {e}")))?;
        let mut target = Self {
            config,
            host,
            runtime,
            clients: HashMap::new(),
            next_connection: 1,
            announced: Vec::new(),
        };
        target.announced = target.fetch_capabilities()?;
        Ok(target)
    }

    fn base(&self) -> String {
        self.config.endpoint.trim_end_matches('/').to_owned()
    }

    //= spec/conformance.md#connections
    //# The harness MUST send the requests of one simulated client over one TCP connection (HTTP/1.1 keep-alive) and the requests of distinct simulated clients over distinct TCP connections, and a target MUST identify a client connection with the TCP connection a request arrives on.
    fn client(&mut self, connection: Connection) -> Result<reqwest::Client, TargetError> {
        if let Some(c) = self.clients.get(&connection) {
            return Ok(c.clone());
        }
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(self.config.timeout)
            .user_agent("ddbsse")
            .build()
            .map_err(|e| TargetError::Transport(format!("client: {e}")))?;
        self.clients.insert(connection, client.clone());
        Ok(client)
    }

    //= spec/conformance.md#capabilities
    //# A target that offers any capability MUST answer `GET /_conformance/capabilities` with HTTP 200, `Content-Type: application/json` and the body `{"version": 1, "capabilities": [<names>]}`, and the harness MUST treat a 404 as a target with no capability.
    fn fetch_capabilities(&mut self) -> Result<Vec<String>, TargetError> {
        let client = self.client(Connection(0))?;
        let url = format!("{}/_conformance/capabilities", self.base());
        let response = self.runtime.block_on(async {
            let r = client.get(&url).send().await?;
            let status = r.status().as_u16();
            let bytes = r.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        });
        let (status, bytes) =
            response.map_err(|e| TargetError::Transport(format!("GET {url}: {e}")))?;
        if status != 200 {
            return Ok(Vec::new());
        }
        let body = parse_body(&bytes);
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
        let client = self.client(Connection(0))?;
        let url = format!("{}/_conformance/clock", self.base());
        let result = self.runtime.block_on(async {
            let r = client.post(&url).json(&body).send().await?;
            let status = r.status().as_u16();
            let bytes = r.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        });
        let (status, bytes) =
            result.map_err(|e| TargetError::Transport(format!("POST {url}: {e}")))?;
        let answer = parse_body(&bytes);
        if status != 200 {
            return Err(TargetError::Transport(format!(
                "POST {url} answered {status}: {answer}"
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
        let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
        let signing_name = match service {
            Service::DynamoDb => "dynamodb",
            Service::Kms => "kms",
            Service::CloudTrail => "cloudtrail",
        };
        let url = format!("{}/", self.base());
        let content_type = service.content_type();
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), self.host.clone()),
            ("content-type".into(), content_type.into()),
            ("x-amz-target".into(), target.into()),
        ];
        if let Some(p) = principal {
            let key = self.config.principals.get(p).ok_or_else(|| {
                TargetError::Unsupported(format!("no principal number {p} configured"))
            })?;
            let credentials =
                Credentials::new(key.id.clone(), key.secret.clone(), None, None, "ddbsse");
            let borrowed: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let extra = signed_headers(
                &credentials,
                &self.config.region,
                signing_name,
                "POST",
                &url,
                &borrowed,
                body,
            )?;
            headers.extend(extra);
        }
        let client = self.client(connection)?;
        let body = body.to_vec();
        let result = self.runtime.block_on(async {
            let mut request = client.post(&url);
            for (k, v) in &headers {
                if k != "host" {
                    request = request.header(k.as_str(), v.as_str());
                }
            }
            let r = request.body(body).send().await?;
            let status = r.status().as_u16();
            let bytes = r.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        });
        let (status, bytes) =
            result.map_err(|e| TargetError::Transport(format!("POST {url} ({target}): {e}")))?;
        Ok(RawResponse {
            status,
            body: parse_body(&bytes),
        })
    }
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
}
