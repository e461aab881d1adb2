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
//!
//! Validation: every text an op sets passes `text::check_text` (no control
//! characters but `\n` and `\t`, a length in characters and in bytes);
//! a field the op leaves as it was is not checked again, so content stored
//! before a rule existed never blocks an unrelated edit. Every list has a
//! count limit, every entity a byte limit (`MAX_ENTITY_BYTES`) and the board
//! a byte budget (`MAX_BOARD_BYTES`), kept as a running total so that the
//! check costs O(batch): a batch that would leave the board larger than the
//! budget, and larger than it was, is refused.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::comments::toggle;
use crate::comments::{Comment, CommentTarget, NewComment, REACTIONS, ReactionTarget, Reactions};
use crate::error::{OpError, OpErrorKind};
use crate::ids::{CardId, CommentId, LaneId, PersonaId, StageId, VoteId};
use crate::limits::*;
use crate::model::{
    Board, Card, Curve, EmotionPoint, Evidence, Lane, Opportunity, Persona, Stage, StageMetric,
};
use crate::ops::{CardPatch, LanePatch, Op, PersonaPatch, StagePatch};
use crate::order::OrderKey;
use crate::size::{EMOTION_BYTES, reactions_bytes};
use crate::text::check_text;
use crate::workshop::{MAX_DOTS_PER_PERSON, MAX_TIMER_EXTENSION_MS, MAX_TIMER_MS, Timer, Vote};

/// Context of a batch that is the same on every replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApplyCtx {
    /// Unix milliseconds, assigned by the server when it accepts the batch.
    pub at: i64,
    /// Who sent the batch (the `actor` of `applied`): a comment's author,
    /// the one who reacts, and whom "only the author" checks compare with.
    /// `None` only where a trusted source is replayed (templates, tests):
    /// comments then have the nil author and nothing is checked.
    pub actor: Option<Uuid>,
}

impl ApplyCtx {
    /// A trusted replay at time `at` (no actor, see `actor`).
    pub const fn at(at: i64) -> Self {
        Self { at, actor: None }
    }

    /// A batch of `actor` (an account's or guest's id; anything else is
    /// the nil actor, which owns nothing).
    pub fn by(at: i64, actor: &str) -> Self {
        Self {
            at,
            actor: Some(Uuid::parse_str(actor).unwrap_or_default()),
        }
    }
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
    Comment(CommentId),
    CardReactions(CardId),
    Timer,
    Vote,
    CardVotes,
}

enum Undo {
    Title(String),
    Stage(StageId, Option<Stage>),
    Lane(LaneId, Option<Lane>),
    Card(CardId, Option<Card>),
    Persona(PersonaId, Option<Persona>),
    Emotion(PersonaId, StageId, Curve, Option<i8>),
    Comment(CommentId, Option<Comment>),
    CardReactions(CardId, Option<Reactions>),
    Timer(Option<Timer>),
    Quiet(bool),
    Vote(Option<Box<Vote>>),
    CardVotes(BTreeMap<CardId, u32>),
}

type Res = Result<(), OpErrorKind>;

impl Board {
    /// Applies `ops` atomically. On error the board is unchanged (its cached
    /// size included).
    ///
    /// The number of ops is not bounded here: a batch the server made (an
    /// import) may be longer than a client may send, and every replica must
    /// apply it. What a client sends is bounded by `check_batch_size`.
    pub fn apply(&mut self, ops: &[Op], ctx: ApplyCtx) -> Result<BTreeSet<Change>, OpError> {
        if ops.is_empty() {
            return Err(batch_size_error(0));
        }
        let start = self.bytes.0.unwrap_or_else(|| self.count_bytes());
        let mut tx = Tx {
            board: self,
            undo: Vec::new(),
            changes: BTreeSet::new(),
            at: ctx.at,
            actor: ctx.actor,
            bytes: start,
        };
        for (index, op) in ops.iter().enumerate() {
            if let Err(kind) = tx.op(op).and_then(|()| tx.check_budget(start)) {
                tx.rollback();
                self.bytes.0 = Some(start);
                return Err(OpError { index, kind });
            }
        }
        let (changes, bytes) = (tx.changes, tx.bytes);
        self.bytes.0 = Some(bytes);
        Ok(changes)
    }
}

/// Refuses a batch a client may not send: empty, or more than
/// `MAX_OPS_PER_BATCH` ops. Checked where a client's own batch enters: the
/// browser before it applies it locally, the server when it arrives.
pub fn check_batch_size(ops: &[Op]) -> Result<(), OpError> {
    if ops.is_empty() || ops.len() > MAX_OPS_PER_BATCH {
        return Err(batch_size_error(ops.len()));
    }
    Ok(())
}

fn batch_size_error(len: usize) -> OpError {
    OpError {
        index: 0,
        kind: OpErrorKind::BatchSize {
            len,
            max: MAX_OPS_PER_BATCH,
        },
    }
}

struct Tx<'a> {
    board: &'a mut Board,
    undo: Vec<Undo>,
    changes: BTreeSet<Change>,
    at: i64,
    actor: Option<Uuid>,
    /// The board's `approx_bytes` as the batch goes.
    bytes: usize,
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

/// Checks a text the op sets (see `text::check_text`). `old` is what the
/// entity held before the op: an unchanged value is not checked again.
fn text(field: &'static str, new: &str, old: Option<&str>, max: usize) -> Res {
    if old == Some(new) {
        return Ok(());
    }
    check_text(field, new, max).map_err(Into::into)
}

/// Bounds an entity's `approx_bytes`; one that is already over the limit
/// (stored before it existed) may still shrink.
fn check_size(what: &'static str, bytes: usize, old: Option<usize>) -> Res {
    if bytes > MAX_ENTITY_BYTES && old.is_none_or(|old| bytes > old) {
        Err(OpErrorKind::TooLarge {
            what,
            bytes,
            max: MAX_ENTITY_BYTES,
        })
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

fn check_count(what: &'static str, len: usize, max: usize) -> Res {
    if len > max {
        Err(OpErrorKind::LimitReached { what, max })
    } else {
        Ok(())
    }
}

/// Links must be web links: a `javascript:` or `data:` URL on a card would
/// run in every viewer's browser.
fn check_url(field: &'static str, url: &str, old: Option<&str>) -> Res {
    if old == Some(url) {
        return Ok(());
    }
    text(field, url, None, MAX_URL_CHARS)?;
    // A link is one line: not even `\n` or `\t`, which browsers silently
    // drop from URLs (what a viewer reads would not be where it goes).
    if let Some(b) = url.bytes().find(|b| *b < 0x20) {
        return Err(crate::text::TextError::ControlChar {
            field,
            code: u32::from(b),
        }
        .into());
    }
    let lower = url.trim_start().to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let local = lower.starts_with('/') && !lower.starts_with("//");
    if web || local {
        Ok(())
    } else {
        Err(OpErrorKind::NotWebLink { field })
    }
}

fn check_stage(stage: &Stage, old: Option<&Stage>) -> Res {
    let Stage {
        id: _,
        name,
        description,
        order: _,
        metrics,
    } = stage;
    text(
        "stage name",
        name,
        old.map(|o| o.name.as_str()),
        MAX_NAME_CHARS,
    )?;
    text(
        "stage description",
        description,
        old.map(|o| o.description.as_str()),
        MAX_TEXT_CHARS,
    )?;
    check_metrics(metrics, old.map(|o| &o.metrics[..]))?;
    check_size("stage", stage.approx_bytes(), old.map(Stage::approx_bytes))
}

/// Bounds every figure so that a header can always print it.
const MAX_METRIC_ABS: f64 = 1e12;

/// Whether an item of a list the op sets was already in the entity's list
/// (`old`): such items are not checked again.
fn is_kept<T: PartialEq>(item: &T, old: Option<&[T]>) -> bool {
    old.is_some_and(|old| old.contains(item))
}

fn check_metrics(metrics: &[StageMetric], old: Option<&[StageMetric]>) -> Res {
    check_count("metrics per stage", metrics.len(), MAX_METRICS)?;
    for m in metrics.iter().filter(|m| !is_kept(*m, old)) {
        let StageMetric {
            name,
            value,
            unit,
            target,
            higher_is_better: _,
        } = m;
        text("metric name", name, None, MAX_NAME_CHARS)?;
        if name.trim().is_empty() {
            return Err(OpErrorKind::Invalid("a metric needs a name".into()));
        }
        text("metric unit", unit, None, MAX_UNIT_CHARS)?;
        for n in std::iter::once(value).chain(target) {
            if !n.0.is_finite() || n.0.abs() > MAX_METRIC_ABS {
                return Err(OpErrorKind::Invalid(format!(
                    "metric values must be numbers between -{MAX_METRIC_ABS:e} and {MAX_METRIC_ABS:e}"
                )));
            }
        }
    }
    Ok(())
}

fn check_evidence(evidence: &[Evidence], old: Option<&[Evidence]>) -> Res {
    check_count("evidence items per card", evidence.len(), MAX_EVIDENCE)?;
    for e in evidence.iter().filter(|e| !is_kept(*e, old)) {
        let Evidence {
            source: _,
            quote,
            link,
            date,
        } = e;
        text("evidence quote", quote, None, MAX_TEXT_CHARS)?;
        if let Some(link) = link {
            check_url("evidence link", link, None)?;
        }
        // A real calendar day, written YYYY-MM-DD (not 2025-13-45).
        if let Some(date) = date
            && crate::import::parse_date(date).as_deref() != Some(date.as_str())
        {
            return Err(OpErrorKind::Invalid(
                "evidence date must be a real day, written YYYY-MM-DD".into(),
            ));
        }
    }
    Ok(())
}

/// The opportunity's own fields; its links to cards need the board
/// (`Tx::check_addresses`).
fn check_opportunity(o: &Opportunity, old: Option<&Opportunity>) -> Res {
    let Opportunity {
        impact,
        effort,
        owner,
        status: _,
        addresses,
    } = o;
    if !(1..=5).contains(impact) || !(1..=5).contains(effort) {
        return Err(OpErrorKind::Invalid(
            "impact and effort must be between 1 and 5".into(),
        ));
    }
    text(
        "owner",
        owner,
        old.map(|o| o.owner.as_str()),
        MAX_NAME_CHARS,
    )?;
    check_count("links per opportunity", addresses.len(), MAX_LINKS)
}

/// A persona's texts with their names and limits, every `String` field.
fn persona_texts(p: &Persona) -> [(&'static str, &str, usize); 9] {
    let Persona {
        id: _,
        name,
        order: _,
        color: _,
        avatar_url: _,
        age: _,
        role,
        quote,
        goals,
        needs,
        pains,
        fears,
        expectations,
        about,
    } = p;
    [
        ("persona name", name, MAX_NAME_CHARS),
        ("role", role, MAX_NAME_CHARS),
        ("quote", quote, MAX_TEXT_CHARS),
        ("goals", goals, MAX_TEXT_CHARS),
        ("needs", needs, MAX_TEXT_CHARS),
        ("pains", pains, MAX_TEXT_CHARS),
        ("fears", fears, MAX_TEXT_CHARS),
        ("expectations", expectations, MAX_TEXT_CHARS),
        ("about", about, MAX_TEXT_CHARS),
    ]
}

fn check_persona(p: &Persona, old: Option<&Persona>) -> Res {
    let old_texts = old.map(persona_texts);
    for (i, (field, value, max)) in persona_texts(p).into_iter().enumerate() {
        text(field, value, old_texts.map(|o| o[i].1), max)?;
    }
    if let Some(url) = &p.avatar_url {
        check_url("avatar", url, old.and_then(|o| o.avatar_url.as_deref()))?;
    }
    if matches!(p.age, Some(age) if age > 150) {
        return Err(OpErrorKind::Invalid("age must be between 0 and 150".into()));
    }
    check_size("persona", p.approx_bytes(), old.map(Persona::approx_bytes))
}

fn check_lane(lane: &Lane, old: Option<&Lane>) -> Res {
    text(
        "lane name",
        &lane.name,
        old.map(|o| o.name.as_str()),
        MAX_NAME_CHARS,
    )?;
    check_size("lane", lane.approx_bytes(), old.map(Lane::approx_bytes))
}

fn check_card(card: &Card, old: Option<&Card>) -> Res {
    text(
        "card text",
        &card.text,
        old.map(|o| o.text.as_str()),
        MAX_TEXT_CHARS,
    )?;
    check_evidence(&card.evidence, old.map(|o| &o.evidence[..]))?;
    if let Some(o) = &card.opportunity {
        check_opportunity(o, old.and_then(|c| c.opportunity.as_ref()))?;
    }
    check_size("card", card.approx_bytes(), old.map(Card::approx_bytes))
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
                Undo::Comment(id, v) => {
                    put(&mut b.comments, id, v);
                }
                Undo::CardReactions(id, v) => {
                    put(&mut b.card_reactions, id, v);
                }
                Undo::Timer(t) => b.timer = t,
                Undo::Quiet(q) => b.quiet = q,
                Undo::Vote(v) => b.vote = v,
                Undo::CardVotes(v) => b.card_votes = v,
            }
        }
    }

    /// Refuses the batch so far if it leaves the board over its budget and
    /// larger than it was.
    fn check_budget(&self, start: usize) -> Res {
        if self.bytes > MAX_BOARD_BYTES && self.bytes > start {
            Err(OpErrorKind::BoardTooLarge {
                bytes: self.bytes,
                max: MAX_BOARD_BYTES,
            })
        } else {
            Ok(())
        }
    }

    /// Follows an entity's size from `old` to `new` bytes.
    fn resize(&mut self, old: usize, new: usize) {
        self.bytes = (self.bytes + new).saturating_sub(old);
    }

    fn put_stage(&mut self, id: StageId, v: Option<Stage>) {
        let new = v.as_ref().map_or(0, Stage::approx_bytes);
        let old = put(&mut self.board.stages, id, v);
        self.resize(old.as_ref().map_or(0, Stage::approx_bytes), new);
        self.undo.push(Undo::Stage(id, old));
        self.changes.insert(Change::Stage(id));
    }

    fn put_lane(&mut self, id: LaneId, v: Option<Lane>) {
        let new = v.as_ref().map_or(0, Lane::approx_bytes);
        let old = put(&mut self.board.lanes, id, v);
        self.resize(old.as_ref().map_or(0, Lane::approx_bytes), new);
        self.undo.push(Undo::Lane(id, old));
        self.changes.insert(Change::Lane(id));
    }

    fn put_card(&mut self, id: CardId, v: Option<Card>) {
        let new = v.as_ref().map_or(0, Card::approx_bytes);
        let old = put(&mut self.board.cards, id, v);
        self.resize(old.as_ref().map_or(0, Card::approx_bytes), new);
        self.undo.push(Undo::Card(id, old));
        self.changes.insert(Change::Card(id));
    }

    fn put_persona(&mut self, id: PersonaId, v: Option<Persona>) {
        let new = v.as_ref().map_or(0, Persona::approx_bytes);
        let old = put(&mut self.board.personas, id, v);
        self.resize(old.as_ref().map_or(0, Persona::approx_bytes), new);
        self.undo.push(Undo::Persona(id, old));
        self.changes.insert(Change::Persona(id));
    }

    fn put_emotion(&mut self, p: PersonaId, s: StageId, c: Curve, score: Option<i8>) {
        let old = self.board.emotion(p, s, c);
        set_emotion(self.board, p, s, c, score);
        let bytes = |v: Option<i8>| if v.is_some() { EMOTION_BYTES } else { 0 };
        self.resize(bytes(old), bytes(score));
        self.undo.push(Undo::Emotion(p, s, c, old));
        self.changes.insert(Change::Emotion(p, s, c));
    }

    fn put_comment(&mut self, id: CommentId, v: Option<Comment>) {
        let new = v.as_ref().map_or(0, Comment::approx_bytes);
        let old = put(&mut self.board.comments, id, v);
        self.resize(old.as_ref().map_or(0, Comment::approx_bytes), new);
        self.undo.push(Undo::Comment(id, old));
        self.changes.insert(Change::Comment(id));
    }

    fn put_card_reactions(&mut self, id: CardId, v: Option<Reactions>) {
        let new = v.as_ref().map_or(0, reactions_bytes);
        let old = put(&mut self.board.card_reactions, id, v);
        self.resize(old.as_ref().map_or(0, reactions_bytes), new);
        self.undo.push(Undo::CardReactions(id, old));
        self.changes.insert(Change::CardReactions(id));
    }

    fn put_timer(&mut self, t: Option<Timer>) {
        let bytes = |t: &Option<Timer>| t.map_or(0, |_| crate::size::ITEM_BYTES);
        let old = std::mem::replace(&mut self.board.timer, t);
        self.resize(bytes(&old), bytes(&t));
        self.undo.push(Undo::Timer(old));
        self.changes.insert(Change::Timer);
    }

    fn put_vote(&mut self, v: Option<Box<Vote>>) {
        let bytes = |v: &Option<Box<Vote>>| v.as_ref().map_or(0, |v| v.approx_bytes());
        let new = bytes(&v);
        let old = std::mem::replace(&mut self.board.vote, v);
        self.resize(bytes(&old), new);
        self.undo.push(Undo::Vote(old));
        self.changes.insert(Change::Vote);
    }

    fn put_card_votes(&mut self, v: BTreeMap<CardId, u32>) {
        let new = v.len() * crate::size::ITEM_BYTES;
        let old = std::mem::replace(&mut self.board.card_votes, v);
        self.resize(old.len() * crate::size::ITEM_BYTES, new);
        self.undo.push(Undo::CardVotes(old));
        self.changes.insert(Change::CardVotes);
    }

    /// The board's vote, if it is the vote `id`.
    fn vote(&self, id: VoteId) -> Result<Box<Vote>, OpErrorKind> {
        self.board
            .vote
            .clone()
            .filter(|v| v.id == id)
            .ok_or_else(|| not_found("vote", id))
    }

    fn timer(&self) -> Result<Timer, OpErrorKind> {
        self.board
            .timer
            .ok_or_else(|| not_found("timer", "of this board"))
    }

    fn comment(&self, id: CommentId) -> Result<&Comment, OpErrorKind> {
        self.board
            .comments
            .get(&id)
            .ok_or_else(|| not_found("comment", id))
    }

    /// Only a comment's author may change its text or delete it.
    fn check_author(&self, c: &Comment) -> Res {
        match self.actor {
            Some(actor) if actor != c.author => Err(OpErrorKind::Forbidden(
                "only its author may edit or delete a comment",
            )),
            _ => Ok(()),
        }
    }

    fn check_target(&self, target: CommentTarget) -> Res {
        match target {
            CommentTarget::Card(id) => self.card(id).map(drop),
            CommentTarget::Stage(id) => self.stage(id).map(drop),
            CommentTarget::Emotion {
                persona_id,
                stage_id,
                ..
            } => {
                self.persona(persona_id)?;
                self.stage(stage_id).map(drop)
            }
        }
    }

    fn add_comment(&mut self, n: &NewComment) -> Res {
        if self.board.comments.contains_key(&n.id) {
            return Err(exists("comment", n.id));
        }
        check_limit("comments", self.board.comments.len(), MAX_COMMENTS)?;
        self.check_target(n.on)?;
        if let Some(parent) = n.parent {
            let root = self.comment(parent)?;
            if root.parent.is_some() {
                return Err(OpErrorKind::Invalid(
                    "a reply answers a thread's first comment".into(),
                ));
            }
            if root.on != n.on {
                return Err(OpErrorKind::Invalid(
                    "a reply is about what its thread is about".into(),
                ));
            }
        }
        check_comment_text(&n.text, &n.mentions)?;
        text("author name", &n.author_name, None, MAX_NAME_CHARS)?;
        let comment = Comment {
            id: n.id,
            on: n.on,
            parent: n.parent,
            author: self.actor.unwrap_or_default(),
            author_name: n.author_name.clone(),
            text: n.text.clone(),
            mentions: n.mentions.clone(),
            created_at: self.at,
            edited_at: None,
            resolved: false,
            reactions: Reactions::new(),
        };
        check_size("comment", comment.approx_bytes(), None)?;
        self.put_comment(n.id, Some(comment));
        Ok(())
    }

    fn react(&mut self, target: ReactionTarget, emoji: &str, add: bool) -> Res {
        if !REACTIONS.contains(&emoji) {
            return Err(OpErrorKind::Invalid(format!(
                "a reaction is one of {}",
                REACTIONS.join(" ")
            )));
        }
        let actor = self.actor.unwrap_or_default();
        match target {
            ReactionTarget::Card(id) => {
                self.card(id)?;
                let mut r = self
                    .board
                    .card_reactions
                    .get(&id)
                    .cloned()
                    .unwrap_or_default();
                if toggle(&mut r, emoji, actor, add) {
                    let r = (!r.is_empty()).then_some(r);
                    self.put_card_reactions(id, r);
                }
            }
            ReactionTarget::Comment(id) => {
                let mut c = self.comment(id)?.clone();
                if toggle(&mut c.reactions, emoji, actor, add) {
                    self.put_comment(id, Some(c));
                }
            }
        }
        Ok(())
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

    /// Every card an opportunity newly links to must be a live card of
    /// this board; links it already had are kept even if their card was
    /// deleted since (deleting a card leaves links to it alone).
    fn check_addresses(&self, card: &Card, old: Option<&Card>) -> Res {
        let Some(o) = &card.opportunity else {
            return Ok(());
        };
        let old = old
            .and_then(|c| c.opportunity.as_ref())
            .map(|o| &o.addresses[..]);
        for id in o.addresses.iter().filter(|id| !is_kept(*id, old)) {
            if !self.board.cards.contains_key(id) {
                return Err(not_found("addressed card", id));
            }
        }
        Ok(())
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
                text("title", title, Some(&self.board.title), MAX_NAME_CHARS)?;
                if title.trim().is_empty() {
                    return Err(OpErrorKind::Invalid(
                        "the board title must not be empty".into(),
                    ));
                }
                let old = std::mem::replace(&mut self.board.title, title.clone());
                self.resize(old.len(), title.len());
                self.undo.push(Undo::Title(old));
                self.changes.insert(Change::Board);
            }

            Op::SetQuiet { on } => {
                let old = std::mem::replace(&mut self.board.quiet, *on);
                self.undo.push(Undo::Quiet(old));
                self.changes.insert(Change::Board);
            }

            Op::CreateStage(stage) => {
                if self.board.stages.contains_key(&stage.id) {
                    return Err(exists("stage", stage.id));
                }
                check_limit("stages", self.board.stages.len(), MAX_STAGES)?;
                check_stage(stage, None)?;
                check_order(&stage.order)?;
                self.put_stage(stage.id, Some(stage.clone()));
            }
            Op::UpdateStage { id, patch } => {
                let old = self.stage(*id)?;
                let mut stage = old.clone();
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
                check_stage(&stage, Some(old))?;
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
                check_lane(lane, None)?;
                check_order(&lane.order)?;
                self.put_lane(lane.id, Some(lane.clone()));
            }
            Op::UpdateLane { id, patch } => {
                let old = self.lane(*id)?;
                let mut lane = old.clone();
                let LanePatch { name, kind } = patch;
                if let Some(v) = name {
                    lane.name = v.clone();
                }
                if let Some(v) = kind {
                    lane.kind = *v;
                }
                check_lane(&lane, Some(old))?;
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
                check_card(card, None)?;
                self.check_addresses(card, None)?;
                let mut card = card.clone();
                card.updated_at = self.at;
                self.put_card(card.id, Some(card));
            }
            Op::UpdateCard { id, patch } => {
                let old = self.card(*id)?;
                let mut card = old.clone();
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
                check_card(&card, Some(old))?;
                self.check_addresses(&card, Some(old))?;
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
                check_persona(persona, None)?;
                self.put_persona(persona.id, Some(persona.clone()));
            }
            Op::UpdatePersona { id, patch } => {
                let old = self.persona(*id)?;
                let mut p = old.clone();
                apply_persona_patch(&mut p, patch);
                check_persona(&p, Some(old))?;
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

            Op::AddComment(n) => self.add_comment(n)?,
            Op::EditComment { id, text, mentions } => {
                let old = self.comment(*id)?;
                self.check_author(old)?;
                let mut c = old.clone();
                if let Some(m) = mentions {
                    c.mentions = m.clone();
                }
                check_comment_text(text, &c.mentions)?;
                c.text = text.clone();
                c.edited_at = Some(self.at);
                check_size("comment", c.approx_bytes(), Some(old.approx_bytes()))?;
                self.put_comment(*id, Some(c));
            }
            Op::DeleteComment { id } => {
                let c = self.comment(*id)?;
                self.check_author(c)?;
                let replies: Vec<CommentId> = if c.parent.is_none() {
                    let root = c.id;
                    self.board
                        .comments
                        .values()
                        .filter(|r| r.is_reply_to(root))
                        .map(|r| r.id)
                        .collect()
                } else {
                    Vec::new()
                };
                for r in replies {
                    self.put_comment(r, None);
                }
                self.put_comment(*id, None);
            }
            Op::ResolveComment { id, resolved } => {
                let c = self.comment(*id)?;
                if c.parent.is_some() {
                    return Err(OpErrorKind::Invalid(
                        "a thread is resolved through its first comment".into(),
                    ));
                }
                if c.resolved != *resolved {
                    let mut c = c.clone();
                    c.resolved = *resolved;
                    self.put_comment(*id, Some(c));
                }
            }
            Op::React { target, emoji, add } => self.react(*target, emoji, *add)?,

            Op::StartTimer { duration_ms } => {
                check_timer_ms("a timer", *duration_ms, MAX_TIMER_MS)?;
                self.put_timer(Some(Timer {
                    duration_ms: *duration_ms,
                    ends_at: Some(self.at + duration_ms),
                    remaining_ms: 0,
                }));
            }
            Op::PauseTimer => {
                let mut t = self.timer()?;
                if let Some(end) = t.ends_at {
                    t.remaining_ms = (end - self.at).max(0);
                    t.ends_at = None;
                    self.put_timer(Some(t));
                }
            }
            Op::ResumeTimer => {
                let mut t = self.timer()?;
                if t.ends_at.is_none() {
                    t.ends_at = Some(self.at + t.remaining_ms);
                    t.remaining_ms = 0;
                    self.put_timer(Some(t));
                }
            }
            Op::ExtendTimer { ms } => {
                check_timer_ms("added time", *ms, MAX_TIMER_EXTENSION_MS)?;
                let mut t = self.timer()?;
                match t.ends_at {
                    Some(end) => t.ends_at = Some(end.max(self.at) + ms),
                    None => t.remaining_ms += ms,
                }
                t.duration_ms = (t.duration_ms + ms).min(MAX_TIMER_MS);
                if t.remaining(self.at) > MAX_TIMER_MS {
                    return Err(OpErrorKind::Invalid(
                        "a timer runs for at most 24 hours".into(),
                    ));
                }
                self.put_timer(Some(t));
            }
            Op::StopTimer => {
                self.timer()?;
                self.put_timer(None);
            }

            Op::StartVote {
                id,
                lanes,
                stages,
                dots_per_person,
                several_per_card,
                ends_at,
                anonymous,
            } => {
                if !(1..=MAX_DOTS_PER_PERSON).contains(dots_per_person) {
                    return Err(OpErrorKind::Invalid(format!(
                        "dots per person must be between 1 and {MAX_DOTS_PER_PERSON}"
                    )));
                }
                check_count("lanes in a vote", lanes.len(), MAX_LANES)?;
                check_count("stages in a vote", stages.len(), MAX_STAGES)?;
                for l in lanes {
                    self.lane(*l)?;
                }
                for s in stages {
                    self.stage(*s)?;
                }
                if ends_at.is_some_and(|end| end <= self.at || end - self.at > MAX_TIMER_MS) {
                    return Err(OpErrorKind::Invalid(
                        "a vote ends in the next 24 hours".into(),
                    ));
                }
                self.put_vote(Some(Box::new(Vote {
                    id: *id,
                    lanes: lanes.clone(),
                    stages: stages.clone(),
                    dots_per_person: *dots_per_person,
                    several_per_card: *several_per_card,
                    ends_at: *ends_at,
                    anonymous: *anonymous,
                    started_at: self.at,
                    results: None,
                })));
            }
            Op::RevealVote { id, results } => {
                let mut vote = self.vote(*id)?;
                if vote.results.is_some() {
                    return Err(OpErrorKind::Invalid("the vote is already revealed".into()));
                }
                let mut results = results.clone();
                if vote.anonymous {
                    results.names.clear();
                }
                vote.results = Some(results);
                self.put_vote(Some(vote));
            }
            Op::EndVote { id, keep } => {
                let vote = self.vote(*id)?;
                if *keep {
                    let dots = vote.results.map(|r| r.dots).unwrap_or_default();
                    self.put_card_votes(dots);
                }
                self.put_vote(None);
            }
            Op::ClearVoteBadges => {
                if !self.board.card_votes.is_empty() {
                    self.put_card_votes(BTreeMap::new());
                }
            }
        }
        Ok(())
    }
}

/// Timer lengths: whole seconds are not required, but at least one.
fn check_timer_ms(what: &str, ms: i64, max: i64) -> Res {
    if (1_000..=max).contains(&ms) {
        Ok(())
    } else {
        Err(OpErrorKind::Invalid(format!(
            "{what} must be between 1 second and {} minutes",
            max / 60_000
        )))
    }
}

fn check_comment_text(t: &str, mentions: &[Uuid]) -> Res {
    text("comment", t, None, MAX_TEXT_CHARS)?;
    if t.trim().is_empty() {
        return Err(OpErrorKind::Invalid("a comment needs some text".into()));
    }
    check_count("mentions per comment", mentions.len(), MAX_MENTIONS)
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
