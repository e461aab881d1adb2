//! `Board::apply`: validate and apply one batch, all or nothing.
//!
//! Ops are applied one by one while an undo log records what each replaced;
//! if any op fails, the log is replayed backwards and the board is exactly as
//! before. This keeps a batch O(size of the batch), not O(size of the board),
//! which matters because the server applies every batch of every client.
//!
//! The result is the set of entities the batch touched (`Change`): the store
//! writes the current value of each (or marks it deleted), so persistence
//! can never disagree with `apply`, cascades included.

use std::collections::BTreeSet;

use crate::error::{OpError, OpErrorKind};
use crate::ids::{CardId, LaneId, PersonaId, StageId};
use crate::limits::*;
use crate::model::{
    Board, Card, Curve, EmotionPoint, Evidence, Lane, Opportunity, Persona, Stage, StageMetric,
};
use crate::ops::{CardPatch, LanePatch, Op, PersonaPatch, StagePatch};
use crate::order::OrderKey;

/// Context of a batch that is the same on every replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplyCtx {
    /// Unix milliseconds, assigned by the server when it accepts the batch.
    pub at: i64,
}

/// An entity touched by a batch. After the batch, the entity's current value
/// in the board is what must be stored; absent means deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    Board,
    Stage(StageId),
    Lane(LaneId),
    Card(CardId),
    Persona(PersonaId),
    Emotion(PersonaId, StageId, Curve),
}

enum Undo {
    Title(String),
    Stage(StageId, Option<Stage>),
    Lane(LaneId, Option<Lane>),
    Card(CardId, Option<Card>),
    Persona(PersonaId, Option<Persona>),
    Emotion(PersonaId, StageId, Curve, Option<i8>),
}

type Res = Result<(), OpErrorKind>;

impl Board {
    /// Applies `ops` atomically. On error the board is unchanged.
    pub fn apply(&mut self, ops: &[Op], ctx: ApplyCtx) -> Result<BTreeSet<Change>, OpError> {
        if ops.is_empty() || ops.len() > MAX_OPS_PER_BATCH {
            return Err(OpError {
                index: 0,
                kind: OpErrorKind::BatchSize {
                    len: ops.len(),
                    max: MAX_OPS_PER_BATCH,
                },
            });
        }
        let mut tx = Tx {
            board: self,
            undo: Vec::new(),
            changes: BTreeSet::new(),
            at: ctx.at,
        };
        for (index, op) in ops.iter().enumerate() {
            if let Err(kind) = tx.op(op) {
                tx.rollback();
                return Err(OpError { index, kind });
            }
        }
        Ok(tx.changes)
    }
}

struct Tx<'a> {
    board: &'a mut Board,
    undo: Vec<Undo>,
    changes: BTreeSet<Change>,
    at: i64,
}

fn not_found(what: &'static str, id: impl ToString) -> OpErrorKind {
    OpErrorKind::NotFound {
        what,
        id: id.to_string(),
    }
}

fn exists(what: &'static str, id: impl ToString) -> OpErrorKind {
    OpErrorKind::AlreadyExists {
        what,
        id: id.to_string(),
    }
}

fn check_len(field: &'static str, s: &str, max: usize) -> Res {
    // Byte length bounds char count from above: skip counting short strings.
    if s.len() <= max {
        return Ok(());
    }
    let len = s.chars().count();
    if len > max {
        Err(OpErrorKind::TooLong { field, len, max })
    } else {
        Ok(())
    }
}

fn check_order(order: &OrderKey) -> Res {
    if order.is_valid() {
        Ok(())
    } else {
        Err(OpErrorKind::Invalid(format!(
            "\"{}\" is not a valid order key",
            order.as_str()
        )))
    }
}

fn check_limit(what: &'static str, len: usize, max: usize) -> Res {
    if len >= max {
        Err(OpErrorKind::LimitReached { what, max })
    } else {
        Ok(())
    }
}

/// Links must be web links: a `javascript:` or `data:` URL on a card would
/// run in every viewer's browser.
fn check_url(field: &'static str, url: &str) -> Res {
    check_len(field, url, 2_000)?;
    let lower = url.trim_start().to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let local = lower.starts_with('/') && !lower.starts_with("//");
    if web || local {
        Ok(())
    } else {
        Err(OpErrorKind::Invalid(format!(
            "{field} must be an http(s) link"
        )))
    }
}

fn check_stage(stage: &Stage) -> Res {
    check_len("stage name", &stage.name, MAX_NAME_CHARS)?;
    check_len("stage description", &stage.description, MAX_TEXT_CHARS)?;
    check_metrics(&stage.metrics)
}

/// Bounds every figure so that a header can always print it.
const MAX_METRIC_ABS: f64 = 1e12;

fn check_metrics(metrics: &[StageMetric]) -> Res {
    if metrics.len() > MAX_METRICS {
        return Err(OpErrorKind::LimitReached {
            what: "metrics per stage",
            max: MAX_METRICS,
        });
    }
    for m in metrics {
        check_len("metric name", &m.name, MAX_NAME_CHARS)?;
        if m.name.trim().is_empty() {
            return Err(OpErrorKind::Invalid("a metric needs a name".into()));
        }
        check_len("metric unit", &m.unit, 20)?;
        for n in std::iter::once(m.value).chain(m.target) {
            if !n.0.is_finite() || n.0.abs() > MAX_METRIC_ABS {
                return Err(OpErrorKind::Invalid(format!(
                    "metric values must be numbers between -{MAX_METRIC_ABS:e} and {MAX_METRIC_ABS:e}"
                )));
            }
        }
    }
    Ok(())
}

fn check_evidence(evidence: &[Evidence]) -> Res {
    if evidence.len() > MAX_EVIDENCE {
        return Err(OpErrorKind::LimitReached {
            what: "evidence items per card",
            max: MAX_EVIDENCE,
        });
    }
    for e in evidence {
        check_len("evidence quote", &e.quote, MAX_TEXT_CHARS)?;
        if let Some(link) = &e.link {
            check_url("evidence link", link)?;
        }
        if let Some(date) = &e.date {
            let ok = date.len() == 10
                && date.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !ok {
                return Err(OpErrorKind::Invalid(
                    "evidence date must be YYYY-MM-DD".into(),
                ));
            }
        }
    }
    Ok(())
}

fn check_opportunity(o: &Opportunity) -> Res {
    if !(1..=5).contains(&o.impact) || !(1..=5).contains(&o.effort) {
        return Err(OpErrorKind::Invalid(
            "impact and effort must be between 1 and 5".into(),
        ));
    }
    check_len("owner", &o.owner, MAX_NAME_CHARS)?;
    if o.addresses.len() > MAX_LINKS {
        return Err(OpErrorKind::LimitReached {
            what: "links per opportunity",
            max: MAX_LINKS,
        });
    }
    Ok(())
}

fn check_persona(p: &Persona) -> Res {
    check_len("persona name", &p.name, MAX_NAME_CHARS)?;
    check_len("role", &p.role, MAX_NAME_CHARS)?;
    if let Some(url) = &p.avatar_url {
        check_url("avatar", url)?;
    }
    for (field, text) in [
        ("quote", &p.quote),
        ("goals", &p.goals),
        ("needs", &p.needs),
        ("pains", &p.pains),
        ("fears", &p.fears),
        ("expectations", &p.expectations),
        ("about", &p.about),
    ] {
        check_len(field, text, MAX_TEXT_CHARS)?;
    }
    if matches!(p.age, Some(age) if age > 150) {
        return Err(OpErrorKind::Invalid("age must be between 0 and 150".into()));
    }
    Ok(())
}

impl Tx<'_> {
    fn rollback(&mut self) {
        while let Some(u) = self.undo.pop() {
            let b = &mut *self.board;
            match u {
                Undo::Title(t) => b.title = t,
                Undo::Stage(id, v) => {
                    put(&mut b.stages, id, v);
                }
                Undo::Lane(id, v) => {
                    put(&mut b.lanes, id, v);
                }
                Undo::Card(id, v) => {
                    put(&mut b.cards, id, v);
                }
                Undo::Persona(id, v) => {
                    put(&mut b.personas, id, v);
                }
                Undo::Emotion(p, s, c, v) => set_emotion(b, p, s, c, v),
            }
        }
    }

    fn put_stage(&mut self, id: StageId, v: Option<Stage>) {
        let old = put(&mut self.board.stages, id, v);
        self.undo.push(Undo::Stage(id, old));
        self.changes.insert(Change::Stage(id));
    }

    fn put_lane(&mut self, id: LaneId, v: Option<Lane>) {
        let old = put(&mut self.board.lanes, id, v);
        self.undo.push(Undo::Lane(id, old));
        self.changes.insert(Change::Lane(id));
    }

    fn put_card(&mut self, id: CardId, v: Option<Card>) {
        let old = put(&mut self.board.cards, id, v);
        self.undo.push(Undo::Card(id, old));
        self.changes.insert(Change::Card(id));
    }

    fn put_persona(&mut self, id: PersonaId, v: Option<Persona>) {
        let old = put(&mut self.board.personas, id, v);
        self.undo.push(Undo::Persona(id, old));
        self.changes.insert(Change::Persona(id));
    }

    fn put_emotion(&mut self, p: PersonaId, s: StageId, c: Curve, score: Option<i8>) {
        let old = self.board.emotion(p, s, c);
        set_emotion(self.board, p, s, c, score);
        self.undo.push(Undo::Emotion(p, s, c, old));
        self.changes.insert(Change::Emotion(p, s, c));
    }

    fn stage(&self, id: StageId) -> Result<&Stage, OpErrorKind> {
        self.board
            .stages
            .get(&id)
            .ok_or_else(|| not_found("stage", id))
    }

    fn lane(&self, id: LaneId) -> Result<&Lane, OpErrorKind> {
        self.board
            .lanes
            .get(&id)
            .ok_or_else(|| not_found("lane", id))
    }

    fn card(&self, id: CardId) -> Result<&Card, OpErrorKind> {
        self.board
            .cards
            .get(&id)
            .ok_or_else(|| not_found("card", id))
    }

    fn persona(&self, id: PersonaId) -> Result<&Persona, OpErrorKind> {
        self.board
            .personas
            .get(&id)
            .ok_or_else(|| not_found("persona", id))
    }

    fn check_card_refs(&self, stage: StageId, lane: LaneId, persona: Option<PersonaId>) -> Res {
        self.stage(stage)?;
        self.lane(lane)?;
        if let Some(p) = persona {
            self.persona(p)?;
        }
        Ok(())
    }

    fn op(&mut self, op: &Op) -> Res {
        match op {
            Op::SetBoardTitle { title } => {
                check_len("title", title, MAX_NAME_CHARS)?;
                if title.trim().is_empty() {
                    return Err(OpErrorKind::Invalid(
                        "the board title must not be empty".into(),
                    ));
                }
                let old = std::mem::replace(&mut self.board.title, title.clone());
                self.undo.push(Undo::Title(old));
                self.changes.insert(Change::Board);
            }

            Op::CreateStage(stage) => {
                if self.board.stages.contains_key(&stage.id) {
                    return Err(exists("stage", stage.id));
                }
                check_limit("stages", self.board.stages.len(), MAX_STAGES)?;
                check_stage(stage)?;
                check_order(&stage.order)?;
                self.put_stage(stage.id, Some(stage.clone()));
            }
            Op::UpdateStage { id, patch } => {
                let mut stage = self.stage(*id)?.clone();
                let StagePatch {
                    name,
                    description,
                    metrics,
                } = patch;
                if let Some(v) = name {
                    stage.name = v.clone();
                }
                if let Some(v) = description {
                    stage.description = v.clone();
                }
                if let Some(v) = metrics {
                    stage.metrics = v.clone();
                }
                check_stage(&stage)?;
                self.put_stage(*id, Some(stage));
            }
            Op::MoveStage { id, order } => {
                check_order(order)?;
                let mut stage = self.stage(*id)?.clone();
                stage.order = order.clone();
                self.put_stage(*id, Some(stage));
            }
            Op::DeleteStage { id } => {
                self.stage(*id)?;
                let cards: Vec<CardId> = self
                    .board
                    .cards
                    .values()
                    .filter(|c| c.stage_id == *id)
                    .map(|c| c.id)
                    .collect();
                for c in cards {
                    self.put_card(c, None);
                }
                let points: Vec<(PersonaId, Curve)> = self
                    .board
                    .emotions
                    .iter()
                    .filter(|e| e.stage_id == *id)
                    .map(|e| (e.persona_id, e.curve))
                    .collect();
                for (p, c) in points {
                    self.put_emotion(p, *id, c, None);
                }
                self.put_stage(*id, None);
            }

            Op::CreateLane(lane) => {
                if self.board.lanes.contains_key(&lane.id) {
                    return Err(exists("lane", lane.id));
                }
                check_limit("lanes", self.board.lanes.len(), MAX_LANES)?;
                check_len("lane name", &lane.name, MAX_NAME_CHARS)?;
                check_order(&lane.order)?;
                self.put_lane(lane.id, Some(lane.clone()));
            }
            Op::UpdateLane { id, patch } => {
                let mut lane = self.lane(*id)?.clone();
                let LanePatch { name, kind } = patch;
                if let Some(v) = name {
                    check_len("lane name", v, MAX_NAME_CHARS)?;
                    lane.name = v.clone();
                }
                if let Some(v) = kind {
                    lane.kind = *v;
                }
                self.put_lane(*id, Some(lane));
            }
            Op::MoveLane { id, order } => {
                check_order(order)?;
                let mut lane = self.lane(*id)?.clone();
                lane.order = order.clone();
                self.put_lane(*id, Some(lane));
            }
            Op::DeleteLane { id } => {
                self.lane(*id)?;
                let cards: Vec<CardId> = self
                    .board
                    .cards
                    .values()
                    .filter(|c| c.lane_id == *id)
                    .map(|c| c.id)
                    .collect();
                for c in cards {
                    self.put_card(c, None);
                }
                self.put_lane(*id, None);
            }

            Op::CreateCard(card) => {
                if self.board.cards.contains_key(&card.id) {
                    return Err(exists("card", card.id));
                }
                check_limit("cards", self.board.cards.len(), MAX_CARDS)?;
                self.check_card_refs(card.stage_id, card.lane_id, card.persona_id)?;
                check_order(&card.order)?;
                check_card(card)?;
                let mut card = card.clone();
                card.updated_at = self.at;
                self.put_card(card.id, Some(card));
            }
            Op::UpdateCard { id, patch } => {
                let mut card = self.card(*id)?.clone();
                let CardPatch {
                    text,
                    color,
                    persona_id,
                    channel,
                    evidence,
                    opportunity,
                } = patch;
                if let Some(v) = text {
                    card.text = v.clone();
                }
                if let Some(v) = color {
                    card.color = *v;
                }
                if let Some(v) = persona_id {
                    if let Some(p) = v {
                        self.persona(*p)?;
                    }
                    card.persona_id = *v;
                }
                if let Some(v) = channel {
                    card.channel = *v;
                }
                if let Some(v) = evidence {
                    card.evidence = v.clone();
                }
                if let Some(v) = opportunity {
                    card.opportunity = v.clone();
                }
                check_card(&card)?;
                card.updated_at = self.at;
                self.put_card(*id, Some(card));
            }
            Op::MoveCard {
                id,
                stage_id,
                lane_id,
                order,
            } => {
                let mut card = self.card(*id)?.clone();
                self.check_card_refs(*stage_id, *lane_id, None)?;
                check_order(order)?;
                card.stage_id = *stage_id;
                card.lane_id = *lane_id;
                card.order = order.clone();
                card.updated_at = self.at;
                self.put_card(*id, Some(card));
            }
            Op::DeleteCard { id } => {
                self.card(*id)?;
                self.put_card(*id, None);
            }

            Op::CreatePersona(persona) => {
                if self.board.personas.contains_key(&persona.id) {
                    return Err(exists("persona", persona.id));
                }
                check_limit("personas", self.board.personas.len(), MAX_PERSONAS)?;
                check_order(&persona.order)?;
                check_persona(persona)?;
                self.put_persona(persona.id, Some(persona.clone()));
            }
            Op::UpdatePersona { id, patch } => {
                let mut p = self.persona(*id)?.clone();
                apply_persona_patch(&mut p, patch);
                check_persona(&p)?;
                self.put_persona(*id, Some(p));
            }
            Op::MovePersona { id, order } => {
                check_order(order)?;
                let mut p = self.persona(*id)?.clone();
                p.order = order.clone();
                self.put_persona(*id, Some(p));
            }
            Op::DeletePersona { id } => {
                self.persona(*id)?;
                let tagged: Vec<Card> = self
                    .board
                    .cards
                    .values()
                    .filter(|c| c.persona_id == Some(*id))
                    .cloned()
                    .collect();
                for mut c in tagged {
                    c.persona_id = None;
                    c.updated_at = self.at;
                    self.put_card(c.id, Some(c));
                }
                let points: Vec<(StageId, Curve)> = self
                    .board
                    .emotions
                    .iter()
                    .filter(|e| e.persona_id == *id)
                    .map(|e| (e.stage_id, e.curve))
                    .collect();
                for (s, c) in points {
                    self.put_emotion(*id, s, c, None);
                }
                self.put_persona(*id, None);
            }

            Op::SetEmotion {
                persona_id,
                stage_id,
                curve,
                score,
            } => {
                self.persona(*persona_id)?;
                self.stage(*stage_id)?;
                if score.is_some_and(|s| !(EMOTION_MIN..=EMOTION_MAX).contains(&s)) {
                    return Err(OpErrorKind::Invalid(format!(
                        "emotion score must be between {EMOTION_MIN} and {EMOTION_MAX}"
                    )));
                }
                self.put_emotion(*persona_id, *stage_id, *curve, *score);
            }
        }
        Ok(())
    }
}

fn check_card(card: &Card) -> Res {
    check_len("card text", &card.text, MAX_TEXT_CHARS)?;
    check_evidence(&card.evidence)?;
    if let Some(o) = &card.opportunity {
        check_opportunity(o)?;
    }
    Ok(())
}

fn apply_persona_patch(p: &mut Persona, patch: &PersonaPatch) {
    let PersonaPatch {
        name,
        color,
        avatar_url,
        age,
        role,
        quote,
        goals,
        needs,
        pains,
        fears,
        expectations,
        about,
    } = patch;
    if let Some(v) = color {
        p.color = *v;
    }
    if let Some(v) = avatar_url {
        p.avatar_url = v.clone();
    }
    if let Some(v) = age {
        p.age = *v;
    }
    for (field, value) in [
        (&mut p.name, name),
        (&mut p.role, role),
        (&mut p.quote, quote),
        (&mut p.goals, goals),
        (&mut p.needs, needs),
        (&mut p.pains, pains),
        (&mut p.fears, fears),
        (&mut p.expectations, expectations),
        (&mut p.about, about),
    ] {
        if let Some(v) = value {
            *field = v.clone();
        }
    }
}

fn put<K: Ord, V>(map: &mut std::collections::BTreeMap<K, V>, k: K, v: Option<V>) -> Option<V> {
    match v {
        Some(v) => map.insert(k, v),
        None => map.remove(&k),
    }
}

fn set_emotion(board: &mut Board, p: PersonaId, s: StageId, c: Curve, score: Option<i8>) {
    match (board.emotion_index(p, s, c), score) {
        (Ok(i), Some(score)) => board.emotions[i].score = score,
        (Ok(i), None) => {
            board.emotions.remove(i);
        }
        (Err(i), Some(score)) => board.emotions.insert(
            i,
            EmotionPoint {
                persona_id: p,
                stage_id: s,
                curve: c,
                score,
            },
        ),
        (Err(_), None) => {}
    }
}
