//! What a journey map is made of (see DESIGN.md, "What users do").
//!
//! A `Board` holds only live entities; deleted ones exist only in the store
//! (soft delete), so "undo delete" is a create with the same id. Collections
//! are `BTreeMap`s so that iteration, serialisation and equality are the same
//! on every replica.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::comments::{Comment, Reactions};
use crate::ids::{BoardId, CardId, CommentId, LaneId, PersonaId, StageId};
use crate::order::OrderKey;
use crate::workshop::{Timer, Vote};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Board {
    pub id: BoardId,
    pub title: String,
    #[serde(default)]
    pub personas: BTreeMap<PersonaId, Persona>,
    #[serde(default)]
    pub stages: BTreeMap<StageId, Stage>,
    #[serde(default)]
    pub lanes: BTreeMap<LaneId, Lane>,
    #[serde(default)]
    pub cards: BTreeMap<CardId, Card>,
    /// One score per persona, stage and curve, sorted by that triple.
    #[serde(default)]
    pub emotions: Vec<EmotionPoint>,
    /// Comment threads and replies (see `comments.rs`), also those about
    /// deleted cards, which undo may bring back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comments: BTreeMap<CommentId, Comment>,
    /// Reactions on cards, kept apart from the cards so that reacting is
    /// not an edit (it leaves `updated_at` and undo alone).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub card_reactions: BTreeMap<CardId, Reactions>,
    /// Quiet brainstorming: while a workshop generates ideas, the
    /// "Hypothesis" mark and evidence badges are hidden from everyone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quiet: bool,
    /// The workshop timer, when one is set (see `workshop.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timer: Option<Timer>,
    /// The dot vote running or revealed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote: Option<Box<Vote>>,
    /// Dots per card of a revealed vote the facilitator kept on the map.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub card_votes: BTreeMap<CardId, u32>,
    /// `approx_bytes` of the whole board, once known: computed on the first
    /// `apply` (or by `recount`) and kept up to date by `apply`, so that the
    /// size budget costs O(batch), not O(board). Not part of equality or
    /// serialisation.
    #[serde(skip)]
    pub(crate) bytes: SizeCache,
}

/// A cached figure that is not part of its owner's value: any two are equal.
#[derive(Clone, Copy, Default)]
pub(crate) struct SizeCache(pub(crate) Option<usize>);

impl PartialEq for SizeCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SizeCache {}

impl std::fmt::Debug for SizeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A column: one step of the customer's journey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Stage {
    pub id: StageId,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub order: OrderKey,
    /// Figures measured at this stage (NPS, conversion, drop-off...).
    #[serde(default)]
    pub metrics: Vec<StageMetric>,
}

/// A number with the equality of its bits, so that entities holding one stay
/// `Eq`. Validation keeps it finite; JSON cannot carry NaN anyway.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct Num(pub f64);

impl PartialEq for Num {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Num {}

/// One figure of a stage, e.g. "NPS 32, target 45" or "drop-off 60 %,
/// target 40 % (lower is better)".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StageMetric {
    pub name: String,
    pub value: Num,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub target: Option<Num>,
    /// Whether values above the target are good (NPS) or bad (drop-off).
    #[serde(default = "higher_is_better")]
    pub higher_is_better: bool,
}

fn higher_is_better() -> bool {
    true
}

impl StageMetric {
    /// Whether the value meets its target; `None` without a target.
    pub fn on_target(&self) -> Option<bool> {
        let target = self.target?.0;
        Some(if self.higher_is_better {
            self.value.0 >= target
        } else {
            self.value.0 <= target
        })
    }
}

/// A row: one layer of the map (actions, thoughts, touchpoints...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Lane {
    pub id: LaneId,
    pub name: String,
    pub kind: LaneKind,
    pub order: OrderKey,
}

/// What a lane holds. Notes lanes differ only by purpose (default colour and
/// icon); touchpoints, emotions and opportunities lanes carry their own data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LaneKind {
    Notes,
    Actions,
    Thoughts,
    Questions,
    Goals,
    Triggers,
    Pains,
    Backstage,
    Ideas,
    Touchpoints,
    Emotions,
    Opportunities,
}

impl LaneKind {
    pub const ALL: [LaneKind; 12] = [
        LaneKind::Notes,
        LaneKind::Actions,
        LaneKind::Thoughts,
        LaneKind::Questions,
        LaneKind::Goals,
        LaneKind::Triggers,
        LaneKind::Pains,
        LaneKind::Backstage,
        LaneKind::Ideas,
        LaneKind::Touchpoints,
        LaneKind::Emotions,
        LaneKind::Opportunities,
    ];

    /// The sticky-note colour a new card in such a lane starts with.
    pub fn default_color(self) -> Color {
        match self {
            LaneKind::Notes | LaneKind::Actions => Color::Yellow,
            LaneKind::Thoughts => Color::Blue,
            LaneKind::Questions => Color::Purple,
            LaneKind::Goals => Color::Green,
            LaneKind::Triggers => Color::Orange,
            LaneKind::Pains => Color::Red,
            LaneKind::Backstage => Color::Gray,
            LaneKind::Ideas | LaneKind::Opportunities => Color::Teal,
            LaneKind::Touchpoints => Color::White,
            LaneKind::Emotions => Color::Pink,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LaneKind::Notes => "notes",
            LaneKind::Actions => "actions",
            LaneKind::Thoughts => "thoughts",
            LaneKind::Questions => "questions",
            LaneKind::Goals => "goals",
            LaneKind::Triggers => "triggers",
            LaneKind::Pains => "pains",
            LaneKind::Backstage => "backstage",
            LaneKind::Ideas => "ideas",
            LaneKind::Touchpoints => "touchpoints",
            LaneKind::Emotions => "emotions",
            LaneKind::Opportunities => "opportunities",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Sticky-note colours: a fixed palette, so that text on every colour passes
/// WCAG AA contrast and no client can inject arbitrary CSS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Color {
    Yellow,
    Orange,
    Red,
    Pink,
    Purple,
    Blue,
    Teal,
    Green,
    Gray,
    White,
}

impl Color {
    pub const ALL: [Color; 10] = [
        Color::Yellow,
        Color::Orange,
        Color::Red,
        Color::Pink,
        Color::Purple,
        Color::Blue,
        Color::Teal,
        Color::Green,
        Color::Gray,
        Color::White,
    ];

    /// A sticky note's paper in this colour (the board's CSS and the
    /// exported drawings use the same).
    pub fn paper(self) -> &'static str {
        match self {
            Color::Yellow => "#fff3a8",
            Color::Orange => "#ffd8a8",
            Color::Red => "#ffc9c9",
            Color::Pink => "#fcc2d7",
            Color::Purple => "#e5dbff",
            Color::Blue => "#c5e4ff",
            Color::Teal => "#c3fae8",
            Color::Green => "#d3f9d8",
            Color::Gray => "#e9ecef",
            Color::White => "#ffffff",
        }
    }

    /// Ink of this colour, dark enough for lines and dots on white: a
    /// persona's curve and marks.
    pub fn ink(self) -> &'static str {
        match self {
            Color::Yellow => "#b08800",
            Color::Orange => "#d9480f",
            Color::Red => "#c92a2a",
            Color::Pink => "#c2255c",
            Color::Purple => "#7048e8",
            Color::Blue => "#1c7ed6",
            Color::Teal => "#0c8599",
            Color::Green => "#2b8a3e",
            Color::Gray => "#495057",
            Color::White => "#868e96",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Color::Yellow => "yellow",
            Color::Orange => "orange",
            Color::Red => "red",
            Color::Pink => "pink",
            Color::Purple => "purple",
            Color::Blue => "blue",
            Color::Teal => "teal",
            Color::Green => "green",
            Color::Gray => "gray",
            Color::White => "white",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A sticky note in one cell (stage × lane), ordered within the cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Card {
    pub id: CardId,
    pub stage_id: StageId,
    pub lane_id: LaneId,
    pub order: OrderKey,
    pub text: String,
    pub color: Color,
    #[serde(default)]
    pub persona_id: Option<PersonaId>,
    /// Touchpoint channel (touchpoints lanes).
    #[serde(default)]
    pub channel: Option<Channel>,
    /// What backs the card; a card without evidence is a hypothesis.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// Improvement fields (opportunities lanes).
    #[serde(default)]
    pub opportunity: Option<Opportunity>,
    /// Unix milliseconds of the last change, stamped from the batch's time
    /// (assigned by the server), so that staleness is the same everywhere.
    #[serde(default)]
    pub updated_at: i64,
}

impl Card {
    /// A plain note: no persona, channel, evidence or opportunity yet.
    pub fn new(
        stage_id: StageId,
        lane_id: LaneId,
        order: OrderKey,
        text: impl Into<String>,
        color: Color,
    ) -> Self {
        Self {
            id: CardId::new(),
            stage_id,
            lane_id,
            order,
            text: text.into(),
            color,
            persona_id: None,
            channel: None,
            evidence: Vec::new(),
            opportunity: None,
            updated_at: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Website,
    Email,
    Phone,
    Chat,
    Messenger,
    Social,
    Ads,
    Store,
    MobileApp,
    Delivery,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 11] = [
        Channel::Website,
        Channel::Email,
        Channel::Phone,
        Channel::Chat,
        Channel::Messenger,
        Channel::Social,
        Channel::Ads,
        Channel::Store,
        Channel::MobileApp,
        Channel::Delivery,
        Channel::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Website => "website",
            Channel::Email => "email",
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::Messenger => "messenger",
            Channel::Social => "social",
            Channel::Ads => "ads",
            Channel::Store => "store",
            Channel::MobileApp => "mobile_app",
            Channel::Delivery => "delivery",
            Channel::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Evidence {
    pub source: EvidenceSource,
    #[serde(default)]
    pub quote: String,
    #[serde(default)]
    pub link: Option<String>,
    /// ISO date (YYYY-MM-DD) the evidence was collected.
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    Interview,
    CallTranscript,
    Survey,
    Analytics,
    SupportTicket,
    Review,
    Other,
}

impl EvidenceSource {
    pub const ALL: [EvidenceSource; 7] = [
        EvidenceSource::Interview,
        EvidenceSource::CallTranscript,
        EvidenceSource::Survey,
        EvidenceSource::Analytics,
        EvidenceSource::SupportTicket,
        EvidenceSource::Review,
        EvidenceSource::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceSource::Interview => "interview",
            EvidenceSource::CallTranscript => "call_transcript",
            EvidenceSource::Survey => "survey",
            EvidenceSource::Analytics => "analytics",
            EvidenceSource::SupportTicket => "support_ticket",
            EvidenceSource::Review => "review",
            EvidenceSource::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Opportunity {
    /// 1..=5
    pub impact: u8,
    /// 1..=5
    pub effort: u8,
    #[serde(default)]
    pub owner: String,
    pub status: OpportunityStatus,
    /// Pain cards this opportunity addresses.
    #[serde(default)]
    pub addresses: Vec<CardId>,
}

impl Opportunity {
    /// Impact over effort, 1 (do last) to 5 (do first): the quick wins of an
    /// impact/effort matrix rank highest.
    pub fn priority(&self) -> u8 {
        let score = i16::from(self.impact) * 2 - i16::from(self.effort) + 4;
        // impact 1..5, effort 1..5 → score 1..13; fold into 1..=5.
        ((score + 2) / 3).clamp(1, 5) as u8
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OpportunityStatus {
    Idea,
    Planned,
    InProgress,
    Done,
}

impl OpportunityStatus {
    pub const ALL: [OpportunityStatus; 4] = [
        OpportunityStatus::Idea,
        OpportunityStatus::Planned,
        OpportunityStatus::InProgress,
        OpportunityStatus::Done,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OpportunityStatus::Idea => "idea",
            OpportunityStatus::Planned => "planned",
            OpportunityStatus::InProgress => "in_progress",
            OpportunityStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Whose journey the map follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Persona {
    pub id: PersonaId,
    pub name: String,
    pub order: OrderKey,
    pub color: Color,
    #[serde(default)]
    pub avatar_url: Option<String>,
    #[serde(default)]
    pub age: Option<u16>,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub quote: String,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub pains: String,
    #[serde(default)]
    pub fears: String,
    #[serde(default)]
    pub expectations: String,
    #[serde(default)]
    pub about: String,
}

impl Persona {
    /// A persona with just a name and a colour; the team fills in the rest.
    pub fn new(name: impl Into<String>, order: OrderKey, color: Color) -> Self {
        Self {
            id: PersonaId::new(),
            name: name.into(),
            order,
            color,
            avatar_url: None,
            age: None,
            role: String::new(),
            quote: String::new(),
            goals: String::new(),
            needs: String::new(),
            pains: String::new(),
            fears: String::new(),
            expectations: String::new(),
            about: String::new(),
        }
    }
}

/// How a persona feels at a stage, from -2 to +2, today ("as is") or in the
/// journey the team is designing ("to be").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EmotionPoint {
    pub persona_id: PersonaId,
    pub stage_id: StageId,
    #[serde(default)]
    pub curve: Curve,
    pub score: i8,
}

/// Which of a persona's two emotion curves a point belongs to.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    #[default]
    AsIs,
    ToBe,
}

impl Curve {
    pub const ALL: [Curve; 2] = [Curve::AsIs, Curve::ToBe];

    pub fn as_str(self) -> &'static str {
        match self {
            Curve::AsIs => "as_is",
            Curve::ToBe => "to_be",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl Board {
    pub fn new(id: BoardId, title: impl Into<String>) -> Self {
        Self {
            id,
            title: title.into(),
            personas: BTreeMap::new(),
            stages: BTreeMap::new(),
            lanes: BTreeMap::new(),
            cards: BTreeMap::new(),
            emotions: Vec::new(),
            comments: BTreeMap::new(),
            card_reactions: BTreeMap::new(),
            quiet: false,
            timer: None,
            vote: None,
            card_votes: BTreeMap::new(),
            bytes: SizeCache::default(),
        }
    }

    /// Stages left to right (ties broken by id, see `order`).
    pub fn stages_in_order(&self) -> Vec<&Stage> {
        let mut v: Vec<&Stage> = self.stages.values().collect();
        v.sort_by(|a, b| (&a.order, a.id).cmp(&(&b.order, b.id)));
        v
    }

    /// Lanes top to bottom.
    pub fn lanes_in_order(&self) -> Vec<&Lane> {
        let mut v: Vec<&Lane> = self.lanes.values().collect();
        v.sort_by(|a, b| (&a.order, a.id).cmp(&(&b.order, b.id)));
        v
    }

    pub fn personas_in_order(&self) -> Vec<&Persona> {
        let mut v: Vec<&Persona> = self.personas.values().collect();
        v.sort_by(|a, b| (&a.order, a.id).cmp(&(&b.order, b.id)));
        v
    }

    /// The ops that build this map on an empty board: stages, lanes,
    /// personas, cards (opportunities after the pains they address, which
    /// `apply` wants to exist), emotion scores, quiet mode. Applying them
    /// runs every check an edit passes, which is how a board from outside
    /// (a JSON import, a template) is proven valid. Comments, votes and the
    /// timer are not part of them.
    pub fn creation_ops(&self) -> Vec<crate::ops::Op> {
        use crate::ops::Op;
        let mut ops: Vec<Op> = Vec::new();
        ops.extend(
            self.stages_in_order()
                .into_iter()
                .cloned()
                .map(Op::CreateStage),
        );
        ops.extend(
            self.lanes_in_order()
                .into_iter()
                .cloned()
                .map(Op::CreateLane),
        );
        ops.extend(
            self.personas_in_order()
                .into_iter()
                .cloned()
                .map(Op::CreatePersona),
        );
        let (plain, opportunities): (Vec<&Card>, Vec<&Card>) =
            self.cards.values().partition(|c| c.opportunity.is_none());
        ops.extend(plain.into_iter().cloned().map(Op::CreateCard));
        ops.extend(opportunities.into_iter().cloned().map(Op::CreateCard));
        ops.extend(self.emotions.iter().map(|e| Op::SetEmotion {
            persona_id: e.persona_id,
            stage_id: e.stage_id,
            curve: e.curve,
            score: Some(e.score),
        }));
        if self.quiet {
            ops.push(Op::SetQuiet { on: true });
        }
        ops
    }

    /// Cards of one cell, top to bottom.
    pub fn cards_in_cell(&self, stage: StageId, lane: LaneId) -> Vec<&Card> {
        let mut v: Vec<&Card> = self
            .cards
            .values()
            .filter(|c| c.stage_id == stage && c.lane_id == lane)
            .collect();
        v.sort_by(|a, b| (&a.order, a.id).cmp(&(&b.order, b.id)));
        v
    }

    pub fn emotion(&self, persona: PersonaId, stage: StageId, curve: Curve) -> Option<i8> {
        self.emotion_index(persona, stage, curve)
            .ok()
            .map(|i| self.emotions[i].score)
    }

    pub(crate) fn emotion_index(
        &self,
        persona: PersonaId,
        stage: StageId,
        curve: Curve,
    ) -> Result<usize, usize> {
        self.emotions
            .binary_search_by(|p| (p.persona_id, p.stage_id, p.curve).cmp(&(persona, stage, curve)))
    }

    /// A persona's points on one curve, in stage order (stages without a
    /// score are skipped).
    pub fn curve(&self, persona: PersonaId, curve: Curve) -> Vec<(StageId, i8)> {
        self.stages_in_order()
            .into_iter()
            .filter_map(|s| self.emotion(persona, s.id, curve).map(|v| (s.id, v)))
            .collect()
    }
}
