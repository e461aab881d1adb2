//! Undo/redo of one's own batches on a board others edit too.

use cjm_core::template::{Locale, Template};
use cjm_core::undo::UndoEntry;
use cjm_core::*;
use proptest::prelude::*;

const CTX: ApplyCtx = ApplyCtx::at(1);

fn classic() -> Board {
    Template::Classic.build(BoardId::new(), "Fridge", Locale::En)
}

/// Applies `ops` as "my" batch and returns its undo entry.
fn mine(board: &mut Board, ops: Vec<Op>) -> UndoEntry {
    let before = board.clone();
    let changes = board.apply(&ops, CTX).unwrap();
    UndoEntry::capture(&before, board, &changes)
}

fn undo(board: &mut Board, entry: &UndoEntry) -> UndoEntry {
    let ops = entry.undo_ops(board);
    assert!(!ops.is_empty(), "nothing to undo");
    mine(board, ops)
}

fn card(board: &Board, stage: usize, text: &str) -> Card {
    Card::new(
        board.stages_in_order()[stage].id,
        board.lanes_in_order()[0].id,
        OrderKey::first(),
        text,
        Color::Yellow,
    )
}

#[test]
fn test_undo_and_redo_a_create_an_edit_and_a_move() {
    let mut b = classic();
    let start = b.clone();
    let c = card(&b, 0, "Sees an ad");
    let created = mine(&mut b, vec![Op::CreateCard(c.clone())]);
    let after_create = b.clone();
    let edited = mine(
        &mut b,
        vec![Op::UpdateCard {
            id: c.id,
            patch: CardPatch {
                text: Some("Sees a TV ad".into()),
                ..Default::default()
            },
        }],
    );
    let stage2 = b.stages_in_order()[2].id;
    let moved = mine(
        &mut b,
        vec![Op::MoveCard {
            id: c.id,
            stage_id: stage2,
            lane_id: c.lane_id,
            order: OrderKey::first(),
        }],
    );
    let end = b.clone();

    let redo_move = undo(&mut b, &moved);
    assert_eq!(b.cards[&c.id].stage_id, c.stage_id);
    let redo_edit = undo(&mut b, &edited);
    assert_eq!(b.cards[&c.id].text, "Sees an ad");
    assert_eq!(b, after_create);
    let redo_create = undo(&mut b, &created);
    assert_eq!(b, start);

    undo(&mut b, &redo_create);
    undo(&mut b, &redo_edit);
    undo(&mut b, &redo_move);
    assert_eq!(b, end, "redo of everything gives the same board");
}

#[test]
fn test_undo_of_a_stage_delete_brings_back_its_cards_and_emotions() {
    let mut b = classic();
    let stage = b.stages_in_order()[1].id;
    let c1 = card(&b, 1, "a");
    let c2 = card(&b, 1, "b");
    let p = Persona::new("Igor", OrderKey::first(), Color::Blue);
    b.apply(
        &[
            Op::CreateCard(c1.clone()),
            Op::CreateCard(c2.clone()),
            Op::CreatePersona(p.clone()),
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
    let before = b.clone();
    let deleted = mine(&mut b, vec![Op::DeleteStage { id: stage }]);
    assert!(b.cards.is_empty());
    let ops = deleted.undo_ops(&b);
    assert!(
        matches!(ops[0], Op::CreateStage(_)),
        "the stage first: {ops:?}"
    );
    undo(&mut b, &deleted);
    assert_eq!(b, before);
}

#[test]
fn test_undo_keeps_what_collaborators_changed_since() {
    let mut b = classic();
    let c = card(&b, 0, "draft");
    b.apply(&[Op::CreateCard(c.clone())], CTX).unwrap();
    let recolor = mine(
        &mut b,
        vec![Op::UpdateCard {
            id: c.id,
            patch: CardPatch {
                color: Some(Color::Pink),
                text: Some("mine".into()),
                ..Default::default()
            },
        }],
    );
    // Someone else rewrites the text afterwards and adds evidence.
    b.apply(
        &[Op::UpdateCard {
            id: c.id,
            patch: CardPatch {
                text: Some("theirs".into()),
                evidence: Some(vec![Evidence {
                    source: EvidenceSource::Survey,
                    quote: "q".into(),
                    link: None,
                    date: None,
                }]),
                ..Default::default()
            },
        }],
        CTX,
    )
    .unwrap();
    undo(&mut b, &recolor);
    let now = &b.cards[&c.id];
    assert_eq!(now.color, Color::Yellow, "my change is undone");
    assert_eq!(now.text, "theirs", "their later text stays");
    assert_eq!(now.evidence.len(), 1, "their evidence stays");

    // A card someone deleted is not resurrected by undoing my edit of it.
    let edit = mine(
        &mut b,
        vec![Op::UpdateCard {
            id: c.id,
            patch: CardPatch {
                color: Some(Color::Blue),
                ..Default::default()
            },
        }],
    );
    b.apply(&[Op::DeleteCard { id: c.id }], CTX).unwrap();
    assert!(edit.undo_ops(&b).is_empty());
}

#[test]
fn test_undo_never_fails_as_a_whole() {
    let mut b = classic();
    let c = card(&b, 0, "x");
    let created = mine(&mut b, vec![Op::CreateCard(c.clone())]);
    let lane = b.lanes_in_order()[0].id;
    let stage = b.stages_in_order()[3].id;
    let moved = mine(
        &mut b,
        vec![Op::MoveCard {
            id: c.id,
            stage_id: stage,
            lane_id: lane,
            order: OrderKey::first(),
        }],
    );
    // Someone deletes the card's original stage: the move back cannot apply.
    let first = b.stages_in_order()[0].id;
    b.apply(&[Op::DeleteStage { id: first }], CTX).unwrap();
    assert!(moved.undo_ops(&b).is_empty());
    // Undoing the create still removes the card.
    assert_eq!(created.undo_ops(&b), vec![Op::DeleteCard { id: c.id }]);
}

proptest! {
    /// Undo of any valid batch on a quiet board restores it exactly, and redo
    /// gives back the same result.
    #[test]
    fn undo_restores_and_redo_replays(seed in 0u64..10_000) {
        let mut b = classic();
        // A little content to act on.
        let mut ops = Vec::new();
        for i in 0..4 {
            ops.push(Op::CreateCard(card(&b, i % 6, &format!("c{i}"))));
        }
        b.apply(&ops, CTX).unwrap();
        let ids: Vec<CardId> = b.cards.keys().copied().collect();
        let stages: Vec<StageId> = b.stages_in_order().iter().map(|s| s.id).collect();
        let pick = |n: u64| ids[(seed.wrapping_mul(31).wrapping_add(n) % ids.len() as u64) as usize];
        let batch = match seed % 5 {
            0 => vec![Op::DeleteCard { id: pick(1) }],
            1 => vec![Op::DeleteStage { id: stages[(seed % 6) as usize] }],
            2 => vec![Op::UpdateCard { id: pick(2), patch: CardPatch { text: Some(format!("t{seed}")), color: Some(Color::Red), ..Default::default() } }],
            3 => vec![Op::MoveCard { id: pick(3), stage_id: stages[(seed % 6) as usize], lane_id: b.lanes_in_order()[1].id, order: OrderKey::first() }],
            _ => vec![Op::SetBoardTitle { title: format!("T{seed}") }, Op::CreateCard(card(&b, 2, "new"))],
        };
        let before = b.clone();
        let entry = mine(&mut b, batch);
        let after = b.clone();
        let redo = undo(&mut b, &entry);
        prop_assert_eq!(&b, &before);
        undo(&mut b, &redo);
        prop_assert_eq!(&b, &after);
    }
}
