//! The card table shared by the CSV and the XLSX: one row per card, in
//! board order (stage, lane, then the card's place in its cell).

use cjm_core::{Board, Card};

/// The language of column headers (values stay the stable codes of the
/// API, so a file can be read back by a script or by the quote import).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    pub(crate) fn pick<'a>(self, en: &'a str, ru: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }
}

/// Card columns: English header, Russian header. The first eight are the
/// quote import's own names, so a card export imports back as quotes.
pub(crate) const CARD_COLUMNS: [(&str, &str); 19] = [
    ("text", "текст"),
    ("stage", "этап"),
    ("lane", "дорожка"),
    ("persona", "персона"),
    ("source", "источник"),
    ("quote", "цитата"),
    ("link", "ссылка"),
    ("date", "дата"),
    ("lane kind", "тип дорожки"),
    ("color", "цвет"),
    ("channel", "канал"),
    ("evidence", "подтверждений"),
    ("impact", "влияние"),
    ("effort", "усилия"),
    ("priority", "приоритет"),
    ("owner", "ответственный"),
    ("status", "статус"),
    ("votes", "голоса"),
    ("card id", "id карточки"),
];

/// One card as its row's cells, in `CARD_COLUMNS` order. Several pieces of
/// evidence go one per line in the source, quote, link and date cells.
pub(crate) fn card_row(board: &Board, card: &Card) -> Vec<String> {
    let stage = board.stages.get(&card.stage_id).map(|s| s.name.clone());
    let lane = board.lanes.get(&card.lane_id);
    let persona = card
        .persona_id
        .and_then(|p| board.personas.get(&p))
        .map(|p| p.name.clone());
    let lines = |f: &dyn Fn(&cjm_core::Evidence) -> String| {
        card.evidence.iter().map(f).collect::<Vec<_>>().join("\n")
    };
    let opp = card.opportunity.as_ref();
    vec![
        card.text.clone(),
        stage.unwrap_or_default(),
        lane.map(|l| l.name.clone()).unwrap_or_default(),
        persona.unwrap_or_default(),
        lines(&|e| e.source.as_str().to_string()),
        lines(&|e| e.quote.clone()),
        lines(&|e| e.link.clone().unwrap_or_default()),
        lines(&|e| e.date.clone().unwrap_or_default()),
        lane.map(|l| l.kind.as_str().to_string())
            .unwrap_or_default(),
        card.color.as_str().to_string(),
        card.channel
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        card.evidence.len().to_string(),
        opp.map(|o| o.impact.to_string()).unwrap_or_default(),
        opp.map(|o| o.effort.to_string()).unwrap_or_default(),
        opp.map(|o| o.priority().to_string()).unwrap_or_default(),
        opp.map(|o| o.owner.clone()).unwrap_or_default(),
        opp.map(|o| o.status.as_str().to_string())
            .unwrap_or_default(),
        board
            .card_votes
            .get(&card.id)
            .map(u32::to_string)
            .unwrap_or_default(),
        card.id.0.to_string(),
    ]
}

/// Each stage's place from the left.
pub(crate) fn stage_positions(
    board: &Board,
) -> std::collections::HashMap<cjm_core::StageId, usize> {
    board
        .stages_in_order()
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect()
}

/// The cards in board order: stage by stage, lane by lane, then by their
/// order in the cell (ties by id, as the board breaks them).
pub(crate) fn cards_in_order(board: &Board) -> Vec<&Card> {
    let stage_at = stage_positions(board);
    let lane_at: std::collections::HashMap<_, _> = board
        .lanes_in_order()
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id, i))
        .collect();
    let mut cards: Vec<&Card> = board.cards.values().collect();
    cards.sort_by(|a, b| {
        let key = |c: &Card| {
            (
                stage_at.get(&c.stage_id).copied(),
                lane_at.get(&c.lane_id).copied(),
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.order.cmp(&b.order))
            .then_with(|| a.id.cmp(&b.id))
    });
    cards
}
