//! Property tests over hostile input, in the shape of a fuzzer.
//!
//! 1. Whatever text arrives on the websocket, decoding it as the server does
//!    (`serde_json::from_str::<ClientMsg>`), checking its presence and
//!    applying its ops never panics.
//! 2. Whatever batch arrives, `Board::apply` never panics; a refused batch
//!    leaves the board exactly as it was (value, JSON and size); an accepted
//!    one leaves a board that survives a JSON round trip and keeps every rule
//!    (no control characters, entity and board sizes, references).
//!
//! 110,000 cases in all (see `JSON_CASES` and `BATCH_CASES`). The seed is
//! random on every run and printed; a failure is replayed with
//! `PROPTEST_RNG_SEED=<seed> cargo test -p cjm-core --test fuzz`, and is also
//! saved in `tests/fuzz.proptest-regressions` (commit that file: its cases
//! run first from then on).

use std::borrow::Cow;
use std::sync::LazyLock;

use cjm_core::limits::{
    MAX_BOARD_BYTES, MAX_ENTITY_BYTES, MAX_NAME_CHARS, MAX_OPS_PER_BATCH, MAX_TEXT_CHARS,
};
use cjm_core::protocol::{ClientMsg, Presence};
use cjm_core::template::{Locale, Template};
use cjm_core::text::is_forbidden_char;
use cjm_core::*;
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{FileFailurePersistence, RngSeed};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Cases of each websocket-decoding property (three of them).
const JSON_CASES: u32 = 20_000;
/// Cases of the batch property (each case: one or two batches in a row),
/// split over two tests (two halves run on two cores at once).
const BATCH_CASES: u32 = 50_000;

const CTX: ApplyCtx = ApplyCtx::at(1_700_000_000_000);

/// The seed of this run: `PROPTEST_RNG_SEED` when set, else a fresh one.
static SEED: LazyLock<u64> = LazyLock::new(|| {
    std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            t.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)
        })
});

fn config(cases: u32) -> ProptestConfig {
    config_part(cases, 0)
}

/// `config` for one of several tests that share a property: part `n` runs
/// from seed + n, so that the parts try different cases.
fn config_part(cases: u32, n: u64) -> ProptestConfig {
    // Printed by each test, so that a failing test's output shows it.
    let base = *SEED;
    eprintln!(
        "fuzz seed {base}: replay with PROPTEST_RNG_SEED={base} cargo test -p cjm-core --test fuzz"
    );
    let seed = base.wrapping_add(n);
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        // A failure shrinks for at most a minute, then is reported as is.
        max_shrink_time: 60_000,
        ..ProptestConfig::default()
    }
}

/// The board every batch starts from: the filled example cut down to its
/// second stage, short persona texts and the cards of three lanes (kept
/// small: every case serialises it a few times), which still has every kind
/// of entity: personas, evidence, opportunities and the pains they address,
/// metrics, emotions.
static START: LazyLock<Board> = LazyLock::new(|| {
    let mut b = Template::FridgeExample.build(BoardId::new(), "Холодильник", Locale::Ru);
    let cut: Vec<Op> = b
        .stages_in_order()
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, s)| Op::DeleteStage { id: s.id })
        .collect();
    b.apply(&cut, CTX)
        .expect("the example loses its later stages");
    // Personas keep a line of each text.
    let short = |s: &str| Some(s.chars().take(40).collect::<String>());
    let trim: Vec<Op> = b
        .personas
        .values()
        .map(|p| Op::UpdatePersona {
            id: p.id,
            patch: PersonaPatch {
                quote: short(&p.quote),
                goals: short(&p.goals),
                needs: short(&p.needs),
                pains: short(&p.pains),
                fears: short(&p.fears),
                expectations: short(&p.expectations),
                about: short(&p.about),
                ..PersonaPatch::default()
            },
        })
        .collect();
    b.apply(&trim, CTX).expect("shorter texts");
    // Cards of three lanes: actions, pains and the opportunities on them.
    let keep = [LaneKind::Actions, LaneKind::Pains, LaneKind::Opportunities];
    let drop: Vec<Op> = b
        .cards
        .values()
        .filter(|c| !keep.contains(&b.lanes[&c.lane_id].kind))
        .map(|c| Op::DeleteCard { id: c.id })
        .collect();
    b.apply(&drop, CTX).expect("fewer cards");
    b
});

/// Ids: those of the board, a few that batches may create, and strangers.
struct Pool {
    stages: Vec<StageId>,
    lanes: Vec<LaneId>,
    cards: Vec<CardId>,
    personas: Vec<PersonaId>,
    fresh: Vec<uuid::Uuid>,
}

static POOL: LazyLock<Pool> = LazyLock::new(|| Pool {
    stages: START.stages.keys().copied().collect(),
    lanes: START.lanes.keys().copied().collect(),
    cards: START.cards.keys().copied().collect(),
    personas: START.personas.keys().copied().collect(),
    fresh: (0..4).map(|_| uuid::Uuid::now_v7()).collect(),
});

/// An id for an op on an entity (mostly one of the board's) or, `new`, for
/// one it creates (mostly a new one).
fn id_of<T: Copy + std::fmt::Debug + 'static>(
    existing: &[T],
    wrap: fn(uuid::Uuid) -> T,
    new: bool,
) -> BoxedStrategy<T> {
    let existing = existing.to_vec();
    let fresh: Vec<T> = POOL.fresh.iter().map(|u| wrap(*u)).collect();
    let (old, pool, random) = if new { (1, 3, 4) } else { (30, 2, 1) };
    prop_oneof![
        old => prop::sample::select(existing),
        pool => prop::sample::select(fresh),
        random => any::<u128>().prop_map(move |n| wrap(uuid::Uuid::from_u128(n))),
    ]
    .boxed()
}

fn stage_id() -> BoxedStrategy<StageId> {
    id_of(&POOL.stages, StageId, false)
}
fn lane_id() -> BoxedStrategy<LaneId> {
    id_of(&POOL.lanes, LaneId, false)
}
fn card_id() -> BoxedStrategy<CardId> {
    id_of(&POOL.cards, CardId, false)
}
fn persona_id() -> BoxedStrategy<PersonaId> {
    id_of(&POOL.personas, PersonaId, false)
}

/// Any text, control characters included.
fn arbitrary(max: usize) -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("(?s).{{0,{max}}}"))
        .expect("a valid regex")
        .boxed()
}

/// Letters of ordinary text, in a few scripts.
const CLEAN: &[char] = &[
    'a', 'b', 'c', 'x', 'Z', 'я', 'Ж', 'ё', ' ', ' ', ',', '.', '!', '-', '0', '9', '«', '»', '€',
    '🧊', '\n', '\t',
];
/// Letters that should never reach a board, and their invisible cousins
/// that may.
const HOSTILE: &[char] = &[
    '\0', '\r', '\u{1}', '\u{7}', '\u{8}', '\u{b}', '\u{c}', '\u{1b}', '\u{1f}', '\u{7f}',
    '\u{85}', '\u{a0}', '\u{200b}', '\u{2028}', '\u{202e}', '\u{feff}', '\u{fffd}', '"', '\\', '<',
    '>', '&', '\'', 'a', 'я', '🧊',
];

fn letters(alphabet: &'static [char], len: std::ops::Range<usize>) -> BoxedStrategy<String> {
    prop::collection::vec(prop::sample::select(alphabet), len)
        .prop_map(String::from_iter)
        .boxed()
}

/// Texts: mostly plausible, often hostile (control characters, every
/// script, lengths around the limits).
fn text() -> BoxedStrategy<String> {
    let around = |n: usize| prop::sample::select(vec![n - 1, n, n + 1]);
    prop_oneof![
        60 => letters(CLEAN, 0..12),
        4 => letters(HOSTILE, 0..6),
        2 => arbitrary(24),
        1 => (around(MAX_NAME_CHARS), prop::sample::select(vec!["x", "я", "🧊"]))
            .prop_map(|(n, c)| c.repeat(n)),
        1 => (around(MAX_TEXT_CHARS), prop::sample::select(vec!["x", "я", "🧊"]))
            .prop_map(|(n, c)| c.repeat(n)),
    ]
    .boxed()
}

fn url() -> BoxedStrategy<String> {
    let start = prop::sample::select(vec![
        "https://research.example.com/",
        "http://a.ru/?q=",
        "HTTPS://A.RU/",
        "/uploads/",
        "javascript:",
        " JavaScript:",
        "data:text/html,",
        "//evil.example/",
        "java\nscript:",
        "https://a.ru/\t",
        "ftp://a.ru/",
        "",
    ]);
    prop_oneof![
        8 => (start, letters(CLEAN, 0..8)).prop_map(|(a, b)| format!("{a}{b}")),
        1 => text(),
        1 => (1_990usize..2_010).prop_map(|n| format!("https://a.ru/{}", "x".repeat(n))),
    ]
    .boxed()
}

const HEX: &[char] = &['0', '1', '7', '8', '9', 'a', 'f', 'F', 'g', 'é'];

/// Valid keys mostly; odd lengths, uppercase, garbage and overlong keys too.
fn order() -> BoxedStrategy<OrderKey> {
    let valid = OrderKey::sequence(8);
    prop_oneof![
        30 => prop::sample::select(valid),
        2 => letters(HEX, 0..12).prop_map(|s| key(&s)),
        1 => text().prop_map(|s| key(&s)),
        1 => (120usize..140).prop_map(|n| key(&"8".repeat(n))),
    ]
    .boxed()
}

/// Any string as an order key, as the wire can carry it.
fn key(s: &str) -> OrderKey {
    serde_json::from_value(Value::String(s.to_owned())).expect("a string is a key")
}

fn num() -> BoxedStrategy<Num> {
    prop_oneof![
        // What people type: integers and a few decimals.
        6 => (-1_000_000i64..1_000_000, 0u32..4)
            .prop_map(|(n, d)| Num(n as f64 / 10f64.powi(d as i32))),
        1 => any::<f64>().prop_map(Num),
        1 => prop::sample::select(vec![f64::NAN, f64::INFINITY, -1e13, 1e12, -0.0, 961111.3154379317])
            .prop_map(Num),
    ]
    .boxed()
}

fn small<T: std::fmt::Debug + Clone + 'static>(
    s: BoxedStrategy<T>,
    max: usize,
) -> BoxedStrategy<Vec<T>> {
    prop_oneof![
        8 => prop::collection::vec(s.clone(), 0..4),
        1 => prop::collection::vec(s, max..max + 2),
    ]
    .boxed()
}

fn metric() -> BoxedStrategy<StageMetric> {
    (
        text(),
        num(),
        text(),
        prop::option::of(num()),
        any::<bool>(),
    )
        .prop_map(
            |(name, value, unit, target, higher_is_better)| StageMetric {
                name,
                value,
                unit,
                target,
                higher_is_better,
            },
        )
        .boxed()
}

fn evidence() -> BoxedStrategy<Evidence> {
    (
        prop::sample::select(EvidenceSource::ALL.to_vec()),
        text(),
        prop::option::of(url()),
        prop::option::of(
            prop::sample::select(vec![
                "2026-02-10",
                "1999-12-31",
                "2024-02-29",
                "2026-03-02",
                "2000-01-01",
                "2026-02-11",
                "2026-2-10",
                "2026-02-10T00:00",
                "20260210",
                "2026/02/10",
                "",
                "٢٠٢٦-٠٢-١٠",
            ])
            .prop_map(str::to_owned),
        ),
    )
        .prop_map(|(source, quote, link, date)| Evidence {
            source,
            quote,
            link,
            date,
        })
        .boxed()
}

fn opportunity() -> BoxedStrategy<Opportunity> {
    (
        prop_oneof![4 => 1u8..=5, 1 => any::<u8>()],
        prop_oneof![4 => 1u8..=5, 1 => any::<u8>()],
        text(),
        prop::sample::select(OpportunityStatus::ALL.to_vec()),
        small(card_id(), 50),
    )
        .prop_map(|(impact, effort, owner, status, addresses)| Opportunity {
            impact,
            effort,
            owner,
            status,
            addresses,
        })
        .boxed()
}

fn color() -> BoxedStrategy<Color> {
    prop::sample::select(Color::ALL.to_vec()).boxed()
}

fn stage() -> BoxedStrategy<Stage> {
    (
        id_of(&POOL.stages, StageId, true),
        text(),
        text(),
        order(),
        small(metric(), 20),
    )
        .prop_map(|(id, name, description, order, metrics)| Stage {
            id,
            name,
            description,
            order,
            metrics,
        })
        .boxed()
}

fn lane() -> BoxedStrategy<Lane> {
    (
        id_of(&POOL.lanes, LaneId, true),
        text(),
        prop::sample::select(LaneKind::ALL.to_vec()),
        order(),
    )
        .prop_map(|(id, name, kind, order)| Lane {
            id,
            name,
            kind,
            order,
        })
        .boxed()
}

fn card() -> BoxedStrategy<Card> {
    (
        (
            id_of(&POOL.cards, CardId, true),
            stage_id(),
            lane_id(),
            order(),
            text(),
            color(),
        ),
        (
            prop::option::of(persona_id()),
            prop::option::of(prop::sample::select(Channel::ALL.to_vec())),
            small(evidence(), 20),
            prop::option::weighted(0.3, opportunity()),
            any::<i64>(),
        ),
    )
        .prop_map(
            |(
                (id, stage_id, lane_id, order, text, color),
                (persona_id, channel, evidence, opportunity, updated_at),
            )| Card {
                id,
                stage_id,
                lane_id,
                order,
                text,
                color,
                persona_id,
                channel,
                evidence,
                opportunity,
                updated_at,
            },
        )
        .boxed()
}

/// A patch field: mostly absent.
fn some<S: Strategy + 'static>(s: S) -> BoxedStrategy<Option<S::Value>> {
    prop::option::weighted(0.3, s).boxed()
}

fn persona_texts() -> BoxedStrategy<[Option<String>; 9]> {
    prop::array::uniform9(some(text())).boxed()
}

fn persona() -> BoxedStrategy<Persona> {
    (
        (
            id_of(&POOL.personas, PersonaId, true),
            text(),
            order(),
            color(),
        ),
        (
            prop::option::of(url()),
            prop::option::of(prop_oneof![3 => 0u16..=150, 1 => any::<u16>()]),
            persona_texts(),
        ),
    )
        .prop_map(|((id, name, order, color), (avatar_url, age, t))| {
            let [
                _,
                role,
                quote,
                goals,
                needs,
                pains,
                fears,
                expectations,
                about,
            ] = t.map(Option::unwrap_or_default);
            Persona {
                id,
                name,
                order,
                color,
                avatar_url,
                age,
                role,
                quote,
                goals,
                needs,
                pains,
                fears,
                expectations,
                about,
            }
        })
        .boxed()
}

fn persona_patch() -> BoxedStrategy<PersonaPatch> {
    (
        (
            some(color()),
            some(prop::option::of(url())),
            some(prop::option::of(any::<u16>())),
        ),
        persona_texts(),
    )
        .prop_map(|((color, avatar_url, age), t)| {
            let [
                name,
                role,
                quote,
                goals,
                needs,
                pains,
                fears,
                expectations,
                about,
            ] = t;
            PersonaPatch {
                name,
                color,
                avatar_url,
                age,
                role,
                quote,
                goals,
                needs,
                pains,
                fears,
                expectations,
                about,
            }
        })
        .boxed()
}

fn card_patch() -> BoxedStrategy<CardPatch> {
    (
        some(text()),
        some(color()),
        some(prop::option::of(persona_id())),
        some(prop::option::of(prop::sample::select(
            Channel::ALL.to_vec(),
        ))),
        some(small(evidence(), 20)),
        some(prop::option::of(opportunity())),
    )
        .prop_map(
            |(text, color, persona_id, channel, evidence, opportunity)| CardPatch {
                text,
                color,
                persona_id,
                channel,
                evidence,
                opportunity,
            },
        )
        .boxed()
}

fn op() -> BoxedStrategy<Op> {
    let arms: Vec<(u32, BoxedStrategy<Op>)> = vec![
        (
            1,
            text().prop_map(|title| Op::SetBoardTitle { title }).boxed(),
        ),
        (2, stage().prop_map(Op::CreateStage).boxed()),
        (
            2,
            (
                stage_id(),
                some(text()),
                some(text()),
                some(small(metric(), 20)),
            )
                .prop_map(|(id, name, description, metrics)| Op::UpdateStage {
                    id,
                    patch: StagePatch {
                        name,
                        description,
                        metrics,
                    },
                })
                .boxed(),
        ),
        (
            1,
            (stage_id(), order())
                .prop_map(|(id, order)| Op::MoveStage { id, order })
                .boxed(),
        ),
        (1, stage_id().prop_map(|id| Op::DeleteStage { id }).boxed()),
        (2, lane().prop_map(Op::CreateLane).boxed()),
        (
            1,
            (
                lane_id(),
                some(text()),
                some(prop::sample::select(LaneKind::ALL.to_vec()).boxed()),
            )
                .prop_map(|(id, name, kind)| Op::UpdateLane {
                    id,
                    patch: LanePatch { name, kind },
                })
                .boxed(),
        ),
        (
            1,
            (lane_id(), order())
                .prop_map(|(id, order)| Op::MoveLane { id, order })
                .boxed(),
        ),
        (1, lane_id().prop_map(|id| Op::DeleteLane { id }).boxed()),
        (6, card().prop_map(Op::CreateCard).boxed()),
        (
            6,
            (card_id(), card_patch())
                .prop_map(|(id, patch)| Op::UpdateCard { id, patch })
                .boxed(),
        ),
        (
            3,
            (card_id(), stage_id(), lane_id(), order())
                .prop_map(|(id, stage_id, lane_id, order)| Op::MoveCard {
                    id,
                    stage_id,
                    lane_id,
                    order,
                })
                .boxed(),
        ),
        (2, card_id().prop_map(|id| Op::DeleteCard { id }).boxed()),
        (2, persona().prop_map(Op::CreatePersona).boxed()),
        (
            2,
            (persona_id(), persona_patch())
                .prop_map(|(id, patch)| Op::UpdatePersona { id, patch })
                .boxed(),
        ),
        (
            1,
            (persona_id(), order())
                .prop_map(|(id, order)| Op::MovePersona { id, order })
                .boxed(),
        ),
        (
            1,
            persona_id().prop_map(|id| Op::DeletePersona { id }).boxed(),
        ),
        (
            3,
            (
                persona_id(),
                stage_id(),
                prop::sample::select(Curve::ALL.to_vec()),
                prop::option::of(prop_oneof![4 => -2i8..=2, 1 => any::<i8>()]),
            )
                .prop_map(|(persona_id, stage_id, curve, score)| Op::SetEmotion {
                    persona_id,
                    stage_id,
                    curve,
                    score,
                })
                .boxed(),
        ),
    ];
    let mut arms = arms;
    arms.extend(workshop_ops());
    Union::new_weighted(arms).boxed()
}

/// Comment ids: the few that batches create (so that replies, edits and
/// deletes find them), and strangers.
fn comment_id() -> BoxedStrategy<CommentId> {
    let fresh: Vec<CommentId> = POOL.fresh.iter().map(|u| CommentId(*u)).collect();
    prop_oneof![
        6 => prop::sample::select(fresh),
        1 => any::<u128>().prop_map(|n| CommentId(uuid::Uuid::from_u128(n))),
    ]
    .boxed()
}

fn comment_target() -> BoxedStrategy<CommentTarget> {
    prop_oneof![
        4 => card_id().prop_map(CommentTarget::Card),
        2 => stage_id().prop_map(CommentTarget::Stage),
        1 => (persona_id(), stage_id(), prop::sample::select(Curve::ALL.to_vec())).prop_map(
            |(persona_id, stage_id, curve)| CommentTarget::Emotion {
                persona_id,
                stage_id,
                curve,
            }
        ),
    ]
    .boxed()
}

/// Comments, reactions, the timer, votes and quiet mode, valid and not.
fn workshop_ops() -> Vec<(u32, BoxedStrategy<Op>)> {
    let emoji = prop_oneof![
        4 => prop::sample::select(REACTIONS.to_vec()).prop_map(str::to_owned),
        1 => text(),
    ];
    let ms = prop_oneof![4 => 1_000i64..=3_600_000, 1 => any::<i64>()];
    vec![
        (
            3,
            (
                comment_id(),
                comment_target(),
                prop::option::of(comment_id()),
                text(),
                small(any::<u128>().prop_map(uuid::Uuid::from_u128).boxed(), 25),
                text(),
            )
                .prop_map(|(id, on, parent, text, mentions, author_name)| {
                    Op::AddComment(NewComment {
                        id,
                        on,
                        parent,
                        text,
                        mentions,
                        author_name,
                    })
                })
                .boxed(),
        ),
        (
            1,
            (comment_id(), text())
                .prop_map(|(id, text)| Op::EditComment {
                    id,
                    text,
                    mentions: None,
                })
                .boxed(),
        ),
        (
            1,
            comment_id().prop_map(|id| Op::DeleteComment { id }).boxed(),
        ),
        (
            1,
            (comment_id(), any::<bool>())
                .prop_map(|(id, resolved)| Op::ResolveComment { id, resolved })
                .boxed(),
        ),
        (
            2,
            (
                prop_oneof![
                    card_id().prop_map(ReactionTarget::Card),
                    comment_id().prop_map(ReactionTarget::Comment),
                ],
                emoji,
                any::<bool>(),
            )
                .prop_map(|(target, emoji, add)| Op::React { target, emoji, add })
                .boxed(),
        ),
        (
            1,
            ms.clone()
                .prop_map(|duration_ms| Op::StartTimer { duration_ms })
                .boxed(),
        ),
        (1, Just(Op::PauseTimer).boxed()),
        (1, Just(Op::ResumeTimer).boxed()),
        (1, ms.prop_map(|ms| Op::ExtendTimer { ms }).boxed()),
        (1, Just(Op::StopTimer).boxed()),
        (
            1,
            (
                small(lane_id(), 3),
                small(stage_id(), 3),
                prop_oneof![4 => 1u8..=20, 1 => any::<u8>()],
                any::<bool>(),
                prop::option::of(any::<i64>()),
            )
                .prop_map(
                    |(lanes, stages, dots_per_person, several_per_card, ends_at)| Op::StartVote {
                        id: VoteId(POOL.fresh[0]),
                        lanes,
                        stages,
                        dots_per_person,
                        several_per_card,
                        ends_at,
                        anonymous: several_per_card,
                    },
                )
                .boxed(),
        ),
        (
            1,
            card_id()
                .prop_map(|c| Op::RevealVote {
                    id: VoteId(POOL.fresh[0]),
                    results: workshop::VoteResults {
                        dots: [(c, 2)].into(),
                        voters: 1,
                        names: [(c, vec!["x".to_string(); 2])].into(),
                    },
                })
                .boxed(),
        ),
        (
            1,
            any::<bool>()
                .prop_map(|keep| Op::EndVote {
                    id: VoteId(POOL.fresh[0]),
                    keep,
                })
                .boxed(),
        ),
        (1, Just(Op::ClearVoteBadges).boxed()),
        (1, any::<bool>().prop_map(|on| Op::SetQuiet { on }).boxed()),
    ]
}

fn batch() -> BoxedStrategy<Vec<Op>> {
    prop_oneof![
        30 => prop::collection::vec(op(), 1..6),
        1 => Just(Vec::new()),
    ]
    .boxed()
}

/// Every string anywhere in `v`.
fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Value::Object(o) => o.iter().for_each(|(k, v)| {
            out.push(k);
            strings(v, out);
        }),
        _ => {}
    }
}

/// The rules every board that `apply` produced from a clean board keeps,
/// checked on the board and on its JSON form.
fn assert_invariants(b: &Board, value: &Value) -> Result<(), TestCaseError> {
    prop_assert!(b.approx_bytes() <= MAX_BOARD_BYTES);
    let mut all = Vec::new();
    strings(value, &mut all);
    for s in all {
        prop_assert!(!s.chars().any(is_forbidden_char), "control char in {:?}", s);
    }
    prop_assert!(b.title.chars().count() <= MAX_NAME_CHARS);
    prop_assert!(!b.title.trim().is_empty());
    for c in b.cards.values() {
        prop_assert!(c.approx_bytes() <= MAX_ENTITY_BYTES);
        prop_assert!(c.text.chars().count() <= MAX_TEXT_CHARS);
        prop_assert!(b.stages.contains_key(&c.stage_id), "card in a live stage");
        prop_assert!(b.lanes.contains_key(&c.lane_id), "card in a live lane");
        prop_assert!(c.persona_id.is_none_or(|p| b.personas.contains_key(&p)));
        prop_assert!(c.order.is_valid());
        if let Some(o) = &c.opportunity {
            prop_assert!((1..=5).contains(&o.impact) && (1..=5).contains(&o.effort));
        }
    }
    prop_assert!(b.comments.len() <= cjm_core::limits::MAX_COMMENTS);
    for c in b.comments.values() {
        prop_assert!(c.approx_bytes() <= MAX_ENTITY_BYTES);
        prop_assert!(c.text.chars().count() <= MAX_TEXT_CHARS && !c.text.trim().is_empty());
        prop_assert!(c.mentions.len() <= cjm_core::limits::MAX_MENTIONS);
        if let Some(parent) = c.parent {
            let root = b.comments.get(&parent);
            prop_assert!(
                root.is_some_and(|r| r.parent.is_none() && r.on == c.on),
                "a reply's thread"
            );
        }
        for emoji in c.reactions.keys() {
            prop_assert!(REACTIONS.contains(&emoji.as_str()));
        }
    }
    if let Some(t) = &b.timer {
        prop_assert!(t.remaining(CTX.at) <= workshop::MAX_TIMER_MS);
    }
    if let Some(v) = &b.vote {
        prop_assert!((1..=workshop::MAX_DOTS_PER_PERSON).contains(&v.dots_per_person));
    }
    for p in b.personas.values() {
        prop_assert!(p.approx_bytes() <= MAX_ENTITY_BYTES);
        prop_assert!(p.name.chars().count() <= MAX_NAME_CHARS);
        prop_assert!(p.order.is_valid());
    }
    for s in b.stages.values() {
        prop_assert!(s.approx_bytes() <= MAX_ENTITY_BYTES);
        prop_assert!(s.order.is_valid());
        prop_assert!(s.metrics.iter().all(|m| m.value.0.is_finite()));
    }
    for l in b.lanes.values() {
        prop_assert!(l.order.is_valid());
    }
    prop_assert!(
        b.emotions.windows(2).all(|w| {
            (w[0].persona_id, w[0].stage_id, w[0].curve)
                < (w[1].persona_id, w[1].stage_id, w[1].curve)
        }),
        "emotions sorted and unique"
    );
    for e in &b.emotions {
        prop_assert!(b.personas.contains_key(&e.persona_id) && b.stages.contains_key(&e.stage_id));
        prop_assert!((-2..=2).contains(&e.score));
    }
    Ok(())
}

/// A board as one replica holds it, and a second replica that received it
/// as JSON text (so without a cached size), with the board's JSON value.
struct Replicas {
    board: Board,
    replica: Board,
    json: Cow<'static, Value>,
}

impl Replicas {
    fn new() -> Self {
        static FROM_JSON: LazyLock<(Board, Value)> = LazyLock::new(|| {
            let replica = serde_json::from_str(&serde_json::to_string(&*START).unwrap()).unwrap();
            (replica, serde_json::to_value(&*START).unwrap())
        });
        Self {
            board: START.clone(),
            replica: FROM_JSON.0.clone(),
            json: Cow::Borrowed(&FROM_JSON.1),
        }
    }

    /// Applies one batch to both replicas and checks the outcome either way.
    fn apply(&mut self, ops: &[Op]) -> Result<(), TestCaseError> {
        let before = self.board.clone();
        let before_bytes = self.board.approx_bytes();
        let result = self.board.apply(ops, CTX);
        let same = self.replica.apply(ops, CTX);
        prop_assert_eq!(&result, &same, "the replicas decide alike");
        prop_assert_eq!(&self.replica, &self.board);
        match result {
            Err(e) => {
                prop_assert!(e.index < ops.len().max(1));
                prop_assert!(
                    e.code() != cjm_core::RejectCode::Unknown && !e.to_string().is_empty()
                );
                prop_assert_eq!(
                    &self.board,
                    &before,
                    "a refused batch changed the board: {}",
                    e
                );
                prop_assert_eq!(&serde_json::to_value(&self.board).unwrap(), &*self.json);
                prop_assert_eq!(self.board.approx_bytes(), before_bytes);
            }
            Ok(changes) => {
                // Only ops that may find nothing to do (a reaction taken
                // back twice, a paused timer paused) leave no change.
                let may_do_nothing = |op: &Op| {
                    op.is_conversation()
                        || matches!(op, Op::PauseTimer | Op::ResumeTimer | Op::ClearVoteBadges)
                };
                prop_assert!(!changes.is_empty() || ops.iter().all(may_do_nothing));
                // Through JSON text, as other replicas get it (numbers
                // included); the cached size is the size counted afresh.
                self.json = Cow::Owned(serde_json::to_value(&self.board).unwrap());
                let text = self.json.to_string();
                let parsed: Value = text.parse().unwrap();
                let back = Board::deserialize(&parsed).unwrap();
                prop_assert_eq!(&back, &self.board, "JSON round trip");
                prop_assert_eq!(back.approx_bytes(), self.board.approx_bytes());
                assert_invariants(&self.board, &self.json)?;
                self.replica = back;
            }
        }
        Ok(())
    }
}

/// Calls `f` on node `n` (pre-order) of `v`, if there are that many.
fn at_node(v: &mut Value, n: &mut usize, f: &mut dyn FnMut(&mut Value)) -> bool {
    if *n == 0 {
        f(v);
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|v| at_node(v, n, f)),
        Value::Object(o) => o.values_mut().any(|v| at_node(v, n, f)),
        _ => false,
    }
}

/// Replaces one node of `v` (chosen by `at`) with `with`, or removes a key.
fn mutate(v: &mut Value, at: usize, with: Value, remove: bool) {
    let mut count = 0usize;
    count_nodes(v, &mut count);
    let mut n = at % count.max(1);
    let mut with = Some(with);
    at_node(v, &mut n, &mut |target| match target {
        Value::Object(o) if remove && !o.is_empty() => {
            let k = o.keys().nth(at % o.len()).cloned().unwrap_or_default();
            o.remove(&k);
        }
        _ => *target = with.take().unwrap_or_default(),
    });
}

fn count_nodes(v: &Value, n: &mut usize) {
    *n += 1;
    match v {
        Value::Array(a) => a.iter().for_each(|v| count_nodes(v, n)),
        Value::Object(o) => o.values().for_each(|v| count_nodes(v, n)),
        _ => {}
    }
}

/// The letters of JSON.
const JSONISH: &[char] = &[
    '{', '}', '[', ']', '"', ':', ',', ' ', '\\', 'u', '0', '1', '9', '-', '.', 'e', 'E', '+', 'a',
    't', 'r', 'f', 'n', 'l', 's', '\n', 'я', '\u{0}',
];

/// Names that the decoder looks for, so that random objects reach deep.
const NAMES: &[&str] = &[
    "type",
    "hello",
    "submit",
    "presence",
    "ping",
    "protocol",
    "last_seq",
    "client_id",
    "name",
    "client_op_id",
    "ops",
    "op",
    "cursor",
    "x",
    "y",
    "selection",
    "editing",
    "dragging",
    "card",
    "id",
    "title",
    "stage_id",
    "lane_id",
    "persona_id",
    "order",
    "text",
    "color",
    "channel",
    "evidence",
    "opportunity",
    "addresses",
    "impact",
    "effort",
    "owner",
    "status",
    "metrics",
    "value",
    "unit",
    "target",
    "curve",
    "score",
    "kind",
    "set_board_title",
    "create_card",
    "update_card",
    "move_card",
    "delete_card",
    "create_stage",
    "update_stage",
    "delete_stage",
    "create_lane",
    "update_lane",
    "create_persona",
    "update_persona",
    "set_emotion",
    "as_is",
    "to_be",
    "yellow",
    "notes",
    "quote",
    "link",
    "date",
    "source",
    "interview",
    "age",
];

fn leaf() -> BoxedStrategy<Value> {
    let ids: Vec<String> = POOL
        .cards
        .iter()
        .map(|c| c.to_string())
        .chain(POOL.stages.iter().map(|s| s.to_string()))
        .chain(POOL.lanes.iter().map(|l| l.to_string()))
        .chain(POOL.personas.iter().map(|p| p.to_string()))
        .collect();
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop::sample::select(vec![
            i64::MIN,
            i64::from(i32::MIN),
            -1,
            0,
            1,
            2,
            5,
            i64::from(i32::MAX),
            i64::MAX
        ])
        .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(NAMES).prop_map(Value::from),
        prop::sample::select(ids).prop_map(Value::from),
        text().prop_map(Value::from),
    ]
    .boxed()
}

fn json_value() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![4 => prop::sample::select(NAMES).prop_map(str::to_owned), 1 => arbitrary(8)],
                        inner
                    ),
                    0..6
                )
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// A real client message: a submit of a generated batch, a hello or a
/// presence.
fn client_msg() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => prop::collection::vec(op(), 1..5).prop_map(|ops| {
            serde_json::to_value(ClientMsg::Submit(Batch::new(ops))).unwrap()
        }),
        1 => (any::<u32>(), prop::option::of(any::<u64>()), prop::option::of(text()))
            .prop_map(|(protocol, last_seq, name)| json!({
                "type": "hello", "protocol": protocol, "last_seq": last_seq, "name": name,
            })),
        1 => (any::<i32>(), any::<i32>(), prop::collection::vec(card_id(), 0..3), any::<i32>())
            .prop_map(|(x, y, selection, dx)| json!({
                "type": "presence",
                "cursor": {"x": x, "y": y},
                "selection": selection,
                "dragging": {"card": CardId::new(), "x": dx, "y": x},
            })),
    ]
    .boxed()
}

/// Decodes `text` as the server does and acts on what it decoded.
fn receive(text: &str) -> Result<(), TestCaseError> {
    match serde_json::from_str::<ClientMsg>(text) {
        Ok(ClientMsg::Submit(batch)) => {
            if batch.ops.len() <= MAX_OPS_PER_BATCH {
                Replicas::new().apply(&batch.ops)?;
            }
        }
        Ok(ClientMsg::Presence(p)) => {
            let _ = p.is_valid();
            let _ = serde_json::to_string(&p).unwrap();
        }
        Ok(ClientMsg::Hello { name, .. }) => {
            if let Some(name) = name {
                let _ = check_text("name", &name, MAX_NAME_CHARS);
            }
        }
        Ok(ClientMsg::Ping | ClientMsg::Dot { .. }) | Err(_) => {}
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(JSON_CASES))]

    /// Any text at all.
    #[test]
    fn websocket_text_never_panics(s in prop_oneof![
        arbitrary(40),
        letters(JSONISH, 0..40),
        (prop::sample::select(vec!["hello", "submit", "presence", "ping", "Submit", ""]), letters(JSONISH, 0..40))
            .prop_map(|(t, rest)| format!("{{\"type\":\"{t}\"{rest}")),
    ]) {
        receive(&s)?;
    }

    /// Any bytes, as a lossy UTF-8 text frame.
    #[test]
    fn websocket_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        receive(&String::from_utf8_lossy(&bytes))?;
    }

    /// Random JSON shaped like our messages, and real messages with one
    /// part replaced, removed or cut short.
    #[test]
    fn websocket_json_never_panics(
        msg in prop_oneof![1 => json_value(), 2 => client_msg()],
        at in any::<usize>(),
        with in json_value(),
        how in 0u8..5,
        cut in any::<prop::sample::Index>(),
    ) {
        let mut msg = msg;
        let text = match how {
            0 => serde_json::to_string(&msg).unwrap(),
            1 | 2 => {
                mutate(&mut msg, at, with, how == 2);
                serde_json::to_string(&msg).unwrap()
            }
            3 => {
                let s = serde_json::to_string(&msg).unwrap();
                let mut end = cut.index(s.len() + 1);
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s[..end].to_owned()
            }
            _ => {
                if let Value::Object(o) = &mut msg {
                    o.insert("type".into(), with);
                }
                serde_json::to_string(&msg).unwrap()
            }
        };
        receive(&text)?;
    }
}

/// Batches in a row on the filled example board.
fn apply_in_a_row(batches: &[Vec<Op>]) -> Result<(), TestCaseError> {
    let mut replicas = Replicas::new();
    for ops in batches {
        replicas.apply(ops)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config_part(BATCH_CASES / 2, 1))]

    #[test]
    fn batches_apply_all_or_nothing(batches in prop::collection::vec(batch(), 1..3)) {
        apply_in_a_row(&batches)?;
    }
}

proptest! {
    #![proptest_config(config_part(BATCH_CASES - BATCH_CASES / 2, 2))]

    #[test]
    fn batches_apply_all_or_nothing_more(batches in prop::collection::vec(batch(), 1..3)) {
        apply_in_a_row(&batches)?;
    }
}

#[test]
fn presence_of_any_coordinates_is_checked_without_overflow() {
    for x in [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX] {
        let p: Presence = serde_json::from_value(json!({
            "cursor": {"x": x, "y": i32::MIN},
            "dragging": {"card": CardId::new(), "x": i32::MAX, "y": x},
        }))
        .unwrap();
        assert!(!p.is_valid());
    }
}
