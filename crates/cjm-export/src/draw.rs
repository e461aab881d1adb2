//! The map drawn as SVG from the board model: stages as columns, lanes as
//! rows, cards as sticky notes with their text wrapped, the emotion lane
//! with each persona's curves and dips. One drawing serves three formats:
//! the SVG itself, PNG (resvg) and PDF (svg2pdf), all with the bundled
//! DejaVu Sans so that Cyrillic renders the same on a machine with no fonts.
//!
//! The output is deterministic: the same board gives the same bytes
//! (everything is laid out in board order, numbers have one decimal).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, OnceLock};

use cjm_core::health::{self, needs_evidence};
use cjm_core::{Board, Card, Curve, LaneKind, StageId};

use crate::sheets::number;
use crate::{ExportError, Exported, Lang};

const FONT_REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const FONT_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
pub(crate) const FAMILY: &str = "DejaVu Sans";

pub(crate) const MARGIN: f32 = 24.0;
const TITLE_H: f32 = 48.0;
pub(crate) const HEADER_W: f32 = 180.0;
pub(crate) const STAGE_W: f32 = 240.0;
const PAD: f32 = 10.0;
const CARD_W: f32 = STAGE_W - 2.0 * PAD;
const CARD_GAP: f32 = 8.0;
const CARD_PAD: f32 = 8.0;
const FONT: f32 = 12.0;
const LINE: f32 = 16.0;
const SMALL: f32 = 10.0;
const MIN_ROW: f32 = 56.0;
const EMOTION_H: f32 = 150.0;
/// A card shows at most this many lines of its text (a note, not a page).
const MAX_CARD_LINES: usize = 12;

/// What to draw.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Only these cards (a selection); `None`: all.
    pub cards: Option<Vec<cjm_core::CardId>>,
    /// Only these stages, by their place from the left (one page of a
    /// paged PDF); `None`: all.
    pub stages: Option<std::ops::Range<usize>>,
    /// "page 2 of 5", shown after the title.
    pub page: Option<(usize, usize)>,
}

/// The board as an SVG document.
pub fn svg(board: &Board, lang: Lang, scope: &Scope) -> String {
    let mut d = Drawing::new(board, lang, scope);
    d.draw();
    d.out
}

pub fn svg_file(board: &Board, lang: Lang, scope: &Scope) -> Exported {
    Exported {
        bytes: svg(board, lang, scope).into_bytes(),
        content_type: "image/svg+xml",
        extension: "svg",
    }
}

/// PNG at `scale` (1 or 2 for a sharp image on a high-density screen).
pub fn png(board: &Board, lang: Lang, scope: &Scope, scale: f32) -> Result<Exported, ExportError> {
    let tree = tree(&svg(board, lang, scope))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| ExportError::Draw("empty drawing".into()))?;
    let (width, height) = (size.width(), size.height());
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ExportError::Draw(format!(
            "a {width}×{height} image is too large; export a PDF or SVG instead"
        )));
    }
    let rgb = raster(&tree, scale, width, height)?;
    let bytes = encode_png(&rgb, width, height).map_err(|e| ExportError::Draw(e.to_string()))?;
    Ok(Exported {
        bytes,
        content_type: "image/png",
        extension: "png",
    })
}

/// The largest PNG drawn (a 2× map of 200 stages would be gigabytes).
const MAX_PIXELS: u64 = 200_000_000;

/// The drawing as RGB rows on white, in horizontal bands rendered side by
/// side, one per core: a big map is tens of megapixels and rasterising
/// was half of the export's time.
fn raster(
    tree: &resvg::usvg::Tree,
    scale: f32,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, ExportError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8) as u32;
    let band = height.div_ceil(threads).max(1);
    let row = width as usize * 3;
    let mut rgb = vec![0u8; row * height as usize];
    std::thread::scope(|s| {
        let mut jobs = Vec::new();
        for (i, out) in rgb.chunks_mut(row * band as usize).enumerate() {
            let top = i as u32 * band;
            let rows = (out.len() / row) as u32;
            jobs.push(s.spawn(move || -> Result<(), ExportError> {
                let mut pixmap = resvg::tiny_skia::Pixmap::new(width, rows)
                    .ok_or_else(|| ExportError::Draw("the image could not be allocated".into()))?;
                pixmap.fill(resvg::tiny_skia::Color::WHITE);
                let at = resvg::tiny_skia::Transform::from_translate(0.0, -(top as f32))
                    .pre_scale(scale, scale);
                resvg::render(tree, at, &mut pixmap.as_mut());
                // Opaque (drawn on white): premultiplied is plain RGB.
                for (px, dst) in pixmap.data().chunks_exact(4).zip(out.chunks_exact_mut(3)) {
                    dst.copy_from_slice(&px[..3]);
                }
                Ok(())
            }));
        }
        jobs.into_iter().try_for_each(|j| {
            j.join()
                .unwrap_or_else(|_| Err(ExportError::Draw("drawing failed".into())))
        })
    })?;
    Ok(rgb)
}

/// RGB rows as a PNG, compressed for speed: the default (best)
/// compression cost a tenth of the export's time for a few percent of size.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::FilterType::Sub);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// One vector PDF page of the whole map, its text real text in the
/// embedded font (searchable, copyable).
pub fn pdf(board: &Board, lang: Lang, scope: &Scope) -> Result<Exported, ExportError> {
    let tree = tree(&svg(board, lang, scope))?;
    let bytes = svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| ExportError::Draw(e.to_string()))?;
    Ok(Exported {
        bytes,
        content_type: "application/pdf",
        extension: "pdf",
    })
}

/// The parsed drawing, with the bundled fonts and nothing else (no system
/// fonts, no files, no network).
pub(crate) fn tree(svg: &str) -> Result<resvg::usvg::Tree, ExportError> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(FONT_REGULAR.to_vec());
        db.load_font_data(FONT_BOLD.to_vec());
        db.set_sans_serif_family(FAMILY);
        Arc::new(db)
    });
    let options = resvg::usvg::Options {
        font_family: FAMILY.into(),
        fontdb: fonts.clone(),
        ..resvg::usvg::Options::default()
    };
    resvg::usvg::Tree::from_str(svg, &options).map_err(|e| ExportError::Draw(e.to_string()))
}

/// Advance widths of the bundled fonts, to wrap text as it will render.
pub(crate) struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
    cache: HashMap<(char, bool), f32>,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        Self {
            regular: ttf_parser::Face::parse(FONT_REGULAR, 0).expect("the bundled font parses"),
            bold: ttf_parser::Face::parse(FONT_BOLD, 0).expect("the bundled font parses"),
            cache: HashMap::new(),
        }
    }

    /// Width of `text` at `size` pixels.
    pub(crate) fn width(&mut self, text: &str, size: f32, bold: bool) -> f32 {
        text.chars().map(|c| self.advance(c, bold)).sum::<f32>() * size
    }

    /// One character's advance per pixel of font size.
    fn advance(&mut self, c: char, bold: bool) -> f32 {
        if let Some(w) = self.cache.get(&(c, bold)) {
            return *w;
        }
        let face = if bold { &self.bold } else { &self.regular };
        let per_em = f32::from(face.units_per_em());
        let w = face
            .glyph_index(c)
            .and_then(|g| face.glyph_hor_advance(g))
            .map(|a| f32::from(a) / per_em)
            .unwrap_or(0.6);
        self.cache.insert((c, bold), w);
        w
    }

    /// `text` broken into lines no wider than `width`, at word boundaries
    /// (a word longer than a line is cut), at most `max` lines (the last
    /// ends with "…" when text is left out).
    pub(crate) fn wrap(
        &mut self,
        text: &str,
        size: f32,
        bold: bool,
        width: f32,
        max: usize,
    ) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        'paragraphs: for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size, bold) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    if lines.len() >= max {
                        break 'paragraphs;
                    }
                }
                // The word alone, cut where it no longer fits.
                let mut rest = String::new();
                for c in word.chars() {
                    rest.push(c);
                    if self.width(&rest, size, bold) > width && rest.chars().count() > 1 {
                        let c = rest.pop().unwrap_or(' ');
                        lines.push(std::mem::take(&mut rest));
                        if lines.len() >= max {
                            break 'paragraphs;
                        }
                        rest.push(c);
                    }
                }
                line = rest;
            }
            lines.push(line);
            if lines.len() >= max {
                break;
            }
        }
        let total_words: usize = text.split_whitespace().count();
        let shown_words: usize = lines.iter().map(|l| l.split_whitespace().count()).sum();
        if lines.len() >= max
            && shown_words < total_words
            && let Some(last) = lines.last_mut()
        {
            while !last.is_empty() && self.width(&format!("{last}…"), size, bold) > width {
                last.pop();
            }
            last.push('…');
        }
        while lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines
    }
}

/// A stage header laid out: its name's lines, and each metric's line with
/// whether it meets its target (`None`: no target).
type StageHead = (Vec<String>, Vec<(String, Option<bool>)>);

/// A card laid out: its lines and its height.
struct Note<'a> {
    card: &'a Card,
    lines: Vec<String>,
    meta: Option<String>,
    height: f32,
}

struct Drawing<'a> {
    board: &'a Board,
    lang: Lang,
    scope: &'a Scope,
    metrics: Metrics,
    out: String,
}

impl<'a> Drawing<'a> {
    fn new(board: &'a Board, lang: Lang, scope: &'a Scope) -> Self {
        Self {
            board,
            lang,
            scope,
            metrics: Metrics::new(),
            out: String::new(),
        }
    }

    fn shown(&self, card: &Card) -> bool {
        self.scope
            .cards
            .as_ref()
            .is_none_or(|ids| ids.contains(&card.id))
    }

    fn note(&mut self, card: &'a Card, kind: LaneKind) -> Note<'a> {
        let lines = self.metrics.wrap(
            &card.text,
            FONT,
            false,
            CARD_W - 2.0 * CARD_PAD,
            MAX_CARD_LINES,
        );
        let mut meta: Vec<String> = Vec::new();
        if let Some(p) = card.persona_id.and_then(|p| self.board.personas.get(&p)) {
            meta.push(p.name.clone());
        }
        if !card.evidence.is_empty() {
            meta.push(format!(
                "{} {}",
                card.evidence.len(),
                self.lang.pick("evidence", "подтвержд.")
            ));
        } else if needs_evidence(kind) && !self.board.quiet {
            meta.push(self.lang.pick("hypothesis", "гипотеза").into());
        }
        if let Some(o) = &card.opportunity {
            meta.push(format!("P{}", o.priority()));
            if !o.owner.is_empty() {
                meta.push(o.owner.clone());
            }
        }
        if let Some(v) = self.board.card_votes.get(&card.id) {
            meta.push(format!("● {v}"));
        }
        let meta = (!meta.is_empty()).then(|| {
            let joined = meta.join(" · ");
            self.metrics
                .wrap(&joined, SMALL, false, CARD_W - 2.0 * CARD_PAD, 1)
                .into_iter()
                .next()
                .unwrap_or_default()
        });
        let height =
            2.0 * CARD_PAD + lines.len() as f32 * LINE + if meta.is_some() { LINE } else { 0.0 };
        Note {
            card,
            lines,
            meta,
            height,
        }
    }

    fn draw(&mut self) {
        let board = self.board;
        let stages: Vec<&cjm_core::Stage> = board
            .stages_in_order()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.scope.stages.as_ref().is_none_or(|r| r.contains(i)))
            .map(|(_, s)| s)
            .collect();
        let lanes = board.lanes_in_order();
        let stage_x: HashMap<StageId, f32> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, MARGIN + HEADER_W + i as f32 * STAGE_W))
            .collect();

        // Stage headers: the name, then each metric on its own line.
        let mut stage_heads: Vec<StageHead> = Vec::new();
        for s in &stages {
            let name = self
                .metrics
                .wrap(&s.name, 14.0, true, STAGE_W - 2.0 * PAD, 2);
            let metrics = s
                .metrics
                .iter()
                .map(|m| {
                    let met = m.target.map(|t| {
                        if m.higher_is_better {
                            m.value.0 >= t.0
                        } else {
                            m.value.0 <= t.0
                        }
                    });
                    let text = match m.target {
                        Some(t) => format!(
                            "{} {}{} / {}{}",
                            m.name,
                            number(m.value.0),
                            m.unit,
                            number(t.0),
                            m.unit
                        ),
                        None => format!("{} {}{}", m.name, number(m.value.0), m.unit),
                    };
                    let text = self
                        .metrics
                        .wrap(&text, SMALL, false, STAGE_W - 2.0 * PAD, 1)
                        .remove(0);
                    (text, met)
                })
                .collect();
            stage_heads.push((name, metrics));
        }
        let head_h = stage_heads
            .iter()
            .map(|(n, m)| PAD + n.len() as f32 * 18.0 + m.len() as f32 * 14.0 + PAD)
            .fold(52.0_f32, f32::max);

        // Rows: the notes of each cell, and each row's height.
        let mut rows: Vec<(f32, Vec<Vec<Note<'a>>>)> = Vec::new();
        for lane in &lanes {
            if lane.kind == LaneKind::Emotions {
                rows.push((EMOTION_H, Vec::new()));
                continue;
            }
            let mut cells = Vec::new();
            let mut tallest: f32 = MIN_ROW;
            for s in &stages {
                let shown: Vec<&'a Card> = board
                    .cards_in_cell(s.id, lane.id)
                    .into_iter()
                    .filter(|c| self.shown(c))
                    .collect();
                let notes: Vec<Note<'a>> =
                    shown.into_iter().map(|c| self.note(c, lane.kind)).collect();
                let h = PAD + notes.iter().map(|n| n.height + CARD_GAP).sum::<f32>() + PAD;
                tallest = tallest.max(h);
                cells.push(notes);
            }
            rows.push((tallest, cells));
        }

        let width = MARGIN * 2.0 + HEADER_W + stages.len() as f32 * STAGE_W;
        let grid_top = MARGIN + TITLE_H;
        let height = grid_top + head_h + rows.iter().map(|r| r.0).sum::<f32>() + MARGIN;
        let o = &mut self.out;
        let _ = write!(
            o,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FAMILY}">"#,
            w = f(width),
            h = f(height)
        );
        let _ = write!(o, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
        let full_title = match self.scope.page {
            Some((page, of)) => format!("{} · {page}/{of}", board.title),
            None => board.title.clone(),
        };
        let title = self
            .metrics
            .wrap(&full_title, 20.0, true, width - 2.0 * MARGIN, 1)
            .remove(0);
        text(o, MARGIN, MARGIN + 24.0, 20.0, true, "#1f2328", &title);

        // Stage header band.
        let _ = write!(
            o,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#f6f8fa"/>"##,
            f(MARGIN),
            f(grid_top),
            f(width - 2.0 * MARGIN),
            f(head_h)
        );
        for (s, (name, metrics)) in stages.iter().zip(&stage_heads) {
            let x = stage_x[&s.id];
            let mut y = grid_top + PAD + 14.0;
            for line in name {
                text(o, x + PAD, y, 14.0, true, "#1f2328", line);
                y += 18.0;
            }
            for (line, met) in metrics {
                let ink = match met {
                    Some(true) => "#2b8a3e",
                    Some(false) => "#c92a2a",
                    None => "#57606a",
                };
                text(o, x + PAD, y, SMALL, false, ink, line);
                y += 14.0;
            }
        }

        // Lanes.
        let mut y = grid_top + head_h;
        let mut emotion_tops: Vec<f32> = Vec::new();
        for (lane, (row_h, cells)) in lanes.iter().zip(rows.iter()) {
            let _ = write!(
                o,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d7de"/>"##,
                f(MARGIN),
                f(y),
                f(width - MARGIN),
                f(y)
            );
            let name = self
                .metrics
                .wrap(&lane.name, 13.0, true, HEADER_W - 2.0 * PAD, 3);
            let mut ly = y + PAD + 13.0;
            for line in &name {
                text(o, MARGIN + PAD, ly, 13.0, true, "#1f2328", line);
                ly += 17.0;
            }
            if lane.kind == LaneKind::Emotions {
                emotion_tops.push(y);
            }
            for (s, notes) in stages.iter().zip(cells.iter()) {
                let x = stage_x[&s.id] + PAD;
                let mut cy = y + PAD;
                for n in notes {
                    note(o, x, cy, n);
                    cy += n.height + CARD_GAP;
                }
            }
            y += row_h;
        }
        // Stage columns.
        for s in &stages {
            let x = stage_x[&s.id];
            let _ = write!(
                o,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d7de"/>"##,
                f(x),
                f(grid_top),
                f(x),
                f(y)
            );
        }
        for top in emotion_tops {
            self.curves(top, &stage_x);
        }
        self.out.push_str("</svg>");
    }

    /// Each persona's curves in the emotion lane at `top`: as-is solid,
    /// to-be dashed, dips circled in red.
    fn curves(&mut self, top: f32, stage_x: &HashMap<StageId, f32>) {
        let board = self.board;
        let mid = top + EMOTION_H / 2.0;
        let step = (EMOTION_H / 2.0 - 16.0) / 2.0;
        let o = &mut self.out;
        let _ = write!(
            o,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#afb8c1" stroke-dasharray="4 4"/>"##,
            f(MARGIN + HEADER_W),
            f(mid),
            f(MARGIN + HEADER_W + stage_x.len() as f32 * STAGE_W),
            f(mid)
        );
        let centre: HashMap<StageId, f32> = stage_x
            .iter()
            .map(|(id, x)| (*id, x + STAGE_W / 2.0))
            .collect();
        persona_curves(
            o,
            board,
            &centre,
            |score| mid - f32::from(score) * step,
            4.5,
        );
        for dip in health::dips(board) {
            let Some(x) = stage_x.get(&dip.stage_id) else {
                continue;
            };
            let (x, y) = (x + STAGE_W / 2.0, mid - f32::from(dip.score) * step);
            let _ = write!(
                o,
                r##"<circle cx="{}" cy="{}" r="10" fill="none" stroke="#c92a2a" stroke-width="2"/>"##,
                f(x),
                f(y)
            );
            text(
                o,
                x - 10.0,
                y + 22.0,
                SMALL,
                true,
                "#c92a2a",
                self.lang.pick("Dip", "Провал"),
            );
        }
        // Who is who, under the lane's name.
        let mut ly = top + 44.0;
        for p in board.personas_in_order() {
            if ly > top + EMOTION_H - 8.0 {
                break;
            }
            let _ = write!(
                o,
                r#"<circle cx="{}" cy="{}" r="4" fill="{}"/>"#,
                f(MARGIN + PAD + 4.0),
                f(ly - 4.0),
                p.color.ink()
            );
            let name = self
                .metrics
                .wrap(&p.name, SMALL, false, HEADER_W - 2.0 * PAD - 12.0, 1)
                .remove(0);
            text(o, MARGIN + PAD + 12.0, ly, SMALL, false, "#57606a", &name);
            ly += 15.0;
        }
    }
}

/// Each persona's curves through the stages in `x_of` (stage to x), left
/// to right: as-is solid with filled dots, to-be dashed with open dots of
/// radius `dot`; stages not in `x_of` are left out.
fn persona_curves(
    o: &mut String,
    board: &Board,
    x_of: &HashMap<StageId, f32>,
    y_of: impl Fn(i8) -> f32,
    dot: f32,
) {
    let order = crate::rows::stage_positions(board);
    for p in board.personas_in_order() {
        for curve in [Curve::AsIs, Curve::ToBe] {
            let mut points: Vec<(usize, f32, f32)> = board
                .emotions
                .iter()
                .filter(|e| e.persona_id == p.id && e.curve == curve)
                .filter_map(|e| {
                    Some((
                        *order.get(&e.stage_id)?,
                        *x_of.get(&e.stage_id)?,
                        y_of(e.score),
                    ))
                })
                .collect();
            points.sort_by_key(|p| p.0);
            if points.is_empty() {
                continue;
            }
            let path: Vec<String> = points
                .iter()
                .map(|(_, x, y)| format!("{},{}", f(*x), f(*y)))
                .collect();
            let (dash, fill) = if curve == Curve::ToBe {
                (r#" stroke-dasharray="6 4""#, "#ffffff")
            } else {
                ("", p.color.ink())
            };
            let _ = write!(
                o,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"{dash}/>"#,
                path.join(" "),
                p.color.ink()
            );
            for (_, x, y) in &points {
                let _ = write!(
                    o,
                    r#"<circle cx="{}" cy="{}" r="{}" fill="{fill}" stroke="{}" stroke-width="2"/>"#,
                    f(*x),
                    f(*y),
                    f(dot),
                    p.color.ink()
                );
            }
        }
    }
}

fn note(o: &mut String, x: f32, y: f32, n: &Note<'_>) {
    let _ = write!(
        o,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{}" stroke="#00000022"/>"##,
        f(x),
        f(y),
        f(CARD_W),
        f(n.height),
        n.card.color.paper()
    );
    let mut ty = y + CARD_PAD + FONT;
    for line in &n.lines {
        text(o, x + CARD_PAD, ty, FONT, false, "#1f2328", line);
        ty += LINE;
    }
    if let Some(meta) = &n.meta {
        text(o, x + CARD_PAD, ty + 1.0, SMALL, false, "#57606a", meta);
    }
}

pub(crate) fn text(o: &mut String, x: f32, y: f32, size: f32, bold: bool, fill: &str, s: &str) {
    if s.is_empty() {
        return;
    }
    let weight = if bold { r#" font-weight="bold""# } else { "" };
    let _ = write!(
        o,
        r#"<text x="{}" y="{}" font-size="{}"{weight} fill="{fill}" xml:space="preserve">{}</text>"#,
        f(x),
        f(y),
        number(f64::from(size)),
        escape(s)
    );
}

/// Card text is text: the XML specials are escaped, nothing is markup.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// One decimal, so the output is the same on every machine.
pub(crate) fn f(v: f32) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The emotion curves alone, as a chart for the report: stages along the
/// bottom, -2 to +2 up the side, each persona's as-is curve solid and its
/// to-be curve dashed, dips circled, and who is who.
pub fn curves_svg(board: &Board) -> String {
    const LEFT: f32 = 40.0;
    const COL: f32 = 120.0;
    const TOP: f32 = 16.0;
    const PLOT_H: f32 = 160.0;
    let stages = board.stages_in_order();
    let personas = board.personas_in_order();
    let mut metrics = Metrics::new();
    let width = LEFT + stages.len().max(1) as f32 * COL + 16.0;
    let legend_y = TOP + PLOT_H + 48.0;
    let height = legend_y + 16.0 * personas.len().div_ceil(3) as f32 + 8.0;
    let step = PLOT_H / 4.0;
    let y_of = |score: i8| TOP + PLOT_H / 2.0 - f32::from(score) * step;
    let x_of: HashMap<StageId, f32> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, LEFT + i as f32 * COL + COL / 2.0))
        .collect();
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FAMILY}">"#,
        w = f(width),
        h = f(height)
    );
    for score in -2..=2_i8 {
        let y = y_of(score);
        let dash = if score == 0 {
            ""
        } else {
            r#" stroke-dasharray="3 3""#
        };
        let _ = write!(
            o,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d0d7de"{dash}/>"##,
            f(LEFT),
            f(y),
            f(width - 16.0),
            f(y)
        );
        text(
            &mut o,
            8.0,
            y + 4.0,
            SMALL,
            false,
            "#57606a",
            &format!("{score:+}"),
        );
    }
    for s in &stages {
        let x = x_of[&s.id];
        let name = metrics.wrap(&s.name, SMALL, false, COL - 8.0, 2);
        for (i, line) in name.iter().enumerate() {
            let w = metrics.width(line, SMALL, false);
            text(
                &mut o,
                x - w / 2.0,
                TOP + PLOT_H + 18.0 + i as f32 * 13.0,
                SMALL,
                false,
                "#1f2328",
                line,
            );
        }
    }
    persona_curves(&mut o, board, &x_of, y_of, 4.0);
    for dip in health::dips(board) {
        if let Some(x) = x_of.get(&dip.stage_id) {
            let _ = write!(
                o,
                r##"<circle cx="{}" cy="{}" r="9" fill="none" stroke="#c92a2a" stroke-width="2"/>"##,
                f(*x),
                f(y_of(dip.score))
            );
        }
    }
    for (i, p) in personas.iter().enumerate() {
        let (x, y) = (
            LEFT + (i % 3) as f32 * 200.0,
            legend_y + (i / 3) as f32 * 16.0,
        );
        let _ = write!(
            o,
            r#"<circle cx="{}" cy="{}" r="4" fill="{}"/>"#,
            f(x),
            f(y - 4.0),
            p.color.ink()
        );
        let name = metrics.wrap(&p.name, SMALL, false, 180.0, 1).remove(0);
        text(&mut o, x + 10.0, y, SMALL, false, "#1f2328", &name);
    }
    o.push_str("</svg>");
    o
}
