//! `ddbsse serve --trail-dir`: delivers the endpoint's trail as CloudTrail log files in the S3
//! layout (`spec/trail.md#delivery`), through `ddbsse_trail::writer::DeliveryWriter`.
//!
//! What it does: a background thread reads the records the engine appended since the last look
//! (through [`TrailSource`]), files each in the window of its `eventTime`, and delivers a window's
//! file once the endpoint's clock reaches the window's end. It looks when woken (after each request
//! and each move of the manual clock) and at least once a second, so that the system clock rolls
//! files on time. [`TrailDelivery::shutdown`] delivers the open window with the clock's time.
//!
//! The deterministic part, [`DeliveryPump`], takes the time as an argument and has no thread:
//! the conformance harness's in-process target drives the same pump with its manual clock.
//!
//! What it does not do: keep records itself (the engine's storage does, and LookupEvents and
//! `ddbsse trail export` read them there), or deliver records appended before it started: those
//! were delivered by the run that made them, or are recovered with `ddbsse trail export`.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use ddbsse_trail::writer::{Delivered, DeliveryConfig, DeliveryWriter};
use ddbsse_wire::time::Timestamp;
use ddbsse_wire::trail::TrailRecord;
use rand::SeedableRng;

use crate::clock::Clock;
use crate::engine::Engine;

/// How often the delivery thread looks without being woken.
pub const IDLE_LOOK_INTERVAL: Duration = Duration::from_secs(1);

/// Where new trail records come from: the engine, read by sequence.
pub trait TrailSource: Send + Sync + 'static {
    /// The position after the last record appended so far.
    fn trail_end(&self) -> u64;
    /// The records from position `from` on, in recording order, and the position after them.
    fn trail_since(&self, from: u64) -> (Vec<TrailRecord>, u64);
}

/// How `ddbsse serve` delivers its trail.
#[derive(Clone, Debug)]
pub struct TrailDeliveryConfig {
    /// The delivery root (the "bucket").
    pub dir: PathBuf,
    /// Account id in the layout.
    pub account: String,
    /// Region in the layout.
    pub region: String,
    /// Length of a delivery window in milliseconds.
    pub interval_millis: u64,
}

/// What a delivery run did, for the shutdown log line and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    /// Files delivered.
    pub files: u64,
    /// Records delivered.
    pub records: u64,
    /// Records that could not be delivered (refused by the writer or lost to a file error).
    pub failed_records: u64,
}

#[derive(Debug, Default)]
struct Signal {
    woken: bool,
    stopping: bool,
}

#[derive(Debug, Default)]
struct Shared {
    signal: Mutex<Signal>,
    condvar: Condvar,
}

/// The running delivery; see the module documentation.
#[derive(Debug)]
pub struct TrailDelivery {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<DeliveryStats>>>,
}

impl TrailDelivery {
    /// Starts delivering the records `source` appends from now on.
    pub fn start(
        config: TrailDeliveryConfig,
        source: Arc<dyn TrailSource>,
        clock: Arc<Clock>,
    ) -> std::io::Result<Self> {
        let pump = DeliveryPump::start(&config, &*source)?;
        let shared = Arc::new(Shared::default());
        let worker = Worker {
            shared: Arc::clone(&shared),
            source,
            clock,
            pump,
            stats: DeliveryStats::default(),
        };
        let thread = std::thread::Builder::new()
            .name("trail-delivery".to_owned())
            .spawn(move || worker.run())?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Asks the thread to look for new records and roll files now.
    pub fn wake(&self) {
        let mut signal = self
            .shared
            .signal
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !signal.woken {
            signal.woken = true;
            self.shared.condvar.notify_one();
        }
    }

    /// Delivers everything pending and stops the thread. Idempotent: later calls return zeros.
    pub fn shutdown(&self) -> DeliveryStats {
        {
            let mut signal = self
                .shared
                .signal
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            signal.stopping = true;
            self.shared.condvar.notify_one();
        }
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match handle.map(JoinHandle::join) {
            Some(Ok(stats)) => stats,
            Some(Err(_)) => {
                tracing::error!("the trail delivery thread panicked");
                DeliveryStats::default()
            }
            None => DeliveryStats::default(),
        }
    }
}

impl Drop for TrailDelivery {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// What one look of a [`DeliveryPump`] did.
#[derive(Debug, Default)]
pub struct Look {
    /// The files delivered, in delivery order.
    pub delivered: Vec<Delivered>,
    /// Records that could not be delivered (refused by the writer, or lost to a file error).
    pub failed_records: u64,
}

/// Files the records a [`TrailSource`] appends into delivery windows and delivers each window
/// once the time it is given reaches the window's end. No thread and no clock: the caller passes
/// `now`, so the same pump serves `ddbsse serve`'s delivery thread and an in-process target
/// driven by a manual clock.
#[derive(Debug)]
pub struct DeliveryPump {
    cursor: u64,
    writer: Option<DeliveryWriter>,
}

impl DeliveryPump {
    /// A pump that delivers under `config.dir` (created if missing) the records `source`
    /// appends from now on.
    pub fn start(config: &TrailDeliveryConfig, source: &dyn TrailSource) -> std::io::Result<Self> {
        std::fs::create_dir_all(&config.dir)?;
        let writer_config = DeliveryConfig::new(&config.dir, &config.account, &config.region)
            .with_interval_millis(config.interval_millis);
        let rng = Box::new(rand::rngs::StdRng::from_os_rng());
        Ok(Self {
            cursor: source.trail_end(),
            writer: Some(DeliveryWriter::new(writer_config, rng)),
        })
    }

    /// Appends the records appended since the last look, then delivers the windows `now` has
    /// passed. `now` must be read before the records are: every record of a window `now` has
    /// passed is then among them (a request finishes before the clock moves on), so a window is
    /// never delivered while some of its records are still unread, which would split it in two
    /// files.
    pub fn look(&mut self, source: &dyn TrailSource, now: Timestamp) -> Look {
        let mut look = Look::default();
        let Some(writer) = self.writer.as_mut() else {
            return look;
        };
        let (records, next) = source.trail_since(self.cursor);
        self.cursor = next;
        for record in &records {
            //= spec/trail.md#delivery-roll
            //# A target MUST put each record in the window `[k * 300 s, (k + 1) * 300 s)` of the endpoint clock that contains its time, and MUST deliver a window's file, named with the window's end as delivery time, once the clock reaches that end; a window without records produces no file.
            let time = record.time().unwrap_or(now);
            match writer.append(time.millis(), record) {
                Ok(file) => look.delivered.extend(file),
                Err(e) => {
                    // The record is refused (invalid) or dropped (the roll before it failed; the
                    // writer keeps its buffer and retries at the next roll).
                    look.failed_records += 1;
                    tracing::error!(error = %e, "trail record not delivered");
                }
            }
        }
        match writer.tick(now.millis()) {
            Ok(file) => look.delivered.extend(file),
            Err(e) => {
                tracing::error!(error = %e, "trail delivery failed; retrying at the next roll")
            }
        }
        look
    }

    /// Delivers the open window at once, named with `now`, and ends the pump (later looks and
    /// closes do nothing).
    pub fn close(&mut self, now: Timestamp) -> Look {
        let mut look = Look::default();
        if let Some(writer) = self.writer.take() {
            let pending = writer.pending_records() as u64;
            match writer.close(now.millis()) {
                Ok(file) => look.delivered.extend(file),
                Err(e) => {
                    look.failed_records += pending;
                    tracing::error!(error = %e, records = pending, "trail delivery at shutdown failed");
                }
            }
        }
        look
    }
}

struct Worker {
    shared: Arc<Shared>,
    source: Arc<dyn TrailSource>,
    clock: Arc<Clock>,
    pump: DeliveryPump,
    stats: DeliveryStats,
}

impl Worker {
    fn run(mut self) -> DeliveryStats {
        loop {
            let stopping = self.wait();
            let look = self.pump.look(&*self.source, self.clock.now());
            self.count(look);
            if stopping {
                //= spec/trail.md#delivery-roll
                //# A flush at shutdown delivers the open window at once, named with the time of the flush.
                let look = self.pump.close(self.clock.now());
                self.count(look);
                return self.stats;
            }
        }
    }

    /// Waits to be woken, stopped, or for the idle interval; returns whether to stop.
    fn wait(&self) -> bool {
        let signal = self
            .shared
            .signal
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (mut signal, _) = self
            .shared
            .condvar
            .wait_timeout_while(signal, IDLE_LOOK_INTERVAL, |s| !s.woken && !s.stopping)
            .unwrap_or_else(PoisonError::into_inner);
        signal.woken = false;
        signal.stopping
    }

    fn count(&mut self, look: Look) {
        self.stats.failed_records += look.failed_records;
        for file in look.delivered {
            self.stats.files += 1;
            self.stats.records += file.records as u64;
            tracing::info!(path = %file.path.display(), records = file.records, "trail file delivered");
        }
    }
}

/// The engine keeps its trail in order with positions ([`Engine::trail_end`],
/// [`Engine::trail_since`]); the delivery reads only the records it has not seen.
impl TrailSource for Engine {
    fn trail_end(&self) -> u64 {
        Engine::trail_end(self)
    }

    fn trail_since(&self, from: u64) -> (Vec<TrailRecord>, u64) {
        Engine::trail_since(self, from)
    }
}
