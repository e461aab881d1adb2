//! Map-health figures on small hand-made boards.

use cjm_core::health::{self, DipReason, health};
use cjm_core::template::{Locale, Template};
use cjm_core::*;

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_800_000_000_000;

struct Map {
    board: Board,
    stages: Vec<StageId>,
    lanes: Vec<(LaneKind, LaneId)>,
}

impl Map {
    fn new() -> Self {
        let board = Template::Classic.build(BoardId::new(), "Fridge", Locale::En);
        let stages = board.stages_in_order().iter().map(|s| s.id).collect();
        let lanes = board
            .lanes_in_order()
            .iter()
            .map(|l| (l.kind, l.id))
            .collect();
        Map {
            board,
            stages,
            lanes,
        }
    }

    fn lane(&self, kind: LaneKind) -> LaneId {
        self.lanes.iter().find(|(k, _)| *k == kind).unwrap().1
    }

    fn apply(&mut self, ops: Vec<Op>, at: i64) {
        self.board.apply(&ops, ApplyCtx::at(at)).unwrap();
    }

    fn card(&mut self, stage: usize, kind: LaneKind, at: i64) -> CardId {
        let c = Card::new(
            self.stages[stage],
            self.lane(kind),
            OrderKey::first(),
            "x",
            Color::Yellow,
        );
        let id = c.id;
        self.apply(vec![Op::CreateCard(c)], at);
        id
    }

    fn persona(&mut self, name: &str) -> PersonaId {
        let p = Persona::new(name, OrderKey::first(), Color::Blue);
        let id = p.id;
        self.apply(vec![Op::CreatePersona(p)], NOW);
        id
    }

    fn scores(&mut self, persona: PersonaId, curve: Curve, scores: &[Option<i8>]) {
        let ops = scores
            .iter()
            .zip(self.stages.clone())
            .map(|(score, stage_id)| Op::SetEmotion {
                persona_id: persona,
                stage_id,
                curve,
                score: *score,
            })
            .collect();
        self.apply(ops, NOW);
    }
}

fn evidence() -> Evidence {
    Evidence {
        source: EvidenceSource::Interview,
        quote: "I could not find the delivery date".into(),
        link: None,
        date: Some("2026-10-01".into()),
    }
}

#[test]
fn test_evidence_coverage_counts_findings_not_ideas() {
    let mut m = Map::new();
    let a = m.card(0, LaneKind::Actions, NOW);
    m.card(0, LaneKind::Thoughts, NOW);
    m.card(1, LaneKind::Pains, NOW);
    m.card(1, LaneKind::Opportunities, NOW); // a proposal: not counted
    m.apply(
        vec![Op::UpdateCard {
            id: a,
            patch: CardPatch {
                evidence: Some(vec![evidence()]),
                ..Default::default()
            },
        }],
        NOW,
    );
    let h = health(&m.board, NOW, 90);
    assert_eq!((h.map.cards, h.map.cards_with_evidence), (3, 1));
    assert_eq!(h.map.evidence_coverage, Some(33.3));
    assert_eq!(h.stages[0].figures.evidence_coverage, Some(50.0));
    assert_eq!(h.stages[1].figures.evidence_coverage, Some(0.0));
    assert_eq!(h.stages[2].figures.evidence_coverage, None, "no cards");
    assert_eq!(h.stages.len(), 6);
    assert_eq!(h.stages[0].name, "Awareness");
}

#[test]
fn test_dips_are_negative_points_and_local_minima_of_the_as_is_curve() {
    let mut m = Map::new();
    let igor = m.persona("Igor");
    let marina = m.persona("Marina");
    // Igor: 1, 2, 0, 1, -1, (none)  → 0 is a local minimum, -1 negative.
    m.scores(
        igor,
        Curve::AsIs,
        &[Some(1), Some(2), Some(0), Some(1), Some(-1)],
    );
    // The to-be curve never produces dips.
    m.scores(igor, Curve::ToBe, &[Some(-2), Some(-2)]);
    // Marina: a gap between 2 and 2 is skipped: 2, -, 1, -, 2 → 1 is a minimum.
    m.scores(
        marina,
        Curve::AsIs,
        &[Some(2), None, Some(1), None, Some(2)],
    );

    let h = health(&m.board, NOW, 90);
    let found: Vec<(PersonaId, StageId, i8, DipReason)> = h
        .map
        .dips
        .iter()
        .map(|d| (d.persona_id, d.stage_id, d.score, d.reason))
        .collect();
    let s = &m.stages;
    let mut expected = vec![
        (igor, s[2], 0, DipReason::LocalMinimum),
        (igor, s[4], -1, DipReason::Negative),
        (marina, s[2], 1, DipReason::LocalMinimum),
    ];
    // Persona order is panel order (order key, then id).
    if marina < igor {
        expected.rotate_left(2);
    }
    assert_eq!(found, expected);
    assert_eq!(h.stages[2].figures.dips.len(), 2);
    assert_eq!(h.stages[4].figures.dips.len(), 1);
    assert!(
        h.stages[0].figures.dips.is_empty(),
        "edges are never minima"
    );
}

#[test]
fn test_linking_an_opportunity_addresses_a_pain_and_owner_clears_the_warning() {
    let mut m = Map::new();
    let pain = m.card(3, LaneKind::Pains, NOW);
    let other_pain = m.card(4, LaneKind::Pains, NOW);
    let idea = m.card(3, LaneKind::Opportunities, NOW);
    let h = health(&m.board, NOW, 90);
    assert_eq!(h.map.pains_without_opportunity.len(), 2);
    assert_eq!(h.map.opportunities_without_owner, vec![idea]);
    assert_eq!(h.stages[3].figures.pains_without_opportunity, vec![pain]);

    let opportunity = Opportunity {
        impact: 4,
        effort: 2,
        owner: "Anna (support)".into(),
        status: OpportunityStatus::Planned,
        addresses: vec![pain],
    };
    m.apply(
        vec![Op::UpdateCard {
            id: idea,
            patch: CardPatch {
                opportunity: Some(Some(opportunity)),
                ..Default::default()
            },
        }],
        NOW,
    );
    let h = health(&m.board, NOW, 90);
    assert_eq!(h.map.pains_without_opportunity, vec![other_pain]);
    assert!(h.map.opportunities_without_owner.is_empty());
    assert!(h.stages[3].figures.pains_without_opportunity.is_empty());
}

#[test]
fn test_cells_untouched_for_the_threshold_are_stale() {
    let mut m = Map::new();
    let old = m.card(0, LaneKind::Actions, NOW - 120 * DAY);
    m.card(0, LaneKind::Thoughts, NOW - 100 * DAY);
    m.card(0, LaneKind::Thoughts, NOW - DAY); // keeps its cell fresh
    m.card(1, LaneKind::Actions, NOW - 89 * DAY);

    let h = health(&m.board, NOW, 90);
    assert_eq!(h.map.stale_cells.len(), 1);
    let cell = &h.map.stale_cells[0];
    assert_eq!(
        (cell.stage_id, cell.lane_id, cell.days),
        (m.stages[0], m.lane(LaneKind::Actions), 120)
    );
    assert_eq!(h.stages[0].figures.stale_cells.len(), 1);

    // A shorter threshold finds more; touching a card refreshes its cell.
    assert_eq!(health(&m.board, NOW, 30).map.stale_cells.len(), 2);
    m.apply(
        vec![Op::UpdateCard {
            id: old,
            patch: CardPatch {
                text: Some("still true".into()),
                ..Default::default()
            },
        }],
        NOW,
    );
    assert!(health(&m.board, NOW, 90).map.stale_cells.is_empty());
}

#[test]
fn test_hypothesis_marks_findings_without_evidence() {
    let m = Map::new();
    let c = Card::new(
        m.stages[0],
        m.lane(LaneKind::Pains),
        OrderKey::first(),
        "x",
        Color::Red,
    );
    assert!(health::is_hypothesis(&c, LaneKind::Pains));
    assert!(!health::is_hypothesis(&c, LaneKind::Opportunities));
    let mut backed = c.clone();
    backed.evidence.push(evidence());
    assert!(!health::is_hypothesis(&backed, LaneKind::Pains));
}
