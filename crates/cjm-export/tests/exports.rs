//! Exports of the fridge example: the card CSV (and that the quote import
//! reads it back), the workbook opened with a spreadsheet reader, the JSON
//! round trip to an equal board and its refusals, and the report.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Reader, Xlsx};
use cjm_core::history;
use cjm_core::template::{Locale, Template};
use cjm_core::*;
use cjm_export::{Lang, json, report, sheets};

fn fridge(locale: Locale) -> Board {
    let mut b = Template::FridgeExample.build(BoardId::new(), "Холодильник", locale);
    b.recount();
    b
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(
        bytes
            .strip_prefix(b"\xef\xbb\xbf")
            .expect("a BOM for Excel"),
    )
    .unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn test_the_card_csv_has_every_card_and_imports_back_as_quotes() {
    let board = fridge(Locale::Ru);
    let out = sheets::cards_csv(&board, Lang::Ru).unwrap();
    assert_eq!(out.extension, "csv");
    let rows = csv_rows(&out.bytes);
    assert_eq!(rows.len(), board.cards.len() + 1);
    assert_eq!(&rows[0][..3], ["текст", "этап", "дорожка"]);
    let first_stage = &board.stages_in_order()[0].name;
    assert_eq!(
        &rows[1][1], first_stage,
        "board order: the first stage first"
    );
    // The quote import maps these headers by itself and finds every stage
    // and lane: the export goes back in as quotes.
    let table = import::Table {
        headers: rows[0].clone(),
        rows: rows[1..].to_vec(),
    };
    let map = import::mapping(&table, &HashMap::new()).unwrap();
    let plan = import::plan(&board, &table, &map, ApplyCtx::at(0));
    let unknown: Vec<_> = plan
        .errors
        .iter()
        .filter(|e| e.code.starts_with("unknown"))
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
}

#[test]
fn test_opportunities_become_tracker_tasks_highest_priority_first() {
    let board = fridge(Locale::En);
    let rows = csv_rows(&sheets::opportunities_csv(&board, Lang::En).unwrap().bytes);
    assert_eq!(rows[0][..4], ["Title", "Description", "Owner", "Status"]);
    let opportunities = board
        .cards
        .values()
        .filter(|c| c.opportunity.is_some())
        .count();
    assert!(opportunities > 0);
    assert_eq!(rows.len(), opportunities + 1);
    let priorities: Vec<u8> = rows[1..].iter().map(|r| r[4].parse().unwrap()).collect();
    assert!(
        priorities.windows(2).all(|w| w[0] >= w[1]),
        "{priorities:?}"
    );
    assert!(
        rows[1..]
            .iter()
            .any(|r| r[1].contains("Addresses these pains:")),
        "a task lists the pains it addresses"
    );
}

#[test]
fn test_the_workbook_opens_with_its_five_sheets() {
    let board = fridge(Locale::Ru);
    let out = sheets::workbook(&board, Lang::Ru).unwrap();
    let mut book = Xlsx::new(Cursor::new(out.bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Карточки", "Эмоции", "Метрики", "Возможности", "Персоны"]
    );
    let cards = book.worksheet_range("Карточки").unwrap();
    assert_eq!(cards.height(), board.cards.len() + 1);
    let emotions = book.worksheet_range("Эмоции").unwrap();
    assert_eq!(emotions.height(), board.emotions.len() + 1);
    let metrics = book.worksheet_range("Метрики").unwrap();
    let count: usize = board.stages.values().map(|s| s.metrics.len()).sum();
    assert_eq!(metrics.height(), count + 1);
    let stage_names: Vec<String> = cards.rows().skip(1).map(|r| r[1].to_string()).collect();
    assert!(stage_names.contains(&board.stages_in_order()[0].name));
}

#[test]
fn test_the_json_export_imports_back_into_an_equal_board() {
    let mut board = fridge(Locale::Ru);
    // A comment, a reaction and kept vote badges travel too.
    let card = *board.cards.keys().next().unwrap();
    let author = uuid::Uuid::now_v7().to_string();
    board
        .apply(
            &[Op::AddComment(NewComment {
                id: CommentId::new(),
                on: CommentTarget::Card(card),
                parent: None,
                text: "Проверить на интервью".into(),
                mentions: vec![],
                author_name: "Ольга".into(),
            })],
            ApplyCtx::by(1_700_000_000_000, &author),
        )
        .unwrap();
    board.card_votes.insert(card, 3);
    let bytes = json::export(&board, vec![], 1_700_000_000_000);
    let id = BoardId::new();
    let (back, images) = json::import(&bytes, id).unwrap();
    assert!(images.is_empty());
    let mut expected = board.clone();
    expected.id = id;
    assert_eq!(back, expected);
}

#[test]
fn test_a_bad_json_creates_nothing_and_says_why() {
    let board = fridge(Locale::En);
    let good: serde_json::Value = serde_json::from_slice(&json::export(&board, vec![], 0)).unwrap();
    let refuse = |doc: serde_json::Value| {
        json::import(doc.to_string().as_bytes(), BoardId::new())
            .unwrap_err()
            .to_string()
    };
    assert!(json::import(b"{not json", BoardId::new()).is_err());
    let mut other = good.clone();
    other["format"] = "trello".into();
    assert!(refuse(other).contains("not a CJM Board export"));
    let mut newer = good.clone();
    newer["version"] = 99.into();
    assert!(refuse(newer).contains("version 99"));
    // A card in a stage that is not on the board.
    let mut orphan = good.clone();
    let (card_id, card) = orphan["board"]["cards"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    let (card_id, mut card) = (card_id.clone(), card.clone());
    card["stage_id"] = uuid::Uuid::now_v7().to_string().into();
    orphan["board"]["cards"][&card_id] = card;
    assert!(refuse(orphan).contains("not valid"));
    // A control character in a card's text.
    let mut control = good.clone();
    let card = control["board"]["cards"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap();
    card["text"] = "bell\u{7}".into();
    assert!(refuse(control).contains("control character"));
}

#[test]
fn test_the_report_covers_the_meeting_and_keeps_text_as_text() {
    let mut board = fridge(Locale::Ru);
    let card = board.cards.values_mut().next().unwrap();
    card.text = "**жирный** <script>".into();
    let md = report::markdown(&board, Lang::Ru, 1_764_460_800_000, None);
    assert!(md.starts_with("# Холодильник\n"));
    assert!(md.contains("Отчёт на 2025-11-30"));
    for s in board.stages_in_order() {
        assert!(md.contains(&s.name), "stage {} listed", s.name);
    }
    assert!(md.contains("## Где впечатление проседает"));
    assert!(md.contains("## Возможности"));
    assert!(md.contains("## Здоровье карты"));
    assert!(!md.contains("**жирный**") && !md.contains("<script>"));
}

#[test]
fn test_dates() {
    assert_eq!(report::date(0), "1970-01-01");
    assert_eq!(report::date(951_782_400_000), "2000-02-29");
    assert_eq!(report::date(1_764_460_800_000), "2025-11-30");
}

#[test]
fn test_the_html_report_stands_alone_with_the_curves_and_what_changed() {
    let then = fridge(Locale::En);
    let mut board = then.clone();
    let removed = *board.cards.keys().next().unwrap();
    let text_removed = board.cards[&removed].text.clone();
    board
        .apply(&[Op::DeleteCard { id: removed }], ApplyCtx::at(1))
        .unwrap();
    let card = board.cards.values_mut().next().unwrap();
    card.text = "<img src=x onerror=alert(1)> & \"quotes\"".into();
    let comparison = history::compare(&then, &board);
    let since = report::Since {
        at: 1_764_460_800_000,
        name: "October review",
        then: &then,
        comparison: &comparison,
    };
    let html = report::html(&board, Lang::En, 1_764_460_800_000, Some(&since));
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<svg"), "the curves are drawn inline");
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "card text is text"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"));
    assert!(html.contains("What changed since 2025-11-30 (“October review”)"));
    assert!(html.contains("1 cards removed"));
    let escaped = text_removed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    assert!(html.contains(&format!("removed: {escaped}")), "{escaped}");
    let md = report::markdown(&board, Lang::En, 0, Some(&since));
    assert!(md.contains("## What changed since"));
    assert!(md.contains("_The emotion curve of each persona"));
}
