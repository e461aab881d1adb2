//! The security rules of `Board::apply`: no control characters in text,
//! byte limits per entity and per board, opportunity links only to live
//! cards of the same board.

use cjm_core::limits::{self, MAX_BOARD_BYTES, MAX_ENTITY_BYTES, MAX_TEXT_CHARS};
use cjm_core::template::{Locale, Template};
use cjm_core::undo::UndoEntry;
use cjm_core::*;

const CTX: ApplyCtx = ApplyCtx::at(1_700_000_000_000);

fn classic() -> Board {
    Template::Classic.build(BoardId::new(), "Fridge", Locale::En)
}

fn card(board: &Board, text: &str) -> Card {
    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;
    Card::new(stage, lane, OrderKey::first(), text, Color::Yellow)
}

fn evidence(quote: &str, link: Option<&str>) -> Evidence {
    Evidence {
        source: EvidenceSource::Interview,
        quote: quote.into(),
        link: link.map(str::to_owned),
        date: Some("2024-05-01".into()),
    }
}

fn opportunity(addresses: Vec<CardId>) -> Opportunity {
    Opportunity {
        impact: 4,
        effort: 2,
        owner: "Olga".into(),
        status: OpportunityStatus::Planned,
        addresses,
    }
}

fn metric(name: &str, unit: &str) -> StageMetric {
    StageMetric {
        name: name.into(),
        value: Num(32.0),
        unit: unit.into(),
        target: None,
        higher_is_better: true,
    }
}

/// Applies `ops` expecting a refusal; checks that it changed nothing.
fn refuse(b: &mut Board, ops: &[Op]) -> OpError {
    let before = b.clone();
    let bytes = b.approx_bytes();
    let err = b.apply(ops, CTX).unwrap_err();
    assert_eq!(*b, before, "a refused batch changed the board");
    assert_eq!(b.approx_bytes(), bytes, "a refused batch changed the size");
    err
}

/// One op per text field that an op can set, with `bad` in that field, and
/// the field's name as the message must give it.
fn ops_with_text(b: &Board, bad: &str) -> Vec<(&'static str, Vec<Op>)> {
    let c = b.cards.values().next().expect("a card").clone();
    let stage = b.stages_in_order()[0].clone();
    let lane = b.lanes_in_order()[0].clone();
    let persona = b.personas.values().next().expect("a persona").clone();
    let update_card = |patch: CardPatch| vec![Op::UpdateCard { id: c.id, patch }];
    let update_persona = |patch: PersonaPatch| {
        vec![Op::UpdatePersona {
            id: persona.id,
            patch,
        }]
    };
    let s = || Some(bad.to_owned());
    let mut new_persona = Persona::new("P", OrderKey::first(), Color::Blue);
    new_persona.fears = bad.into();
    vec![
        (
            "title",
            vec![Op::SetBoardTitle {
                title: format!("T{bad}"),
            }],
        ),
        ("card text", vec![Op::CreateCard(card(b, bad))]),
        (
            "card text",
            update_card(CardPatch {
                text: s(),
                ..Default::default()
            }),
        ),
        (
            "evidence quote",
            update_card(CardPatch {
                evidence: Some(vec![evidence(bad, None)]),
                ..Default::default()
            }),
        ),
        (
            "evidence link",
            update_card(CardPatch {
                evidence: Some(vec![evidence("q", Some(&format!("https://x.ru/{bad}")))]),
                ..Default::default()
            }),
        ),
        (
            "owner",
            update_card(CardPatch {
                opportunity: Some(Some(Opportunity {
                    owner: bad.into(),
                    ..opportunity(vec![])
                })),
                ..Default::default()
            }),
        ),
        (
            "stage name",
            vec![Op::UpdateStage {
                id: stage.id,
                patch: StagePatch {
                    name: s(),
                    ..Default::default()
                },
            }],
        ),
        (
            "stage description",
            vec![Op::CreateStage(Stage {
                id: StageId::new(),
                description: bad.into(),
                ..stage.clone()
            })],
        ),
        (
            "metric name",
            vec![Op::UpdateStage {
                id: stage.id,
                patch: StagePatch {
                    metrics: Some(vec![metric(&format!("NPS{bad}"), "")]),
                    ..Default::default()
                },
            }],
        ),
        (
            "metric unit",
            vec![Op::UpdateStage {
                id: stage.id,
                patch: StagePatch {
                    metrics: Some(vec![metric("NPS", bad)]),
                    ..Default::default()
                },
            }],
        ),
        (
            "lane name",
            vec![Op::CreateLane(Lane {
                id: LaneId::new(),
                name: bad.into(),
                ..lane.clone()
            })],
        ),
        (
            "lane name",
            vec![Op::UpdateLane {
                id: lane.id,
                patch: LanePatch {
                    name: s(),
                    kind: None,
                },
            }],
        ),
        ("fears", vec![Op::CreatePersona(new_persona)]),
        (
            "persona name",
            update_persona(PersonaPatch {
                name: s(),
                ..Default::default()
            }),
        ),
        (
            "role",
            update_persona(PersonaPatch {
                role: s(),
                ..Default::default()
            }),
        ),
        (
            "quote",
            update_persona(PersonaPatch {
                quote: s(),
                ..Default::default()
            }),
        ),
        (
            "goals",
            update_persona(PersonaPatch {
                goals: s(),
                ..Default::default()
            }),
        ),
        (
            "needs",
            update_persona(PersonaPatch {
                needs: s(),
                ..Default::default()
            }),
        ),
        (
            "pains",
            update_persona(PersonaPatch {
                pains: s(),
                ..Default::default()
            }),
        ),
        (
            "expectations",
            update_persona(PersonaPatch {
                expectations: s(),
                ..Default::default()
            }),
        ),
        (
            "about",
            update_persona(PersonaPatch {
                about: s(),
                ..Default::default()
            }),
        ),
        (
            "avatar",
            update_persona(PersonaPatch {
                avatar_url: Some(Some(format!("https://x.ru/a{bad}.png"))),
                ..Default::default()
            }),
        ),
    ]
}

fn fridge() -> Board {
    Template::FridgeExample.build(BoardId::new(), "Fridge", Locale::Ru)
}

#[test]
fn test_every_text_field_refuses_control_characters() {
    let mut b = fridge();
    for bad in [
        "a\0b",
        "a\rb",
        "\r\n",
        "\u{1b}[31m",
        "x\u{7}",
        "\u{7f}",
        "\u{1f}",
        "C1 \u{9b}",
    ] {
        for (field, ops) in ops_with_text(&b, bad) {
            let err = refuse(&mut b, &ops);
            assert_eq!(err.code(), "invalid", "{field} {bad:?}: {err}");
            let msg = err.kind.to_string();
            assert!(
                msg.starts_with(&format!("{field} contains a control character")),
                "{field} {bad:?}: {msg}"
            );
        }
    }
}

#[test]
fn test_newlines_and_tabs_are_text_everywhere_but_links() {
    let mut b = fridge();
    for (field, ops) in ops_with_text(&b, "line one\n\tline two") {
        let ok = b.clone().apply(&ops, CTX);
        if field == "evidence link" || field == "avatar" {
            let err = ok.unwrap_err();
            assert_eq!(err.code(), "invalid");
            assert!(err.to_string().contains("U+000A"), "{err}");
        } else {
            ok.unwrap_or_else(|e| panic!("{field}: {e}"));
        }
    }
    let c = card(&b, "Чек-лист:\n\t1. доставка");
    b.apply(&[Op::CreateCard(c)], CTX).unwrap();
}

#[test]
fn test_text_stored_before_the_rule_does_not_block_other_edits() {
    let mut b = classic();
    let mut old = card(&b, "pasted on Windows\r\nsecond line");
    old.evidence = vec![evidence("\u{0}", None)];
    b.cards.insert(old.id, old.clone());
    // Another field changes: fine.
    b.apply(
        &[Op::UpdateCard {
            id: old.id,
            patch: CardPatch {
                color: Some(Color::Pink),
                ..Default::default()
            },
        }],
        CTX,
    )
    .unwrap();
    // Adding evidence keeps the old item as it is.
    b.apply(
        &[Op::UpdateCard {
            id: old.id,
            patch: CardPatch {
                evidence: Some(vec![evidence("\u{0}", None), evidence("new", None)]),
                ..Default::default()
            },
        }],
        CTX,
    )
    .unwrap();
    // Setting the text again checks it.
    let err = refuse(
        &mut b,
        &[Op::UpdateCard {
            id: old.id,
            patch: CardPatch {
                text: Some("still\r\nwindows".into()),
                ..Default::default()
            },
        }],
    );
    assert_eq!(err.code(), "invalid");
    let clean = clean_text("still\r\nwindows").into_owned();
    b.apply(
        &[Op::UpdateCard {
            id: old.id,
            patch: CardPatch {
                text: Some(clean),
                ..Default::default()
            },
        }],
        CTX,
    )
    .unwrap();
    assert_eq!(b.cards[&old.id].text, "still\nwindows");
}

#[test]
fn test_the_public_text_check_names_the_field() {
    let err = check_text("board title", "Q3\0", limits::MAX_NAME_CHARS).unwrap_err();
    assert_eq!(
        err.to_string(),
        "board title contains a control character (U+0000)"
    );
    assert_eq!(err.code(), "invalid");
    assert_eq!(err.field(), "board title");
    let err = check_text("board title", &"x".repeat(201), limits::MAX_NAME_CHARS).unwrap_err();
    assert_eq!(err.code(), "too_long");
    assert!(check_text("board title", "Путь клиента\tQ3", limits::MAX_NAME_CHARS).is_ok());
}

/// The card of the report: 4-byte characters in every text, all twenty
/// evidence items full, 2,000-character links. 449 KiB before the limit.
fn huge_card(b: &Board) -> Card {
    let long = "🧊".repeat(MAX_TEXT_CHARS);
    let link = format!("https://example.com/{}", "a".repeat(1_980));
    let mut c = card(b, &long);
    c.evidence = (0..limits::MAX_EVIDENCE)
        .map(|_| evidence(&long, Some(&link)))
        .collect();
    c
}

#[test]
fn test_a_card_is_bounded_in_bytes() {
    let mut b = classic();
    let c = huge_card(&b);
    assert!(serde_json::to_string(&c).unwrap().len() > 449 * 1024);
    let err = refuse(&mut b, &[Op::CreateCard(c.clone())]);
    assert_eq!(err.code(), "too_long");
    assert!(
        err.kind.to_string().starts_with("card is too large: "),
        "{err}"
    );
    assert!(err.to_string().contains(&MAX_ENTITY_BYTES.to_string()));

    // The same through updates of an existing card.
    let small = card(&b, "ok");
    b.apply(&[Op::CreateCard(small.clone())], CTX).unwrap();
    let err = refuse(
        &mut b,
        &[Op::UpdateCard {
            id: small.id,
            patch: CardPatch {
                evidence: Some(c.evidence.clone()),
                ..Default::default()
            },
        }],
    );
    assert_eq!(err.code(), "too_long");

    // A full card of plain text is fine.
    let mut fine = card(&b, &"x".repeat(MAX_TEXT_CHARS));
    fine.evidence = vec![evidence(&"q".repeat(MAX_TEXT_CHARS), Some("https://a.ru"))];
    b.apply(&[Op::CreateCard(fine)], CTX).unwrap();
}

#[test]
fn test_a_persona_is_bounded_in_bytes() {
    let mut b = classic();
    let long = "🧊".repeat(MAX_TEXT_CHARS);
    let mut p = Persona::new("Igor", OrderKey::first(), Color::Blue);
    p.goals = long.clone();
    p.needs = long.clone();
    p.pains = long.clone();
    p.fears = long;
    let err = refuse(&mut b, &[Op::CreatePersona(p)]);
    assert_eq!(err.code(), "too_long");
    assert!(err.to_string().contains("persona is too large"), "{err}");
}

#[test]
fn test_an_entity_already_too_large_may_shrink_but_not_grow() {
    let mut b = classic();
    let c = huge_card(&b);
    b.cards.insert(c.id, c.clone());
    b.recount();
    let mut fewer = c.evidence.clone();
    fewer.pop();
    b.apply(
        &[Op::UpdateCard {
            id: c.id,
            patch: CardPatch {
                evidence: Some(fewer.clone()),
                ..Default::default()
            },
        }],
        CTX,
    )
    .unwrap();
    fewer.push(evidence("one more", None));
    let err = refuse(
        &mut b,
        &[Op::UpdateCard {
            id: c.id,
            patch: CardPatch {
                evidence: Some(fewer),
                ..Default::default()
            },
        }],
    );
    assert_eq!(err.code(), "too_long");
}

/// Cards of 4,000 two-byte characters (8,000 bytes of text each).
fn filler(b: &Board, n: usize) -> Vec<Op> {
    (0..n)
        .map(|i| Op::CreateCard(card(b, &format!("{i:05} {}", "я".repeat(4_000)))))
        .collect()
}

#[test]
fn test_the_board_has_a_byte_budget() {
    let mut b = classic();
    let per_card = match &filler(&b, 1)[0] {
        Op::CreateCard(c) => c.approx_bytes(),
        _ => unreachable!(),
    };
    // Fill the board to just under its budget.
    let room = (MAX_BOARD_BYTES - b.approx_bytes()) / per_card;
    for n in [room / 2, room - room / 2] {
        b.apply(&filler(&b, n), CTX).unwrap();
    }
    assert!(b.approx_bytes() <= MAX_BOARD_BYTES);
    assert!(b.approx_bytes() > MAX_BOARD_BYTES - per_card);

    let ops = filler(&b, 3);
    let err = refuse(&mut b, &ops);
    assert_eq!(err.code(), "limit_reached");
    assert_eq!(
        err.kind.to_string(),
        "the board is over its size limit of 8 MiB"
    );
    assert_eq!(err.index, 0);

    // Deleting makes room again; a batch that frees more than it adds passes.
    let some: Vec<CardId> = b.cards.keys().take(2).copied().collect();
    let mut ops: Vec<Op> = some.iter().map(|id| Op::DeleteCard { id: *id }).collect();
    ops.extend(filler(&b, 1));
    b.apply(&ops, CTX).unwrap();

    // The cached figure is the figure counted afresh, through JSON too.
    let counted = serde_json::from_str::<Board>(&serde_json::to_string(&b).unwrap()).unwrap();
    assert_eq!(counted.approx_bytes(), b.approx_bytes());
    assert_eq!(counted, b);
}

#[test]
fn test_a_board_over_budget_can_always_shrink() {
    let mut b = classic();
    let stage = b.stages_in_order()[0].id;
    for op in filler(&b, MAX_BOARD_BYTES / 8_000 + 10) {
        if let Op::CreateCard(c) = op {
            b.cards.insert(c.id, c);
        }
    }
    let edited = *b.cards.keys().next().unwrap();
    b.recount();
    assert!(b.approx_bytes() > MAX_BOARD_BYTES);
    let more = card(&b, "one more");
    let err = refuse(&mut b, &[Op::CreateCard(more)]);
    assert_eq!(err.code(), "limit_reached");
    // Edits that do not grow it pass, deletes pass.
    b.apply(
        &[Op::UpdateCard {
            id: edited,
            patch: CardPatch {
                text: Some("short now".into()),
                color: Some(Color::Red),
                ..Default::default()
            },
        }],
        CTX,
    )
    .unwrap();
    b.apply(&[Op::DeleteStage { id: stage }], CTX).unwrap();
    assert!(b.approx_bytes() < MAX_BOARD_BYTES);
    assert_eq!(b.approx_bytes(), b.clone().recount());
}

#[test]
fn test_the_size_cache_is_not_part_of_the_board_value() {
    let mut a = classic();
    let fresh: Board = serde_json::from_value(serde_json::to_value(&a).unwrap()).unwrap();
    a.apply(&[Op::CreateCard(card(&a, "x"))], CTX).unwrap();
    let b: Board = serde_json::from_value(serde_json::to_value(&a).unwrap()).unwrap();
    assert_eq!(a, b, "equal with and without a cached size");
    assert_ne!(a, fresh);
    let json = serde_json::to_value(&a).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "cards", "emotions", "id", "lanes", "personas", "stages", "title"
        ]
    );
}

#[test]
fn test_opportunities_address_only_live_cards_of_this_board() {
    let mut b = classic();
    let mut other = classic();
    let elsewhere = card(&other, "a pain on another board");
    other
        .apply(&[Op::CreateCard(elsewhere.clone())], CTX)
        .unwrap();
    let pain = card(&b, "Delivery takes a week");
    b.apply(&[Op::CreateCard(pain.clone())], CTX).unwrap();

    for dead in [CardId::new(), elsewhere.id] {
        let mut opp = card(&b, "Next-day delivery");
        opp.opportunity = Some(opportunity(vec![pain.id, dead]));
        let err = refuse(&mut b, &[Op::CreateCard(opp)]);
        assert_eq!(err.code(), "not_found");
        assert_eq!(
            err.kind,
            OpErrorKind::NotFound {
                what: "addressed card",
                id: dead.to_string()
            }
        );
    }

    let mut opp = card(&b, "Next-day delivery");
    opp.opportunity = Some(opportunity(vec![pain.id]));
    b.apply(&[Op::CreateCard(opp.clone())], CTX).unwrap();

    // Through an update, too.
    let err = refuse(
        &mut b,
        &[Op::UpdateCard {
            id: opp.id,
            patch: CardPatch {
                opportunity: Some(Some(opportunity(vec![pain.id, CardId::new()]))),
                ..Default::default()
            },
        }],
    );
    assert_eq!(err.code(), "not_found");

    // Within a batch, what counts is the moment the op runs.
    let late = card(&b, "Installer is late");
    let link = |ids: Vec<CardId>| Op::UpdateCard {
        id: opp.id,
        patch: CardPatch {
            opportunity: Some(Some(opportunity(ids))),
            ..Default::default()
        },
    };
    refuse(&mut b, &[link(vec![late.id]), Op::CreateCard(late.clone())]);
    let gone = card(&b, "Installer calls at night");
    b.apply(&[Op::CreateCard(gone.clone())], CTX).unwrap();
    refuse(
        &mut b,
        &[Op::DeleteCard { id: gone.id }, link(vec![pain.id, gone.id])],
    );
    b.apply(
        &[Op::CreateCard(late.clone()), link(vec![pain.id, late.id])],
        CTX,
    )
    .unwrap();

    // Deleting an addressed card leaves the link as it was (as before), and
    // the opportunity stays editable with it.
    b.apply(&[Op::DeleteCard { id: pain.id }], CTX).unwrap();
    assert_eq!(
        b.cards[&opp.id].opportunity.as_ref().unwrap().addresses,
        [pain.id, late.id]
    );
    b.apply(
        &[Op::UpdateCard {
            id: opp.id,
            patch: CardPatch {
                opportunity: Some(Some(Opportunity {
                    owner: "Maria".into(),
                    ..opportunity(vec![pain.id, late.id])
                })),
                ..Default::default()
            },
        }],
        CTX,
    )
    .unwrap();
    // Re-adding a link to the deleted card is refused.
    b.apply(&[link(vec![late.id])], CTX).unwrap();
    let err = refuse(&mut b, &[link(vec![late.id, pain.id])]);
    assert_eq!(err.code(), "not_found");
}

#[test]
fn test_undo_restores_an_opportunity_before_the_pain_it_addresses() {
    let mut b = classic();
    let stage = b.stages_in_order()[0].id;
    // The opportunity is older than the pain, so its id sorts first.
    let mut opp = card(&b, "Next-day delivery");
    let mut pain = card(&b, "Delivery takes a week");
    if opp.id > pain.id {
        std::mem::swap(&mut opp.id, &mut pain.id);
    }
    b.apply(
        &[Op::CreateCard(opp.clone()), Op::CreateCard(pain.clone())],
        CTX,
    )
    .unwrap();
    b.apply(
        &[Op::UpdateCard {
            id: opp.id,
            patch: CardPatch {
                opportunity: Some(Some(opportunity(vec![pain.id]))),
                ..Default::default()
            },
        }],
        CTX,
    )
    .unwrap();
    let before = b.clone();
    let changes = b.apply(&[Op::DeleteStage { id: stage }], CTX).unwrap();
    let entry = UndoEntry::capture(&before, &b, &changes);
    let ops = entry.undo_ops(&b);
    b.apply(&ops, CTX).unwrap();
    assert_eq!(
        b.cards[&opp.id].opportunity.as_ref().unwrap().addresses,
        [pain.id]
    );
    assert!(b.cards.contains_key(&pain.id));
}

#[test]
fn test_undo_of_a_delete_drops_links_to_cards_gone_for_good() {
    let mut b = classic();
    let pain = card(&b, "Delivery takes a week");
    let mut opp = card(&b, "Next-day delivery");
    opp.opportunity = Some(opportunity(vec![pain.id]));
    b.apply(
        &[Op::CreateCard(pain.clone()), Op::CreateCard(opp.clone())],
        CTX,
    )
    .unwrap();
    let before = b.clone();
    let changes = b.apply(&[Op::DeleteCard { id: opp.id }], CTX).unwrap();
    let entry = UndoEntry::capture(&before, &b, &changes);
    // Meanwhile someone deletes the pain.
    b.apply(&[Op::DeleteCard { id: pain.id }], CTX).unwrap();
    let ops = entry.undo_ops(&b);
    b.apply(&ops, CTX).unwrap();
    let back = &b.cards[&opp.id];
    assert_eq!(back.text, "Next-day delivery");
    assert!(back.opportunity.as_ref().unwrap().addresses.is_empty());
}

/// Found by `tests/fuzz.rs`: serde_json reads some numbers of 16 and more
/// digits back as a neighbouring number, so a replica that got the board as
/// JSON held another value than the one that applied the op.
#[test]
fn test_metric_values_are_those_json_carries_exactly() {
    let mut b = classic();
    let stage = b.stages_in_order()[0].id;
    let set = |v: f64| Op::UpdateStage {
        id: stage,
        patch: StagePatch {
            metrics: Some(vec![StageMetric {
                value: Num(v),
                ..metric("NPS", "")
            }]),
            ..Default::default()
        },
    };
    let exact = |x: f64| {
        let back: f64 = serde_json::from_str(&serde_json::to_string(&x).unwrap()).unwrap();
        back.to_bits() == x.to_bits()
    };
    // serde_json reads every number back exactly (the workspace turns on
    // its `float_roundtrip`), so 16–17-digit values need no rule.
    let odd = 961111.3154379316f64;
    assert!((0..10_000u64).all(|k| exact(f64::from_bits(odd.to_bits() + k))));
    for v in [0.1, 4.1, 32.0, -0.0, 1e12, 961111.315437931, 1.0 / 3.0, odd] {
        b.apply(&[set(v)], CTX).unwrap();
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<Board>(&json).unwrap(), b, "{v}");
    }
}

#[test]
fn test_evidence_dates_are_real_calendar_days() {
    let mut b = fridge();
    let c = b.cards.values().next().expect("a card").clone();
    let with_date = |date: &str| {
        vec![Op::UpdateCard {
            id: c.id,
            patch: CardPatch {
                evidence: Some(vec![Evidence {
                    date: Some(date.into()),
                    ..evidence("q", None)
                }]),
                ..Default::default()
            },
        }]
    };
    for bad in [
        "2025-13-45",
        "2025-02-29",
        "2025-04-31",
        "2025-00-10",
        "0999-01-01",
        "+202-01-01",
        "2025-1-015",
        "01.05.2024",
        "2025-05-01T10:00",
    ] {
        let err = refuse(&mut b, &with_date(bad));
        assert_eq!(err.code(), "invalid", "{bad}");
        assert!(err.to_string().contains("real day"), "{bad}: {err}");
    }
    for good in ["2024-02-29", "2025-12-31", "2000-02-29", "1999-01-01"] {
        b.apply(&with_date(good), CTX)
            .unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}
