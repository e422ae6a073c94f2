//! The embedded target: the in-repo engine in this process, with a manual clock that starts at
//! `MANUAL_CLOCK_START` and moves only when the harness advances it. No port, no HTTP: a
//! connection is a fresh id and the caller is built from the principal and that id. Its trail is
//! delivered as `ddbsse serve --trail-dir` delivers it, by the server's own [`DeliveryPump`], into
//! a temporary folder removed with the target; the pump runs on the manual clock when the harness
//! asks for the files.

use ddbsse_server::engine::{Engine, EngineConfig};
use ddbsse_server::http::response::{AwsReply, CRC32_HEADER, REQUEST_ID_HEADER};
use ddbsse_server::trail_delivery::{DeliveryPump, TrailDeliveryConfig};
use ddbsse_wire::caller::ConnectionId;
use ddbsse_wire::time::{MANUAL_CLOCK_START, Timestamp};

use super::{
    AtRest, Capabilities, ClockControl, Connection, DeliveryFile, RawResponse, ResponseHeaders,
    StoredRows, Target, TargetError, parse_body,
};

pub use super::in_process::IN_PROCESS_PRINCIPALS;
use super::in_process::InProcessSessions;

/// The in-repo engine, in-process.
#[derive(Debug)]
pub struct EmbeddedTarget {
    engine: Engine,
    now: Timestamp,
    sessions: InProcessSessions,
    delivery: Delivery,
}

/// The trail delivery of an embedded target: the pump and the folder it writes to.
#[derive(Debug)]
struct Delivery {
    folder: tempfile::TempDir,
    pump: DeliveryPump,
}

impl EmbeddedTarget {
    /// An engine opened with `config` (faults included), its clock at `MANUAL_CLOCK_START`.
    pub fn open(config: EngineConfig) -> Result<Self, TargetError> {
        let folder = tempfile::Builder::new()
            .prefix("ddbsse-embedded-trail-")
            .tempdir()
            .map_err(|e| TargetError::Open(Box::new(e)))?;
        let delivery_config = TrailDeliveryConfig {
            dir: folder.path().to_owned(),
            account: config.account.clone(),
            region: config.region.clone(),
            interval_millis: ddbsse_trail::writer::DEFAULT_INTERVAL_MILLIS,
        };
        let engine = Engine::open(config).map_err(|e| TargetError::Open(Box::new(e)))?;
        // As `ddbsse serve --trail-dir`: delivery starts with the endpoint.
        let pump = DeliveryPump::start(&delivery_config, &engine)
            .map_err(|e| TargetError::Open(Box::new(e)))?;
        Ok(Self {
            engine,
            now: MANUAL_CLOCK_START,
            sessions: InProcessSessions::default(),
            delivery: Delivery { folder, pump },
        })
    }

    /// The default engine: in memory, no faults.
    pub fn new() -> Result<Self, TargetError> {
        Self::open(EngineConfig::default())
    }

    /// The engine, for white-box checks.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl Target for EmbeddedTarget {
    fn name(&self) -> String {
        if self.engine.config().faults == Default::default() {
            "embedded".to_owned()
        } else {
            format!("embedded (faults: {:?})", self.engine.config().faults)
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            clock: ClockControl::Manual,
            announced: vec!["clock".to_owned()],
            at_rest: self.at_rest().is_some(),
            http: false,
        }
    }

    fn principals(&self) -> Vec<String> {
        self.sessions.principals()
    }

    fn open_connection(&mut self) -> Result<Connection, TargetError> {
        Ok(self.sessions.open_connection())
    }

    /// What `ddbsse serve` does when a TCP connection ends.
    fn close_connection(&mut self, connection: Connection) -> Result<(), TargetError> {
        self.engine.connection_closed(ConnectionId(connection.0));
        Ok(())
    }

    fn call(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<RawResponse, TargetError> {
        self.call_with_headers(connection, principal, target, body)
            .map(|(r, _)| r)
    }

    /// The headers are those `ddbsse serve` would send with the engine's answer (its
    /// `AwsReply::into_reply`), so the embedded target's header checks test the server's code.
    fn call_with_headers(
        &mut self,
        connection: Connection,
        principal: usize,
        target: &str,
        body: &[u8],
    ) -> Result<(RawResponse, Option<ResponseHeaders>), TargetError> {
        let caller = self.sessions.caller(connection, principal)?;
        let response = self.engine.handle(self.now, &caller, target, body);
        let reply = AwsReply::from_engine(response).into_reply();
        let mut headers = vec![
            ("content-type".to_owned(), reply.content_type.to_owned()),
            (REQUEST_ID_HEADER.to_owned(), reply.request_id.clone()),
        ];
        if let Some(crc) = reply.crc32 {
            headers.push((CRC32_HEADER.to_owned(), crc.to_string()));
        }
        Ok((
            RawResponse {
                status: reply.status,
                body: parse_body(&reply.body),
            },
            Some(ResponseHeaders {
                headers,
                body: reply.body,
                ..ResponseHeaders::default()
            }),
        ))
    }

    fn now(&mut self) -> Result<Timestamp, TargetError> {
        Ok(self.now)
    }

    fn advance_clock(&mut self, ms: u64) -> Result<(), TargetError> {
        self.now = self.now.plus(ms);
        // As `ddbsse serve --clock manual` does when its clock moves (`spec/control-plane.md#ttl-sweep`).
        if ms > 0 {
            self.engine.sweep_expired(self.now).map_err(|e| {
                TargetError::Transport(format!("time-to-live sweep: {}", e.message))
            })?;
        }
        Ok(())
    }

    fn at_rest(&self) -> Option<&dyn AtRest> {
        Some(self)
    }

    /// Runs the delivery pump at the target's time, as `ddbsse serve`'s delivery thread does
    /// when woken, then reads the folder.
    fn delivery_files(&mut self) -> Result<Vec<DeliveryFile>, TargetError> {
        let look = self.delivery.pump.look(&self.engine, self.now);
        if look.failed_records > 0 {
            return Err(TargetError::Transport(format!(
                "{} trail record(s) could not be delivered",
                look.failed_records
            )));
        }
        super::delivery::read_delivery_folder(self.delivery.folder.path())
    }
}

/// The engine's test-only storage hooks (`Engine::at_rest`).
impl AtRest for EmbeddedTarget {
    fn rows(&self, table: &str) -> Result<StoredRows, TargetError> {
        self.engine
            .at_rest()
            .raw_rows(table)
            .map_err(TargetError::AtRestHook)
    }

    fn index_rows(&self, table: &str) -> Result<StoredRows, TargetError> {
        self.engine
            .at_rest()
            .raw_index_rows(table)
            .map_err(TargetError::AtRestHook)
    }

    fn flip_index_bit(&self, table: &str, row: usize, bit: usize) -> Result<(), TargetError> {
        self.engine
            .at_rest()
            .tamper_flip_index_bit(table, row, bit)
            .map_err(TargetError::AtRestHook)
    }

    fn stored_table_key(&self, table: &str) -> Result<Vec<u8>, TargetError> {
        self.engine
            .at_rest()
            .wrapped_table_key(table)
            .map_err(TargetError::AtRestHook)
    }

    fn flip_bit(&self, table: &str, row: usize, bit: usize) -> Result<(), TargetError> {
        self.engine
            .at_rest()
            .tamper_flip_bit(table, row, bit)
            .map_err(TargetError::AtRestHook)
    }

    fn move_envelope(
        &self,
        from_table: &str,
        from_row: usize,
        to_table: &str,
        to_row: usize,
    ) -> Result<(), TargetError> {
        self.engine
            .at_rest()
            .move_envelope(from_table, from_row, to_table, to_row)
            .map_err(TargetError::AtRestHook)
    }
}
