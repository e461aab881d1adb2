//! Undo and redo of one person's own changes on a shared board.
//!
//! An `UndoEntry` remembers, for every entity a batch touched, its value
//! before and after. Undoing builds ops that put back only the *fields* that
//! batch changed and that still hold what it set, against the board as it
//! is now: a collaborator's later edit (of another field, or of the same
//! field after us) survives, an entity someone else deleted meanwhile is
//! left alone, and a deleted stage comes back with its cards. Ops that could no longer apply are dropped one by one, so an undo
//! never fails as a whole. Redo is the undo of the undo.

use std::collections::BTreeSet;

use crate::apply::{ApplyCtx, Change};
use crate::ids::{CardId, LaneId, PersonaId, StageId};
use crate::model::{Board, Card, Curve, Lane, Persona, Stage};
use crate::ops::{CardPatch, LanePatch, Op, PersonaPatch, StagePatch};

#[derive(Clone, Debug, PartialEq)]
enum Value {
    Title(String),
    Stage(StageId, Option<Stage>),
    Lane(LaneId, Option<Lane>),
    Card(CardId, Option<Card>),
    Persona(PersonaId, Option<Persona>),
    Emotion(PersonaId, StageId, Curve, Option<i8>),
}

/// The map's entities; comments and reactions are not undone (they are
/// a conversation, and a comment's author is whoever sent the batch), nor
/// are the workshop's timer and votes.
fn value_of(board: &Board, change: &Change) -> Option<Value> {
    Some(match *change {
        Change::Board => Value::Title(board.title.clone()),
        Change::Stage(id) => Value::Stage(id, board.stages.get(&id).cloned()),
        Change::Lane(id) => Value::Lane(id, board.lanes.get(&id).cloned()),
        Change::Card(id) => Value::Card(id, board.cards.get(&id).cloned()),
        Change::Persona(id) => Value::Persona(id, board.personas.get(&id).cloned()),
        Change::Emotion(p, s, c) => Value::Emotion(p, s, c, board.emotion(p, s, c)),
        Change::Comment(_)
        | Change::CardReactions(_)
        | Change::Timer
        | Change::Vote
        | Change::CardVotes => return None,
    })
}

/// What one batch changed, enough to take it back.
#[derive(Clone, Debug, PartialEq)]
pub struct UndoEntry {
    /// (value before, value after), entity by entity.
    values: Vec<(Value, Value)>,
}

impl UndoEntry {
    /// Records the entities `changes` lists as they were in `before` and are
    /// in `after` (the board right after the batch).
    pub fn capture(before: &Board, after: &Board, changes: &BTreeSet<Change>) -> Self {
        Self {
            values: changes
                .iter()
                .filter_map(|c| Some((value_of(before, c)?, value_of(after, c)?)))
                .collect(),
        }
    }

    /// Whether there is nothing to undo (a batch of comments only).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The entry that redoes what this one undoes.
    pub fn inverted(&self) -> Self {
        Self {
            values: self
                .values
                .iter()
                .map(|(b, a)| (a.clone(), b.clone()))
                .collect(),
        }
    }

    /// Ops that take the entities back to their "before" values, field by
    /// field, applied to `current`. Empty when nothing is left to undo.
    pub fn undo_ops(&self, current: &Board) -> Vec<Op> {
        // Parents before children when restoring, children before parents
        // when removing.
        let mut creates = Vec::new();
        let mut cards = Vec::new();
        let mut removals = Vec::new();
        for (before, after) in &self.values {
            match (before, after) {
                (Value::Title(b), Value::Title(a)) if b != a && current.title == *a => {
                    creates.push(Op::SetBoardTitle { title: b.clone() });
                }
                (Value::Stage(id, b), Value::Stage(_, a)) => restore(
                    *id,
                    b,
                    a,
                    current.stages.get(id),
                    &mut creates,
                    &mut removals,
                ),
                (Value::Lane(id, b), Value::Lane(_, a)) => restore(
                    *id,
                    b,
                    a,
                    current.lanes.get(id),
                    &mut creates,
                    &mut removals,
                ),
                (Value::Persona(id, b), Value::Persona(_, a)) => restore(
                    *id,
                    b,
                    a,
                    current.personas.get(id),
                    &mut creates,
                    &mut removals,
                ),
                (Value::Card(id, b), Value::Card(_, a)) => {
                    let mut card_removals = Vec::new();
                    restore(
                        *id,
                        b,
                        a,
                        current.cards.get(id),
                        &mut cards,
                        &mut card_removals,
                    );
                    // Cards go before their stage or lane is removed.
                    removals.splice(0..0, card_removals);
                }
                (Value::Emotion(p, s, c, b), Value::Emotion(_, _, _, a))
                    if b != a && current.emotion(*p, *s, *c) == *a =>
                {
                    cards.push(Op::SetEmotion {
                        persona_id: *p,
                        stage_id: *s,
                        curve: *c,
                        score: *b,
                    });
                }
                _ => {}
            }
        }
        let candidates = creates.into_iter().chain(cards).chain(removals);
        // Keep what still applies, in order, on a scratch copy. An op that
        // does not apply yet may need a later one (an opportunity restored
        // before the pain card it addresses): it has a second chance after
        // the others, and a last one without its links to cards that are
        // gone for good.
        let mut scratch = current.clone();
        let ctx = ApplyCtx::at(0);
        let mut kept = Vec::new();
        let mut later = Vec::new();
        for op in candidates {
            if scratch.apply(std::slice::from_ref(&op), ctx).is_ok() {
                kept.push(op);
            } else {
                later.push(op);
            }
        }
        for op in later {
            let op = if scratch.apply(std::slice::from_ref(&op), ctx).is_ok() {
                op
            } else {
                match without_dead_links(op, &scratch) {
                    Some(op) if scratch.apply(std::slice::from_ref(&op), ctx).is_ok() => op,
                    _ => continue,
                }
            };
            kept.push(op);
        }
        kept
    }
}

/// `op` without the opportunity links it adds to cards `board` does not
/// hold (`apply` refuses those); `None` if it adds none.
fn without_dead_links(mut op: Op, board: &Board) -> Option<Op> {
    let (o, card) = match &mut op {
        Op::CreateCard(c) => (c.opportunity.as_mut()?, None),
        Op::UpdateCard { id, patch } => {
            (patch.opportunity.as_mut()?.as_mut()?, board.cards.get(id))
        }
        _ => return None,
    };
    let had = card
        .and_then(|c| c.opportunity.as_ref())
        .map(|o| o.addresses.clone())
        .unwrap_or_default();
    let before = o.addresses.len();
    o.addresses
        .retain(|a| board.cards.contains_key(a) || had.contains(a));
    (o.addresses.len() < before).then_some(op)
}

/// An entity kind that undo can restore field by field.
trait Restorable: Clone + PartialEq {
    type Id: Copy;
    fn create(v: &Self) -> Op;
    fn delete(id: Self::Id) -> Op;
    /// Ops that set back the fields where `before` differs from `after`
    /// and `current` still holds `after`'s value.
    fn revert(id: Self::Id, before: &Self, after: &Self, current: &Self) -> Vec<Op>;
}

fn restore<E: Restorable>(
    id: E::Id,
    before: &Option<E>,
    after: &Option<E>,
    current: Option<&E>,
    restores: &mut Vec<Op>,
    removals: &mut Vec<Op>,
) {
    match (before, after, current) {
        // It was created: remove it if it is still there.
        (None, Some(_), Some(_)) => removals.push(E::delete(id)),
        // It was deleted: bring it back unless someone already did.
        (Some(b), None, None) => restores.push(E::create(b)),
        // It was changed: put back the changed fields.
        (Some(b), Some(a), Some(cur)) if b != a => restores.extend(E::revert(id, b, a, cur)),
        _ => {}
    }
}

/// `Some(before)` where the batch changed the field and nobody changed it
/// since.
fn diff<T: Clone + PartialEq>(before: &T, after: &T, current: &T) -> Option<T> {
    (before != after && current == after).then(|| before.clone())
}

impl Restorable for Stage {
    type Id = StageId;
    fn create(v: &Self) -> Op {
        Op::CreateStage(v.clone())
    }
    fn delete(id: StageId) -> Op {
        Op::DeleteStage { id }
    }
    fn revert(id: StageId, b: &Self, a: &Self, c: &Self) -> Vec<Op> {
        let patch = StagePatch {
            name: diff(&b.name, &a.name, &c.name),
            description: diff(&b.description, &a.description, &c.description),
            metrics: diff(&b.metrics, &a.metrics, &c.metrics),
        };
        let mut ops = Vec::new();
        if patch != StagePatch::default() {
            ops.push(Op::UpdateStage { id, patch });
        }
        if b.order != a.order && c.order == a.order {
            ops.push(Op::MoveStage {
                id,
                order: b.order.clone(),
            });
        }
        ops
    }
}

impl Restorable for Lane {
    type Id = LaneId;
    fn create(v: &Self) -> Op {
        Op::CreateLane(v.clone())
    }
    fn delete(id: LaneId) -> Op {
        Op::DeleteLane { id }
    }
    fn revert(id: LaneId, b: &Self, a: &Self, c: &Self) -> Vec<Op> {
        let patch = LanePatch {
            name: diff(&b.name, &a.name, &c.name),
            kind: diff(&b.kind, &a.kind, &c.kind),
        };
        let mut ops = Vec::new();
        if patch != LanePatch::default() {
            ops.push(Op::UpdateLane { id, patch });
        }
        if b.order != a.order && c.order == a.order {
            ops.push(Op::MoveLane {
                id,
                order: b.order.clone(),
            });
        }
        ops
    }
}

impl Restorable for Persona {
    type Id = PersonaId;
    fn create(v: &Self) -> Op {
        Op::CreatePersona(v.clone())
    }
    fn delete(id: PersonaId) -> Op {
        Op::DeletePersona { id }
    }
    fn revert(id: PersonaId, b: &Self, a: &Self, c: &Self) -> Vec<Op> {
        let patch = PersonaPatch {
            name: diff(&b.name, &a.name, &c.name),
            color: diff(&b.color, &a.color, &c.color),
            avatar_url: diff(&b.avatar_url, &a.avatar_url, &c.avatar_url),
            age: diff(&b.age, &a.age, &c.age),
            role: diff(&b.role, &a.role, &c.role),
            quote: diff(&b.quote, &a.quote, &c.quote),
            goals: diff(&b.goals, &a.goals, &c.goals),
            needs: diff(&b.needs, &a.needs, &c.needs),
            pains: diff(&b.pains, &a.pains, &c.pains),
            fears: diff(&b.fears, &a.fears, &c.fears),
            expectations: diff(&b.expectations, &a.expectations, &c.expectations),
            about: diff(&b.about, &a.about, &c.about),
        };
        let mut ops = Vec::new();
        if patch != PersonaPatch::default() {
            ops.push(Op::UpdatePersona { id, patch });
        }
        if b.order != a.order && c.order == a.order {
            ops.push(Op::MovePersona {
                id,
                order: b.order.clone(),
            });
        }
        ops
    }
}

impl Restorable for Card {
    type Id = CardId;
    fn create(v: &Self) -> Op {
        Op::CreateCard(v.clone())
    }
    fn delete(id: CardId) -> Op {
        Op::DeleteCard { id }
    }
    fn revert(id: CardId, b: &Self, a: &Self, c: &Self) -> Vec<Op> {
        let patch = CardPatch {
            text: diff(&b.text, &a.text, &c.text),
            color: diff(&b.color, &a.color, &c.color),
            persona_id: diff(&b.persona_id, &a.persona_id, &c.persona_id),
            channel: diff(&b.channel, &a.channel, &c.channel),
            evidence: diff(&b.evidence, &a.evidence, &c.evidence),
            opportunity: diff(&b.opportunity, &a.opportunity, &c.opportunity),
        };
        let mut ops = Vec::new();
        if patch != CardPatch::default() {
            ops.push(Op::UpdateCard { id, patch });
        }
        let place = |x: &Card| (x.stage_id, x.lane_id, x.order.clone());
        if place(b) != place(a) && place(c) == place(a) {
            ops.push(Op::MoveCard {
                id,
                stage_id: b.stage_id,
                lane_id: b.lane_id,
                order: b.order.clone(),
            });
        }
        ops
    }
}
