//! The map as a printable PDF: landscape A4 or A3 pages, the map split
//! between stages (each page has the lane names and its stages' headers,
//! so every page reads on its own), then a page of personas and a page of
//! opportunities. Every page is a drawing made by `draw` and embedded as a
//! vector object (svg2pdf), so the text stays text.

use std::collections::HashMap;
use std::fmt::Write;

use cjm_core::Board;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref};

use crate::draw::{self, FAMILY, HEADER_W, MARGIN, Metrics, STAGE_W, Scope, f, text};
use crate::rows::cards_in_order;
use crate::{ExportError, Exported, Lang};

/// Paper, landscape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

impl Paper {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "a4" => Some(Paper::A4),
            "a3" => Some(Paper::A3),
            _ => None,
        }
    }

    /// Width and height in points (1/72 in), landscape.
    fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (842.0, 595.0),
            Paper::A3 => (1191.0, 842.0),
        }
    }
}

/// The page margin, in points.
const PAGE_MARGIN: f32 = 24.0;
/// The map is not shrunk below this to fit more stages on a page: text
/// stays readable on paper (card text at about 8 pt).
const MIN_SCALE: f32 = 0.65;

pub fn pdf(board: &Board, lang: Lang, paper: Paper) -> Result<Exported, ExportError> {
    let (pw, ph) = paper.size();
    let usable = pw - 2.0 * PAGE_MARGIN;
    let per_page = (((usable / MIN_SCALE) - 2.0 * MARGIN - HEADER_W) / STAGE_W)
        .floor()
        .max(1.0) as usize;
    let stages = board.stages.len().max(1);
    let groups: Vec<std::ops::Range<usize>> = (0..stages)
        .step_by(per_page)
        .map(|start| start..(start + per_page).min(stages))
        .collect();
    let total = groups.len();
    let mut svgs: Vec<String> = groups
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            draw::svg(
                board,
                lang,
                &Scope {
                    stages: Some(range),
                    page: (total > 1).then_some((i + 1, total)),
                    ..Scope::default()
                },
            )
        })
        .collect();
    if !board.personas.is_empty() {
        svgs.push(personas_sheet(board, lang));
    }
    if board.cards.values().any(|c| c.opportunity.is_some()) {
        svgs.push(opportunities_sheet(board, lang));
    }
    let bytes = assemble(&svgs, pw, ph)?;
    Ok(Exported {
        bytes,
        content_type: "application/pdf",
        extension: "pdf",
    })
}

/// One page per drawing, each scaled to fit the page and set at its top left.
fn assemble(svgs: &[String], pw: f32, ph: f32) -> Result<Vec<u8>, ExportError> {
    let failed = |e: &dyn std::fmt::Display| ExportError::Draw(e.to_string());
    let mut alloc = Ref::new(1);
    let catalog = alloc.bump();
    let tree_id = alloc.bump();
    let mut pdf = Pdf::new();
    let mut pages = Vec::new();
    let mut chunks = Vec::new();
    let name = Name(b"Map");
    for svg in svgs {
        let tree = draw::tree(svg)?;
        let (w, h) = (tree.size().width(), tree.size().height());
        let (chunk, xobject) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| failed(&e))?;
        let mut ids = HashMap::new();
        let chunk = chunk.renumber(|old| *ids.entry(old).or_insert_with(|| alloc.bump()));
        let xobject = ids[&xobject];
        let scale = ((pw - 2.0 * PAGE_MARGIN) / w).min((ph - 2.0 * PAGE_MARGIN) / h);
        let (x, y) = (PAGE_MARGIN, ph - PAGE_MARGIN - h * scale);
        let page_id = alloc.bump();
        let content_id = alloc.bump();
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, pw, ph));
        page.parent(tree_id);
        page.contents(content_id);
        page.resources().x_objects().pair(name, xobject);
        page.finish();
        let mut content = Content::new();
        content.save_state();
        content.transform([w * scale, 0.0, 0.0, h * scale, x, y]);
        content.x_object(name);
        content.restore_state();
        pdf.stream(content_id, &content.finish());
        pages.push(page_id);
        chunks.push(chunk);
    }
    pdf.catalog(catalog).pages(tree_id);
    pdf.pages(tree_id)
        .kids(pages.iter().copied())
        .count(pages.len() as i32);
    for chunk in &chunks {
        pdf.extend(chunk);
    }
    Ok(pdf.finish())
}

/// A sheet of text blocks: a title, then for each block a bold heading
/// and lines, wrapped to `width`, in as many columns as fit.
fn sheet(title: &str, blocks: &[(String, Vec<String>)]) -> String {
    const W: f32 = 1120.0;
    const COLUMNS: usize = 3;
    let col_w = (W - 2.0 * MARGIN - (COLUMNS as f32 - 1.0) * 24.0) / COLUMNS as f32;
    let mut metrics = Metrics::new();
    let mut body = String::new();
    let mut heights = [MARGIN + 56.0; COLUMNS];
    for (heading, lines) in blocks {
        let col = (0..COLUMNS)
            .min_by(|a, b| heights[*a].total_cmp(&heights[*b]))
            .unwrap_or(0);
        let x = MARGIN + col as f32 * (col_w + 24.0);
        let mut y = heights[col];
        for line in metrics.wrap(heading, 14.0, true, col_w, 3) {
            y += 18.0;
            text(&mut body, x, y, 14.0, true, "#1f2328", &line);
        }
        for l in lines {
            for line in metrics.wrap(l, 11.0, false, col_w, 20) {
                y += 15.0;
                text(&mut body, x, y, 11.0, false, "#1f2328", &line);
            }
        }
        heights[col] = y + 18.0;
    }
    let h = heights.iter().copied().fold(0.0, f32::max) + MARGIN;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FAMILY}">"#,
        w = f(W),
        h = f(h)
    );
    let _ = write!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>"##
    );
    let heading = metrics
        .wrap(title, 20.0, true, W - 2.0 * MARGIN, 1)
        .remove(0);
    text(
        &mut out,
        MARGIN,
        MARGIN + 24.0,
        20.0,
        true,
        "#1f2328",
        &heading,
    );
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

fn personas_sheet(board: &Board, lang: Lang) -> String {
    let t = |en: &'static str, ru: &'static str| lang.pick(en, ru);
    let blocks: Vec<(String, Vec<String>)> = board
        .personas_in_order()
        .into_iter()
        .map(|p| {
            let mut head = p.name.clone();
            if !p.role.is_empty() {
                head.push_str(&format!(", {}", p.role));
            }
            if let Some(age) = p.age {
                head.push_str(&format!(", {age}"));
            }
            let mut lines = Vec::new();
            if !p.quote.is_empty() {
                lines.push(format!("“{}”", p.quote));
            }
            for (label, value) in [
                (t("Goals", "Цели"), &p.goals),
                (t("Needs", "Потребности"), &p.needs),
                (t("Pains", "Боли"), &p.pains),
                (t("Fears", "Страхи"), &p.fears),
                (t("Expectations", "Ожидания"), &p.expectations),
                (t("About", "О персоне"), &p.about),
            ] {
                if !value.is_empty() {
                    lines.push(format!("{label}: {value}"));
                }
            }
            (head, lines)
        })
        .collect();
    sheet(
        &format!("{} · {}", board.title, t("Personas", "Персоны")),
        &blocks,
    )
}

fn opportunities_sheet(board: &Board, lang: Lang) -> String {
    let t = |en: &'static str, ru: &'static str| lang.pick(en, ru);
    let mut opportunities: Vec<_> = cards_in_order(board)
        .into_iter()
        .filter_map(|c| c.opportunity.as_ref().map(|o| (c, o)))
        .collect();
    opportunities.sort_by_key(|(_, o)| std::cmp::Reverse(o.priority()));
    let blocks: Vec<(String, Vec<String>)> = opportunities
        .into_iter()
        .map(|(c, o)| {
            let stage = board
                .stages
                .get(&c.stage_id)
                .map(|s| s.name.as_str())
                .unwrap_or("");
            let owner = if o.owner.is_empty() { "—" } else { &o.owner };
            let mut lines = vec![format!(
                "{} {} · {}: {owner} · {}: {} · {stage}",
                t("Priority", "Приоритет"),
                o.priority(),
                t("owner", "ответственный"),
                t("status", "статус"),
                o.status.as_str()
            )];
            for pain in o.addresses.iter().filter_map(|id| board.cards.get(id)) {
                lines.push(format!("— {}", pain.text.replace('\n', " ")));
            }
            (c.text.replace('\n', " "), lines)
        })
        .collect();
    sheet(
        &format!("{} · {}", board.title, t("Opportunities", "Возможности")),
        &blocks,
    )
}
