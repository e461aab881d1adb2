//! Spreadsheets: the cards as CSV, the opportunities as tracker tasks
//! (CSV), and a workbook with the cards, the emotion points, the stage
//! metrics, the opportunities and the personas (XLSX).

use cjm_core::Board;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::rows::{CARD_COLUMNS, Lang, card_row, cards_in_order, stage_positions};
use crate::{ExportError, Exported};

/// The cards, one row each, UTF-8 with a BOM (so that Excel reads the
/// Cyrillic right) and comma-separated.
pub fn cards_csv(board: &Board, lang: Lang) -> Result<Exported, ExportError> {
    let headers: Vec<&str> = CARD_COLUMNS
        .iter()
        .map(|(en, ru)| lang.pick(en, ru))
        .collect();
    let rows = cards_in_order(board)
        .into_iter()
        .map(|c| card_row(board, c));
    csv_bytes(&headers, rows)
}

/// Opportunities as tasks, in the columns Trello, Jira and Notion map on
/// import: title, description (with the pains it addresses), owner,
/// status, priority, stage.
pub fn opportunities_csv(board: &Board, lang: Lang) -> Result<Exported, ExportError> {
    let headers = opportunity_headers(lang);
    let rows = opportunity_rows(board, lang);
    csv_bytes(&headers, rows.into_iter())
}

/// The columns trackers map on import (see `opportunities_csv`).
fn opportunity_headers(lang: Lang) -> [&'static str; 8] {
    [
        lang.pick("Title", "Название"),
        lang.pick("Description", "Описание"),
        lang.pick("Owner", "Ответственный"),
        lang.pick("Status", "Статус"),
        lang.pick("Priority", "Приоритет"),
        lang.pick("Impact", "Влияние"),
        lang.pick("Effort", "Усилия"),
        lang.pick("Stage", "Этап"),
    ]
}

fn opportunity_rows(board: &Board, lang: Lang) -> Vec<Vec<String>> {
    let mut rows: Vec<(u8, Vec<String>)> = cards_in_order(board)
        .into_iter()
        .filter_map(|c| c.opportunity.as_ref().map(|o| (c, o)))
        .map(|(c, o)| {
            let title = c.text.lines().next().unwrap_or_default().to_string();
            let mut description = c.text.clone();
            let pains: Vec<String> = o
                .addresses
                .iter()
                .filter_map(|id| board.cards.get(id))
                .map(|p| format!("- {}", p.text.replace('\n', " ")))
                .collect();
            if !pains.is_empty() {
                description
                    .push_str(lang.pick("\n\nAddresses these pains:\n", "\n\nРешает боли:\n"));
                description.push_str(&pains.join("\n"));
            }
            let stage = board
                .stages
                .get(&c.stage_id)
                .map(|s| s.name.clone())
                .unwrap_or_default();
            (
                o.priority(),
                vec![
                    title,
                    description,
                    o.owner.clone(),
                    o.status.as_str().to_string(),
                    o.priority().to_string(),
                    o.impact.to_string(),
                    o.effort.to_string(),
                    stage,
                ],
            )
        })
        .collect();
    // Highest priority first; the board's order among equals.
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

fn csv_bytes(
    headers: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Exported, ExportError> {
    let err = |e: csv::Error| ExportError::Csv(e.to_string());
    let mut out = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    out.write_record(headers).map_err(err)?;
    for row in rows {
        out.write_record(&row).map_err(err)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| ExportError::Csv(e.to_string()))?;
    Ok(Exported {
        bytes,
        content_type: "text/csv; charset=utf-8",
        extension: "csv",
    })
}

/// The workbook: Cards, Emotions, Metrics, Opportunities, Personas.
pub fn workbook(board: &Board, lang: Lang) -> Result<Exported, ExportError> {
    let err = |e: rust_xlsxwriter::XlsxError| ExportError::Xlsx(e.to_string());
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();

    let cards: Vec<Vec<String>> = cards_in_order(board)
        .into_iter()
        .map(|c| card_row(board, c))
        .collect();
    let headers: Vec<&str> = CARD_COLUMNS
        .iter()
        .map(|(en, ru)| lang.pick(en, ru))
        .collect();
    sheet(
        book.add_worksheet(),
        lang.pick("Cards", "Карточки"),
        &headers,
        &cards,
        &bold,
    )
    .map_err(err)?;

    let stage_names = |id| {
        board
            .stages
            .get(&id)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    let persona_names = |id| {
        board
            .personas
            .get(&id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let stage_at = stage_positions(board);
    let mut points: Vec<_> = board.emotions.iter().collect();
    points.sort_by_key(|e| {
        (
            persona_names(e.persona_id),
            e.curve.as_str(),
            stage_at.get(&e.stage_id).copied(),
        )
    });
    let emotions: Vec<Vec<String>> = points
        .iter()
        .map(|e| {
            vec![
                persona_names(e.persona_id),
                stage_names(e.stage_id),
                e.curve.as_str().to_string(),
                e.score.to_string(),
            ]
        })
        .collect();
    sheet(
        book.add_worksheet(),
        lang.pick("Emotions", "Эмоции"),
        &[
            lang.pick("persona", "персона"),
            lang.pick("stage", "этап"),
            lang.pick("curve", "кривая"),
            lang.pick("score", "оценка"),
        ],
        &emotions,
        &bold,
    )
    .map_err(err)?;

    let metrics: Vec<Vec<String>> = board
        .stages_in_order()
        .into_iter()
        .flat_map(|s| {
            s.metrics.iter().map(move |m| {
                vec![
                    s.name.clone(),
                    m.name.clone(),
                    number(m.value.0),
                    m.unit.clone(),
                    m.target.map(|t| number(t.0)).unwrap_or_default(),
                    if m.higher_is_better {
                        "higher"
                    } else {
                        "lower"
                    }
                    .to_string(),
                ]
            })
        })
        .collect();
    sheet(
        book.add_worksheet(),
        lang.pick("Metrics", "Метрики"),
        &[
            lang.pick("stage", "этап"),
            lang.pick("metric", "метрика"),
            lang.pick("value", "значение"),
            lang.pick("unit", "единица"),
            lang.pick("target", "цель"),
            lang.pick("better", "лучше"),
        ],
        &metrics,
        &bold,
    )
    .map_err(err)?;

    let opportunities = opportunity_rows(board, lang);
    sheet(
        book.add_worksheet(),
        lang.pick("Opportunities", "Возможности"),
        &opportunity_headers(lang),
        &opportunities,
        &bold,
    )
    .map_err(err)?;

    let personas: Vec<Vec<String>> = board
        .personas_in_order()
        .into_iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.role.clone(),
                p.age.map(|a| a.to_string()).unwrap_or_default(),
                p.quote.clone(),
                p.goals.clone(),
                p.needs.clone(),
                p.pains.clone(),
                p.fears.clone(),
                p.expectations.clone(),
                p.about.clone(),
            ]
        })
        .collect();
    sheet(
        book.add_worksheet(),
        lang.pick("Personas", "Персоны"),
        &[
            lang.pick("name", "имя"),
            lang.pick("role", "роль"),
            lang.pick("age", "возраст"),
            lang.pick("quote", "цитата"),
            lang.pick("goals", "цели"),
            lang.pick("needs", "потребности"),
            lang.pick("pains", "боли"),
            lang.pick("fears", "страхи"),
            lang.pick("expectations", "ожидания"),
            lang.pick("about", "о персоне"),
        ],
        &personas,
        &bold,
    )
    .map_err(err)?;

    Ok(Exported {
        bytes: book.save_to_buffer().map_err(err)?,
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extension: "xlsx",
    })
}

/// Fills one sheet: bold headers, then the rows as text (numbers stay
/// exact as the board holds them).
fn sheet(
    ws: &mut Worksheet,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
    bold: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    ws.set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, bold)?;
        ws.set_column_width(c as u16, 18)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, fit_cell(cell))?;
            }
        }
    }
    Ok(())
}

/// A cell holds at most 32,767 characters in Excel; twenty long quotes
/// on one card may hold more, so the cell ends with an ellipsis there.
fn fit_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 32_000;
    match cell.char_indices().nth(MAX) {
        None => cell.into(),
        Some((at, _)) => format!("{}…", &cell[..at]).into(),
    }
}

/// A number as people write it: no trailing `.0`.
pub(crate) fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
