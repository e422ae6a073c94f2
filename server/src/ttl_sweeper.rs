//! The wall-clock schedule of the time-to-live sweep: with `--clock system`, a task that runs
//! [`Engine::sweep_expired`] once every [`SWEEP_INTERVAL`] (`spec/control-plane.md#ttl-sweep`).
//!
//! Does not: sweep on the manual clock (the shell sweeps there when the clock is moved, see
//! `http::Endpoint`), or decide what is due (the engine and `ddbsse_wire::ttl`).

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::engine::Engine;

/// How often the wall-clock sweep runs.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Starts the periodic sweep on the current tokio runtime; it ends with the runtime.
pub fn spawn(engine: Arc<Engine>, clock: Arc<Clock>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (engine, now) = (Arc::clone(&engine), clock.now());
            // Storage reads and writes block: off the async workers.
            match tokio::task::spawn_blocking(move || engine.sweep_expired(now)).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(deleted = n, "time-to-live sweep"),
                Ok(Err(e)) => tracing::warn!(error = %e.message, "time-to-live sweep failed"),
                Err(e) => tracing::warn!(error = %e, "time-to-live sweep task failed"),
            }
        }
    });
}
