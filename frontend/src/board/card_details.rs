//! A card's details in the side panel: text, persona, channel, evidence
//! and, for opportunities, impact/effort/owner/status and the pains it
//! addresses. Every field saves when it changes (on blur for text), as one
//! `update_card` op, so collaborators see it live.

use cjm_core::{
    CardId, CardPatch, Channel, Evidence, EvidenceSource, LaneKind, Op, Opportunity,
    OpportunityStatus, PersonaId,
};
use leptos::prelude::*;

use super::icons::Icon;
use super::use_ui;
use crate::browser;
use crate::i18n::{self, T, use_i18n};

fn update(ui: super::Ui, id: CardId, patch: CardPatch) -> bool {
    ui.submit(vec![Op::UpdateCard { id, patch }])
}

/// Today as YYYY-MM-DD (local time), the default date of new evidence.
fn today() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

#[component]
pub fn CardDetails(id: CardId) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    let card =
        Memo::new(move |_| board.with(|b| b.as_ref().and_then(|b| b.cards.get(&id).cloned())));
    let kind = Memo::new(move |_| {
        board.with(|b| {
            let b = b.as_ref()?;
            let lane = b.cards.get(&id)?.lane_id;
            b.lanes.get(&lane).map(|l| l.kind)
        })
    });
    let place = Memo::new(move |_| {
        board.with(|b| {
            let b = b.as_ref()?;
            let c = b.cards.get(&id)?;
            Some(format!(
                "{} · {}",
                b.stages.get(&c.stage_id)?.name,
                b.lanes.get(&c.lane_id)?.name
            ))
        })
    });
    let personas = ui.personas;
    let text = move || card.with(|c| c.as_ref().map(|c| c.text.clone()).unwrap_or_default());
    let persona = move || card.with(|c| c.as_ref().and_then(|c| c.persona_id));
    let channel = move || card.with(|c| c.as_ref().and_then(|c| c.channel));
    let needs_evidence = move || kind.get().is_some_and(cjm_core::health::needs_evidence);
    let evidence_len = move || card.with(|c| c.as_ref().map(|c| c.evidence.len()).unwrap_or(0));

    let set_text = move |value: String| {
        if value != text() {
            update(
                ui,
                id,
                CardPatch {
                    text: Some(value),
                    ..Default::default()
                },
            );
        }
    };
    let set_persona = move |value: String| {
        let p: Option<PersonaId> = value.parse().ok();
        update(
            ui,
            id,
            CardPatch {
                persona_id: Some(p),
                ..Default::default()
            },
        );
    };
    let set_channel = move |value: String| {
        update(
            ui,
            id,
            CardPatch {
                channel: Some(Channel::parse(&value)),
                ..Default::default()
            },
        );
    };
    let add_evidence = move |_| {
        let mut list =
            card.with_untracked(|c| c.as_ref().map(|c| c.evidence.clone()).unwrap_or_default());
        list.push(Evidence {
            source: EvidenceSource::Interview,
            quote: String::new(),
            link: None,
            date: Some(today()),
        });
        update(
            ui,
            id,
            CardPatch {
                evidence: Some(list),
                ..Default::default()
            },
        );
    };

    view! {
        <div class="details" data-testid="card-details">
            <p class="muted small">{move || place.get()}</p>
            <label class="field">
                <span>{move || i18n.t(T::Text)}</span>
                <textarea rows="4" maxlength="5000" data-testid="details-text" prop:value=text
                    on:change=move |ev| set_text(event_target_value(&ev))></textarea>
            </label>
            <div class="field-row">
                <label class="field">
                    <span>{move || i18n.t(T::Persona)}</span>
                    <select data-testid="details-persona" on:change=move |ev| set_persona(event_target_value(&ev))>
                        <option value="" selected=move || persona().is_none()>{move || i18n.t(T::NoPersona)}</option>
                        <For each=move || personas.get() key=|p| p.clone() let:p>
                            <option value=p.0.to_string() selected=move || persona() == Some(p.0)>{p.1.clone()}</option>
                        </For>
                    </select>
                </label>
                <label class="field">
                    <span>{move || i18n.t(T::Channel)}</span>
                    <span class="with-icon">
                        {move || channel().map(|c| view! { <Icon name=c.as_str()/> })}
                        <select data-testid="details-channel" on:change=move |ev| set_channel(event_target_value(&ev))>
                            <option value="" selected=move || channel().is_none()>{move || i18n.t(T::NoChannel)}</option>
                            {Channel::ALL.into_iter().map(|c| view! {
                                <option value=c.as_str() selected=move || channel() == Some(c)>{move || i18n.t(i18n::channel(c))}</option>
                            }).collect_view()}
                        </select>
                    </span>
                </label>
            </div>

            <section class="details-section">
                <h3><Icon name="evidence"/>{move || i18n.t(T::Evidence)}</h3>
                <Show when=move || needs_evidence() && evidence_len() == 0>
                    <p class="hypothesis-note" data-testid="hypothesis-note">{move || i18n.t(T::HypothesisHint)}</p>
                </Show>
                <For each=move || 0..evidence_len() key=|i| *i let:i>
                    <EvidenceItem card=card id=id index=i/>
                </For>
                // A viewer reads; what they could not use is not shown.
                <Show when=move || ui.can_edit.get()>
                    <button class="ghost-button" data-testid="add-evidence" on:click=add_evidence>
                        "+ " {move || i18n.t(T::AddEvidence)}
                    </button>
                </Show>
            </section>

            <OpportunitySection id=id card=card kind=kind/>

            <Show when=move || ui.can_edit.get()>
                <div class="details-actions">
                    <button class="danger-button" data-testid="details-delete"
                        on:click=move |_| { ui.submit(vec![Op::DeleteCard { id }]); }>
                        {move || i18n.t(T::Delete)}
                    </button>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn EvidenceItem(card: Memo<Option<cjm_core::Card>>, id: CardId, index: usize) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let item =
        Memo::new(move |_| card.with(|c| c.as_ref().and_then(|c| c.evidence.get(index).cloned())));
    let edit = move |f: &dyn Fn(&mut Vec<Evidence>)| {
        let mut list =
            card.with_untracked(|c| c.as_ref().map(|c| c.evidence.clone()).unwrap_or_default());
        if index < list.len() {
            f(&mut list);
            update(
                ui,
                id,
                CardPatch {
                    evidence: Some(list),
                    ..Default::default()
                },
            );
        }
    };
    let source = move || item.with(|e| e.as_ref().map(|e| e.source));
    let opt = |s: String| {
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    view! {
        <div class="evidence-item" data-testid="evidence-item">
            <div class="field-row">
                <select aria-label=move || i18n.t(T::Source) data-testid="evidence-source"
                    on:change=move |ev| {
                        if let Some(s) = EvidenceSource::parse(&event_target_value(&ev)) {
                            edit(&|l| l[index].source = s);
                        }
                    }>
                    {EvidenceSource::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || source() == Some(s)>{move || i18n.t(i18n::evidence_source(s))}</option>
                    }).collect_view()}
                </select>
                <input type="date" aria-label=move || i18n.t(T::Date) data-testid="evidence-date"
                    prop:value=move || item.with(|e| e.as_ref().and_then(|e| e.date.clone()).unwrap_or_default())
                    on:change=move |ev| { let v = opt(event_target_value(&ev)); edit(&|l| l[index].date = v.clone()); }/>
                <Show when=move || ui.can_edit.get()>
                    <button class="icon" data-testid="evidence-remove" title=move || i18n.t(T::Remove) aria-label=move || i18n.t(T::Remove)
                        on:click=move |_| edit(&|l| { l.remove(index); })>"×"</button>
                </Show>
            </div>
            <textarea rows="2" maxlength="5000" placeholder=move || i18n.t(T::QuoteOrNote) aria-label=move || i18n.t(T::QuoteOrNote)
                data-testid="evidence-quote"
                prop:value=move || item.with(|e| e.as_ref().map(|e| e.quote.clone()).unwrap_or_default())
                on:change=move |ev| { let v = event_target_value(&ev); edit(&|l| l[index].quote = v.clone()); }></textarea>
            <input type="url" placeholder="https://…" aria-label=move || i18n.t(T::Link) data-testid="evidence-link"
                prop:value=move || item.with(|e| e.as_ref().and_then(|e| e.link.clone()).unwrap_or_default())
                on:change=move |ev| { let v = opt(event_target_value(&ev)); edit(&|l| l[index].link = v.clone()); }/>
            {move || item.with(|e| e.as_ref().and_then(|e| e.link.clone())).map(|href| view! {
                // Only http(s) links pass validation, so this never runs script.
                <a class="small" href=href.clone() target="_blank" rel="noopener noreferrer nofollow">{href.clone()}</a>
            })}
        </div>
    }
}

#[component]
fn OpportunitySection(
    id: CardId,
    card: Memo<Option<cjm_core::Card>>,
    kind: Memo<Option<LaneKind>>,
) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    let opp = Memo::new(move |_| card.with(|c| c.as_ref().and_then(|c| c.opportunity.clone())));
    let in_lane = move || kind.get() == Some(LaneKind::Opportunities);
    let shown = move || in_lane() || opp.with(|o| o.is_some());
    // What the fields show: the card's values, or the defaults a card in an
    // opportunities lane starts with.
    let current = move || {
        opp.get().unwrap_or(Opportunity {
            impact: 3,
            effort: 3,
            owner: String::new(),
            status: OpportunityStatus::Idea,
            addresses: Vec::new(),
        })
    };
    let edit = move |f: &dyn Fn(&mut Opportunity)| {
        let mut o = untrack(current);
        f(&mut o);
        update(
            ui,
            id,
            CardPatch {
                opportunity: Some(Some(o)),
                ..Default::default()
            },
        );
    };
    let pains = Memo::new(move |_| {
        board.with(|b| {
            let Some(b) = b else { return Vec::new() };
            let mut v = Vec::new();
            for s in b.stages_in_order() {
                for l in b.lanes_in_order() {
                    if l.kind != LaneKind::Pains {
                        continue;
                    }
                    for c in b.cards_in_cell(s.id, l.id) {
                        v.push((c.id, c.text.clone(), s.name.clone()));
                    }
                }
            }
            v
        })
    });
    let owners = Memo::new(move |_| {
        let mut names: Vec<String> = board.with(|b| {
            b.as_ref()
                .map(|b| {
                    b.cards
                        .values()
                        .filter_map(|c| c.opportunity.as_ref())
                        .map(|o| o.owner.clone())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        });
        names.extend(
            ui.conn
                .peers
                .with(|p| p.values().map(|p| p.name.clone()).collect::<Vec<_>>()),
        );
        names.push(browser::display_name(i18n.t(T::Guest)));
        names.sort();
        names.dedup();
        names
    });
    let datalist = format!("owners-{id}");
    let scale = move |label: T,
                      get: fn(&Opportunity) -> u8,
                      set: fn(&mut Opportunity, u8),
                      testid: &'static str| {
        view! {
            <div class="field">
                <span>{move || i18n.t(label)}</span>
                <div class="scale" role="radiogroup" aria-label=move || i18n.t(label) data-testid=testid>
                    {(1..=5u8).map(|n| view! {
                        <button role="radio" class:active=move || get(&current()) == n
                            aria-checked=move || (get(&current()) == n).to_string()
                            on:click=move |_| edit(&|o| set(o, n))>{n}</button>
                    }).collect_view()}
                </div>
            </div>
        }
    };
    view! {
        <section class="details-section">
            <h3><Icon name="opportunities"/>{move || i18n.t(T::Opportunity)}</h3>
            <Show when=shown fallback=move || view! {
                <Show when=move || ui.can_edit.get() fallback=move || view! { <p class="muted small">"—"</p> }>
                    <button class="ghost-button" data-testid="make-opportunity"
                        on:click=move |_| edit(&|_| {})>{move || i18n.t(T::MakeOpportunity)}</button>
                </Show>
            }>
                <div class="field-row">
                    {scale(T::Impact, |o| o.impact, |o, n| o.impact = n, "impact")}
                    {scale(T::Effort, |o| o.effort, |o, n| o.effort = n, "effort")}
                    <div class="field">
                        <span>{move || i18n.t(T::Priority)}</span>
                        <span class="priority-figure" data-testid="priority">{move || format!("P{}", current().priority())}</span>
                    </div>
                </div>
                <div class="field-row">
                    <label class="field">
                        <span>{move || i18n.t(T::Owner)}</span>
                        <input list=datalist.clone() maxlength="200" data-testid="opportunity-owner"
                            placeholder=move || i18n.t(T::OwnerPlaceholder)
                            prop:value=move || current().owner
                            on:change=move |ev| { let v = event_target_value(&ev).trim().to_string(); edit(&|o| o.owner = v.clone()); }/>
                        <datalist id=datalist.clone()>
                            <For each=move || owners.get() key=|n| n.clone() let:n>
                                <option value=n></option>
                            </For>
                        </datalist>
                    </label>
                    <label class="field">
                        <span>{move || i18n.t(T::Status)}</span>
                        <select data-testid="opportunity-status" on:change=move |ev| {
                            if let Some(s) = OpportunityStatus::parse(&event_target_value(&ev)) { edit(&|o| o.status = s); }
                        }>
                            {OpportunityStatus::ALL.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=move || current().status == s>{move || i18n.t(i18n::status(s))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                <div class="field">
                    <span>{move || i18n.t(T::Addresses)}</span>
                    <Show when=move || pains.with(|p| !p.is_empty()) fallback=move || view! { <p class="muted small">{i18n.t(T::NoPains)}</p> }>
                        <ul class="pain-links" data-testid="pain-links">
                            <For each=move || pains.get() key=|p| p.clone() let:p>
                                {
                                    let pain = p.0;
                                    view! {
                                        <li>
                                            <label>
                                                <input type="checkbox" data-testid="pain-link" data-pain=pain.to_string()
                                                    prop:checked=move || current().addresses.contains(&pain)
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        edit(&|o| {
                                                            o.addresses.retain(|a| *a != pain);
                                                            if on { o.addresses.push(pain); }
                                                        });
                                                    }/>
                                                <span class="pain-text">{p.1.clone()}</span>
                                                <span class="muted small">{p.2.clone()}</span>
                                            </label>
                                        </li>
                                    }
                                }
                            </For>
                        </ul>
                    </Show>
                </div>
                <Show when=move || !in_lane() && ui.can_edit.get()>
                    <button class="ghost-button" on:click=move |_| {
                        update(ui, id, CardPatch { opportunity: Some(None), ..Default::default() });
                    }>{move || i18n.t(T::Remove)}</button>
                </Show>
            </Show>
        </section>
    }
}
