//! A small picture of a map for lists (the home page's board thumbnails):
//! stages as columns, lanes as rows, each card a coloured block in its
//! cell, the emotion lane as each persona's curve. No text at all, so the
//! picture stays a few kilobytes whatever the board holds (a 300-card map
//! is about 20 KB) and nothing a user typed can reach the SVG.
//!
//! Deterministic like `draw`: the same board gives the same bytes.

use std::collections::HashMap;
use std::fmt::Write;

use cjm_core::{Board, Curve, LaneId, LaneKind, StageId};

/// Width of a stage column and height of a lane row, in SVG units.
const COL_W: f32 = 48.0;
const ROW_H: f32 = 26.0;
const EMOTION_H: f32 = 40.0;
const HEAD_W: f32 = 14.0;
const HEAD_H: f32 = 10.0;
const PAD: f32 = 3.0;
/// A cell shows at most this many blocks (two columns of four); more cards
/// add nothing a thumbnail can show.
const MAX_BLOCKS: usize = 8;
/// Beyond this many stages or lanes the rest is left out.
const MAX_STAGES: usize = 24;
const MAX_LANES: usize = 16;

/// The thumbnail as an SVG document (`viewBox` in its own units; the page
/// scales it).
pub fn thumbnail(board: &Board) -> String {
    let stages: Vec<StageId> = board
        .stages_in_order()
        .into_iter()
        .take(MAX_STAGES)
        .map(|s| s.id)
        .collect();
    let lanes: Vec<(LaneId, LaneKind)> = board
        .lanes_in_order()
        .into_iter()
        .take(MAX_LANES)
        .map(|l| (l.id, l.kind))
        .collect();
    let col_of: HashMap<StageId, usize> = stages.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let height_of = |kind: LaneKind| {
        if kind == LaneKind::Emotions {
            EMOTION_H
        } else {
            ROW_H
        }
    };
    // At least the size of a small empty map, so a blank board is a grid.
    let cols = stages.len().max(3);
    let width = HEAD_W + cols as f32 * COL_W;
    let rows_h: f32 = lanes
        .iter()
        .map(|(_, k)| height_of(*k))
        .sum::<f32>()
        .max(3.0 * ROW_H);
    let height = HEAD_H + rows_h;
    let mut o = String::with_capacity(4096 + board.cards.len() * 80);
    let _ = write!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}"><rect width="100%" height="100%" fill="#ffffff"/>"##,
        f(width),
        f(height),
        f(width),
        f(height)
    );
    // Stage headers: one strip per stage.
    for i in 0..stages.len() {
        let _ = write!(
            o,
            r##"<rect x="{}" y="1" width="{}" height="{}" rx="2" fill="#5c7cfa" opacity=".8"/>"##,
            f(HEAD_W + i as f32 * COL_W + 1.0),
            f(COL_W - 2.0),
            f(HEAD_H - 3.0)
        );
    }
    // Lane rows: a header tab and a faint line between rows.
    let mut y_of: HashMap<LaneId, f32> = HashMap::new();
    let mut y = HEAD_H;
    for (i, (id, kind)) in lanes.iter().enumerate() {
        y_of.insert(*id, y);
        let h = height_of(*kind);
        if i % 2 == 1 {
            let _ = write!(
                o,
                r##"<rect x="0" y="{}" width="{}" height="{}" fill="#f6f8fa"/>"##,
                f(y),
                f(width),
                f(h)
            );
        }
        let _ = write!(
            o,
            r##"<rect x="2" y="{}" width="{}" height="{}" rx="1.5" fill="#d8dee4"/>"##,
            f(y + 3.0),
            f(HEAD_W - 5.0),
            f(h - 6.0)
        );
        if *kind == LaneKind::Emotions {
            emotions(&mut o, board, &col_of, y, h);
        }
        y += h;
    }
    // Cards: blocks filling each cell in card order, two to a row.
    let mut cells: HashMap<(StageId, LaneId), Vec<&cjm_core::Card>> = HashMap::new();
    for card in board.cards.values() {
        if col_of.contains_key(&card.stage_id) && y_of.contains_key(&card.lane_id) {
            cells
                .entry((card.stage_id, card.lane_id))
                .or_default()
                .push(card);
        }
    }
    let mut keys: Vec<&(StageId, LaneId)> = cells.keys().collect();
    keys.sort_by_key(|(s, l)| (col_of[s], y_of[l].to_bits()));
    let block_w = (COL_W - 3.0 * PAD) / 2.0;
    let block_h = (ROW_H - 2.0 * PAD - 3.0 * 1.5) / 4.0;
    for key in keys {
        let mut cards = cells[key].clone();
        cards.sort_by(|a, b| (&a.order, a.id).cmp(&(&b.order, b.id)));
        let (x0, y0) = (HEAD_W + col_of[&key.0] as f32 * COL_W, y_of[&key.1]);
        for (i, card) in cards.iter().take(MAX_BLOCKS).enumerate() {
            let (cx, cy) = (i % 2, i / 2);
            let _ = write!(
                o,
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="1" fill="{}" stroke="#00000026" stroke-width=".5"/>"##,
                f(x0 + PAD + cx as f32 * (block_w + PAD)),
                f(y0 + PAD + cy as f32 * (block_h + 1.5)),
                f(block_w),
                f(block_h),
                card.color.paper()
            );
        }
    }
    o.push_str("</svg>");
    o
}

/// Each persona's as-is curve across the emotion row at `top`.
fn emotions(o: &mut String, board: &Board, col_of: &HashMap<StageId, usize>, top: f32, h: f32) {
    let mid = top + h / 2.0;
    let step = (h / 2.0 - 4.0) / 2.0;
    let _ = write!(
        o,
        r##"<line x1="{}" y1="{}" x2="100%" y2="{}" stroke="#d8dee4" stroke-width=".6"/>"##,
        f(HEAD_W),
        f(mid),
        f(mid)
    );
    for p in board.personas_in_order() {
        let mut points: Vec<(usize, f32)> = board
            .emotions
            .iter()
            .filter(|e| e.persona_id == p.id && e.curve == Curve::AsIs)
            .filter_map(|e| Some((*col_of.get(&e.stage_id)?, mid - f32::from(e.score) * step)))
            .collect();
        if points.is_empty() {
            continue;
        }
        points.sort_by_key(|p| p.0);
        let path: Vec<String> = points
            .iter()
            .map(|(i, y)| format!("{},{}", f(HEAD_W + (*i as f32 + 0.5) * COL_W), f(*y)))
            .collect();
        let _ = write!(
            o,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>"#,
            path.join(" "),
            p.color.ink()
        );
    }
}

/// One decimal at most, as `draw` writes numbers.
fn f(v: f32) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cjm_core::template::{Locale, Template};

    #[test]
    fn a_thumbnail_has_no_text_and_stays_small() {
        let mut board = Template::FridgeExample.build(cjm_core::BoardId::new(), "<b>&", Locale::En);
        let stage = board.stages_in_order()[0].id;
        let lane = board.lanes_in_order()[0].id;
        for i in 0..300 {
            let card = cjm_core::Card::new(
                stage,
                lane,
                cjm_core::OrderKey::first(),
                format!("<script>{i}</script>"),
                cjm_core::Color::Yellow,
            );
            board.cards.insert(card.id, card);
        }
        let svg = thumbnail(&board);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<text") && !svg.contains("script") && !svg.contains("<b>"));
        assert!(svg.len() < 30_000, "{} bytes", svg.len());
        assert_eq!(svg, thumbnail(&board), "deterministic");
    }
}
