//! Map health: the method's warning signs, computed from a board.
//!
//! The same function feeds the health panel in the browser and
//! `GET /api/boards/{id}/health`, so a script and a person see the same
//! figures. It is a pure read of the board plus "now", O(cards + points).
//!
//! Definitions (also in docs/api.md):
//! - *Evidence coverage* counts the cards that state something about the
//!   customer: every card except those in ideas and opportunities lanes,
//!   which are proposals, not findings. A counted card without evidence is a
//!   hypothesis.
//! - A *dip* is a point of a persona's as-is emotion curve that is negative
//!   or strictly lower than both its neighbours (stages without a score are
//!   skipped when looking for neighbours).
//! - A *pain* is a card in a pains lane; it is *unaddressed* when no
//!   opportunity links to it.
//! - An *opportunity* is a card in an opportunities lane or any card with
//!   opportunity fields; it is *unowned* when its owner is empty.
//! - A *stale cell* is a cell with cards none of which changed in the last
//!   `stale_days` days.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::{CardId, LaneId, PersonaId, StageId};
use crate::model::{Board, Card, Curve, LaneKind};

pub const DEFAULT_STALE_DAYS: u32 = 90;
const DAY_MS: i64 = 86_400_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Health {
    pub stale_days: u32,
    /// The whole map.
    pub map: Figures,
    /// One entry per stage, left to right.
    pub stages: Vec<StageHealth>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StageHealth {
    pub stage_id: StageId,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Figures {
    /// Cards that should be backed by evidence (see the module docs).
    pub cards: usize,
    pub cards_with_evidence: usize,
    /// Percent of `cards` with evidence, 0–100; `null` when there are none.
    pub evidence_coverage: Option<f64>,
    pub dips: Vec<Dip>,
    pub pains_without_opportunity: Vec<CardId>,
    pub opportunities_without_owner: Vec<CardId>,
    pub stale_cells: Vec<StaleCell>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Dip {
    pub persona_id: PersonaId,
    pub stage_id: StageId,
    pub score: i8,
    pub reason: DipReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DipReason {
    /// The score is below zero.
    Negative,
    /// Not negative, but lower than the stages on both sides.
    LocalMinimum,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StaleCell {
    pub stage_id: StageId,
    pub lane_id: LaneId,
    /// Unix milliseconds of the newest change of a card in the cell.
    pub last_change: i64,
    /// Whole days since then.
    pub days: i64,
}

/// Whether a card states a finding that evidence should back.
pub fn needs_evidence(kind: LaneKind) -> bool {
    !matches!(kind, LaneKind::Ideas | LaneKind::Opportunities)
}

/// Whether the card should be drawn as a hypothesis.
pub fn is_hypothesis(card: &Card, kind: LaneKind) -> bool {
    needs_evidence(kind) && card.evidence.is_empty()
}

/// The dips of every persona's as-is curve, persona by persona in panel
/// order, stages left to right.
pub fn dips(board: &Board) -> Vec<Dip> {
    let mut out = Vec::new();
    for persona in board.personas_in_order() {
        let points = board.curve(persona.id, Curve::AsIs);
        for (i, &(stage_id, score)) in points.iter().enumerate() {
            let reason = if score < 0 {
                DipReason::Negative
            } else if i > 0
                && i + 1 < points.len()
                && score < points[i - 1].1
                && score < points[i + 1].1
            {
                DipReason::LocalMinimum
            } else {
                continue;
            };
            out.push(Dip {
                persona_id: persona.id,
                stage_id,
                score,
                reason,
            });
        }
    }
    out
}

pub fn health(board: &Board, now: i64, stale_days: u32) -> Health {
    let kind_of = |lane: LaneId| board.lanes.get(&lane).map(|l| l.kind);
    let addressed: BTreeSet<CardId> = board
        .cards
        .values()
        .filter_map(|c| c.opportunity.as_ref())
        .flat_map(|o| o.addresses.iter().copied())
        .collect();
    let stale_before = now.saturating_sub(i64::from(stale_days).saturating_mul(DAY_MS));

    let mut per_stage: BTreeMap<StageId, Figures> = board
        .stages
        .keys()
        .map(|id| (*id, Figures::default()))
        .collect();
    let mut newest: BTreeMap<(StageId, LaneId), i64> = BTreeMap::new();
    let mut map = Figures::default();

    for card in board.cards.values() {
        let Some(kind) = kind_of(card.lane_id) else {
            continue;
        };
        let Some(stage) = per_stage.get_mut(&card.stage_id) else {
            continue;
        };
        for f in [&mut map, stage] {
            if needs_evidence(kind) {
                f.cards += 1;
                if !card.evidence.is_empty() {
                    f.cards_with_evidence += 1;
                }
            }
            if kind == LaneKind::Pains && !addressed.contains(&card.id) {
                f.pains_without_opportunity.push(card.id);
            }
            let is_opportunity = kind == LaneKind::Opportunities || card.opportunity.is_some();
            let owned = card
                .opportunity
                .as_ref()
                .is_some_and(|o| !o.owner.trim().is_empty());
            if is_opportunity && !owned {
                f.opportunities_without_owner.push(card.id);
            }
        }
        let t = newest
            .entry((card.stage_id, card.lane_id))
            .or_insert(i64::MIN);
        *t = (*t).max(card.updated_at);
    }

    for ((stage_id, lane_id), last_change) in newest {
        if last_change < stale_before {
            let cell = StaleCell {
                stage_id,
                lane_id,
                last_change,
                days: (now - last_change.max(0)) / DAY_MS,
            };
            if let Some(f) = per_stage.get_mut(&stage_id) {
                f.stale_cells.push(cell.clone());
            }
            map.stale_cells.push(cell);
        }
    }

    for dip in dips(board) {
        if let Some(f) = per_stage.get_mut(&dip.stage_id) {
            f.dips.push(dip.clone());
        }
        map.dips.push(dip);
    }

    let finish = |mut f: Figures| {
        f.evidence_coverage = (f.cards > 0)
            .then(|| (f.cards_with_evidence as f64 * 1000.0 / f.cards as f64).round() / 10.0);
        f
    };
    let stages = board
        .stages_in_order()
        .into_iter()
        .map(|s| StageHealth {
            stage_id: s.id,
            name: s.name.clone(),
            figures: finish(per_stage.remove(&s.id).unwrap_or_default()),
        })
        .collect();
    Health {
        stale_days,
        map: finish(map),
        stages,
    }
}
