//! What a selection (or the focused card) can do: delete, recolour,
//! duplicate, move, copy and paste.

use super::*;

impl Ui {
    /// The selected cards, or the focused one; in board order.
    pub fn acted_on(&self) -> Vec<CardId> {
        let mut set = self.selection.get_untracked();
        if set.is_empty()
            && let Some(id) = self.selected.get_untracked()
        {
            set.insert(id);
        }
        self.read(|b| in_board_order(b, &set)).unwrap_or_default()
    }

    pub fn delete_cards(&self, ids: &[CardId]) {
        if ids.is_empty() {
            return;
        }
        let ops = ids.iter().map(|id| Op::DeleteCard { id: *id }).collect();
        if self.submit(ops) {
            self.selection.set(BTreeSet::new());
        }
    }

    pub fn recolor_cards(&self, ids: &[CardId], color: Color) {
        let ops: Vec<Op> = ids
            .iter()
            .map(|id| Op::UpdateCard {
                id: *id,
                patch: CardPatch {
                    color: Some(color),
                    ..Default::default()
                },
            })
            .collect();
        if !ops.is_empty() {
            self.submit(ops);
        }
    }

    /// A copy of each card right below it, selected afterwards.
    pub fn duplicate_cards(&self, ids: &[CardId]) {
        let Some(copies) = self.read(|b| {
            ids.iter()
                .filter_map(|id| {
                    let c = b.cards.get(id)?;
                    let cell = b.cards_in_cell(c.stage_id, c.lane_id);
                    let i = cell.iter().position(|x| x.id == c.id)?;
                    let next = cell.get(i + 1).map(|x| &x.order);
                    let mut copy = c.clone();
                    copy.id = CardId::new();
                    copy.order = OrderKey::between(Some(&c.order), next);
                    Some(copy)
                })
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        self.create_and_select(copies);
    }

    fn create_and_select(&self, cards: Vec<Card>) {
        // A copy keeps only its links to pains still on this board: the
        // server refuses links to cards that are gone or elsewhere.
        let cards: Vec<Card> = self
            .read(|b| {
                cards
                    .into_iter()
                    .map(|mut c| {
                        if let Some(o) = c.opportunity.as_mut() {
                            o.addresses.retain(|a| b.cards.contains_key(a));
                        }
                        c
                    })
                    .collect()
            })
            .unwrap_or_default();
        if cards.is_empty() {
            return;
        }
        let ids: BTreeSet<CardId> = cards.iter().map(|c| c.id).collect();
        if self.submit(cards.into_iter().map(Op::CreateCard).collect()) {
            self.selection.set(ids);
        }
    }

    /// Moves cards (in the given order) to position `index` of a cell.
    pub fn move_cards(&self, ids: &[CardId], stage: StageId, lane: LaneId, index: usize) {
        let Some(ops) = self.read(|b| {
            let moving: BTreeSet<CardId> = ids.iter().copied().collect();
            let others: Vec<&OrderKey> = b
                .cards_in_cell(stage, lane)
                .into_iter()
                .filter(|c| !moving.contains(&c.id))
                .map(|c| &c.order)
                .collect();
            let index = index.min(others.len());
            let mut prev = index.checked_sub(1).map(|i| others[i].clone());
            let next = others.get(index).copied();
            ids.iter()
                .filter(|id| b.cards.contains_key(id))
                .map(|id| {
                    let order = OrderKey::between(prev.as_ref(), next);
                    prev = Some(order.clone());
                    Op::MoveCard {
                        id: *id,
                        stage_id: stage,
                        lane_id: lane,
                        order,
                    }
                })
                .collect::<Vec<_>>()
        }) else {
            return;
        };
        if !ops.is_empty() {
            self.submit(ops);
        }
    }

    /// Where a paste goes: the chosen cell, else the focused card's cell.
    fn paste_cell(&self) -> Option<(StageId, LaneId)> {
        self.target_cell.get_untracked().or_else(|| {
            let id = self.selected.get_untracked()?;
            self.read(|b| b.cards.get(&id).map(|c| (c.stage_id, c.lane_id)))
                .flatten()
        })
    }

    pub(super) fn copy(&self, ev: &web_sys::ClipboardEvent) -> bool {
        let ids = self.acted_on();
        let Some(cards) = self.read(|b| {
            ids.iter()
                .filter_map(|id| b.cards.get(id).cloned())
                .collect::<Vec<_>>()
        }) else {
            return false;
        };
        if cards.is_empty() {
            return false;
        }
        let text = cards
            .iter()
            .map(|c| c.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n");
        if let Some(data) = ev.clipboard_data() {
            let _ = data.set_data("text/plain", &text);
        }
        self.history.update_value(|h| {
            h.clipboard = cards;
            h.clipboard_text = text;
        });
        true
    }

    /// Pastes the copied cards (all fields) or, for text from elsewhere,
    /// one card per paragraph, at the end of the paste cell.
    pub(super) fn paste(&self, ev: &web_sys::ClipboardEvent) -> bool {
        let Some((stage, lane)) = self.paste_cell() else {
            return false;
        };
        let text = ev
            .clipboard_data()
            .and_then(|d| d.get_data("text/plain").ok())
            .unwrap_or_default();
        let copied = self.history.with_value(|h| {
            (h.clipboard_text == text && !h.clipboard.is_empty()).then(|| h.clipboard.clone())
        });
        let Some((mut last, color)) = self.read(|b| {
            let last = b.cards_in_cell(stage, lane).last().map(|c| c.order.clone());
            let color = b
                .lanes
                .get(&lane)
                .map(|l| l.kind.default_color())
                .unwrap_or(Color::Yellow);
            (last, color)
        }) else {
            return false;
        };
        let mut next_order = || {
            let k = OrderKey::between(last.as_ref(), None);
            last = Some(k.clone());
            k
        };
        let cards: Vec<Card> = match copied {
            Some(cards) => cards
                .into_iter()
                .map(|mut c| {
                    c.id = CardId::new();
                    c.stage_id = stage;
                    c.lane_id = lane;
                    c.order = next_order();
                    c
                })
                .collect(),
            None => paragraphs(&text)
                .into_iter()
                .map(|t| Card::new(stage, lane, next_order(), t, color))
                .collect(),
        };
        let cards: Vec<Card> = cards.into_iter().take(MAX_PASTE).collect();
        if cards.is_empty() {
            return false;
        }
        self.create_and_select(cards);
        true
    }
}

/// Pasted text as card texts: paragraphs, or lines when there are no
/// blank lines.
fn paragraphs(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    let parts: Vec<&str> = if text.contains("\n\n") {
        text.split("\n\n").collect()
    } else {
        text.lines().collect()
    };
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn in_board_order(b: &Board, set: &BTreeSet<CardId>) -> Vec<CardId> {
    let mut out = Vec::new();
    for s in b.stages_in_order() {
        for l in b.lanes_in_order() {
            out.extend(
                b.cards_in_cell(s.id, l.id)
                    .iter()
                    .map(|c| c.id)
                    .filter(|id| set.contains(id)),
            );
        }
    }
    out
}
