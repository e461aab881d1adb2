//! Quotes imported as evidence: a table (read from CSV or XLSX by the
//! server) becomes one batch of ops that creates cards with the quote as
//! their evidence, or attaches the quote to cards that exist.
//!
//! Every row is checked the way the board checks an edit: its op is applied
//! to a scratch copy of the board, so a row that would be refused (too long,
//! a bad link, a full card) is reported with its row number before anything
//! is imported, and the batch that is imported applies as a whole.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::apply::ApplyCtx;
use crate::ids::{CardId, LaneId, PersonaId, StageId};
use crate::model::{Board, Card, Evidence, EvidenceSource, LaneKind};
use crate::ops::{CardPatch, Op};
use crate::order::OrderKey;

/// Rows in one import.
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 20;
/// Row errors listed in a report (the count is always exact).
pub const MAX_REPORTED_ERRORS: usize = 500;

/// A table as read from a file: the first row's cells name the columns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What a column can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The card's text (the quote when absent).
    Text,
    /// The stage's name.
    Stage,
    /// The lane's name (the first lane that holds cards when absent).
    Lane,
    /// The persona's name.
    Persona,
    /// Where the quote comes from (interview, call transcript, ...).
    Source,
    /// The quote itself (the card's text when absent).
    Quote,
    Link,
    /// When it was collected: YYYY-MM-DD or DD.MM.YYYY.
    Date,
    /// An existing card's id: the quote is attached to it.
    Card,
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Text,
        Field::Stage,
        Field::Lane,
        Field::Persona,
        Field::Source,
        Field::Quote,
        Field::Link,
        Field::Date,
        Field::Card,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Text => "text",
            Field::Stage => "stage",
            Field::Lane => "lane",
            Field::Persona => "persona",
            Field::Source => "source",
            Field::Quote => "quote",
            Field::Link => "link",
            Field::Date => "date",
            Field::Card => "card",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The field a column header names, in English or Russian.
    pub fn from_header(header: &str) -> Option<Self> {
        let h = normalise(header);
        let names: &[(&str, Field)] = &[
            ("text", Field::Text),
            ("card text", Field::Text),
            ("note", Field::Text),
            ("текст", Field::Text),
            ("текст карточки", Field::Text),
            ("заметка", Field::Text),
            ("stage", Field::Stage),
            ("этап", Field::Stage),
            ("стадия", Field::Stage),
            ("lane", Field::Lane),
            ("row", Field::Lane),
            ("дорожка", Field::Lane),
            ("строка", Field::Lane),
            ("persona", Field::Persona),
            ("персона", Field::Persona),
            ("source", Field::Source),
            ("источник", Field::Source),
            ("quote", Field::Quote),
            ("excerpt", Field::Quote),
            ("verbatim", Field::Quote),
            ("цитата", Field::Quote),
            ("фрагмент", Field::Quote),
            ("link", Field::Link),
            ("url", Field::Link),
            ("ссылка", Field::Link),
            ("date", Field::Date),
            ("дата", Field::Date),
            ("card", Field::Card),
            ("card id", Field::Card),
            ("карточка", Field::Card),
            ("id карточки", Field::Card),
        ];
        names.iter().find(|(n, _)| *n == h).map(|(_, f)| *f)
    }
}

/// A column named in a mapping: by its header, or by its number (from 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum ColumnRef {
    Number(usize),
    Header(String),
}

/// Which column holds each field (column indexes from 0).
pub type Mapping = BTreeMap<Field, usize>;

/// Why a mapping cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error(
        "unknown field \"{0}\" (fields: text, stage, lane, persona, source, quote, link, date, card)"
    )]
    UnknownField(String),
    #[error("no column \"{0}\" in the file")]
    UnknownColumn(String),
    #[error("column {0} is past the last column of the file")]
    ColumnOutOfRange(usize),
    #[error("no column holds the text or the quote (name one \"text\" or \"quote\", or map one)")]
    NoText,
}

/// The mapping of `table`: headers that name a field, then `overrides`
/// (field name to column, or null to leave the field out).
pub fn mapping(
    table: &Table,
    overrides: &HashMap<String, Option<ColumnRef>>,
) -> Result<Mapping, MappingError> {
    let mut map = Mapping::new();
    for (i, h) in table.headers.iter().enumerate() {
        if let Some(f) = Field::from_header(h) {
            map.entry(f).or_insert(i);
        }
    }
    for (name, column) in overrides {
        let field = Field::parse(name).ok_or_else(|| MappingError::UnknownField(name.clone()))?;
        match column {
            None => {
                map.remove(&field);
            }
            Some(ColumnRef::Number(n)) => {
                if *n == 0 || *n > table.headers.len() {
                    return Err(MappingError::ColumnOutOfRange(*n));
                }
                map.insert(field, n - 1);
            }
            Some(ColumnRef::Header(h)) => {
                let want = normalise(h);
                let i = table
                    .headers
                    .iter()
                    .position(|c| normalise(c) == want)
                    .ok_or_else(|| MappingError::UnknownColumn(h.clone()))?;
                map.insert(field, i);
            }
        }
    }
    if !map.contains_key(&Field::Text) && !map.contains_key(&Field::Quote) {
        return Err(MappingError::NoText);
    }
    Ok(map)
}

/// One row's problem. `row` is the row number a spreadsheet shows (the
/// header is row 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RowError {
    pub row: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<Field>,
    /// Stable: `missing_text`, `missing_stage`, `unknown_stage`,
    /// `unknown_lane`, `unknown_persona`, `unknown_source`, `bad_date`,
    /// `unknown_card`, or an op error code (`too_long`, `invalid`, ...).
    pub code: String,
    pub message: String,
    /// The cell's value, when a cell is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A row as it will be imported (the preview).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PreviewRow {
    pub row: usize,
    pub text: String,
    pub stage: Option<String>,
    pub lane: Option<String>,
    pub persona: Option<String>,
    pub source: EvidenceSource,
    pub quote: String,
    pub link: Option<String>,
    pub date: Option<String>,
    /// The existing card the quote goes to.
    pub card: Option<CardId>,
    pub ok: bool,
}

/// What importing a table does, before it is done.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Every valid row's op, in row order (one batch).
    pub ops: Vec<Op>,
    /// Data rows in the table.
    pub rows: usize,
    /// Rows without an error (those `ops` import).
    pub valid: usize,
    pub cards_created: Vec<CardId>,
    /// Evidence added to cards that existed, in order.
    pub evidence_attached: Vec<(CardId, Evidence)>,
    /// The first `MAX_REPORTED_ERRORS` errors.
    pub errors: Vec<RowError>,
    /// Rows with an error (all of them, not only those listed).
    pub invalid: usize,
    pub preview: Vec<PreviewRow>,
}

/// Plans the import of `table` into `board` with `map`. Nothing in `board`
/// changes: rows are tried on a copy.
pub fn plan(board: &Board, table: &Table, map: &Mapping, ctx: ApplyCtx) -> Plan {
    let names = Names::of(board);
    let mut scratch = board.clone();
    let mut plan = Plan {
        rows: table.rows.len(),
        ..Plan::default()
    };
    // New cards go to the end of their cell, in row order: one spread of
    // order keys per cell, so ten thousand rows in a cell keep short keys.
    let mut rows: Vec<(usize, Result<Parsed, RowError>)> = Vec::with_capacity(table.rows.len());
    let mut per_cell: HashMap<(StageId, LaneId), usize> = HashMap::new();
    for (i, cells) in table.rows.iter().enumerate() {
        let parsed = parse_row(i + 2, cells, map, &names, board);
        if let Ok(p) = &parsed
            && p.card.is_none()
        {
            *per_cell.entry((p.stage, p.lane)).or_default() += 1;
        }
        rows.push((i + 2, parsed));
    }
    let mut keys: HashMap<(StageId, LaneId), std::vec::IntoIter<OrderKey>> = per_cell
        .into_iter()
        .map(|(cell, n)| {
            let last = board
                .cards
                .values()
                .filter(|c| (c.stage_id, c.lane_id) == cell)
                .map(|c| &c.order)
                .max();
            (cell, OrderKey::spread_after(last, n).into_iter())
        })
        .collect();
    for (row, parsed) in rows {
        let result = parsed.and_then(|p| {
            let evidence = p.evidence.clone();
            let (op, created) = match p.card {
                Some(id) => {
                    let mut list = scratch
                        .cards
                        .get(&id)
                        .map(|c| c.evidence.clone())
                        .unwrap_or_default();
                    list.push(evidence.clone());
                    let op = Op::UpdateCard {
                        id,
                        patch: CardPatch {
                            evidence: Some(list),
                            ..CardPatch::default()
                        },
                    };
                    (op, None)
                }
                None => {
                    let order = keys
                        .get_mut(&(p.stage, p.lane))
                        .and_then(Iterator::next)
                        .unwrap_or_else(OrderKey::first);
                    let color = board
                        .lanes
                        .get(&p.lane)
                        .map(|l| l.kind.default_color())
                        .unwrap_or(crate::model::Color::Yellow);
                    let mut card = Card::new(p.stage, p.lane, order, p.text.clone(), color);
                    card.persona_id = p.persona;
                    card.evidence = vec![evidence.clone()];
                    let id = card.id;
                    (Op::CreateCard(card), Some(id))
                }
            };
            scratch
                .apply(std::slice::from_ref(&op), ctx)
                .map_err(|e| RowError {
                    row,
                    field: None,
                    code: e.code().as_str().into(),
                    message: e.kind.to_string(),
                    value: None,
                })?;
            Ok((p, op, created, evidence))
        });
        match result {
            Ok((p, op, created, evidence)) => {
                plan.valid += 1;
                match created {
                    Some(id) => plan.cards_created.push(id),
                    None => {
                        if let Some(card) = p.card {
                            plan.evidence_attached.push((card, evidence));
                        }
                    }
                }
                plan.ops.push(op);
                if plan.preview.len() < PREVIEW_ROWS {
                    plan.preview.push(p.preview(row, board, true));
                }
            }
            Err(e) => {
                plan.invalid += 1;
                if plan.preview.len() < PREVIEW_ROWS {
                    let cells = &table.rows[row - 2];
                    plan.preview.push(raw_preview(row, cells, map));
                }
                if plan.errors.len() < MAX_REPORTED_ERRORS {
                    plan.errors.push(e);
                }
            }
        }
    }
    plan
}

/// The ops that take an import back, against the board as it is now:
/// the cards it created that still exist are deleted, and the quotes it
/// attached are taken off the cards that still carry them.
pub fn undo_ops(
    board: &Board,
    cards_created: &[CardId],
    evidence_attached: &[(CardId, Evidence)],
) -> Vec<Op> {
    let mut ops: Vec<Op> = cards_created
        .iter()
        .filter(|id| board.cards.contains_key(id))
        .map(|id| Op::DeleteCard { id: *id })
        .collect();
    let mut lists: BTreeMap<CardId, Vec<Evidence>> = BTreeMap::new();
    for (id, evidence) in evidence_attached {
        let Some(card) = board.cards.get(id) else {
            continue;
        };
        let list = lists.entry(*id).or_insert_with(|| card.evidence.clone());
        if let Some(at) = list.iter().rposition(|e| e == evidence) {
            list.remove(at);
        }
    }
    for (id, list) in lists {
        if board.cards.get(&id).is_some_and(|c| c.evidence != list) {
            ops.push(Op::UpdateCard {
                id,
                patch: CardPatch {
                    evidence: Some(list),
                    ..CardPatch::default()
                },
            });
        }
    }
    ops
}

/// A row read and resolved against the board's names.
struct Parsed {
    text: String,
    stage: StageId,
    lane: LaneId,
    persona: Option<PersonaId>,
    card: Option<CardId>,
    evidence: Evidence,
}

impl Parsed {
    fn preview(&self, row: usize, board: &Board, ok: bool) -> PreviewRow {
        PreviewRow {
            row,
            text: self.text.clone(),
            stage: board.stages.get(&self.stage).map(|s| s.name.clone()),
            lane: board.lanes.get(&self.lane).map(|l| l.name.clone()),
            persona: self
                .persona
                .and_then(|p| board.personas.get(&p))
                .map(|p| p.name.clone()),
            source: self.evidence.source,
            quote: self.evidence.quote.clone(),
            link: self.evidence.link.clone(),
            date: self.evidence.date.clone(),
            card: self.card,
            ok,
        }
    }
}

/// The board's stages, lanes and personas by normalised name.
struct Names {
    stages: HashMap<String, StageId>,
    lanes: HashMap<String, LaneId>,
    personas: HashMap<String, PersonaId>,
    /// Where a card goes without a lane: the first lane that holds cards.
    first_lane: Option<LaneId>,
}

impl Names {
    fn of(board: &Board) -> Self {
        let lanes = board.lanes_in_order();
        let stages = board.stages_in_order();
        let personas = board.personas_in_order();
        // The first of equal names wins, in board order.
        let mut names = Names {
            stages: HashMap::new(),
            lanes: HashMap::new(),
            personas: HashMap::new(),
            first_lane: lanes
                .iter()
                .find(|l| l.kind != LaneKind::Emotions)
                .map(|l| l.id),
        };
        for s in stages {
            names.stages.entry(normalise(&s.name)).or_insert(s.id);
        }
        for l in lanes.iter().filter(|l| l.kind != LaneKind::Emotions) {
            names.lanes.entry(normalise(&l.name)).or_insert(l.id);
        }
        for p in personas {
            names.personas.entry(normalise(&p.name)).or_insert(p.id);
        }
        names
    }
}

fn parse_row(
    row: usize,
    cells: &[String],
    map: &Mapping,
    names: &Names,
    board: &Board,
) -> Result<Parsed, RowError> {
    let cell = |f: Field| -> &str {
        map.get(&f)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    };
    let err = |field: Field, code: &str, message: String, value: &str| RowError {
        row,
        field: Some(field),
        code: code.into(),
        message,
        value: (!value.is_empty()).then(|| value.to_string()),
    };
    let text = cell(Field::Text);
    let quote = cell(Field::Quote);
    if text.is_empty() && quote.is_empty() {
        let field = if map.contains_key(&Field::Quote) {
            Field::Quote
        } else {
            Field::Text
        };
        return Err(err(
            field,
            "missing_text",
            "the row has no text and no quote".into(),
            "",
        ));
    }
    let source_cell = cell(Field::Source);
    let source = if source_cell.is_empty() {
        EvidenceSource::Other
    } else {
        parse_source(source_cell).ok_or_else(|| {
            err(
                Field::Source,
                "unknown_source",
                format!("unknown source \"{source_cell}\" (interview, call transcript, survey, analytics, support ticket, review, other)"),
                source_cell,
            )
        })?
    };
    let date_cell = cell(Field::Date);
    let date = if date_cell.is_empty() {
        None
    } else {
        Some(parse_date(date_cell).ok_or_else(|| {
            err(
                Field::Date,
                "bad_date",
                format!("\"{date_cell}\" is not a date (YYYY-MM-DD or DD.MM.YYYY)"),
                date_cell,
            )
        })?)
    };
    let link_cell = cell(Field::Link);
    let evidence = Evidence {
        source,
        quote: if quote.is_empty() { text } else { quote }.to_string(),
        link: (!link_cell.is_empty()).then(|| link_cell.to_string()),
        date,
    };
    let card_cell = cell(Field::Card);
    if !card_cell.is_empty() {
        let id = card_cell
            .parse::<uuid::Uuid>()
            .ok()
            .map(CardId)
            .filter(|id| board.cards.contains_key(id))
            .ok_or_else(|| {
                err(
                    Field::Card,
                    "unknown_card",
                    format!("no card with id \"{card_cell}\" on this board"),
                    card_cell,
                )
            })?;
        let c = &board.cards[&id];
        return Ok(Parsed {
            text: c.text.clone(),
            stage: c.stage_id,
            lane: c.lane_id,
            persona: c.persona_id,
            card: Some(id),
            evidence,
        });
    }
    let stage_cell = cell(Field::Stage);
    if stage_cell.is_empty() {
        return Err(err(
            Field::Stage,
            "missing_stage",
            "the row names no stage".into(),
            "",
        ));
    }
    let stage = *names.stages.get(&normalise(stage_cell)).ok_or_else(|| {
        err(
            Field::Stage,
            "unknown_stage",
            format!("no stage named \"{stage_cell}\" on this board"),
            stage_cell,
        )
    })?;
    let lane_cell = cell(Field::Lane);
    let lane = if lane_cell.is_empty() {
        names.first_lane.ok_or_else(|| {
            err(
                Field::Lane,
                "unknown_lane",
                "the board has no lane for cards".into(),
                "",
            )
        })?
    } else {
        *names.lanes.get(&normalise(lane_cell)).ok_or_else(|| {
            err(
                Field::Lane,
                "unknown_lane",
                format!("no lane named \"{lane_cell}\" on this board"),
                lane_cell,
            )
        })?
    };
    let persona_cell = cell(Field::Persona);
    let persona = if persona_cell.is_empty() {
        None
    } else {
        Some(
            *names
                .personas
                .get(&normalise(persona_cell))
                .ok_or_else(|| {
                    err(
                        Field::Persona,
                        "unknown_persona",
                        format!("no persona named \"{persona_cell}\" on this board"),
                        persona_cell,
                    )
                })?,
        )
    };
    Ok(Parsed {
        text: if text.is_empty() { quote } else { text }.to_string(),
        stage,
        lane,
        persona,
        card: None,
        evidence,
    })
}

/// A row that failed, shown as its cells say.
fn raw_preview(row: usize, cells: &[String], map: &Mapping) -> PreviewRow {
    let cell = |f: Field| -> Option<String> {
        map.get(&f)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let text = cell(Field::Text)
        .or_else(|| cell(Field::Quote))
        .unwrap_or_default();
    PreviewRow {
        row,
        quote: cell(Field::Quote).unwrap_or_else(|| text.clone()),
        text,
        stage: cell(Field::Stage),
        lane: cell(Field::Lane),
        persona: cell(Field::Persona),
        source: cell(Field::Source)
            .and_then(|s| parse_source(&s))
            .unwrap_or(EvidenceSource::Other),
        link: cell(Field::Link),
        date: cell(Field::Date),
        card: None,
        ok: false,
    }
}

/// Lower case, single spaces, no `_`/`-` between words: how names and
/// headers are compared.
fn normalise(s: &str) -> String {
    s.trim_start_matches('\u{feff}')
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A source by its code or its English or Russian label.
pub fn parse_source(s: &str) -> Option<EvidenceSource> {
    let n = normalise(s);
    if let Some(src) = EvidenceSource::ALL
        .into_iter()
        .find(|c| normalise(c.as_str()) == n)
    {
        return Some(src);
    }
    let labels: &[(&str, EvidenceSource)] = &[
        ("интервью", EvidenceSource::Interview),
        ("call", EvidenceSource::CallTranscript),
        ("transcript", EvidenceSource::CallTranscript),
        ("звонок", EvidenceSource::CallTranscript),
        ("расшифровка звонка", EvidenceSource::CallTranscript),
        ("опрос", EvidenceSource::Survey),
        ("аналитика", EvidenceSource::Analytics),
        ("ticket", EvidenceSource::SupportTicket),
        ("обращение", EvidenceSource::SupportTicket),
        ("обращение в поддержку", EvidenceSource::SupportTicket),
        ("тикет", EvidenceSource::SupportTicket),
        ("отзыв", EvidenceSource::Review),
        ("другое", EvidenceSource::Other),
    ];
    labels.iter().find(|(l, _)| *l == n).map(|(_, s)| *s)
}

/// `YYYY-MM-DD` (or with a time after it) or `DD.MM.YYYY`, as `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<String> {
    let s = s.trim();
    let (y, m, d) = if let Some((date, _time)) = s.split_once(['T', ' ']) {
        return parse_date(date);
    } else if s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' {
        (s.get(0..4)?, s.get(5..7)?, s.get(8..10)?)
    } else if s.len() == 10 && s.as_bytes()[2] == b'.' && s.as_bytes()[5] == b'.' {
        (s.get(6..10)?, s.get(3..5)?, s.get(0..2)?)
    } else {
        return None;
    };
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1000..=9999).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}
