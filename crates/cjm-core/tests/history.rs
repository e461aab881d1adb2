//! Versions of a map: what changed between two boards, and the ops that
//! bring a board back to a version, checked on the fridge example after a
//! session of edits of every kind, and on random edit histories.

use cjm_core::history::{self, compare, restore_ops};
use cjm_core::template::{Locale, Template};
use cjm_core::*;
use proptest::prelude::*;

const AT: ApplyCtx = ApplyCtx::at(1_700_000_000_000);
const LATER: ApplyCtx = ApplyCtx::at(1_800_000_000_000);

fn fridge() -> Board {
    let mut b = Template::FridgeExample.build(BoardId::new(), "Fridge", Locale::En);
    b.recount();
    b
}

/// The map alone, without the times cards were changed.
fn map(b: &Board) -> Board {
    let mut m = Board::new(b.id, b.title.clone());
    m.stages = b.stages.clone();
    m.lanes = b.lanes.clone();
    m.personas = b.personas.clone();
    m.cards = b.cards.clone();
    for c in m.cards.values_mut() {
        c.updated_at = 0;
    }
    m.emotions = b.emotions.clone();
    m
}

/// A workshop's worth of edits: every kind of entity added, changed,
/// moved and deleted.
fn edit(b: &mut Board) -> (CardId, CardId, StageId) {
    let stages = b.stages_in_order();
    let (first, second) = (stages[0].id, stages[1].id);
    let lanes = b.lanes_in_order();
    let lane = lanes
        .iter()
        .find(|l| l.kind != LaneKind::Emotions)
        .unwrap()
        .id;
    let persona = b.personas_in_order()[0].id;
    let doomed_stage = stages.last().unwrap().id;
    let moved = b.cards_in_cell(first, lane)[0].id;
    let added = Card::new(
        second,
        lane,
        OrderKey::first(),
        "Calls the shop",
        Color::Green,
    );
    let added_id = added.id;
    let removed = b
        .cards
        .values()
        .find(|c| c.stage_id == second && c.id != moved)
        .unwrap()
        .id;
    let new_stage = Stage {
        id: StageId::new(),
        name: "Repair".into(),
        description: String::new(),
        order: OrderKey::between(Some(&b.stages[&doomed_stage].order), None),
        metrics: vec![],
    };
    let ops = vec![
        Op::SetBoardTitle {
            title: "Fridge, after the workshop".into(),
        },
        Op::CreateCard(added),
        Op::MoveCard {
            id: moved,
            stage_id: second,
            lane_id: lane,
            order: OrderKey::first(),
        },
        Op::UpdateCard {
            id: moved,
            patch: CardPatch {
                text: Some("Edited in the workshop".into()),
                ..CardPatch::default()
            },
        },
        Op::DeleteCard { id: removed },
        Op::UpdateStage {
            id: first,
            patch: StagePatch {
                name: Some("Noticing".into()),
                ..StagePatch::default()
            },
        },
        Op::DeleteStage { id: doomed_stage },
        Op::CreateStage(new_stage),
        Op::UpdatePersona {
            id: persona,
            patch: PersonaPatch {
                name: Some("Igor B.".into()),
                ..PersonaPatch::default()
            },
        },
        Op::SetEmotion {
            persona_id: persona,
            stage_id: first,
            curve: Curve::AsIs,
            score: Some(2),
        },
        Op::MoveStage {
            id: second,
            order: OrderKey::between(None, Some(&b.stages[&first].order)),
        },
    ];
    b.apply(&ops, LATER).unwrap();
    (added_id, moved, doomed_stage)
}

#[test]
fn test_compare_lists_what_the_workshop_changed() {
    let before = fridge();
    let mut after = before.clone();
    let (added, moved, doomed) = edit(&mut after);
    let c = compare(&before, &after);
    assert_eq!(
        c.title,
        Some(("Fridge".into(), "Fridge, after the workshop".into()))
    );
    assert_eq!(c.cards_added, vec![added]);
    assert!(c.cards_moved.contains(&moved));
    assert!(c.cards_edited.contains(&moved));
    assert!(c.stages_removed.contains(&doomed));
    assert_eq!(c.stages_added.len(), 1);
    assert_eq!(c.personas_changed.len(), 1);
    assert!(c.emotions.iter().any(|e| e.to == Some(2)));
    // The doomed stage's cards went with it.
    assert!(c.cards_removed.len() > 1);
    assert!(compare(&after, &after).is_empty());
}

#[test]
fn test_restore_brings_the_map_back_in_one_batch() {
    let version = fridge();
    let mut now = version.clone();
    edit(&mut now);
    let ops = restore_ops(&now, &version);
    now.apply(&ops, LATER)
        .expect("a restore applies as one batch");
    assert_eq!(map(&now), map(&version));
    assert!(
        restore_ops(&now, &version).is_empty(),
        "nothing left to restore"
    );
    // And forward again: the restore is itself reversible.
    let mut edited = version.clone();
    edit(&mut edited);
    let forward = restore_ops(&now, &edited);
    now.apply(&forward, LATER).unwrap();
    assert_eq!(map(&now), map(&edited));
    let _ = history::Comparison::default();
}

/// One of `v`, chosen by `n`.
fn pick<T: Copy>(v: &[T], n: u64) -> T {
    v[(n % v.len() as u64) as usize]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever random edits happened since a version, restoring it gives
    /// the version's map back.
    #[test]
    fn restore_undoes_random_edits(seed in any::<u64>(), steps in 1usize..40) {
        let version = fridge();
        let mut now = version.clone();
        let mut rng = seed;
        let mut next = || { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; rng };
        for _ in 0..steps {
            let cards: Vec<CardId> = now.cards.keys().copied().collect();
            let stages: Vec<StageId> = now.stages.keys().copied().collect();
            let lanes: Vec<LaneId> = now.lanes.values().filter(|l| l.kind != LaneKind::Emotions).map(|l| l.id).collect();
            let personas: Vec<PersonaId> = now.personas.keys().copied().collect();
            if stages.is_empty() || lanes.is_empty() { break; }
            let op = match next() % 7 {
                0 if !cards.is_empty() => Op::DeleteCard { id: pick(&cards, next()) },
                1 if !cards.is_empty() => Op::MoveCard { id: pick(&cards, next()), stage_id: pick(&stages, next()), lane_id: pick(&lanes, next()), order: OrderKey::first() },
                2 if !cards.is_empty() => Op::UpdateCard { id: pick(&cards, next()), patch: CardPatch { text: Some(format!("edit {}", next() % 100)), color: Some(Color::Teal), ..CardPatch::default() } },
                3 if stages.len() > 1 => Op::DeleteStage { id: pick(&stages, next()) },
                4 if !personas.is_empty() => Op::SetEmotion { persona_id: pick(&personas, next()), stage_id: pick(&stages, next()), curve: Curve::ToBe, score: Some((next() % 5) as i8 - 2) },
                5 if !personas.is_empty() && next() % 4 == 0 => Op::DeletePersona { id: pick(&personas, next()) },
                _ => Op::CreateCard(Card::new(pick(&stages, next()), pick(&lanes, next()), OrderKey::first(), "new", Color::Yellow)),
            };
            let _ = now.apply(&[op], LATER);
        }
        let ops = restore_ops(&now, &version);
        now.apply(&ops, AT).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(map(&now), map(&version));
    }
}
