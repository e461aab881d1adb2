//! What a facilitator runs during a workshop on the board: the shared
//! timer and dot voting.
//!
//! The timer is board state changed by ops, so it is stored, in `welcome`
//! for a late joiner, and the same on every replica. Its times are the
//! server's (`ApplyCtx::at`): a running timer is the moment it ends, and
//! every browser counts down to that moment on the server's clock (the
//! `welcome` carries the server's time so that a client can correct for its
//! own clock), so all of them agree whatever their clocks say.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{CardId, LaneId, StageId, VoteId};

/// The longest a timer may run: a workshop day.
pub const MAX_TIMER_MS: i64 = 24 * 60 * 60 * 1000;
/// The most one "add time" may add.
pub const MAX_TIMER_EXTENSION_MS: i64 = 60 * 60 * 1000;

/// A countdown everyone on the board sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

/// The most dots one person may have in a vote.
pub const MAX_DOTS_PER_PERSON: u8 = 20;

/// A dot-voting round over some of the board's cards. While it runs, who
/// put which dot where is known only to the server (and to each person for
/// their own dots): the board holds the settings, and the results once the
/// facilitator reveals them. Dots go through their own messages (`dot`,
/// answered with `dots`), not through ops, so that they are never
/// broadcast.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Vote {
    pub id: VoteId,
    /// The lanes whose cards may get dots (empty: every lane).
    #[serde(default)]
    pub lanes: Vec<LaneId>,
    /// The stages whose cards may get dots (empty: every stage).
    #[serde(default)]
    pub stages: Vec<StageId>,
    pub dots_per_person: u8,
    /// Whether one person may put several dots on one card.
    #[serde(default)]
    pub several_per_card: bool,
    /// Server time after which no dot is taken (absent: until revealed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<i64>,
    /// Results without who voted for what.
    #[serde(default)]
    pub anonymous: bool,
    pub started_at: i64,
    /// Present once revealed (no more dots then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<VoteResults>,
}

/// A revealed vote: dots per card, and for a named vote who put them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VoteResults {
    pub dots: BTreeMap<CardId, u32>,
    /// People who placed at least one dot.
    pub voters: u32,
    /// Named votes: the names of those who put dots on each card (a name
    /// once per dot). Empty for an anonymous vote.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub names: BTreeMap<CardId, Vec<String>>,
}

impl Vote {
    /// Whether `card` (in `stage` and `lane`) is one this vote is about.
    pub fn covers(&self, stage: StageId, lane: LaneId) -> bool {
        (self.lanes.is_empty() || self.lanes.contains(&lane))
            && (self.stages.is_empty() || self.stages.contains(&stage))
    }

    /// Whether dots are still taken at server time `now`.
    pub fn is_open(&self, now: i64) -> bool {
        self.results.is_none() && self.ends_at.is_none_or(|end| now <= end)
    }
}

impl VoteResults {
    /// Cards by dots, most first (ties: the board's id order).
    pub fn ranked(&self) -> Vec<(CardId, u32)> {
        let mut v: Vec<(CardId, u32)> = self.dots.iter().map(|(c, n)| (*c, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
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
