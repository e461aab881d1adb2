//! Behaviour of `Board::apply` and of the client sync state, as stories and
//! as properties over random op histories.

use cjm_core::protocol::Applied;
use cjm_core::sync::SyncState;
use cjm_core::template::{Locale, Template};
use cjm_core::*;
use proptest::prelude::*;

const CTX: ApplyCtx = ApplyCtx::at(1_700_000_000_000);

fn classic() -> Board {
    Template::Classic.build(BoardId::new(), "Fridge", Locale::En)
}

fn card(board: &Board, text: &str) -> Card {
    let stage = board.stages_in_order()[0].id;
    let lane = board.lanes_in_order()[0].id;
    Card::new(stage, lane, OrderKey::first(), text, Color::Yellow)
}

fn persona(name: &str) -> Persona {
    Persona {
        age: Some(45),
        ..Persona::new(name, OrderKey::first(), Color::Blue)
    }
}

#[test]
fn test_create_edit_move_delete_card() {
    let mut b = classic();
    let c = card(&b, "Sees an ad");
    let changes = b.apply(&[Op::CreateCard(c.clone())], CTX).unwrap();
    assert!(changes.contains(&Change::Card(c.id)));
    assert_eq!(b.cards[&c.id].updated_at, CTX.at, "server time is stamped");

    let patch = CardPatch {
        text: Some("Sees a TV ad".into()),
        color: Some(Color::Pink),
        ..Default::default()
    };
    b.apply(&[Op::UpdateCard { id: c.id, patch }], CTX).unwrap();
    assert_eq!(b.cards[&c.id].text, "Sees a TV ad");
    assert_eq!(b.cards[&c.id].color, Color::Pink);

    let stage2 = b.stages_in_order()[1].id;
    let lane = c.lane_id;
    b.apply(
        &[Op::MoveCard {
            id: c.id,
            stage_id: stage2,
            lane_id: lane,
            order: OrderKey::first(),
        }],
        CTX,
    )
    .unwrap();
    assert_eq!(b.cards_in_cell(stage2, lane).len(), 1);

    b.apply(&[Op::DeleteCard { id: c.id }], CTX).unwrap();
    assert!(b.cards.is_empty());
    // Undo of a delete is a create with the same id.
    b.apply(&[Op::CreateCard(c.clone())], CTX).unwrap();
    assert_eq!(b.cards.len(), 1);
}

#[test]
fn test_failed_batch_changes_nothing() {
    let mut b = classic();
    let before = b.clone();
    let c = card(&b, "ok");
    let err = b
        .apply(
            &[
                Op::CreateCard(c.clone()),
                Op::DeleteCard { id: CardId::new() },
            ],
            CTX,
        )
        .unwrap_err();
    assert_eq!(err.index, 1);
    assert_eq!(err.code(), "not_found");
    assert_eq!(b, before);
}

#[test]
fn test_text_over_limit_is_rejected_with_a_message() {
    let mut b = classic();
    let c = card(&b, &"я".repeat(limits::MAX_TEXT_CHARS + 1));
    let err = b.apply(&[Op::CreateCard(c)], CTX).unwrap_err();
    assert_eq!(err.code(), "too_long");
    assert!(err.to_string().contains("5000"), "{err}");
    // Exactly at the limit is fine, counted in characters, not bytes.
    let c = card(&b, &"я".repeat(limits::MAX_TEXT_CHARS));
    b.apply(&[Op::CreateCard(c)], CTX).unwrap();
}

#[test]
fn test_delete_stage_cascades_to_cards_and_emotions() {
    let mut b = classic();
    let p = persona("Igor");
    let c = card(&b, "x");
    let stage = c.stage_id;
    b.apply(
        &[
            Op::CreatePersona(p.clone()),
            Op::CreateCard(c.clone()),
            Op::SetEmotion {
                persona_id: p.id,
                stage_id: stage,
                curve: Curve::AsIs,
                score: Some(-2),
            },
        ],
        CTX,
    )
    .unwrap();
    assert_eq!(b.emotion(p.id, stage, Curve::AsIs), Some(-2));
    let changes = b.apply(&[Op::DeleteStage { id: stage }], CTX).unwrap();
    assert!(changes.contains(&Change::Card(c.id)));
    assert!(changes.contains(&Change::Emotion(p.id, stage, Curve::AsIs)));
    assert!(b.cards.is_empty() && b.emotions.is_empty());
}

#[test]
fn test_delete_persona_untags_cards() {
    let mut b = classic();
    let p = persona("Marina");
    let mut c = card(&b, "x");
    c.persona_id = Some(p.id);
    b.apply(
        &[Op::CreatePersona(p.clone()), Op::CreateCard(c.clone())],
        CTX,
    )
    .unwrap();
    b.apply(&[Op::DeletePersona { id: p.id }], CTX).unwrap();
    assert_eq!(b.cards[&c.id].persona_id, None);
}

#[test]
fn test_links_must_be_web_links() {
    let mut b = classic();
    let mut c = card(&b, "x");
    c.evidence = vec![Evidence {
        source: EvidenceSource::Interview,
        quote: "q".into(),
        link: Some("javascript:alert(1)".into()),
        date: None,
    }];
    assert_eq!(
        b.apply(&[Op::CreateCard(c)], CTX).unwrap_err().code(),
        "invalid"
    );
}

#[test]
fn test_emotion_range() {
    let mut b = classic();
    let p = persona("P");
    let s = b.stages_in_order()[0].id;
    b.apply(&[Op::CreatePersona(p.clone())], CTX).unwrap();
    let err = b.apply(
        &[Op::SetEmotion {
            persona_id: p.id,
            stage_id: s,
            curve: Curve::AsIs,
            score: Some(3),
        }],
        CTX,
    );
    assert_eq!(err.unwrap_err().code(), "invalid");
    b.apply(
        &[Op::SetEmotion {
            persona_id: p.id,
            stage_id: s,
            curve: Curve::AsIs,
            score: Some(1),
        }],
        CTX,
    )
    .unwrap();
    b.apply(
        &[Op::SetEmotion {
            persona_id: p.id,
            stage_id: s,
            curve: Curve::AsIs,
            score: None,
        }],
        CTX,
    )
    .unwrap();
    assert!(b.emotions.is_empty());
}

#[test]
fn test_empty_batch_is_refused() {
    let mut b = classic();
    assert_eq!(b.apply(&[], CTX).unwrap_err().code(), "batch_size");
}

#[test]
fn test_sync_rebases_pending_over_remote_changes() {
    let base = classic();
    let mut server = base.clone();
    let mut ana = SyncState::new(base.clone(), 0);

    // Ana edits locally; before her ack, Bob's batch arrives.
    let c = card(&base, "mine");
    let mine = ana.propose(vec![Op::CreateCard(c.clone())], 1).unwrap();
    let theirs = card(&base, "theirs");
    let bob = Batch::new(vec![Op::CreateCard(theirs.clone())]);
    server.apply(&bob.ops, CTX).unwrap();
    ana.on_applied(&Applied {
        seq: 1,
        actor: "bob".into(),
        client_op_id: bob.client_op_id,
        at: CTX.at,
        ops: bob.ops,
    })
    .unwrap();
    assert_eq!(
        ana.view().cards.len(),
        2,
        "pending edit stays visible on top"
    );
    assert_eq!(ana.confirmed().cards.len(), 1);

    server.apply(&mine.ops, CTX).unwrap();
    ana.on_applied(&Applied {
        seq: 2,
        actor: "ana".into(),
        client_op_id: mine.client_op_id,
        at: CTX.at,
        ops: mine.ops,
    })
    .unwrap();
    assert!(ana.pending().is_empty());
    assert_eq!(ana.confirmed(), &server);
    assert_eq!(ana.view(), &server);
}

#[test]
fn test_sync_rejected_batch_rolls_back() {
    let base = classic();
    let mut ana = SyncState::new(base.clone(), 0);
    let b = ana
        .propose(vec![Op::CreateCard(card(&base, "x"))], 1)
        .unwrap();
    assert_eq!(ana.view().cards.len(), 1);
    assert!(ana.on_rejected(b.client_op_id).is_some());
    assert_eq!(ana.view(), &base);
}

#[test]
fn test_sync_drops_pending_answered_by_an_old_applied() {
    // A batch resent after a reconnect is answered with its original seq,
    // which the catch-up already delivered: the pending copy must go.
    let base = classic();
    let mut ana = SyncState::new(base.clone(), 0);
    let b = ana
        .propose(vec![Op::SetBoardTitle { title: "x".into() }], 1)
        .unwrap();
    let original = Applied {
        seq: 1,
        actor: "ana".into(),
        client_op_id: b.client_op_id,
        at: 5,
        ops: b.ops,
    };
    ana.on_welcome(None, 1, std::slice::from_ref(&original))
        .unwrap();
    assert!(ana.pending().is_empty());
    ana.restore_pending(vec![cjm_core::sync::Pending {
        batch: Batch {
            client_op_id: original.client_op_id,
            ops: original.ops.clone(),
        },
        at: 1,
    }]);
    assert_eq!(ana.pending().len(), 1);
    ana.on_applied(&original).unwrap();
    assert!(ana.pending().is_empty());
    assert_eq!(ana.view(), ana.confirmed());
}

#[test]
fn test_sync_detects_a_gap() {
    let base = classic();
    let mut ana = SyncState::new(base.clone(), 0);
    let b = Batch::new(vec![Op::SetBoardTitle { title: "x".into() }]);
    let gap = Applied {
        seq: 2,
        actor: "bob".into(),
        client_op_id: b.client_op_id,
        at: 0,
        ops: b.ops,
    };
    assert!(ana.on_applied(&gap).is_err());
}

/// Turns random numbers into a plausible op against the current board, so
/// that most generated ops are valid and some are not.
fn gen_op(b: &Board, (kind, x, y): (u8, u32, u32)) -> Op {
    let stages: Vec<StageId> = b.stages.keys().copied().collect();
    let lanes: Vec<LaneId> = b.lanes.keys().copied().collect();
    let cards: Vec<CardId> = b.cards.keys().copied().collect();
    let personas: Vec<PersonaId> = b.personas.keys().copied().collect();
    let pick = |n: usize, r: u32| if n == 0 { None } else { Some(r as usize % n) };
    let stage = pick(stages.len(), x).map(|i| stages[i]).unwrap_or_default();
    let lane = pick(lanes.len(), y).map(|i| lanes[i]).unwrap_or_default();
    let card_id = pick(cards.len(), x).map(|i| cards[i]).unwrap_or_default();
    let order = OrderKey::sequence((y % 5 + 1) as usize).pop().unwrap();
    match kind % 10 {
        0 | 1 => Op::CreateCard(Card::new(
            stage,
            lane,
            order,
            format!("card {x}"),
            Color::ALL[y as usize % Color::ALL.len()],
        )),
        2 => Op::UpdateCard {
            id: card_id,
            patch: CardPatch {
                text: Some(format!("edit {y}")),
                ..Default::default()
            },
        },
        3 => Op::MoveCard {
            id: card_id,
            stage_id: stage,
            lane_id: lane,
            order,
        },
        4 => Op::DeleteCard { id: card_id },
        5 => Op::CreateStage(Stage {
            id: StageId::new(),
            name: format!("S{x}"),
            description: String::new(),
            order,
            metrics: Vec::new(),
        }),
        6 if x % 4 == 0 => Op::DeleteStage { id: stage },
        6 => Op::MoveStage { id: stage, order },
        7 => Op::CreatePersona(persona(&format!("P{x}"))),
        8 => match pick(personas.len(), x) {
            Some(i) => Op::SetEmotion {
                persona_id: personas[i],
                stage_id: stage,
                curve: if y % 3 == 0 { Curve::ToBe } else { Curve::AsIs },
                score: Some((y % 5) as i8 - 2),
            },
            None => Op::SetBoardTitle {
                title: format!("T{y}"),
            },
        },
        _ => Op::UpdateCard {
            id: CardId::new(),
            patch: CardPatch::default(),
        }, // always invalid
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Replicas that apply the same batches in the same order agree, including
    /// a replica that joined midway from a JSON snapshot.
    #[test]
    fn same_batches_same_state(steps in prop::collection::vec((any::<u8>(), any::<u32>(), any::<u32>(), 1u8..4), 1..60),
                               join_at in 0usize..60) {
        let initial = classic();
        let mut a = initial.clone();
        let mut late: Option<Board> = None;
        let mut accepted = Vec::new();
        for (i, (kind, x, y, len)) in steps.into_iter().enumerate() {
            if i == join_at {
                late = Some(serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap());
            }
            let mut scratch = a.clone();
            let mut ops = Vec::new();
            for j in 0..len {
                let op = gen_op(&scratch, (kind.wrapping_add(j), x.wrapping_mul(j as u32 + 1), y));
                let _ = scratch.apply(std::slice::from_ref(&op), CTX);
                ops.push(op);
            }
            let before = a.clone();
            match a.apply(&ops, CTX) {
                Ok(_) => accepted.push((i, ops)),
                Err(_) => prop_assert_eq!(&a, &before, "a rejected batch changed nothing"),
            }
        }
        let mut b = initial.clone();
        for (_, ops) in &accepted {
            b.apply(ops, CTX).unwrap();
        }
        prop_assert_eq!(&b, &a);
        if let Some(mut late) = late {
            for (i, ops) in &accepted {
                if *i >= join_at {
                    late.apply(ops, CTX).unwrap();
                }
            }
            prop_assert_eq!(&late, &a);
        }
    }
}

fn metric(name: &str, value: f64, target: Option<f64>, higher_is_better: bool) -> StageMetric {
    StageMetric {
        name: name.into(),
        value: Num(value),
        unit: String::new(),
        target: target.map(Num),
        higher_is_better,
    }
}

#[test]
fn test_stage_metrics_are_set_replaced_and_validated() {
    let mut b = classic();
    let stage = b.stages_in_order()[0].id;
    let metrics = vec![
        metric("NPS", 32.0, Some(45.0), true),
        metric("Drop-off", 60.0, Some(40.0), false),
    ];
    let patch = StagePatch {
        metrics: Some(metrics.clone()),
        description: Some("First contact".into()),
        ..Default::default()
    };
    b.apply(&[Op::UpdateStage { id: stage, patch }], CTX)
        .unwrap();
    assert_eq!(b.stages[&stage].metrics, metrics);
    assert_eq!(b.stages[&stage].metrics[0].on_target(), Some(false));
    assert_eq!(b.stages[&stage].metrics[1].on_target(), Some(false));
    assert_eq!(metric("Conv", 4.1, None, true).on_target(), None);
    assert_eq!(
        metric("Churn", 3.0, Some(5.0), false).on_target(),
        Some(true)
    );

    // The wire form is plain numbers.
    let json = serde_json::to_string(&b.stages[&stage]).unwrap();
    assert!(json.contains(r#""value":32.0"#), "{json}");

    let before = b.clone();
    for bad in [
        vec![metric("", 1.0, None, true)],
        vec![metric("Huge", 1e300, None, true)],
        vec![metric("NPS", 1.0, Some(f64::INFINITY), true)],
        (0..=cjm_core::limits::MAX_METRICS)
            .map(|i| metric(&format!("m{i}"), 1.0, None, true))
            .collect(),
    ] {
        let patch = StagePatch {
            metrics: Some(bad),
            ..Default::default()
        };
        assert!(
            b.apply(&[Op::UpdateStage { id: stage, patch }], CTX)
                .is_err()
        );
        assert_eq!(b, before);
    }
}

#[test]
fn test_as_is_and_to_be_curves_are_independent() {
    let mut b = classic();
    let p = persona("Igor");
    let stage = b.stages_in_order()[2].id;
    let set = |curve, score| Op::SetEmotion {
        persona_id: p.id,
        stage_id: stage,
        curve,
        score,
    };
    b.apply(
        &[
            Op::CreatePersona(p.clone()),
            set(Curve::AsIs, Some(-2)),
            set(Curve::ToBe, Some(1)),
        ],
        CTX,
    )
    .unwrap();
    assert_eq!(b.emotion(p.id, stage, Curve::AsIs), Some(-2));
    assert_eq!(b.emotion(p.id, stage, Curve::ToBe), Some(1));
    b.apply(&[set(Curve::ToBe, None)], CTX).unwrap();
    assert_eq!(b.emotion(p.id, stage, Curve::AsIs), Some(-2));
    assert_eq!(b.emotion(p.id, stage, Curve::ToBe), None);

    // A point sent without a curve is an as-is point (older clients).
    let op: Op = serde_json::from_str(&format!(
        r#"{{"op":"set_emotion","persona_id":"{}","stage_id":"{}","score":2}}"#,
        p.id, stage
    ))
    .unwrap();
    b.apply(&[op, set(Curve::ToBe, Some(2))], CTX).unwrap();
    assert_eq!(b.emotion(p.id, stage, Curve::AsIs), Some(2));

    let changes = b.apply(&[Op::DeletePersona { id: p.id }], CTX).unwrap();
    assert!(changes.contains(&Change::Emotion(p.id, stage, Curve::ToBe)));
    assert!(b.emotions.is_empty());
}

#[test]
fn test_opportunity_priority_ranks_quick_wins_first() {
    let o = |impact, effort| Opportunity {
        impact,
        effort,
        owner: String::new(),
        status: OpportunityStatus::Idea,
        addresses: Vec::new(),
    };
    assert_eq!(o(5, 1).priority(), 5);
    assert_eq!(o(1, 5).priority(), 1);
    assert_eq!(o(3, 3).priority(), 3);
    assert!(o(5, 2).priority() > o(5, 5).priority());
    assert!(o(4, 3).priority() > o(2, 3).priority());
    for i in 1..=5 {
        for e in 1..=5 {
            assert!((1..=5).contains(&o(i, e).priority()));
        }
    }
}
