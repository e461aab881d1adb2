//! Following the facilitator: everyone shares what part of the board they
//! look at (`Presence::view`); a leader ("Bring everyone here") sets
//! `Presence::lead`, and the others' viewports follow the leader's scroll
//! and zoom until they stop following or scroll away themselves. Others'
//! cursors can be hidden, by each person or by the leader for followers.

use cjm_core::protocol::{Lead, View};
use leptos::prelude::*;

use super::icons::Icon;
use super::{Ui, use_ui};
use crate::browser;
use crate::i18n::{T, use_i18n};

const HIDE_CURSORS_KEY: &str = "cjm.hide-cursors";
/// Scroll events this long after we moved the viewport ourselves are ours,
/// not the user's.
const OWN_SCROLL_MS: f64 = 400.0;

#[derive(Clone, Copy)]
pub struct Follow {
    /// What we look at (grid point at the top-left, zoom).
    pub view: RwSignal<Option<View>>,
    /// We lead ("Bring everyone here").
    pub leading: RwSignal<bool>,
    /// As the leader: hide the others' cursors for those who follow.
    pub lead_hides_cursors: RwSignal<bool>,
    /// We stopped following (or scrolled away) from this leader's session.
    pub broke_away: RwSignal<Option<u64>>,
    /// The stage we present (presenter mode), if any.
    pub present: RwSignal<Option<cjm_core::StageId>>,
    /// Our own choice, kept in this browser.
    pub hide_cursors: RwSignal<bool>,
    /// Until when scroll events come from following (ms, local clock).
    own_scroll_until: StoredValue<f64>,
    pub leader: Memo<Option<Leader>>,
}

/// The peer who leads: (session, name, view, lead).
pub type Leader = (u64, String, Option<View>, Lead);

impl Follow {
    /// Whether we follow a leader right now.
    pub fn following(&self) -> bool {
        !self.leading.get()
            && self.leader.with(|l| {
                l.as_ref()
                    .is_some_and(|l| Some(l.0) != self.broke_away.get())
            })
    }

    /// Others' cursors are hidden: our own choice, or the leader's for
    /// those who follow.
    pub fn hides_cursors(&self) -> bool {
        self.hide_cursors.get()
            || (self.following()
                && self
                    .leader
                    .with(|l| l.as_ref().is_some_and(|l| l.3.hide_cursors)))
    }

    pub fn lead(&self) -> Option<Lead> {
        self.leading.get().then(|| Lead {
            present: self.present.get(),
            hide_cursors: self.lead_hides_cursors.get(),
        })
    }
}

pub fn use_follow() -> Follow {
    expect_context::<Follow>()
}

fn scroller() -> Option<web_sys::Element> {
    document().query_selector(".board-scroll").ok().flatten()
}

/// The grid point at the top-left of the board's visible area.
fn current_view(ui: Ui) -> Option<View> {
    let s = scroller()?;
    let r = s.get_bounding_client_rect();
    let p = super::presence::grid_point(r.left(), r.top())?;
    Some(View {
        x: p.x.clamp(-1_000_000, 1_000_000),
        y: p.y.clamp(-1_000_000, 1_000_000),
        zoom: (ui.zoom.get_untracked() * 100.0).round().clamp(25.0, 400.0) as u16,
    })
}

pub fn provide_follow(ui: Ui) -> Follow {
    let leader = Memo::new(move |_| {
        ui.conn.peers.with(|peers| {
            peers.values().find_map(|p| {
                p.presence
                    .lead
                    .map(|l| (p.session, p.name.clone(), p.presence.view, l))
            })
        })
    });
    let follow = Follow {
        view: RwSignal::new(None),
        leading: RwSignal::new(false),
        lead_hides_cursors: RwSignal::new(false),
        broke_away: RwSignal::new(None),
        present: RwSignal::new(None),
        hide_cursors: RwSignal::new(browser::storage_get(HIDE_CURSORS_KEY).as_deref() == Some("1")),
        own_scroll_until: StoredValue::new(0.0),
        leader,
    };
    provide_context(follow);
    // Our view changes with the zoom too.
    Effect::new(move |_| {
        ui.zoom.track();
        request_animation_frame(move || follow.view.set(current_view(ui)));
    });
    // Follow the leader's view.
    Effect::new(move |_| {
        if !follow.following() {
            return;
        }
        let Some(target) = leader.with(|l| l.as_ref().and_then(|l| l.2)) else {
            return;
        };
        let zoom = f64::from(target.zoom) / 100.0;
        follow
            .own_scroll_until
            .set_value(js_sys::Date::now() + OWN_SCROLL_MS);
        if (ui.zoom.get_untracked() - zoom).abs() > 0.001 {
            ui.set_zoom(zoom);
        }
        // After the zoom has been laid out.
        request_animation_frame(move || {
            let (Some(s), Some(now)) = (scroller(), current_view(ui)) else {
                return;
            };
            let scale = document()
                .query_selector(".grid")
                .ok()
                .flatten()
                .map(|g| super::editing::scale_of(&g))
                .unwrap_or(1.0);
            follow
                .own_scroll_until
                .set_value(js_sys::Date::now() + OWN_SCROLL_MS);
            let dx = f64::from(target.x - now.x) * scale;
            let dy = f64::from(target.y - now.y) * scale;
            s.set_scroll_left(s.scroll_left() + dx.round() as i32);
            s.set_scroll_top(s.scroll_top() + dy.round() as i32);
        });
    });
    follow
}

/// The board was scrolled: share the new view; a scroll of our own (not
/// one made by following) breaks away from the leader.
pub fn on_scroll(ui: Ui) {
    let follow = use_follow();
    follow.view.set(current_view(ui));
    if js_sys::Date::now() > follow.own_scroll_until.get_value() && follow.following() {
        let session = follow.leader.with_untracked(|l| l.as_ref().map(|l| l.0));
        follow.broke_away.set(session);
    }
}

/// "Bring everyone here" and, while leading, "hide cursors for everyone",
/// for editors; the per-person "hide cursors" for everyone.
#[component]
pub fn LeadControls() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let follow = use_follow();
    view! {
        <Show when=move || ui.can_edit.get()>
            <button class="tool-button" class:active=move || follow.leading.get() data-testid="follow-lead"
                aria-pressed=move || follow.leading.get().to_string()
                title=move || i18n.t(T::BringEveryone) aria-label=move || i18n.t(T::BringEveryone)
                on:click=move |_| {
                    follow.leading.update(|l| *l = !*l);
                    follow.view.set(current_view(ui));
                }><Icon name="navigation"/><span class="wide-label">{move || i18n.t(T::BringEveryone)}</span></button>
        </Show>
        <Show when=move || follow.leading.get()>
            <label class="check lead-cursors" title=move || i18n.t(T::HideCursorsForAll)>
                <input type="checkbox" data-testid="follow-hide-cursors" prop:checked=move || follow.lead_hides_cursors.get()
                    on:change=move |ev| follow.lead_hides_cursors.set(event_target_checked(&ev))/>
                <span class="wide-label">{move || i18n.t(T::HideCursorsForAll)}</span>
            </label>
        </Show>
        <button class="icon" data-testid="hide-cursors" aria-pressed=move || follow.hide_cursors.get().to_string()
            title=move || i18n.t(T::HideCursors) aria-label=move || i18n.t(T::HideCursors)
            on:click=move |_| {
                let hide = !follow.hide_cursors.get_untracked();
                follow.hide_cursors.set(hide);
                browser::storage_set(HIDE_CURSORS_KEY, if hide { "1" } else { "0" });
            }>{move || if follow.hide_cursors.get() { view! { <Icon name="eye-off"/> } } else { view! { <Icon name="pointer"/> } }}</button>
    }
}

/// "Following <name>" with Stop, or Rejoin after stopping.
#[component]
pub fn FollowBar() -> impl IntoView {
    let i18n = use_i18n();
    let follow = use_follow();
    let name = move || follow.leader.with(|l| l.as_ref().map(|l| l.1.clone()));
    view! {
        <Show when=move || !follow.leading.get() && name().is_some()>
            <div class="follow-bar" data-testid="follow-bar" role="status" on:click=|ev| ev.stop_propagation()>
                {move || if follow.following() {
                    view! {
                        <span data-testid="following">{move || format!("{} {}", i18n.t(T::Following), name().unwrap_or_default())}</span>
                        <button class="tool-button" data-testid="follow-stop"
                            on:click=move |_| follow.broke_away.set(follow.leader.with_untracked(|l| l.as_ref().map(|l| l.0)))>
                            {move || i18n.t(T::StopFollowing)}</button>
                    }.into_any()
                } else {
                    view! {
                        <span>{move || format!("{} {}", name().unwrap_or_default(), i18n.t(T::IsLeading))}</span>
                        <button class="primary" data-testid="follow-rejoin" on:click=move |_| follow.broke_away.set(None)>
                            {move || i18n.t(T::Rejoin)}</button>
                    }.into_any()
                }}
            </div>
        </Show>
    }
}
