//! Arrow keys between cards and cells, empty cells included.

use super::*;

/// Arrow keys on a focused card: up/down within the cell and on to the
/// lanes above and below, left/right to the same place in the next stage.
/// An empty cell takes focus on its "+" button (Enter adds a card there).
pub fn navigate(ui: Ui, from: CardId, key: &str) -> bool {
    let Some(Some((stage, lane, index))) = ui.read(|b| {
        let c = b.cards.get(&from)?;
        let (stages, lanes) = cell_axes(ui, b);
        let si = stages.iter().position(|s| *s == c.stage_id)?;
        let li = lanes.iter().position(|l| *l == c.lane_id)?;
        let cell = b.cards_in_cell(c.stage_id, c.lane_id);
        let ci = cell.iter().position(|x| x.id == from)?;
        let len = |s: StageId, l: LaneId| b.cards_in_cell(s, l).len();
        Some(match key {
            "ArrowUp" if ci > 0 => (c.stage_id, c.lane_id, ci - 1),
            "ArrowUp" => {
                let l = lanes[li.checked_sub(1)?];
                (c.stage_id, l, len(c.stage_id, l).saturating_sub(1))
            }
            "ArrowDown" if ci + 1 < cell.len() => (c.stage_id, c.lane_id, ci + 1),
            "ArrowDown" => (c.stage_id, *lanes.get(li + 1)?, 0),
            "ArrowLeft" => (stages[si.checked_sub(1)?], c.lane_id, ci),
            _ => (*stages.get(si + 1)?, c.lane_id, ci),
        })
    }) else {
        return false;
    };
    go_to(ui, stage, lane, index);
    true
}

/// The stages in order and the lanes with cells (not the emotion lane,
/// not a collapsed one), for moving between cells.
fn cell_axes(ui: Ui, b: &Board) -> (Vec<StageId>, Vec<LaneId>) {
    let stages = b.stages_in_order().iter().map(|s| s.id).collect();
    let collapsed = ui.collapsed.get_untracked();
    let lanes = b
        .lanes_in_order()
        .iter()
        .filter(|l| l.kind != LaneKind::Emotions && !collapsed.contains(&l.id))
        .map(|l| l.id)
        .collect();
    (stages, lanes)
}

/// Focuses card `index` of a cell (its last if there are fewer), or the
/// cell's "+" when it is empty.
fn go_to(ui: Ui, stage: StageId, lane: LaneId, index: usize) {
    let target = ui
        .read(|b| {
            let cell = b.cards_in_cell(stage, lane);
            cell.get(index.min(cell.len().saturating_sub(1)))
                .map(|c| c.id)
        })
        .flatten();
    match target {
        Some(id) => drag::focus_card(id),
        None => focus_add_card(ui, stage, lane),
    }
}

/// Focuses a cell's "+" button (Enter adds a card there).
pub fn focus_add_card(ui: Ui, stage: StageId, lane: LaneId) {
    let sel =
        format!("[data-cell][data-stage=\"{stage}\"][data-lane=\"{lane}\"] [data-testid=add-card]");
    if let Ok(Some(el)) = document().query_selector(&sel)
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
        ui.target_cell.set(Some((stage, lane)));
    }
}

/// Arrow keys on a cell's "+" (an empty cell's only stop): on to the
/// neighbouring cell, so that the arrows pass through empty cells. Up from
/// a cell with cards goes to its last card.
pub fn navigate_from_cell(ui: Ui, stage: StageId, lane: LaneId, key: &str) -> bool {
    let Some(Some((stage, lane, index))) = ui.read(|b| {
        let (stages, lanes) = cell_axes(ui, b);
        let si = stages.iter().position(|s| *s == stage)?;
        let li = lanes.iter().position(|l| *l == lane)?;
        let len = |s: StageId, l: LaneId| b.cards_in_cell(s, l).len();
        Some(match key {
            "ArrowUp" if len(stage, lane) > 0 => (stage, lane, len(stage, lane) - 1),
            "ArrowUp" => {
                let l = lanes[li.checked_sub(1)?];
                (stage, l, len(stage, l).saturating_sub(1))
            }
            "ArrowDown" => (stage, *lanes.get(li + 1)?, 0),
            "ArrowLeft" => (stages[si.checked_sub(1)?], lane, 0),
            "ArrowRight" => (*stages.get(si + 1)?, lane, 0),
            _ => return None,
        })
    }) else {
        return false;
    };
    go_to(ui, stage, lane, index);
    true
}
