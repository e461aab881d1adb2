use std::collections::BTreeSet;

use super::*;
use crate::apply::ApplyCtx;
use crate::health::{self, needs_evidence};
use crate::limits::MAX_OPS_PER_BATCH;
use crate::model::{Opportunity, OpportunityStatus};

const LOCALES: [Locale; 2] = [Locale::En, Locale::Ru];

fn build(t: Template, locale: Locale) -> Board {
    t.build(BoardId::new(), "t", locale)
}

fn names<'a>(it: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    it.into_iter().map(String::as_str).collect()
}

fn stage_names(b: &Board) -> Vec<&str> {
    names(b.stages_in_order().into_iter().map(|s| &s.name))
}

fn lanes(b: &Board) -> Vec<(&str, LaneKind)> {
    b.lanes_in_order()
        .into_iter()
        .map(|l| (l.name.as_str(), l.kind))
        .collect()
}

fn kind_of(b: &Board, card: &Card) -> LaneKind {
    b.lanes[&card.lane_id].kind
}

/// The same board made the way clients make boards: ops through `apply`,
/// which checks every limit and reference.
fn replay(board: &Board) -> Board {
    let ops = board.creation_ops();
    let mut out = Board::new(board.id, board.title.clone());
    for batch in ops.chunks(MAX_OPS_PER_BATCH) {
        out.apply(batch, ApplyCtx::at(0))
            .unwrap_or_else(|e| panic!("{e:?}"));
    }
    out
}

#[test]
fn classic_has_six_stages_in_order_in_both_languages() {
    let en = Template::Classic.build(BoardId::new(), "t", Locale::En);
    let names: Vec<_> = en
        .stages_in_order()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(
        names,
        [
            "Awareness",
            "Consideration",
            "Decision",
            "Purchase",
            "Usage",
            "Loyalty"
        ]
    );
    let ru = Template::Classic.build(BoardId::new(), "t", Locale::Ru);
    assert_eq!(ru.stages_in_order()[0].name, "Осведомлённость");
    assert_eq!(ru.lanes_in_order().len(), 6);
    assert_eq!(ru.lanes_in_order()[3].kind, LaneKind::Emotions);
}

#[test]
fn ids_parse_and_match_serde() {
    let listed: Vec<Template> = TEMPLATES.iter().map(|t| t.id).collect();
    assert_eq!(listed, Template::ALL);
    for info in &TEMPLATES {
        let id = info.id.as_str();
        assert_eq!(Template::parse(id), Some(info.id));
        assert_eq!(
            serde_json::to_string(&info.id).unwrap(),
            format!("\"{id}\"")
        );
        assert!(!info.name_en.is_empty() && !info.name_ru.is_empty());
    }
    for id in ["seven_layers", "call_centre", "fridge_example"] {
        assert!(Template::parse(id).is_some(), "{id}");
    }
    assert_eq!(Template::parse("fridge"), None);
}

#[test]
fn every_template_is_valid_in_every_locale() {
    for t in Template::ALL {
        for locale in LOCALES {
            let board = build(t, locale);
            assert_eq!(replay(&board), board, "{t:?} {locale:?}");
            assert!(!board.stages.is_empty() && !board.lanes.is_empty());
        }
    }
}

#[test]
fn russian_texts_are_russian() {
    let has_cyrillic = |s: &str| s.chars().any(|c| matches!(c, 'А'..='я' | 'ё' | 'Ё'));
    for t in Template::ALL {
        let b = build(t, Locale::Ru);
        let mut texts: Vec<&str> = stage_names(&b);
        texts.extend(lanes(&b).into_iter().map(|(n, _)| n));
        texts.extend(b.cards.values().map(|c| c.text.as_str()));
        texts.extend(b.personas.values().map(|p| p.name.as_str()));
        for s in texts {
            assert!(has_cyrillic(s), "{t:?}: {s}");
        }
    }
}

#[test]
fn seven_layers_layout() {
    use LaneKind::*;
    let en = build(Template::SevenLayers, Locale::En);
    assert_eq!(
        stage_names(&en),
        [
            "Awareness",
            "Consideration",
            "Purchase",
            "Onboarding / Usage",
            "Loyalty",
            "Advocacy"
        ]
    );
    let kinds = [
        Touchpoints,
        Actions,
        Thoughts,
        Emotions,
        Pains,
        Backstage,
        Opportunities,
    ];
    assert_eq!(
        lanes(&en),
        [
            "Channels & touchpoints",
            "Customer actions",
            "Thoughts",
            "Emotions",
            "Pains",
            "Backstage",
            "Opportunities"
        ]
        .into_iter()
        .zip(kinds)
        .collect::<Vec<_>>()
    );
    let ru = build(Template::SevenLayers, Locale::Ru);
    assert_eq!(
        stage_names(&ru),
        [
            "Осведомлённость",
            "Рассмотрение",
            "Покупка",
            "Онбординг / использование",
            "Лояльность",
            "Рекомендации"
        ]
    );
    let ru_kinds: Vec<_> = lanes(&ru).into_iter().map(|(_, k)| k).collect();
    assert_eq!(ru_kinds, kinds);
    for (b, name) in [(&en, "Customer"), (&ru, "Клиент")] {
        let personas = b.personas_in_order();
        assert_eq!(personas.len(), 1);
        assert_eq!(personas[0].name, name);
        assert!(personas[0].role.is_empty());
        assert!(b.cards.is_empty() && b.emotions.is_empty());
    }
}

#[test]
fn call_centre_layout() {
    use LaneKind::*;
    let en = build(Template::CallCentre, Locale::En);
    assert_eq!(
        stage_names(&en),
        [
            "Need awareness",
            "Research",
            "Comparing alternatives",
            "Decision",
            "Purchase",
            "Usage",
            "Repeat purchase"
        ]
    );
    let kinds = [
        Thoughts,
        Goals,
        Actions,
        Emotions,
        Pains,
        Touchpoints,
        Questions,
        Triggers,
    ];
    let en_lanes = lanes(&en);
    assert_eq!(en_lanes[4], ("Barriers", Pains));
    let ru = build(Template::CallCentre, Locale::Ru);
    assert_eq!(
        stage_names(&ru),
        [
            "Осознание потребности",
            "Поиск информации",
            "Сравнение альтернатив",
            "Принятие решения",
            "Покупка",
            "Использование",
            "Повторная покупка"
        ]
    );
    for b in [&en, &ru] {
        let got: Vec<_> = lanes(b).into_iter().map(|(_, k)| k).collect();
        assert_eq!(got, kinds);
        assert_eq!(b.personas.len(), 1);
    }
    assert_eq!(ru.personas_in_order()[0].name, "Клиент");
    assert_eq!(lanes(&ru)[4].0, "Барьеры");
}

/// Counts of everything in a board, to compare the two locales.
fn shape(b: &Board) -> [usize; 9] {
    let cards = b.cards.values();
    [
        b.stages.len(),
        b.lanes.len(),
        b.personas.len(),
        b.cards.len(),
        b.emotions.len(),
        cards.clone().filter(|c| c.opportunity.is_some()).count(),
        cards.clone().filter(|c| !c.evidence.is_empty()).count(),
        cards.clone().filter(|c| c.channel.is_some()).count(),
        cards.filter(|c| c.persona_id.is_some()).count(),
    ]
}

#[test]
fn fridge_example_has_the_same_shape_in_both_locales() {
    let en = build(Template::FridgeExample, Locale::En);
    let ru = build(Template::FridgeExample, Locale::Ru);
    assert_eq!(shape(&en), shape(&ru));
    assert_eq!(en.stages.len(), 6);
    assert_eq!(en.personas.len(), 2);
    assert_eq!(en.emotions.len(), 3 * 6);
    assert_eq!(stage_names(&en)[4], "Delivery & installation");
    assert_eq!(stage_names(&ru)[4], "Доставка и установка");
    let igor = ru.personas_in_order()[0];
    assert_eq!((igor.name.as_str(), igor.age), ("Игорь", Some(45)));
}

#[test]
fn fridge_example_shows_every_feature() {
    for locale in LOCALES {
        let b = build(Template::FridgeExample, locale);
        assert!(b.cards.len() >= 40, "{}", b.cards.len());

        let personas = b.personas_in_order();
        for p in &personas {
            for text in [
                &p.role,
                &p.quote,
                &p.goals,
                &p.needs,
                &p.pains,
                &p.fears,
                &p.expectations,
                &p.about,
            ] {
                assert!(!text.is_empty(), "{}", p.name);
            }
        }
        assert_ne!(personas[0].color, personas[1].color);
        assert!(
            b.cards
                .values()
                .any(|c| c.persona_id == Some(personas[1].id))
        );

        for s in b.stages.values() {
            assert!(
                !s.description.is_empty() && !s.metrics.is_empty(),
                "{}",
                s.name
            );
        }
        let metrics: Vec<_> = b.stages.values().flat_map(|s| &s.metrics).collect();
        assert!(metrics.iter().any(|m| m.on_target() == Some(false)));
        assert!(metrics.iter().any(|m| !m.higher_is_better));

        let findings: Vec<&Card> = b
            .cards
            .values()
            .filter(|c| needs_evidence(kind_of(&b, c)))
            .collect();
        let backed = findings.iter().filter(|c| !c.evidence.is_empty()).count();
        assert!(backed > 0 && backed < findings.len());
        assert!((findings.len() / 3..=findings.len() * 2 / 3).contains(&backed));
        let sources: BTreeSet<_> = b
            .cards
            .values()
            .flat_map(|c| &c.evidence)
            .map(|e| e.source.as_str())
            .collect();
        assert!(sources.len() >= 5, "{sources:?}");
        let evidence = b.cards.values().flat_map(|c| &c.evidence);
        for e in evidence.clone() {
            assert!(!e.quote.is_empty());
            assert!(e.date.as_deref().is_some_and(|d| d.starts_with("2026-")));
        }
        assert!(
            evidence
                .filter_map(|e| e.link.as_deref())
                .any(|l| l.starts_with("https://"))
        );

        for c in b.cards.values() {
            let kind = kind_of(&b, c);
            assert_ne!(kind, LaneKind::Emotions, "emotions are a curve, not cards");
            assert_eq!(
                c.channel.is_some(),
                kind == LaneKind::Touchpoints,
                "{}",
                c.text
            );
            assert_eq!(c.opportunity.is_some(), kind == LaneKind::Opportunities);
            assert_eq!(c.color, kind.default_color());
        }
        let opportunities: Vec<&Opportunity> = b
            .cards
            .values()
            .filter_map(|c| c.opportunity.as_ref())
            .collect();
        assert!((5..=7).contains(&opportunities.len()));
        let statuses: BTreeSet<_> = opportunities.iter().map(|o| o.status.as_str()).collect();
        assert_eq!(statuses.len(), OpportunityStatus::ALL.len());
        for o in &opportunities {
            assert!(!o.addresses.is_empty());
            for id in &o.addresses {
                let pain = &b.cards[id];
                assert_eq!(kind_of(&b, pain), LaneKind::Pains, "{}", pain.text);
            }
        }

        let h = health::health(&b, 0, 90);
        assert!(!h.map.dips.is_empty());
        assert!(!h.map.pains_without_opportunity.is_empty());
        assert!(!h.map.opportunities_without_owner.is_empty());

        // Both personas have a full as-is curve; the to-be curve of Igor is
        // better wherever his as-is curve dips.
        for p in &personas {
            assert_eq!(b.curve(p.id, Curve::AsIs).len(), 6);
        }
        let igor = personas[0].id;
        let to_be = b.curve(igor, Curve::ToBe);
        assert_eq!(to_be.len(), 6);
        for dip in h.map.dips.iter().filter(|d| d.persona_id == igor) {
            let better = b.emotion(igor, dip.stage_id, Curve::ToBe).unwrap();
            assert!(better > dip.score);
        }
    }
}

#[test]
fn fridge_cards_are_ordered_within_their_cells() {
    let b = build(Template::FridgeExample, Locale::En);
    for s in b.stages.values() {
        for l in b.lanes.values() {
            let cell = b.cards_in_cell(s.id, l.id);
            assert!(cell.windows(2).all(|w| w[0].order < w[1].order));
        }
    }
}
