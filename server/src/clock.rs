//! The endpoint's clock: where the `now` handed to the engine comes from.
//!
//! - [`Clock::System`] reads the operating system's wall clock on every call.
//! - [`Clock::Manual`] starts at [`MANUAL_CLOCK_START`] and moves only when told to, through the
//!   conformance protocol's clock capability (`spec/conformance.md`): forward by a number of
//!   milliseconds, or to an absolute time that is not earlier than the current one.
//!
//! It does not run timers and does not know about HTTP: the shell turns
//! `POST /_conformance/clock` into [`Clock::advance`] / [`Clock::set`] calls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ddbsse_wire::time::{MANUAL_CLOCK_START, Timestamp};

/// Which clock `ddbsse serve` runs on (`--clock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockKind {
    /// The operating system's wall clock.
    System,
    /// A clock that moves only through `POST /_conformance/clock`.
    Manual,
}

/// Why a manual clock refused to move.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The system clock cannot be moved.
    #[error("the clock is the system clock and cannot be moved")]
    NotManual,
    /// The requested time is earlier than the current time.
    #[error("the clock never goes backwards: now is {now} ms, requested {requested} ms")]
    Backwards {
        /// The current time.
        now: u64,
        /// The time asked for.
        requested: u64,
    },
    /// The requested time does not fit in milliseconds since the epoch as a `u64`.
    #[error("the clock cannot move past {max} ms since the epoch")]
    Overflow {
        /// The largest representable time.
        max: u64,
    },
}

/// The endpoint's clock. Thread-safe; cheap to read.
#[derive(Debug)]
pub enum Clock {
    /// The operating system's wall clock.
    System,
    /// A manual clock holding milliseconds since the epoch.
    Manual(AtomicU64),
}

impl Clock {
    /// A clock of the given kind; a manual clock starts at [`MANUAL_CLOCK_START`].
    pub fn new(kind: ClockKind) -> Self {
        match kind {
            ClockKind::System => Clock::System,
            ClockKind::Manual => Clock::Manual(AtomicU64::new(MANUAL_CLOCK_START.millis())),
        }
    }

    /// Whether this clock is manual (and so offers the conformance clock capability).
    pub fn is_manual(&self) -> bool {
        matches!(self, Clock::Manual(_))
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => system_now(),
            Clock::Manual(ms) => Timestamp(ms.load(Ordering::SeqCst)),
        }
    }

    /// Moves a manual clock forward by `millis` and returns the new time.
    pub fn advance(&self, millis: u64) -> Result<Timestamp, ClockError> {
        let Clock::Manual(ms) = self else {
            return Err(ClockError::NotManual);
        };
        let previous = ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                t.checked_add(millis)
            })
            .map_err(|_| ClockError::Overflow { max: u64::MAX })?;
        Ok(Timestamp(previous + millis))
    }

    /// Sets a manual clock to `millis` (not earlier than now) and returns the new time.
    pub fn set(&self, millis: u64) -> Result<Timestamp, ClockError> {
        let Clock::Manual(ms) = self else {
            return Err(ClockError::NotManual);
        };
        ms.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
            (millis >= t).then_some(millis)
        })
        .map_err(|now| ClockError::Backwards {
            now,
            requested: millis,
        })?;
        Ok(Timestamp(millis))
    }
}

fn system_now() -> Timestamp {
    // A wall clock before 1970 is a broken host; treat it as the epoch rather than fail requests.
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    Timestamp(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_starts_at_the_blog_day_and_moves_only_forward() {
        let clock = Clock::new(ClockKind::Manual);
        assert_eq!(clock.now(), MANUAL_CLOCK_START);
        assert_eq!(
            clock.advance(300_000).unwrap(),
            MANUAL_CLOCK_START.plus(300_000)
        );
        assert_eq!(clock.now(), MANUAL_CLOCK_START.plus(300_000));
        let later = MANUAL_CLOCK_START.plus(900_000).millis();
        assert_eq!(clock.set(later).unwrap(), Timestamp(later));
        assert_eq!(
            clock.set(later).unwrap(),
            Timestamp(later),
            "same time is allowed"
        );
        assert_eq!(
            clock.set(later - 1),
            Err(ClockError::Backwards {
                now: later,
                requested: later - 1
            })
        );
        assert_eq!(clock.now(), Timestamp(later));
        assert!(clock.advance(u64::MAX).is_err());
        assert_eq!(
            clock.now(),
            Timestamp(later),
            "a refused move changes nothing"
        );
    }

    #[test]
    fn system_clock_cannot_be_moved_and_reads_the_wall_clock() {
        let clock = Clock::new(ClockKind::System);
        assert!(!clock.is_manual());
        assert_eq!(clock.advance(1), Err(ClockError::NotManual));
        assert_eq!(clock.set(0), Err(ClockError::NotManual));
        // 2020-01-01: any sane host is past it.
        assert!(clock.now().millis() > 1_577_836_800_000);
    }
}
