//! The hot paths of every edit, on a board of realistic size (40 stages ×
//! 12 lanes × 2,000 cards): applying a batch, refusing one (validation and
//! rollback), and encoding/decoding the snapshot a joining client receives.
//! Run with `cargo xtask bench`.

use std::hint::black_box;

use cjm_core::*;
use criterion::{Criterion, criterion_group, criterion_main};

const CTX: ApplyCtx = ApplyCtx::at(1_700_000_000_000);

fn big_board() -> Board {
    let mut b = Board::new(BoardId::new(), "bench");
    let stage_keys = OrderKey::sequence(40);
    for (i, order) in stage_keys.into_iter().enumerate() {
        let id = StageId::new();
        b.stages.insert(
            id,
            Stage {
                id,
                name: format!("Stage {i}"),
                description: String::new(),
                metrics: Vec::new(),
                order,
            },
        );
    }
    for (i, order) in OrderKey::sequence(12).into_iter().enumerate() {
        let id = LaneId::new();
        b.lanes.insert(
            id,
            Lane {
                id,
                name: format!("Lane {i}"),
                kind: LaneKind::Notes,
                order,
            },
        );
    }
    let stages: Vec<StageId> = b.stages.keys().copied().collect();
    let lanes: Vec<LaneId> = b.lanes.keys().copied().collect();
    let keys = OrderKey::sequence(5);
    for i in 0..2_000 {
        let card = Card::new(
            stages[i % stages.len()],
            lanes[i % lanes.len()],
            keys[i % keys.len()].clone(),
            format!("A sticky note with a realistic amount of text, number {i}"),
            Color::Yellow,
        );
        b.cards.insert(card.id, card);
    }
    b
}

fn bench(c: &mut Criterion) {
    let board = big_board();
    let card = *board.cards.keys().nth(1000).unwrap();
    let stage = *board.stages.keys().nth(7).unwrap();
    let lane = *board.lanes.keys().nth(3).unwrap();

    let mut b = board.clone();
    let edit = [Op::UpdateCard {
        id: card,
        patch: CardPatch {
            text: Some("edited".into()),
            ..Default::default()
        },
    }];
    c.bench_function("apply: edit card text", |bench| {
        bench.iter(|| black_box(b.apply(black_box(&edit), CTX).unwrap()))
    });

    let mut b = board.clone();
    let mv = [Op::MoveCard {
        id: card,
        stage_id: stage,
        lane_id: lane,
        order: OrderKey::first(),
    }];
    c.bench_function("apply: move card", |bench| {
        bench.iter(|| black_box(b.apply(black_box(&mv), CTX).unwrap()))
    });

    let mut b = board.clone();
    let refused = [
        Op::UpdateCard {
            id: card,
            patch: CardPatch {
                color: Some(Color::Red),
                ..Default::default()
            },
        },
        Op::UpdateCard {
            id: card,
            patch: CardPatch {
                text: Some("x".repeat(5_001)),
                ..Default::default()
            },
        },
    ];
    c.bench_function("validate: refuse a batch and roll back", |bench| {
        bench.iter(|| black_box(b.apply(black_box(&refused), CTX).unwrap_err()))
    });

    // What the size budget costs once per loaded board (the first `apply`
    // counts it; later ones keep the figure up to date).
    c.bench_function("size: count a 2,000-card board", |bench| {
        bench.iter(|| black_box(black_box(&board).approx_bytes()))
    });

    let ops_json = serde_json::to_string(&edit).unwrap();
    c.bench_function("decode: one op from JSON", |bench| {
        bench.iter(|| black_box(serde_json::from_str::<Vec<Op>>(black_box(&ops_json)).unwrap()))
    });

    c.bench_function("snapshot: encode 2,000 cards", |bench| {
        bench.iter(|| black_box(serde_json::to_string(black_box(&board)).unwrap()))
    });
    let json = serde_json::to_string(&board).unwrap();
    println!("snapshot size: {} KB", json.len() / 1024);
    c.bench_function("snapshot: decode 2,000 cards", |bench| {
        bench.iter(|| black_box(serde_json::from_str::<Board>(black_box(&json)).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
