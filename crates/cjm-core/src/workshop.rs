//! What a facilitator runs during a workshop on the board: the shared timer.
//!
//! The timer is board state changed by ops, so it is stored, in `welcome`
//! for a late joiner, and the same on every replica. Its times are the
//! server's (`ApplyCtx::at`): a running timer is the moment it ends, and
//! every browser counts down to that moment on the server's clock (the
//! `welcome` carries the server's time so that a client can correct for its
//! own clock), so all of them agree whatever their clocks say.

use serde::{Deserialize, Serialize};

/// The longest a timer may run: a workshop day.
pub const MAX_TIMER_MS: i64 = 24 * 60 * 60 * 1000;
/// The most one "add time" may add.
pub const MAX_TIMER_EXTENSION_MS: i64 = 60 * 60 * 1000;

/// A countdown everyone on the board sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// Its whole length as set and extended (for a progress bar).
    pub duration_ms: i64,
    /// While running: when it reaches zero (server unix milliseconds).
    /// Absent while paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<i64>,
    /// While paused: what is left.
    #[serde(default)]
    pub remaining_ms: i64,
}

impl Timer {
    /// Milliseconds left at server time `now` (never below zero).
    pub fn remaining(&self, now: i64) -> i64 {
        match self.ends_at {
            Some(end) => (end - now).max(0),
            None => self.remaining_ms.max(0),
        }
    }

    pub fn is_running(&self) -> bool {
        self.ends_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_timer_counts_down_to_zero_and_a_paused_one_stands() {
        let running = Timer {
            duration_ms: 60_000,
            ends_at: Some(100_000),
            remaining_ms: 0,
        };
        assert_eq!(running.remaining(40_000), 60_000);
        assert_eq!(running.remaining(200_000), 0);
        let paused = Timer {
            ends_at: None,
            remaining_ms: 5_000,
            ..running
        };
        assert_eq!(paused.remaining(1), paused.remaining(1_000_000));
    }
}
