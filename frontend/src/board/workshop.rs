//! What a facilitator runs during a workshop: the shared timer (counted
//! down on the server's clock), dot voting (the start form, the vote bar,
//! dots and counts on cards, results, opportunities from the top cards),
//! kept vote badges and the quiet-brainstorming indicator.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use cjm_core::workshop::{Timer, Vote};
use cjm_core::{
    Card, CardId, LaneId, LaneKind, Op, Opportunity, OpportunityStatus, OrderKey, StageId, VoteId,
};
use leptos::prelude::*;

use super::icons::Icon;
use super::{Ui, use_ui};
use crate::browser;
use crate::i18n::{self, T, use_i18n};

/// The workshop state the board's views share (through context).
#[derive(Clone, Copy)]
pub struct Workshop {
    /// The server's clock, ticking a few times a second.
    pub now: RwSignal<f64>,
    pub timer: Memo<Option<Timer>>,
    pub vote: Memo<Option<Vote>>,
    /// A vote runs and takes dots (not revealed, not past its end).
    pub vote_open: Memo<bool>,
    /// Our dots in the board's current vote.
    pub mine: Memo<Vec<CardId>>,
    pub card_votes: Memo<BTreeMap<CardId, u32>>,
    pub quiet: Memo<bool>,
}

const TICK: Duration = Duration::from_millis(200);
const CHIME_KEY: &str = "cjm.chime";

pub fn provide_workshop(ui: Ui) -> Workshop {
    let conn = ui.conn;
    let now = RwSignal::new(conn.server_now());
    if let Ok(handle) = set_interval_with_handle(move || now.set(conn.server_now()), TICK) {
        on_cleanup(move || handle.clear());
    }
    let timer = Memo::new(move |_| conn.board.with(|b| b.as_ref().and_then(|b| b.timer)));
    let vote = Memo::new(move |_| {
        conn.board
            .with(|b| b.as_ref().and_then(|b| b.vote.as_deref().cloned()))
    });
    let vote_open = Memo::new(move |_| {
        vote.with(|v| {
            v.as_ref()
                .is_some_and(|v| v.is_open(now.get() as i64) && v.results.is_none())
        })
    });
    let mine = Memo::new(move |_| {
        let current = vote.with(|v| v.as_ref().map(|v| v.id));
        conn.my_dots.with(|(id, dots)| match (current, id) {
            (Some(cur), Some(id)) if cur == *id => dots.clone(),
            (Some(_), None) => dots.clone(),
            _ => Vec::new(),
        })
    });
    let card_votes = Memo::new(move |_| {
        conn.board
            .with(|b| b.as_ref().map(|b| b.card_votes.clone()).unwrap_or_default())
    });
    let quiet = Memo::new(move |_| conn.board.with(|b| b.as_ref().is_some_and(|b| b.quiet)));
    let ws = Workshop {
        now,
        timer,
        vote,
        vote_open,
        mine,
        card_votes,
        quiet,
    };
    provide_context(ws);
    ws
}

pub fn use_workshop() -> Workshop {
    expect_context::<Workshop>()
}

/// Workshop ops are not edits of the map: they leave the undo history alone.
fn send(ui: Ui, ops: Vec<Op>) {
    if !ui.can_edit.get_untracked() {
        let message = ui.conn.i18n.t(T::ViewOnlyRefused);
        ui.conn.notice.set(Some(message.to_string()));
        return;
    }
    let _ = ui.conn.submit(ops);
}

/// `m:ss`, rounding up so that 0:00 means the time is up.
pub fn clock(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

thread_local! {
    /// Made when the chime is switched on (a user gesture), so that the
    /// browser lets it play later.
    static AUDIO: RefCell<Option<web_sys::AudioContext>> = const { RefCell::new(None) };
}

fn audio() -> Option<web_sys::AudioContext> {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = web_sys::AudioContext::new().ok();
        }
        a.clone()
    })
}

/// A soft bell: one sine tone fading out.
fn chime() {
    let Some(ctx) = audio() else { return };
    let _ = ctx.resume();
    let (Ok(osc), Ok(gain)) = (ctx.create_oscillator(), ctx.create_gain()) else {
        return;
    };
    osc.set_type(web_sys::OscillatorType::Sine);
    osc.frequency().set_value(880.0);
    let t = ctx.current_time();
    let g = gain.gain();
    let _ = g.set_value_at_time(0.0001, t);
    let _ = g.exponential_ramp_to_value_at_time(0.15, t + 0.03);
    let _ = g.exponential_ramp_to_value_at_time(0.0001, t + 1.5);
    let _ = osc.connect_with_audio_node(&gain);
    let _ = gain.connect_with_audio_node(&ctx.destination());
    let _ = osc.start();
    let _ = osc.stop_with_when(t + 1.6);
}

/// The timer, start form and controls, and the vote and quiet controls,
/// in the board's top bar.
#[component]
pub fn WorkshopBar() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let ws = use_workshop();
    let has_vote = Memo::new(move |_| ws.vote.with(|v| v.is_some()));
    let has_badges = Memo::new(move |_| ws.card_votes.with(|c| !c.is_empty()));
    view! {
        <div class="workshop-bar" on:click=|ev| ev.stop_propagation()>
            <TimerControl/>
            <super::follow::LeadControls/>
            <super::presenter::PresenterButton/>
            <Show when=move || ui.can_edit.get() && !has_vote.get()>
                <VoteStart/>
            </Show>
            <Show when=move || ui.can_edit.get() && !has_vote.get() && has_badges.get()>
                <button class="tool-button" data-testid="vote-clear-badges"
                    on:click=move |_| send(ui, vec![Op::ClearVoteBadges])>{move || i18n.t(T::ClearVoteBadges)}</button>
            </Show>
            <Show when=move || ws.quiet.get()>
                <span class="tag quiet" data-testid="quiet-indicator" title=move || i18n.t(T::QuietHint)>
                    {move || i18n.t(T::QuietBrainstorming)}
                </span>
            </Show>
        </div>
    }
}

#[component]
fn TimerControl() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let ws = use_workshop();
    let remaining = Memo::new(move |_| ws.timer.get().map(|t| t.remaining(ws.now.get() as i64)));
    let running = Memo::new(move |_| ws.timer.get().is_some_and(|t| t.is_running()));
    let open = RwSignal::new(false);
    crate::browser::dismissable(
        move || open.get().then_some(()),
        move || open.set(false),
        vec!["[data-testid=timer-form]".into()],
    );
    let minutes = RwSignal::new("5".to_string());
    let chime_on = RwSignal::new(browser::storage_get(CHIME_KEY).as_deref() == Some("1"));
    // The chime rings once, when a running timer reaches zero here.
    Effect::new(move |prev: Option<Option<i64>>| {
        let now = remaining.get();
        if let (Some(Some(before)), Some(0)) = (prev, now)
            && before > 0
            && running.get_untracked()
            && chime_on.get_untracked()
        {
            chime();
        }
        now
    });
    let start = move |mins: f64| {
        if mins.is_finite() && mins > 0.0 {
            let ms = (mins * 60_000.0).round() as i64;
            send(
                ui,
                vec![Op::StartTimer {
                    duration_ms: ms.clamp(1_000, cjm_core::workshop::MAX_TIMER_MS),
                }],
            );
            open.set(false);
        }
    };
    let toggle_chime = move |_| {
        let on = !chime_on.get_untracked();
        chime_on.set(on);
        browser::storage_set(CHIME_KEY, if on { "1" } else { "0" });
        if on {
            // Made during the click, so that it may play.
            if let Some(ctx) = audio() {
                let _ = ctx.resume();
            }
        }
    };
    view! {
        {move || match remaining.get() {
            Some(ms) => view! {
                <div class="timer" class:up=move || remaining.get() == Some(0) class:paused=move || !running.get()
                    data-testid="timer" data-remaining-ms=ms.to_string() role="timer"
                    aria-label=move || i18n.t(T::Timer)>
                    <span class="timer-clock">{clock(ms)}</span>
                    {(ms == 0).then(|| view! { <span class="timer-up" data-testid="timer-up">{move || i18n.t(T::TimesUp)}</span> })}
                    <Show when=move || ui.can_edit.get()>
                        {move || if running.get() {
                            view! { <button class="icon" data-testid="timer-pause" title=move || i18n.t(T::Pause) aria-label=move || i18n.t(T::Pause)
                                on:click=move |_| send(ui, vec![Op::PauseTimer])><Icon name="pause"/></button> }.into_any()
                        } else {
                            view! { <button class="icon" data-testid="timer-resume" title=move || i18n.t(T::Resume) aria-label=move || i18n.t(T::Resume)
                                on:click=move |_| send(ui, vec![Op::ResumeTimer])><Icon name="play"/></button> }.into_any()
                        }}
                        <button class="icon" data-testid="timer-add" title=move || i18n.t(T::AddMinute) aria-label=move || i18n.t(T::AddMinute)
                            on:click=move |_| send(ui, vec![Op::ExtendTimer { ms: 60_000 }])>"+1"</button>
                        <button class="icon" data-testid="timer-stop" title=move || i18n.t(T::StopTimer) aria-label=move || i18n.t(T::StopTimer)
                            on:click=move |_| send(ui, vec![Op::StopTimer])><Icon name="stop"/></button>
                    </Show>
                    <button class="icon" data-testid="timer-chime" aria-pressed=move || chime_on.get().to_string()
                        title=move || i18n.t(T::Chime) aria-label=move || i18n.t(T::Chime)
                        on:click=toggle_chime>{move || if chime_on.get() { view! { <Icon name="volume"/> } } else { view! { <Icon name="volume-x"/> } }}</button>
                </div>
            }.into_any(),
            None => view! {
                <Show when=move || ui.can_edit.get()>
                    <div class="popover-anchor">
                        <button class="tool-button" data-testid="timer-open" aria-expanded=move || open.get().to_string()
                            title=move || i18n.t(T::Timer) aria-label=move || i18n.t(T::Timer)
                            on:click=move |_| open.update(|o| *o = !*o)><Icon name="clock"/><span class="wide-label">{move || i18n.t(T::Timer)}</span></button>
                        <Show when=move || open.get()>
                            <div class="menu workshop-form" role="dialog" data-testid="timer-form" aria-label=move || i18n.t(T::Timer)>
                                <strong>{move || i18n.t(T::StartTimer)}</strong>
                                <div class="presets">
                                    {[1, 3, 5, 10].into_iter().map(|m| view! {
                                        <button class="tool-button" data-testid=format!("timer-preset-{m}")
                                            on:click=move |_| start(f64::from(m))>{format!("{m} {}", i18n.t(T::Min))}</button>
                                    }).collect_view()}
                                </div>
                                <form class="row" on:submit=move |ev| { ev.prevent_default(); start(minutes.get_untracked().replace(',', ".").parse().unwrap_or(0.0)); }>
                                    <label class="field">
                                        <span>{move || i18n.t(T::Minutes)}</span>
                                        <input type="number" min="1" max="1440" step="any" data-testid="timer-minutes"
                                            prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev))/>
                                    </label>
                                    <button class="primary" type="submit" data-testid="timer-start">{move || i18n.t(T::Start)}</button>
                                </form>
                            </div>
                        </Show>
                    </div>
                </Show>
            }.into_any(),
        }}
    }
}

/// The "Vote" button and its form.
#[component]
fn VoteStart() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    crate::browser::dismissable(
        move || open.get().then_some(()),
        move || open.set(false),
        vec![".vote-form".into()],
    );
    // What is left out (everything is in by default).
    let skip_lanes = RwSignal::new(BTreeSet::<LaneId>::new());
    let skip_stages = RwSignal::new(BTreeSet::<StageId>::new());
    let dots = RwSignal::new("3".to_string());
    let several = RwSignal::new(false);
    let minutes = RwSignal::new(String::new());
    let anonymous = RwSignal::new(false);
    let lanes = Memo::new(move |_| {
        ui.conn.board.with(|b| {
            b.iter()
                .flat_map(|b| b.lanes_in_order())
                .filter(|l| l.kind != LaneKind::Emotions)
                .map(|l| (l.id, l.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let stages = Memo::new(move |_| {
        ui.conn.board.with(|b| {
            b.iter()
                .flat_map(|b| b.stages_in_order())
                .map(|s| (s.id, s.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lanes = skip_lanes
            .with_untracked(|s| pick(lanes.with_untracked(|l| l.iter().map(|l| l.0).collect()), s));
        let stages = skip_stages.with_untracked(|s| {
            pick(
                stages.with_untracked(|l| l.iter().map(|l| l.0).collect()),
                s,
            )
        });
        if (skip_lanes.with_untracked(|s| !s.is_empty()) && lanes.is_empty())
            || (skip_stages.with_untracked(|s| !s.is_empty()) && stages.is_empty())
        {
            ui.conn
                .notice
                .set(Some(i18n.t(T::VoteNeedsScope).to_string()));
            return;
        }
        let per = dots
            .get_untracked()
            .parse::<u8>()
            .unwrap_or(3)
            .clamp(1, cjm_core::workshop::MAX_DOTS_PER_PERSON);
        let ends_at = minutes
            .get_untracked()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|m| *m > 0.0 && *m <= 1440.0)
            .map(|m| (ui.conn.server_now() + m * 60_000.0) as i64);
        send(
            ui,
            vec![Op::StartVote {
                id: VoteId::new(),
                lanes,
                stages,
                dots_per_person: per,
                several_per_card: several.get_untracked(),
                ends_at,
                anonymous: anonymous.get_untracked(),
            }],
        );
        open.set(false);
    };
    view! {
        <div class="popover-anchor">
            <button class="tool-button" data-testid="vote-open" aria-expanded=move || open.get().to_string()
                title=move || i18n.t(T::StartVote) aria-label=move || i18n.t(T::StartVote)
                on:click=move |_| open.update(|o| *o = !*o)><Icon name="vote"/><span class="wide-label">{move || i18n.t(T::Vote)}</span></button>
            <Show when=move || open.get()>
                <div class="menu workshop-form vote-form" role="dialog" aria-label=move || i18n.t(T::StartVote)>
                    <form data-testid="vote-form" on:submit=submit>
                        <strong>{move || i18n.t(T::StartVote)}</strong>
                        <fieldset>
                            <legend>{move || i18n.t(T::VoteLanes)}</legend>
                            <For each=move || lanes.get() key=|l| l.clone() let:lane>
                                <label class="check" data-testid="vote-lane">{check(skip_lanes, lane.0)}{lane.1}</label>
                            </For>
                        </fieldset>
                        <fieldset>
                            <legend>{move || i18n.t(T::VoteStages)}</legend>
                            <For each=move || stages.get() key=|s| s.clone() let:stage>
                                <label class="check" data-testid="vote-stage">{check(skip_stages, stage.0)}{stage.1}</label>
                            </For>
                        </fieldset>
                        <label class="field">
                            <span>{move || i18n.t(T::DotsPerPerson)}</span>
                            <input type="number" min="1" max="20" data-testid="vote-dots" prop:value=move || dots.get()
                                on:input=move |ev| dots.set(event_target_value(&ev))/>
                        </label>
                        <label class="check">
                            <input type="checkbox" data-testid="vote-several" prop:checked=move || several.get()
                                on:change=move |ev| several.set(event_target_checked(&ev))/>
                            {move || i18n.t(T::SeveralPerCard)}
                        </label>
                        <label class="field">
                            <span>{move || i18n.t(T::VoteEndsIn)}</span>
                            <input type="number" min="1" max="1440" step="any" data-testid="vote-minutes" prop:value=move || minutes.get()
                                placeholder=move || i18n.t(T::Optional)
                                on:input=move |ev| minutes.set(event_target_value(&ev))/>
                        </label>
                        <label class="check">
                            <input type="checkbox" data-testid="vote-anonymous" prop:checked=move || anonymous.get()
                                on:change=move |ev| anonymous.set(event_target_checked(&ev))/>
                            {move || i18n.t(T::Anonymous)}
                        </label>
                        <button class="primary" type="submit" data-testid="vote-start">{move || i18n.t(T::StartVote)}</button>
                    </form>
                </div>
            </Show>
        </div>
    }
}

/// What is picked of `all` when `skip` is left out (empty: all).
fn pick<I: Ord + Copy>(all: Vec<I>, skip: &BTreeSet<I>) -> Vec<I> {
    if skip.is_empty() {
        Vec::new()
    } else {
        all.into_iter().filter(|id| !skip.contains(id)).collect()
    }
}

/// A checkbox that is on while `id` is not in `set`.
fn check<I: Ord + Copy + Send + Sync + 'static>(
    set: RwSignal<BTreeSet<I>>,
    id: I,
) -> impl IntoView {
    view! {
        <input type="checkbox" prop:checked=move || set.with(|s| !s.contains(&id))
            on:change=move |ev| {
                let on = event_target_checked(&ev);
                set.update(|s| { if on { s.remove(&id); } else { s.insert(id); } });
            }/>
    }
}

/// The running vote, for everyone: dots left and progress; the results once
/// revealed; the facilitator's controls.
#[component]
pub fn VoteBar() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let ws = use_workshop();
    let left = Memo::new(move |_| {
        let per = ws
            .vote
            .with(|v| v.as_ref().map(|v| v.dots_per_person as usize));
        per.map(|p| p.saturating_sub(ws.mine.with(|m| m.len())))
    });
    let progress = move || {
        let id = ws.vote.with(|v| v.as_ref().map(|v| v.id));
        ui.conn
            .vote_progress
            .get()
            .filter(|p| Some(p.0) == id)
            .map(|p| (p.1, p.2))
            .unwrap_or((0, 0))
    };
    let revealed = Memo::new(move |_| {
        ws.vote
            .with(|v| v.as_ref().is_some_and(|v| v.results.is_some()))
    });
    let top_n = RwSignal::new("3".to_string());
    let show_results = RwSignal::new(true);
    let vote_id = move || ws.vote.with_untracked(|v| v.as_ref().map(|v| v.id));
    let ends_in = move || {
        let end = ws.vote.with(|v| v.as_ref().and_then(|v| v.ends_at))?;
        Some(clock(end - ws.now.get() as i64))
    };
    let results = Memo::new(move |_| {
        let ranked = ws.vote.with(|v| {
            v.as_ref()
                .and_then(|v| v.results.as_ref())
                .map(|r| (r.ranked(), r.names.clone()))
        });
        let Some((ranked, names)) = ranked else {
            return Vec::new();
        };
        ui.conn.board.with(|b| {
            let Some(b) = b else { return Vec::new() };
            ranked
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .filter_map(|(id, n)| {
                    let c = b.cards.get(&id)?;
                    let stage = b.stages.get(&c.stage_id).map(|s| s.name.clone());
                    Some((
                        id,
                        n,
                        c.text.clone(),
                        stage.unwrap_or_default(),
                        names.get(&id).cloned().unwrap_or_default(),
                    ))
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || ws.vote.with(|v| v.is_some())>
            <div class="vote-bar" data-testid="vote-bar" role="region" aria-label=move || i18n.t(T::DotVoting)
                on:click=|ev| ev.stop_propagation()>
                <strong class="vote-title">"● "{move || i18n.t(T::DotVoting)}</strong>
                {move || if revealed.get() {
                    let voters = ws.vote.with(|v| v.as_ref().and_then(|v| v.results.as_ref()).map(|r| r.voters).unwrap_or(0));
                    view! {
                        <span class="vote-state" data-testid="vote-revealed">{move || format!("{} · {}: {voters}", i18n.t(T::Results), i18n.t(T::Voted))}</span>
                        <button class="tool-button" data-testid="vote-results-toggle" aria-expanded=move || show_results.get().to_string()
                            on:click=move |_| show_results.update(|s| *s = !*s)>{move || i18n.t(T::Ranking)}</button>
                        <Show when=move || ui.can_edit.get()>
                            <span class="vote-top">
                                <label>{move || i18n.t(T::TopN)}" "
                                    <input type="number" min="1" max="50" data-testid="vote-top-n" prop:value=move || top_n.get()
                                        on:input=move |ev| top_n.set(event_target_value(&ev))/>
                                </label>
                                <button class="tool-button" data-testid="vote-to-opportunities"
                                    on:click=move |_| to_opportunities(ui, top_n.get_untracked().parse().unwrap_or(3))>
                                    {move || i18n.t(T::ToOpportunities)}</button>
                            </span>
                            <button class="tool-button" data-testid="vote-end-keep"
                                on:click=move |_| if let Some(id) = vote_id() { send(ui, vec![Op::EndVote { id, keep: true }]) }>
                                {move || i18n.t(T::KeepBadges)}</button>
                            <button class="tool-button" data-testid="vote-end"
                                on:click=move |_| if let Some(id) = vote_id() { send(ui, vec![Op::EndVote { id, keep: false }]) }>
                                {move || i18n.t(T::EndVote)}</button>
                        </Show>
                    }.into_any()
                } else {
                    view! {
                        <span class="vote-left" data-testid="vote-left" data-left=move || left.get().unwrap_or(0).to_string()>
                            {move || format!("{}: {}", i18n.t(T::DotsLeft), left.get().unwrap_or(0))}
                        </span>
                        <span class="vote-progress" data-testid="vote-progress">
                            {move || { let (v, d) = progress(); format!("{}: {v} · {}: {d}", i18n.t(T::Voted), i18n.t(T::DotsPlaced)) }}
                        </span>
                        {move || ends_in().map(|t| view! { <span class="vote-ends" data-testid="vote-ends">{format!("{} {t}", i18n.t(T::EndsIn))}</span> })}
                        <span class="vote-hint">{move || if ws.vote_open.get() { i18n.t(T::VoteHint) } else { i18n.t(T::VoteClosed) }}</span>
                        <Show when=move || ui.can_edit.get()>
                            <button class="primary" data-testid="vote-reveal"
                                on:click=move |_| if let Some(id) = vote_id() { send(ui, vec![Op::RevealVote { id, results: Default::default() }]) }>
                                {move || i18n.t(T::Reveal)}</button>
                            <button class="tool-button" data-testid="vote-cancel"
                                on:click=move |_| if let Some(id) = vote_id() { send(ui, vec![Op::EndVote { id, keep: false }]) }>
                                {move || i18n.t(T::Cancel)}</button>
                        </Show>
                    }.into_any()
                }}
                <Show when=move || revealed.get() && show_results.get()>
                    <ol class="vote-results" data-testid="vote-results">
                        {move || {
                            let rows = results.get();
                            if rows.is_empty() {
                                return view! { <li class="muted">{move || i18n.t(T::NoDots)}</li> }.into_any();
                            }
                            rows.into_iter().map(|(id, n, text, stage, names)| view! {
                                <li data-testid="vote-result" data-card=id.to_string()>
                                    <span class="vote-n">{n}</span>
                                    <span class="vote-what">
                                        <span class="vote-text">{super::excerpt(&text, 80)}</span>
                                        <span class="vote-stage">{stage}</span>
                                        {(!names.is_empty()).then(|| view! { <span class="vote-names" data-testid="vote-names">{names.join(", ")}</span> })}
                                    </span>
                                </li>
                            }).collect_view().into_any()
                        }}
                    </ol>
                </Show>
            </div>
        </Show>
    }
}

/// A card's part in the vote: in scope while it runs, our dots on it, its
/// count once revealed, its kept badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CardVote {
    pub in_scope: bool,
    pub mine: usize,
    pub count: Option<u32>,
    pub badge: Option<u32>,
}

pub fn card_vote(ws: Workshop, card: RwSignal<Option<Card>>, id: CardId) -> Memo<CardVote> {
    Memo::new(move |_| {
        let place = card.with(|c| c.as_ref().map(|c| (c.stage_id, c.lane_id)));
        let mut out = CardVote {
            badge: ws.card_votes.with(|v| v.get(&id).copied()),
            ..Default::default()
        };
        ws.vote.with(|v| {
            if let (Some(v), Some((stage, lane))) = (v, place) {
                match &v.results {
                    Some(r) => out.count = r.dots.get(&id).copied().filter(|n| *n > 0),
                    None => out.in_scope = ws.vote_open.get() && v.covers(stage, lane),
                }
            }
        });
        if out.in_scope {
            out.mine = ws.mine.with(|m| m.iter().filter(|c| **c == id).count());
        }
        out
    })
}

/// Places or takes back one of our dots on `card`.
pub fn dot(ui: Ui, card: CardId, add: bool) {
    let Some(vote) = ui.read(|b| b.vote.as_ref().map(|v| v.id)).flatten() else {
        return;
    };
    if !ui.can_comment.get_untracked() {
        let message = ui.conn.i18n.t(T::ViewOnlyRefused);
        ui.conn.notice.set(Some(message.to_string()));
        return;
    }
    ui.conn.send_dot(vote, card, add);
}

/// The dot controls and vote chips of one card.
#[component]
pub fn CardVoteMarks(id: CardId, info: Memo<CardVote>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    view! {
        {move || {
            let v = info.get();
            let can_vote = ui.can_comment.get();
            view! {
                {(v.in_scope && can_vote).then(|| view! {
                    <span class="card-vote">
                        <button class="dot-button" data-testid="card-dot" title=move || i18n.t(T::PlaceDot) aria-label=move || i18n.t(T::PlaceDot)
                            on:pointerdown=|ev| ev.stop_propagation()
                            on:click=move |ev| { ev.stop_propagation(); dot(ui, id, true); }>"+●"</button>
                        {(v.mine > 0).then(|| view! {
                            <button class="my-dots" data-testid="my-dots" data-count=v.mine.to_string()
                                title=move || i18n.t(T::TakeDotBack) aria-label=move || i18n.t(T::TakeDotBack)
                                on:pointerdown=|ev| ev.stop_propagation()
                                on:click=move |ev| { ev.stop_propagation(); dot(ui, id, false); }>
                                {"●".repeat(v.mine.min(20))}
                            </button>
                        })}
                    </span>
                })}
                {v.count.map(|n| view! {
                    <span class="chip vote-count" data-testid="vote-count" title=move || i18n.t(T::Dots)>{format!("● {n}")}</span>
                })}
                {v.badge.filter(|_| v.count.is_none()).map(|n| view! {
                    <span class="chip vote-badge" data-testid="vote-badge" title=move || i18n.t(T::Dots)>{format!("● {n}")}</span>
                })}
            }
        }}
    }
}

/// Turns the top `n` cards of the revealed vote into opportunity cards, in
/// one batch, in the board's opportunities lane (made when there is none).
fn to_opportunities(ui: Ui, n: usize) {
    let i18n = ui.conn.i18n;
    let ops = ui
        .read(|b| {
            let results = b.vote.as_ref()?.results.as_ref()?;
            let mut ops = Vec::new();
            let lanes = b.lanes_in_order();
            let lane = match lanes.iter().find(|l| l.kind == LaneKind::Opportunities) {
                Some(l) => l.id,
                None => {
                    let lane = cjm_core::Lane {
                        id: LaneId::new(),
                        name: i18n.t(i18n::lane_kind(LaneKind::Opportunities)).to_string(),
                        kind: LaneKind::Opportunities,
                        order: OrderKey::between(lanes.last().map(|l| &l.order), None),
                    };
                    let id = lane.id;
                    ops.push(Op::CreateLane(lane));
                    id
                }
            };
            let mut last: HashMap<StageId, Option<OrderKey>> = HashMap::new();
            for (card_id, dots) in results.ranked().into_iter().take(n.clamp(1, 50)) {
                let Some(c) = b.cards.get(&card_id).filter(|_| dots > 0) else {
                    continue;
                };
                let prev = last.entry(c.stage_id).or_insert_with(|| {
                    b.cards_in_cell(c.stage_id, lane)
                        .last()
                        .map(|c| c.order.clone())
                });
                let order = OrderKey::between(prev.as_ref(), None);
                *prev = Some(order.clone());
                let pain: String = c.text.chars().take(400).collect();
                let mut card = Card::new(
                    c.stage_id,
                    lane,
                    order,
                    format!("{} {pain}", i18n.t(T::FixPrefix)),
                    LaneKind::Opportunities.default_color(),
                );
                card.opportunity = Some(Opportunity {
                    impact: 3,
                    effort: 3,
                    owner: String::new(),
                    status: OpportunityStatus::Idea,
                    addresses: vec![card_id],
                });
                ops.push(Op::CreateCard(card));
            }
            Some(ops)
        })
        .flatten()
        .unwrap_or_default();
    if ops.iter().any(|o| matches!(o, Op::CreateCard(_))) && ui.submit(ops) {
        ui.conn
            .notice
            .set(Some(i18n.t(T::OpportunitiesCreated).to_string()));
    }
}
