//! Planning an import of quotes: headers in English and Russian, rows
//! resolved by name, errors per row, one batch that applies whole, and the
//! ops that take it back.

use std::collections::HashMap;

use cjm_core::import::{self, ColumnRef, Field, Table};
use cjm_core::template::{Locale, Template};
use cjm_core::*;

const CTX: ApplyCtx = ApplyCtx::at(1_700_000_000_000);

fn board(locale: Locale) -> Board {
    let mut b = Template::SevenLayers.build(BoardId::new(), "Import", locale);
    b.recount();
    b
}

fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        headers: headers.iter().map(|s| s.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect(),
    }
}

#[test]
fn test_russian_headers_map_and_rows_become_cards_with_evidence() {
    let b = board(Locale::Ru);
    let t = table(
        &["Цитата", "Этап", "Дорожка", "Источник", "Дата", "Персона"],
        &[
            &[
                "Долго ждал ответа оператора",
                "Покупка",
                "Боли",
                "Звонок",
                "03.11.2026",
                "Клиент",
            ],
            &[
                "Не нашёл тариф на сайте",
                "осведомлённость",
                "",
                "опрос",
                "2026-11-02",
                "",
            ],
        ],
    );
    let map = import::mapping(&t, &HashMap::new()).unwrap();
    assert_eq!(map.get(&Field::Quote), Some(&0));
    assert_eq!(map.get(&Field::Stage), Some(&1));
    let plan = import::plan(&b, &t, &map, CTX);
    assert_eq!(plan.errors, vec![]);
    assert_eq!((plan.rows, plan.valid, plan.cards_created.len()), (2, 2, 2));

    let mut after = b.clone();
    after.apply(&plan.ops, CTX).unwrap();
    let first = &after.cards[&plan.cards_created[0]];
    assert_eq!(first.text, "Долго ждал ответа оператора");
    assert_eq!(after.lanes[&first.lane_id].name, "Боли");
    assert_eq!(after.stages[&first.stage_id].name, "Покупка");
    assert!(first.persona_id.is_some());
    assert_eq!(first.evidence[0].source, EvidenceSource::CallTranscript);
    assert_eq!(first.evidence[0].date.as_deref(), Some("2026-11-03"));
    // No lane: the first lane that holds cards.
    let second = &after.cards[&plan.cards_created[1]];
    assert_eq!(second.lane_id, after.lanes_in_order()[0].id);
    assert_eq!(second.evidence[0].source, EvidenceSource::Survey);
}

#[test]
fn test_bad_rows_are_reported_by_row_and_left_out() {
    let b = board(Locale::En);
    let t = table(
        &["quote", "stage", "lane", "source", "date", "link"],
        &[
            &["fine", "Purchase", "Pains", "", "", ""],
            &["no such stage", "Nowhere", "", "", "", ""],
            &["", "Purchase", "", "", "", ""],
            &["bad date", "Purchase", "", "", "31.02.2026", ""],
            &["bad source", "Purchase", "", "pigeon", "", ""],
            &["no such lane", "Purchase", "Emotions", "", "", ""],
            &[
                "fine too",
                "Loyalty",
                "Thoughts",
                "review",
                "",
                "https://example.com/r/1",
            ],
        ],
    );
    let map = import::mapping(&t, &HashMap::new()).unwrap();
    let plan = import::plan(&b, &t, &map, CTX);
    let codes: Vec<(usize, &str)> = plan
        .errors
        .iter()
        .map(|e| (e.row, e.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (3, "unknown_stage"),
            (4, "missing_text"),
            (5, "bad_date"),
            (6, "unknown_source"),
            (7, "unknown_lane"),
        ]
    );
    assert_eq!(plan.errors[0].value.as_deref(), Some("Nowhere"));
    assert_eq!((plan.valid, plan.invalid, plan.ops.len()), (2, 5, 2));
    assert_eq!(plan.preview.len(), 7);
    assert!(plan.preview[0].ok && !plan.preview[1].ok);
}

#[test]
fn test_a_row_the_board_would_refuse_is_a_row_error() {
    let b = board(Locale::En);
    let long = "x".repeat(limits::MAX_TEXT_CHARS + 1);
    let t = table(
        &["text", "stage"],
        &[&[&long, "Purchase"], &["ok", "Purchase"]],
    );
    let map = import::mapping(&t, &HashMap::new()).unwrap();
    let plan = import::plan(&b, &t, &map, CTX);
    assert_eq!(plan.errors.len(), 1);
    assert_eq!(
        (plan.errors[0].row, plan.errors[0].code.as_str()),
        (2, "too_long")
    );
    assert_eq!(plan.valid, 1);
}

#[test]
fn test_quotes_attach_to_existing_cards_and_undo_takes_them_off() {
    let mut b = board(Locale::En);
    let stage = b.stages_in_order()[0].id;
    let lane = b.lanes_in_order()[0].id;
    let card = Card::new(stage, lane, OrderKey::first(), "Slow hotline", Color::Pink);
    b.apply(&[Op::CreateCard(card.clone())], CTX).unwrap();
    let id = card.id.0.to_string();
    let t = table(
        &["Card ID", "Quote", "Source", "stage"],
        &[
            &[&id, "I waited 40 minutes", "call transcript", ""],
            &[&id, "Nobody picked up", "call", ""],
            &["", "A new card", "", "Purchase"],
        ],
    );
    let map = import::mapping(&t, &HashMap::new()).unwrap();
    let plan = import::plan(&b, &t, &map, CTX);
    assert_eq!(plan.errors, vec![]);
    assert_eq!(plan.evidence_attached.len(), 2);
    assert_eq!(plan.cards_created.len(), 1);
    let before = b.clone();
    b.apply(&plan.ops, CTX).unwrap();
    let quotes: Vec<&str> = b.cards[&card.id]
        .evidence
        .iter()
        .map(|e| e.quote.as_str())
        .collect();
    assert_eq!(quotes, ["I waited 40 minutes", "Nobody picked up"]);

    let undo = import::undo_ops(&b, &plan.cards_created, &plan.evidence_attached);
    b.apply(&undo, CTX).unwrap();
    assert_eq!(b.cards.len(), before.cards.len());
    assert!(b.cards[&card.id].evidence.is_empty());
    // Nothing left to take back.
    assert!(import::undo_ops(&b, &plan.cards_created, &plan.evidence_attached).is_empty());
}

#[test]
fn test_a_mapping_overrides_headers() {
    let t = table(&["Comment", "Step", "text"], &[&["a", "b", "c"]]);
    let mut overrides = HashMap::new();
    overrides.insert(
        "quote".to_string(),
        Some(ColumnRef::Header("comment".into())),
    );
    overrides.insert("stage".to_string(), Some(ColumnRef::Number(2)));
    overrides.insert("text".to_string(), None);
    let map = import::mapping(&t, &overrides).unwrap();
    assert_eq!(map.get(&Field::Quote), Some(&0));
    assert_eq!(map.get(&Field::Stage), Some(&1));
    assert_eq!(map.get(&Field::Text), None);

    let bad = |k: &str, v: ColumnRef| {
        let mut o = HashMap::new();
        o.insert(k.to_string(), Some(v));
        import::mapping(&t, &o).unwrap_err().to_string()
    };
    assert!(bad("colour", ColumnRef::Number(1)).contains("unknown field"));
    assert!(bad("stage", ColumnRef::Header("Nope".into())).contains("no column"));
    assert!(bad("stage", ColumnRef::Number(4)).contains("past the last column"));
    let none = table(&["a", "b"], &[]);
    assert!(matches!(
        import::mapping(&none, &HashMap::new()),
        Err(import::MappingError::NoText)
    ));
}

#[test]
fn test_ten_thousand_rows_make_one_batch_longer_than_a_client_may_send() {
    let b = board(Locale::En);
    let rows: Vec<Vec<String>> = (0..10_000)
        .map(|i| {
            vec![
                format!("Quote number {i}"),
                "Purchase".into(),
                "Pains".into(),
            ]
        })
        .collect();
    let t = Table {
        headers: vec!["quote".into(), "stage".into(), "lane".into()],
        rows,
    };
    let map = import::mapping(&t, &HashMap::new()).unwrap();
    let plan = import::plan(&b, &t, &map, CTX);
    assert_eq!(plan.valid, 10_000);
    assert!(
        check_batch_size(&plan.ops).is_err(),
        "a client may not send it"
    );
    let mut after = b.clone();
    after
        .apply(&plan.ops, CTX)
        .expect("every replica applies it");
    // Row order is card order in the cell.
    let mut cards: Vec<&Card> = after.cards.values().collect();
    cards.sort_by(|a, b| a.order.cmp(&b.order));
    assert_eq!(cards[0].text, "Quote number 0");
    assert_eq!(cards[9_999].text, "Quote number 9999");
}

#[test]
fn test_dates_and_sources() {
    assert_eq!(import::parse_date("2026-02-29"), None);
    assert_eq!(
        import::parse_date("2024-02-29").as_deref(),
        Some("2024-02-29")
    );
    assert_eq!(
        import::parse_date("01.12.2026").as_deref(),
        Some("2026-12-01")
    );
    assert_eq!(
        import::parse_date("2026-12-01 10:30:00").as_deref(),
        Some("2026-12-01")
    );
    assert_eq!(import::parse_date("yesterday"), None);
    assert_eq!(
        import::parse_source("Support ticket"),
        Some(EvidenceSource::SupportTicket)
    );
    assert_eq!(
        import::parse_source("ИНТЕРВЬЮ"),
        Some(EvidenceSource::Interview)
    );
    assert_eq!(
        import::parse_source("call_transcript"),
        Some(EvidenceSource::CallTranscript)
    );
}
