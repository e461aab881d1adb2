//! `cargo xtask bench export`: a 2,000-card board (40 stages × 12 lanes,
//! one of them the emotion lane, three personas with curves, evidence on
//! every other card) exported to every format, twice, with the wall time
//! and the CPU time of each (this process's user + system, from /proc).

use std::time::{Duration, Instant};

use cjm_core::*;
use cjm_export::draw::{self, Scope};
use cjm_export::pages::{self, Paper};
use cjm_export::{Lang, json, report, sheets};

fn board() -> Board {
    let mut b = Board::new(BoardId::new(), "Бенчмарк: 2 000 карточек");
    let at = ApplyCtx::at(1_700_000_000_000);
    let stages: Vec<Stage> = OrderKey::sequence(40)
        .into_iter()
        .enumerate()
        .map(|(i, order)| Stage {
            id: StageId::new(),
            name: format!("Этап {}", i + 1),
            description: String::new(),
            order,
            metrics: Vec::new(),
        })
        .collect();
    let kinds = [
        LaneKind::Actions,
        LaneKind::Thoughts,
        LaneKind::Touchpoints,
        LaneKind::Emotions,
        LaneKind::Pains,
        LaneKind::Backstage,
        LaneKind::Opportunities,
        LaneKind::Notes,
        LaneKind::Questions,
        LaneKind::Goals,
        LaneKind::Ideas,
        LaneKind::Triggers,
    ];
    let lanes: Vec<Lane> = OrderKey::sequence(12)
        .into_iter()
        .zip(kinds)
        .map(|(order, kind)| Lane {
            id: LaneId::new(),
            name: format!("{kind:?}"),
            kind,
            order,
        })
        .collect();
    let personas: Vec<Persona> = OrderKey::sequence(3)
        .into_iter()
        .zip([Color::Blue, Color::Orange, Color::Green])
        .enumerate()
        .map(|(i, (k, c))| Persona::new(format!("Персона {}", i + 1), k, c))
        .collect();
    let mut ops: Vec<Op> = Vec::new();
    ops.extend(stages.iter().cloned().map(Op::CreateStage));
    ops.extend(lanes.iter().cloned().map(Op::CreateLane));
    ops.extend(personas.iter().cloned().map(Op::CreatePersona));
    let card_lanes: Vec<&Lane> = lanes
        .iter()
        .filter(|l| l.kind != LaneKind::Emotions)
        .collect();
    for i in 0..2_000 {
        let stage = &stages[i % stages.len()];
        let lane = card_lanes[(i / stages.len()) % card_lanes.len()];
        let mut card = Card::new(
            stage.id,
            lane.id,
            OrderKey::sequence(1 + i / 440).pop().unwrap(),
            format!(
                "Карточка {i}: клиент ждёт ответа оператора и сравнивает цены на сайте и в магазине"
            ),
            lane.kind.default_color(),
        );
        if i % 2 == 0 {
            card.evidence.push(Evidence {
                source: EvidenceSource::Interview,
                quote: "Я ждал сорок минут".into(),
                link: None,
                date: Some("2026-11-01".into()),
            });
        }
        card.persona_id = Some(personas[i % 3].id);
        ops.push(Op::CreateCard(card));
    }
    for p in &personas {
        for (i, s) in stages.iter().enumerate() {
            ops.push(Op::SetEmotion {
                persona_id: p.id,
                stage_id: s.id,
                curve: Curve::AsIs,
                score: Some(((i % 5) as i8) - 2),
            });
        }
    }
    for chunk in ops.chunks(limits::MAX_OPS_PER_BATCH) {
        b.apply(chunk, at).unwrap();
    }
    assert_eq!(b.cards.len(), 2_000);
    b
}

fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn main() {
    let b = board();
    let scope = Scope::default();
    type Job<'a> = Box<dyn Fn() -> usize + 'a>;
    let jobs: Vec<(&str, Job)> = vec![
        ("svg", Box::new(|| draw::svg(&b, Lang::Ru, &scope).len())),
        (
            "png 1x",
            Box::new(|| draw::png(&b, Lang::Ru, &scope, 1.0).unwrap().bytes.len()),
        ),
        (
            "png 2x",
            Box::new(|| draw::png(&b, Lang::Ru, &scope, 2.0).unwrap().bytes.len()),
        ),
        (
            "pdf",
            Box::new(|| draw::pdf(&b, Lang::Ru, &scope).unwrap().bytes.len()),
        ),
        (
            "pdf a4",
            Box::new(|| pages::pdf(&b, Lang::Ru, Paper::A4).unwrap().bytes.len()),
        ),
        (
            "xlsx",
            Box::new(|| sheets::workbook(&b, Lang::Ru).unwrap().bytes.len()),
        ),
        (
            "csv",
            Box::new(|| sheets::cards_csv(&b, Lang::Ru).unwrap().bytes.len()),
        ),
        ("json", Box::new(|| json::export(&b, vec![], 0).len())),
        (
            "md",
            Box::new(|| report::markdown(&b, Lang::Ru, 0, None).len()),
        ),
        (
            "html",
            Box::new(|| report::html(&b, Lang::Ru, 0, None).len()),
        ),
    ];
    println!("export of a 2,000-card board (40 stages × 12 lanes), release build, each run twice:");
    println!(
        "{:<8} {:>10} {:>10} {:>10} {:>10} {:>12}",
        "format", "wall 1", "cpu 1", "wall 2", "cpu 2", "bytes"
    );
    for (name, job) in &jobs {
        let mut cells = Vec::new();
        let mut bytes = 0;
        for _ in 0..2 {
            let (t, c) = (Instant::now(), cpu());
            bytes = job();
            cells.push(format!("{:>8} ms", t.elapsed().as_millis()));
            cells.push(format!("{:>8} ms", (cpu() - c).as_millis()));
        }
        println!("{name:<8} {} {bytes:>12}", cells.join(" "));
    }
}
