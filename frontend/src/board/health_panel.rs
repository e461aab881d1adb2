//! The map-health panel: the figures of `cjm_core::health` for the whole
//! map and per stage, each warning a link to the thing it is about.

use cjm_core::health::{DEFAULT_STALE_DAYS, DipReason, health};
use cjm_core::{CardId, Curve};
use leptos::prelude::*;

use super::use_ui;
use crate::browser;
use crate::i18n::{T, use_i18n};

const STALE_KEY: &str = "cjm.staleDays";

fn card_selector(id: CardId) -> String {
    format!("[data-card=\"{id}\"]")
}

/// "43%" in English, "43 %" in Russian.
fn coverage_text(c: Option<f64>, lang: &str) -> String {
    c.map(|c| browser::format_percent(c, lang, 0))
        .unwrap_or_else(|| "—".into())
}

#[component]
pub fn HealthPanel() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let stale_days = RwSignal::new(
        browser::storage_get(STALE_KEY)
            .and_then(|s| s.parse::<u32>().ok())
            .filter(|d| (1..=3650).contains(d))
            .unwrap_or(DEFAULT_STALE_DAYS),
    );
    let figures = Memo::new(move |_| {
        let days = stale_days.get();
        ui.conn
            .board
            .with(|b| b.as_ref().map(|b| health(b, browser::now_ms(), days)))
    });
    // Names for the lists, looked up once per board change.
    let names = Memo::new(move |_| {
        ui.conn.board.with(|b| {
            b.as_ref().map(|b| {
                let card = |id: &CardId| {
                    b.cards
                        .get(id)
                        .map(|c| {
                            let line = c.text.lines().next().unwrap_or("");
                            let mut short: String = line.chars().take(60).collect();
                            if short.len() < line.len() {
                                short.push('…');
                            }
                            short
                        })
                        .unwrap_or_default()
                };
                (
                    b.personas
                        .iter()
                        .map(|(id, p)| (*id, (p.name.clone(), p.color)))
                        .collect::<std::collections::HashMap<_, _>>(),
                    b.stages
                        .iter()
                        .map(|(id, s)| (*id, s.name.clone()))
                        .collect::<std::collections::HashMap<_, _>>(),
                    b.lanes
                        .iter()
                        .map(|(id, l)| (*id, l.name.clone()))
                        .collect::<std::collections::HashMap<_, _>>(),
                    b.cards
                        .keys()
                        .map(|id| (*id, card(id)))
                        .collect::<std::collections::HashMap<_, _>>(),
                )
            })
        })
    });
    let persona_name = move |id| {
        names.with(|n| {
            n.as_ref()
                .and_then(|n| n.0.get(&id).map(|p| p.0.clone()))
                .unwrap_or_default()
        })
    };
    let stage_name = move |id| {
        names.with(|n| {
            n.as_ref()
                .and_then(|n| n.1.get(&id).cloned())
                .unwrap_or_default()
        })
    };
    let lane_name = move |id| {
        names.with(|n| {
            n.as_ref()
                .and_then(|n| n.2.get(&id).cloned())
                .unwrap_or_default()
        })
    };
    let card_text = move |id| {
        names.with(|n| {
            n.as_ref()
                .and_then(|n| n.3.get(&id).cloned())
                .unwrap_or_default()
        })
    };

    let card_list = move |ids: Vec<CardId>, testid: &'static str| {
        if ids.is_empty() {
            return view! { <p class="muted small ok">{i18n.t(T::AllGood)}</p> }.into_any();
        }
        view! {
            <ul class="health-list" data-testid=testid>
                {ids.into_iter().map(|id| view! {
                    <li><button class="link" data-testid="health-item" on:click=move |_| browser::reveal(&card_selector(id))>
                        {card_text(id)} <span class="muted small">" · "{move || ui.read(|b| b.cards.get(&id).map(|c| c.stage_id)).flatten().map(stage_name).unwrap_or_default()}</span>
                    </button></li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };

    view! {
        <div class="health" data-testid="health-panel">
            {move || figures.get().map(|h| {
                let map = h.map.clone();
                let lang = i18n.0.get().code();
                view! {
                    <div class="health-summary">
                        <div class="big-figure" data-testid="coverage">
                            <strong>{coverage_text(map.evidence_coverage, lang)}</strong>
                            <span>{i18n.t(T::EvidenceCoverage)}</span>
                            <span class="muted small">{format!("{} / {}", map.cards_with_evidence, map.cards)}</span>
                        </div>
                        <div class="big-figure"><strong data-testid="dip-count">{map.dips.len()}</strong><span>{i18n.t(T::Dips)}</span></div>
                        <div class="big-figure"><strong data-testid="unaddressed-count">{map.pains_without_opportunity.len()}</strong><span>{i18n.t(T::PainsWithoutOpportunity)}</span></div>
                        <div class="big-figure"><strong data-testid="unowned-count">{map.opportunities_without_owner.len()}</strong><span>{i18n.t(T::OpportunitiesWithoutOwner)}</span></div>
                    </div>

                    <h3>{i18n.t(T::Dips)}</h3>
                    {if map.dips.is_empty() {
                        view! { <p class="muted small ok">{i18n.t(T::AllGood)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="health-list" data-testid="dips">
                                {map.dips.iter().map(|d| {
                                    let sel = format!("[data-emotion-point][data-persona=\"{}\"][data-stage=\"{}\"][data-curve=\"{}\"]", d.persona_id, d.stage_id, Curve::AsIs.as_str());
                                    let why = match d.reason { DipReason::Negative => "", DipReason::LocalMinimum => " ↓" };
                                    view! {
                                        <li><button class="link" data-testid="dip-item" on:click=move |_| browser::reveal(&sel)>
                                            <strong>{persona_name(d.persona_id)}</strong>" · "{stage_name(d.stage_id)}
                                            <span class="score">{format!("{:+}{why}", d.score)}</span>
                                        </button></li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}

                    <h3>{i18n.t(T::PainsWithoutOpportunity)}</h3>
                    {card_list(map.pains_without_opportunity.clone(), "unaddressed-pains")}
                    <h3>{i18n.t(T::OpportunitiesWithoutOwner)}</h3>
                    {card_list(map.opportunities_without_owner.clone(), "unowned-opportunities")}

                    <h3 class="stale-title">
                        {i18n.t(T::StaleCells)}
                        <input type="number" min="1" max="3650" class="num" data-testid="stale-days" aria-label=i18n.t(T::Days)
                            prop:value=h.stale_days.to_string()
                            on:change=move |ev| {
                                if let Ok(d) = event_target_value(&ev).trim().parse::<u32>() && (1..=3650).contains(&d) {
                                    browser::storage_set(STALE_KEY, &d.to_string());
                                    stale_days.set(d);
                                }
                            }/>
                        {i18n.t(T::Days)}
                    </h3>
                    {if map.stale_cells.is_empty() {
                        view! { <p class="muted small ok">{i18n.t(T::AllGood)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="health-list" data-testid="stale-cells">
                                {map.stale_cells.iter().map(|c| {
                                    let sel = format!("[data-cell][data-stage=\"{}\"][data-lane=\"{}\"]", c.stage_id, c.lane_id);
                                    view! {
                                        <li><button class="link" on:click=move |_| browser::reveal(&sel)>
                                            {stage_name(c.stage_id)}" · "{lane_name(c.lane_id)}
                                            <span class="muted small">{format!(" {} {}", c.days, i18n.t(T::Days))}</span>
                                        </button></li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}

                    <h3>{i18n.t(T::PerStage)}</h3>
                    <table class="health-table" data-testid="health-stages">
                        <thead><tr>
                            <th>{i18n.t(T::Stage)}</th>
                            // Words, not only icons: the full name is the title.
                            {[
                                ("evidence", T::HealthColEvidence, T::EvidenceCoverage),
                                ("emotions", T::HealthColDips, T::Dips),
                                ("pains", T::HealthColPains, T::PainsWithoutOpportunity),
                                ("opportunities", T::HealthColNoOwner, T::OpportunitiesWithoutOwner),
                            ].into_iter().map(|(icon, short, full)| view! {
                                <th title=i18n.t(full) data-testid="health-col">
                                    <span class="health-col"><super::icons::Icon name=icon/><span>{i18n.t(short)}</span></span>
                                </th>
                            }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {h.stages.iter().map(|s| {
                                let id = s.stage_id;
                                let f = &s.figures;
                                let warn = |n: usize| if n > 0 { "warn" } else { "" };
                                view! {
                                    <tr>
                                        <td><button class="link" on:click=move |_| browser::reveal(&format!("[data-stage-header][data-id=\"{id}\"]"))>{s.name.clone()}</button></td>
                                        <td class={if f.cards > 0 && f.evidence_coverage.unwrap_or(0.0) < 50.0 { "warn" } else { "" }}>{if f.cards == 0 { "—".to_string() } else { coverage_text(f.evidence_coverage, lang) }}</td>
                                        <td class=warn(f.dips.len())>{f.dips.len()}</td>
                                        <td class=warn(f.pains_without_opportunity.len())>{f.pains_without_opportunity.len()}</td>
                                        <td class=warn(f.opportunities_without_owner.len())>{f.opportunities_without_owner.len()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
        </div>
    }
}
