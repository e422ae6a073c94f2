//! An endpoint over HTTP (http or https with rustls): every request is signed with SigV4 for the
//! service its target header names (`dynamodb`, `kms`, `cloudtrail`), and sent, by
//! `ddbsse_client`. Each logical connection is its own `ddbsse_client::Client` keeping at most one
//! idle connection, so distinct logical connections travel on distinct TCP connections. Capabilities come from `GET /_conformance/capabilities`
//! (`spec/conformance.md`; a 404 or any non-200 means none) and the clock is moved with
//! `POST /_conformance/clock`; with `real_time` the harness waits real time instead.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ddbsse_client::{AwsJsonRequest, Client, Credentials};
use ddbsse_wire::Service;
use ddbsse_wire::time::Timestamp;

use super::{
    Capabilities, ClockControl, Connection, RawResponse, ResponseHeaders, Target, TargetError,
    parse_body,
};

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
    clients: HashMap<Connection, Client>,
    next_connection: u64,
    announced: Vec<String>,
}

impl HttpTarget {
    /// Connects (lazily) to `config.endpoint` and asks for its capabilities.
    pub fn new(config: HttpConfig) -> Result<Self, TargetError> {
        if config.principals.is_empty() {
            return Err(TargetError::Transport("no access key given".into()));
        }
        let mut target = Self {
            config,
            clients: HashMap::new(),
            next_connection: 1,
            announced: Vec::new(),
        };
        target.announced = target.fetch_capabilities()?;
        Ok(target)
    }

    //= spec/conformance.md#connections
    //# The harness MUST send the requests of one simulated client over one TCP connection (HTTP/1.1 keep-alive) and the requests of distinct simulated clients over distinct TCP connections, and a target MUST identify a client connection with the TCP connection a request arrives on.
    fn client(&mut self, connection: Connection) -> Result<&Client, TargetError> {
        if !self.clients.contains_key(&connection) {
            let client = Client::new(
                &self.config.endpoint,
                &self.config.region,
                self.config.timeout,
            )
            .map_err(transport)?;
            self.clients.insert(connection, client);
        }
        self.clients
            .get(&connection)
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

    /// Sends one request; returns the parsed answer and the raw headers with the body bytes
    /// they describe (for the protocol checks of every exchange, such as `x-amz-crc32`).
    fn exchange(
        &mut self,
        connection: Connection,
        principal: Option<usize>,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, ResponseHeaders), TargetError> {
        let service = Service::from_target(target).unwrap_or(Service::DynamoDb);
        let signing_name = match service {
            Service::DynamoDb => "dynamodb",
            Service::Kms => "kms",
            Service::CloudTrail => "cloudtrail",
        };
        let credentials = match principal {
            None => None,
            Some(p) => {
                let key = self.config.principals.get(p).ok_or_else(|| {
                    TargetError::Unsupported(format!("no principal number {p} configured"))
                })?;
                Some(Credentials::new(key.id.clone(), key.secret.clone()))
            }
        };
        let request = AwsJsonRequest {
            target,
            content_type: service.content_type(),
            service: signing_name,
            body,
        };
        let response = self
            .client(connection)?
            .call(&request, credentials.as_ref(), SystemTime::now())
            .map_err(|e| TargetError::Transport(format!("{e} ({target})")))?;
        let raw = RawResponse {
            status: response.status,
            body: parse_body(&response.body),
        };
        Ok((
            raw,
            ResponseHeaders {
                headers: response.headers,
                body: response.body,
            },
        ))
    }
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
