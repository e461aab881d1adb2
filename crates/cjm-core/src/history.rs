//! A map against an earlier version of itself: what changed between two
//! boards (`compare`), and the ops that bring a board back to a version
//! (`restore_ops`), so that a restore is an ordinary batch: live for
//! everyone, in the op log, and itself reversible.
//!
//! Only the map is compared and restored (title, stages, lanes, personas,
//! cards, emotions): comments, votes and the timer belong to the
//! conversation around the map, not to a version of it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::{CardId, LaneId, PersonaId, StageId};
use crate::model::{Board, Card, Curve, Lane, Persona, Stage};
use crate::ops::{CardPatch, LanePatch, Op, PersonaPatch, StagePatch};

/// What changed from one board (`from`) to another (`to`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Comparison {
    pub title: Option<(String, String)>,
    pub cards_added: Vec<CardId>,
    pub cards_removed: Vec<CardId>,
    /// Now in another stage or lane.
    pub cards_moved: Vec<CardId>,
    /// Text, colour, persona, channel, evidence or opportunity changed.
    pub cards_edited: Vec<CardId>,
    pub stages_added: Vec<StageId>,
    pub stages_removed: Vec<StageId>,
    /// Renamed, described or measured differently.
    pub stages_changed: Vec<StageId>,
    pub lanes_added: Vec<LaneId>,
    pub lanes_removed: Vec<LaneId>,
    pub lanes_changed: Vec<LaneId>,
    pub personas_added: Vec<PersonaId>,
    pub personas_removed: Vec<PersonaId>,
    pub personas_changed: Vec<PersonaId>,
    pub emotions: Vec<EmotionChange>,
    pub metrics: Vec<MetricChange>,
}

/// A score that changed (`None`: not set on that side).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmotionChange {
    pub persona_id: PersonaId,
    pub stage_id: StageId,
    pub curve: Curve,
    pub from: Option<i8>,
    pub to: Option<i8>,
}

/// A stage metric whose value or target changed, by the metric's name
/// (`None`: the metric is not on that side).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MetricChange {
    pub stage_id: StageId,
    pub name: String,
    pub from: Option<f64>,
    pub to: Option<f64>,
    pub target_from: Option<f64>,
    pub target_to: Option<f64>,
}

impl Comparison {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == Comparison::default()
    }
}

/// Whether two cards say the same, wherever they sit and whenever they
/// changed.
fn same_content(a: &Card, b: &Card) -> bool {
    a.text == b.text
        && a.color == b.color
        && a.persona_id == b.persona_id
        && a.channel == b.channel
        && a.evidence == b.evidence
        && a.opportunity == b.opportunity
}

/// Whether a stage reads the same (name, description, metrics), wherever
/// it sits.
fn same_stage(a: &Stage, b: &Stage) -> bool {
    (&a.name, &a.description, &a.metrics) == (&b.name, &b.description, &b.metrics)
}

/// Whether a lane reads the same (name, kind), wherever it sits.
fn same_lane(a: &Lane, b: &Lane) -> bool {
    (&a.name, a.kind) == (&b.name, b.kind)
}

/// Whether a persona is the same in everything but its place in the list.
fn same_persona(a: &Persona, b: &Persona) -> bool {
    let mut moved = a.clone();
    moved.order = b.order.clone();
    moved == *b
}

pub fn compare(from: &Board, to: &Board) -> Comparison {
    let mut out = Comparison::default();
    if from.title != to.title {
        out.title = Some((from.title.clone(), to.title.clone()));
    }
    for (id, c) in &to.cards {
        match from.cards.get(id) {
            None => out.cards_added.push(*id),
            Some(old) => {
                if (old.stage_id, old.lane_id) != (c.stage_id, c.lane_id) {
                    out.cards_moved.push(*id);
                }
                if !same_content(old, c) {
                    out.cards_edited.push(*id);
                }
            }
        }
    }
    out.cards_removed = from
        .cards
        .keys()
        .filter(|id| !to.cards.contains_key(id))
        .copied()
        .collect();
    for (id, s) in &to.stages {
        match from.stages.get(id) {
            None => out.stages_added.push(*id),
            Some(old) if !same_stage(old, s) => out.stages_changed.push(*id),
            Some(_) => {}
        }
    }
    out.stages_removed = from
        .stages
        .keys()
        .filter(|id| !to.stages.contains_key(id))
        .copied()
        .collect();
    for (id, l) in &to.lanes {
        match from.lanes.get(id) {
            None => out.lanes_added.push(*id),
            Some(old) if !same_lane(old, l) => out.lanes_changed.push(*id),
            Some(_) => {}
        }
    }
    out.lanes_removed = from
        .lanes
        .keys()
        .filter(|id| !to.lanes.contains_key(id))
        .copied()
        .collect();
    for (id, p) in &to.personas {
        match from.personas.get(id) {
            None => out.personas_added.push(*id),
            Some(old) if !same_persona(old, p) => out.personas_changed.push(*id),
            Some(_) => {}
        }
    }
    out.personas_removed = from
        .personas
        .keys()
        .filter(|id| !to.personas.contains_key(id))
        .copied()
        .collect();
    let scores = |b: &Board| -> BTreeMap<(PersonaId, StageId, Curve), i8> {
        b.emotions
            .iter()
            .map(|e| ((e.persona_id, e.stage_id, e.curve), e.score))
            .collect()
    };
    let (a, b) = (scores(from), scores(to));
    let keys: BTreeSet<_> = a.keys().chain(b.keys()).copied().collect();
    for k in keys {
        let (x, y) = (a.get(&k).copied(), b.get(&k).copied());
        if x != y {
            out.emotions.push(EmotionChange {
                persona_id: k.0,
                stage_id: k.1,
                curve: k.2,
                from: x,
                to: y,
            });
        }
    }
    for (id, s) in &to.stages {
        let Some(old) = from.stages.get(id) else {
            continue;
        };
        let names: BTreeSet<&str> = old
            .metrics
            .iter()
            .chain(&s.metrics)
            .map(|m| m.name.as_str())
            .collect();
        for name in names {
            let x = old.metrics.iter().find(|m| m.name == name);
            let y = s.metrics.iter().find(|m| m.name == name);
            let value = |m: Option<&crate::model::StageMetric>| m.map(|m| m.value.0);
            let target =
                |m: Option<&crate::model::StageMetric>| m.and_then(|m| m.target.map(|t| t.0));
            if value(x) != value(y) || target(x) != target(y) {
                out.metrics.push(MetricChange {
                    stage_id: *id,
                    name: name.to_string(),
                    from: value(x),
                    to: value(y),
                    target_from: target(x),
                    target_to: target(y),
                });
            }
        }
    }
    out
}

/// The ops that turn `current`'s map into `target`'s: entities of
/// `target` that are gone are created again with their ids, changed ones
/// are set back field by field and moved back, and the ones `target` does
/// not have are deleted. Applying them to `current` gives `target`'s map
/// (cards stamped with the batch's time).
pub fn restore_ops(current: &Board, target: &Board) -> Vec<Op> {
    let mut ops: Vec<Op> = Vec::new();
    if current.title != target.title {
        ops.push(Op::SetBoardTitle {
            title: target.title.clone(),
        });
    }
    // Cards that will not exist: deleted first (nothing refers to them).
    ops.extend(
        current
            .cards
            .keys()
            .filter(|id| !target.cards.contains_key(id))
            .map(|id| Op::DeleteCard { id: *id }),
    );
    // Structure: created, set back and put in order.
    for s in target.stages_in_order() {
        match current.stages.get(&s.id) {
            None => ops.push(Op::CreateStage(s.clone())),
            Some(old) => {
                if !same_stage(old, s) {
                    ops.push(Op::UpdateStage {
                        id: s.id,
                        patch: StagePatch {
                            name: Some(s.name.clone()),
                            description: Some(s.description.clone()),
                            metrics: Some(s.metrics.clone()),
                        },
                    });
                }
                if old.order != s.order {
                    ops.push(Op::MoveStage {
                        id: s.id,
                        order: s.order.clone(),
                    });
                }
            }
        }
    }
    for l in target.lanes_in_order() {
        match current.lanes.get(&l.id) {
            None => ops.push(Op::CreateLane(l.clone())),
            Some(old) => {
                if !same_lane(old, l) {
                    ops.push(Op::UpdateLane {
                        id: l.id,
                        patch: LanePatch {
                            name: Some(l.name.clone()),
                            kind: Some(l.kind),
                        },
                    });
                }
                if old.order != l.order {
                    ops.push(Op::MoveLane {
                        id: l.id,
                        order: l.order.clone(),
                    });
                }
            }
        }
    }
    for p in target.personas_in_order() {
        match current.personas.get(&p.id) {
            None => ops.push(Op::CreatePersona(p.clone())),
            Some(old) => {
                if !same_persona(old, p) {
                    ops.push(Op::UpdatePersona {
                        id: p.id,
                        patch: PersonaPatch {
                            name: Some(p.name.clone()),
                            color: Some(p.color),
                            avatar_url: Some(p.avatar_url.clone()),
                            age: Some(p.age),
                            role: Some(p.role.clone()),
                            quote: Some(p.quote.clone()),
                            goals: Some(p.goals.clone()),
                            needs: Some(p.needs.clone()),
                            pains: Some(p.pains.clone()),
                            fears: Some(p.fears.clone()),
                            expectations: Some(p.expectations.clone()),
                            about: Some(p.about.clone()),
                        },
                    });
                }
                if old.order != p.order {
                    ops.push(Op::MovePersona {
                        id: p.id,
                        order: p.order.clone(),
                    });
                }
            }
        }
    }
    // Cards: the plain ones first, then opportunities, which name pains
    // that must exist by then.
    let (plain, opportunities): (Vec<&Card>, Vec<&Card>) =
        target.cards.values().partition(|c| c.opportunity.is_none());
    for c in plain.into_iter().chain(opportunities) {
        match current.cards.get(&c.id) {
            None => ops.push(Op::CreateCard(c.clone())),
            Some(old) => {
                if (old.stage_id, old.lane_id, &old.order) != (c.stage_id, c.lane_id, &c.order) {
                    ops.push(Op::MoveCard {
                        id: c.id,
                        stage_id: c.stage_id,
                        lane_id: c.lane_id,
                        order: c.order.clone(),
                    });
                }
                if !same_content(old, c) {
                    ops.push(Op::UpdateCard {
                        id: c.id,
                        patch: CardPatch {
                            text: Some(c.text.clone()),
                            color: Some(c.color),
                            persona_id: Some(c.persona_id),
                            channel: Some(c.channel),
                            evidence: Some(c.evidence.clone()),
                            opportunity: Some(c.opportunity.clone()),
                        },
                    });
                }
            }
        }
    }
    // Emotion scores: set back or cleared where both ends stay.
    let wanted: BTreeMap<_, _> = target
        .emotions
        .iter()
        .map(|e| ((e.persona_id, e.stage_id, e.curve), e.score))
        .collect();
    for e in &current.emotions {
        let key = (e.persona_id, e.stage_id, e.curve);
        if !wanted.contains_key(&key)
            && target.personas.contains_key(&e.persona_id)
            && target.stages.contains_key(&e.stage_id)
        {
            ops.push(Op::SetEmotion {
                persona_id: e.persona_id,
                stage_id: e.stage_id,
                curve: e.curve,
                score: None,
            });
        }
    }
    for e in &target.emotions {
        let now = current
            .emotions
            .iter()
            .find(|c| (c.persona_id, c.stage_id, c.curve) == (e.persona_id, e.stage_id, e.curve))
            .map(|c| c.score);
        if now != Some(e.score) {
            ops.push(Op::SetEmotion {
                persona_id: e.persona_id,
                stage_id: e.stage_id,
                curve: e.curve,
                score: Some(e.score),
            });
        }
    }
    // Structure the version does not have, last: its cards are gone or
    // moved out by now.
    ops.extend(
        current
            .personas
            .keys()
            .filter(|id| !target.personas.contains_key(id))
            .map(|id| Op::DeletePersona { id: *id }),
    );
    ops.extend(
        current
            .lanes
            .keys()
            .filter(|id| !target.lanes.contains_key(id))
            .map(|id| Op::DeleteLane { id: *id }),
    );
    ops.extend(
        current
            .stages
            .keys()
            .filter(|id| !target.stages.contains_key(id))
            .map(|id| Op::DeleteStage { id: *id }),
    );
    ops
}
