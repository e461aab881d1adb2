//! Comments, mentions and reactions on the board page: the per-target
//! comments section of the card, stage and emotion-point panels (the
//! point's own button is in `emotion_talk`), the board-wide comments
//! panel, the badge on a card's face, and what they share (`CommentsState`:
//! when this person last read the comments, and who can be mentioned).
//!
//! Comments are part of the board and change through ops like cards do, so
//! everything here reads `conn.board` and writes with `Ui::submit`, which
//! lets a commenter send these ops (and only these). Comment text is always
//! rendered as text, never as HTML.

use cjm_core::api::{PeopleList, SeenAt};
use std::collections::HashMap;
use std::sync::Arc;

use cjm_core::{
    Board, CardId, Comment, CommentId, CommentTarget, NewComment, Op, REACTIONS, ReactionTarget,
    Reactions, StageId,
};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::icons::Icon;
use super::panel::Panel;
use super::{Ui, use_ui};
use crate::browser;
use crate::i18n::{I18n, T, use_i18n};

/// Someone who can be mentioned on this board.
pub use cjm_core::api::Person;

/// Comments on one target, for badges.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TargetSummary {
    /// First comments and replies.
    pub count: usize,
    /// The newest comment by someone else (unix ms; 0: none).
    pub newest_by_others: i64,
}

/// What the board's comments add up to, computed once per change of the
/// board and notifying only when it changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommentIndex {
    pub targets: HashMap<CommentTarget, TargetSummary>,
    /// A card's reactions as (emoji, count), in the order of `REACTIONS`.
    pub card_reactions: HashMap<CardId, Vec<(&'static str, usize)>>,
    /// Unresolved threads about something still on the board.
    pub open_threads: usize,
    /// Comments that mention us: when it changes, someone mentioned us
    /// (or took it back) and the inbox is worth asking again.
    pub mentions_me: usize,
}

fn index(board: Option<&Board>, me: Option<Uuid>) -> CommentIndex {
    let mut out = CommentIndex::default();
    let Some(b) = board else { return out };
    for c in b.comments.values() {
        if me.is_some_and(|me| c.mentions.contains(&me)) {
            out.mentions_me += 1;
        }
        if !b.target_exists(c.on) {
            continue;
        }
        let s = out.targets.entry(c.on).or_default();
        s.count += 1;
        if Some(c.author) != me {
            s.newest_by_others = s.newest_by_others.max(c.created_at);
        }
        if c.parent.is_none() && !c.resolved {
            out.open_threads += 1;
        }
    }
    for (card, reactions) in &b.card_reactions {
        let counts = reaction_counts(reactions);
        if b.cards.contains_key(card) && !counts.is_empty() {
            out.card_reactions.insert(*card, counts);
        }
    }
    out
}

/// (emoji, count) of the reactions present, in the order of `REACTIONS`.
fn reaction_counts(reactions: &Reactions) -> Vec<(&'static str, usize)> {
    REACTIONS
        .iter()
        .filter_map(|e| {
            let n = reactions.get(*e).map_or(0, |who| who.len());
            (n > 0).then_some((*e, n))
        })
        .collect()
}

/// The comment state of a board page, shared through `Ui`.
#[derive(Clone, Copy)]
pub struct CommentsState {
    /// When this person last opened the comments panel (unix ms; `None`
    /// until the server said; 0: never).
    pub seen_at: RwSignal<Option<i64>>,
    /// People to mention, fetched on first need.
    pub people: RwSignal<Option<Vec<Person>>>,
    people_asked: StoredValue<bool>,
    pub index: Memo<Arc<CommentIndex>>,
}

impl CommentsState {
    pub fn new(conn: crate::connection::Connection) -> Self {
        CommentsState {
            seen_at: RwSignal::new(None),
            people: RwSignal::new(None),
            people_asked: StoredValue::new(false),
            index: Memo::new(move |_| {
                let me = conn.actor.get();
                conn.board.with(|b| Arc::new(index(b.as_ref(), me)))
            }),
        }
    }

    /// Asks the server when we last read the comments (once per page).
    pub fn load_seen(self, board: cjm_core::BoardId) {
        spawn_local(async move {
            let url = format!("/api/boards/{board}/comments?status=open");
            // Of the list (`CommentList`), only `seen_at` is read.
            if let Ok(seen) = browser::fetch_json::<SeenAt>("GET", &url, None).await {
                self.seen_at.set(Some(seen.seen_at));
            }
        });
    }

    /// Marks every comment read now (opening the comments panel).
    pub fn mark_seen(self, board: cjm_core::BoardId) {
        spawn_local(async move {
            let url = format!("/api/boards/{board}/comments/seen");
            if let Ok(seen) = browser::fetch_json::<SeenAt>("POST", &url, None).await {
                self.seen_at.set(Some(seen.seen_at));
            }
        });
    }

    /// Fetches the people to mention the first time someone writes.
    fn load_people(self, board: cjm_core::BoardId) {
        if self.people_asked.get_value() {
            return;
        }
        self.people_asked.set_value(true);
        spawn_local(async move {
            let url = format!("/api/boards/{board}/people");
            match browser::fetch_json::<PeopleList>("GET", &url, None).await {
                Ok(list) => self.people.set(Some(list.people)),
                // Try again next time.
                Err(_) => self.people_asked.set_value(false),
            }
        });
    }
}

impl Ui {
    /// Our role lets us comment and react (commenter, editor, owner).
    pub fn may_comment(&self) -> bool {
        self.can_comment.get()
    }
}

/// "just now", "5 min ago", "3 h ago", else the date (also the time of
/// the activity feed's items).
pub(super) fn when(ms: i64, i18n: I18n) -> String {
    let ago = (browser::now_ms() - ms).max(0) / 60_000;
    if ago < 1 {
        i18n.t(T::JustNow).to_string()
    } else if ago < 60 {
        format!("{ago} {}", i18n.t(T::MinutesAgo))
    } else if ago < 24 * 60 {
        format!("{} {}", ago / 60, i18n.t(T::HoursAgo))
    } else {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        date.to_locale_date_string(i18n.0.get().code(), &wasm_bindgen::JsValue::UNDEFINED)
            .into()
    }
}

/// The first `n` characters of `s` on one line, with "…" when cut.
pub fn excerpt(s: &str, n: usize) -> String {
    let line: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > n {
        format!("{}…", line.chars().take(n).collect::<String>())
    } else {
        line
    }
}

/// What a thread is about, in words: a card's text, a stage's name, or a
/// persona's emotion at a stage.
fn subject(b: &Board, target: CommentTarget, i18n: I18n) -> String {
    match target {
        CommentTarget::Card(id) => b
            .cards
            .get(&id)
            .map(|c| excerpt(&c.text, 60))
            .unwrap_or_default(),
        CommentTarget::Stage(id) => b
            .stages
            .get(&id)
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        CommentTarget::Emotion {
            persona_id,
            stage_id,
            curve,
        } => super::emotion_talk::title(
            b.personas
                .get(&persona_id)
                .map(|p| p.name.as_str())
                .unwrap_or_default(),
            b.stages
                .get(&stage_id)
                .map(|s| s.name.as_str())
                .unwrap_or_default(),
            curve,
            i18n,
        ),
    }
}

/// The panel that shows a target's threads.
fn panel_of(target: CommentTarget) -> Panel {
    match target {
        CommentTarget::Card(id) => Panel::Card(id),
        CommentTarget::Stage(id) => Panel::Stage(id),
        CommentTarget::Emotion {
            persona_id,
            stage_id,
            curve,
        } => Panel::Emotion(persona_id, stage_id, curve),
    }
}

/// The threads shown with a card's or a stage's details: those about it
/// and, for a stage, those about the emotions at that stage.
fn shows(target: CommentTarget, on: CommentTarget) -> bool {
    on == target
        || matches!((target, on), (CommentTarget::Stage(s), CommentTarget::Emotion { stage_id, .. }) if s == stage_id)
}

/// The comment count on a card's face (with a dot when someone else wrote
/// since we last read the comments) and the card's reactions.
#[component]
pub fn CardTalk(id: CardId) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let talk = Memo::new(move |_| {
        let seen = ui.comments.seen_at.get();
        ui.comments.index.with(|i| {
            let s = i.targets.get(&CommentTarget::Card(id)).copied();
            let fresh = s.is_some_and(|s| seen.is_some_and(|t| s.newest_by_others > t));
            (
                s.map(|s| s.count).unwrap_or(0),
                fresh,
                i.card_reactions.get(&id).cloned().unwrap_or_default(),
            )
        })
    });
    move || {
        let (count, fresh, reactions) = talk.get();
        (count > 0 || !reactions.is_empty()).then(|| {
            view! {
                <div class="card-talk">
                    {(!reactions.is_empty()).then(|| view! {
                        <span class="card-reactions" data-testid="card-reactions" title=move || i18n.t(T::Reactions)>
                            {reactions.into_iter().map(|(e, n)| view! { <span class="reaction-count">{e}<b>{n}</b></span> }).collect_view()}
                        </span>
                    })}
                    {(count > 0).then(|| view! {
                        <button class="comment-count" class:fresh=fresh data-testid="comment-count"
                            title=move || if fresh { i18n.t(T::NewComments) } else { i18n.t(T::Comments) }
                            aria-label=move || format!("{}: {count}", i18n.t(T::Comments))
                            on:pointerdown=|ev| ev.stop_propagation()
                            on:click=move |ev| {
                                ev.stop_propagation();
                                ui.panel.set(Some(Panel::Card(id)));
                            }
                        >
                            <Icon name="comment"/>{count}
                            {fresh.then(|| view! { <span class="new-dot" data-testid="comment-new" aria-hidden="true"></span> })}
                        </button>
                    })}
                </div>
            }
        })
    }
}

/// The comment count in a stage's header (threads about the stage and the
/// emotions at it); it opens the stage's details. Shown when there are
/// comments, and always to a commenter, for whom it is the way in (the
/// header's menu is for editors).
#[component]
pub fn StageTalk(id: StageId) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let target = CommentTarget::Stage(id);
    let talk = Memo::new(move |_| {
        let seen = ui.comments.seen_at.get();
        ui.comments.index.with(|i| {
            let (count, newest) = i
                .targets
                .iter()
                .filter(|(on, _)| shows(target, **on))
                .fold((0, 0), |(n, t), (_, s)| {
                    (n + s.count, t.max(s.newest_by_others))
                });
            (count, seen.is_some_and(|s| newest > s))
        })
    });
    let shown = move || talk.get().0 > 0 || (ui.may_comment() && !ui.can_edit.get());
    view! {
        <Show when=shown>
            <button class="comment-count in-header" class:fresh=move || talk.get().1 data-testid="stage-comment-count"
                title=move || i18n.t(T::Comments)
                aria-label=move || format!("{}: {}", i18n.t(T::Comments), talk.get().0)
                on:pointerdown=|ev| ev.stop_propagation()
                on:click=move |ev| {
                    ev.stop_propagation();
                    ui.panel.set(Some(Panel::Stage(id)));
                }
            >
                <Icon name="comment"/>
                {move || { let n = talk.get().0; (n > 0).then_some(n) }}
                {move || talk.get().1.then(|| view! { <span class="new-dot" aria-hidden="true"></span> })}
            </button>
        </Show>
    }
}

/// Reaction buttons: each emoji of `REACTIONS` with its count; ours are
/// highlighted and a click takes ours back or adds it. Without the right
/// to comment only the reactions present show, as text.
#[component]
pub fn ReactionBar(target: ReactionTarget, reactions: Signal<Reactions>) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let me = ui.conn.actor;
    view! {
        <div class="reactions" role="group" aria-label=move || i18n.t(T::Reactions)>
            {REACTIONS.iter().enumerate().map(|(i, emoji)| {
                let emoji: &'static str = emoji;
                let count = move || reactions.with(|r| r.get(emoji).map_or(0, |w| w.len()));
                let mine = move || {
                    let me = me.get();
                    reactions.with(|r| r.get(emoji).is_some_and(|w| me.is_some_and(|m| w.contains(&m))))
                };
                let shown = move || ui.may_comment() || count() > 0;
                view! {
                    <Show when=shown>
                        <button class="reaction" class:mine=mine class:zero=move || count() == 0
                            data-testid=format!("react-{i}")
                            aria-pressed=move || mine().to_string()
                            disabled=move || !ui.may_comment()
                            on:click=move |ev| {
                                ev.stop_propagation();
                                ui.submit(vec![Op::React { target, emoji: emoji.to_string(), add: !mine() }]);
                            }
                        >
                            <span aria-hidden="true">{emoji}</span>
                            {move || (count() > 0).then(|| view! { <b>{count()}</b> })}
                        </button>
                    </Show>
                }
            }).collect_view()}
        </div>
    }
}

/// Where the "@…" being typed starts (a byte index in `text`) and what
/// follows it up to the caret (`caret` is a byte index too).
fn mention_query(text: &str, caret: usize) -> Option<(usize, String)> {
    let before = text.get(..caret)?;
    let at = before.rfind('@')?;
    let query = &before[at + 1..];
    let starts_word = before[..at]
        .chars()
        .next_back()
        .is_none_or(char::is_whitespace);
    let plain = query.chars().count() <= 30
        && query
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '\''));
    (starts_word && plain).then(|| (at, query.to_string()))
}

/// A UTF-16 offset (what the DOM counts) as a byte index into `s`.
fn byte_index(s: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16();
    }
    s.len()
}

/// A text box for a comment, a reply or an edit, with @mention
/// autocomplete: "@" and letters list the matching people; choosing one
/// writes "@Name " and remembers who was meant. Ctrl+Enter sends, Esc
/// cancels an edit. `send` returns whether it was sent (then the box
/// empties).
#[component]
fn CommentBox(
    initial: String,
    initial_mentions: Vec<Uuid>,
    placeholder: T,
    send_label: T,
    input_testid: &'static str,
    send_testid: &'static str,
    send: Callback<(String, Vec<Uuid>), bool>,
    #[prop(optional)] cancel: Option<Callback<()>>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let text = RwSignal::new(initial);
    // Who the text mentions, with the name written for them.
    let mentioned = RwSignal::new(
        initial_mentions
            .into_iter()
            .filter_map(|id| {
                ui.comments
                    .people
                    .with_untracked(|p| p.iter().flatten().find(|p| p.id == id).cloned())
                    .or(Some(Person {
                        id,
                        name: String::new(),
                        guest: false,
                    }))
            })
            .collect::<Vec<_>>(),
    );
    let query = RwSignal::new(None::<(usize, String)>);
    let active = RwSignal::new(0usize);
    let field = NodeRef::<html::Textarea>::new();
    if autofocus {
        browser::focus_when_mounted(move || field.get().map(Into::into));
    }
    let options = Memo::new(move |_| {
        let Some((_, q)) = query.get() else {
            return Vec::new();
        };
        let q = q.to_lowercase();
        let me = ui.conn.actor.get();
        ui.comments.people.with(|p| {
            p.iter()
                .flatten()
                .filter(|p| Some(p.id) != me)
                .filter(|p| {
                    let name = p.name.to_lowercase();
                    name.starts_with(&q) || name.split_whitespace().any(|w| w.starts_with(&q))
                })
                .take(6)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let update_query = move || {
        let Some(el) = field.get_untracked() else {
            return;
        };
        let value = el.value();
        let caret = el.selection_start().ok().flatten().unwrap_or(0) as usize;
        query.set(mention_query(&value, byte_index(&value, caret)));
        active.set(0);
    };
    let choose = move |person: Person| {
        let Some((at, q)) = query.get_untracked() else {
            return;
        };
        let mut value = text.get_untracked();
        let end = (at + 1 + q.len()).min(value.len());
        let insert = format!("@{} ", person.name);
        value.replace_range(at..end, &insert);
        let caret: usize = value[..at + insert.len()].encode_utf16().count();
        text.set(value.clone());
        mentioned.update(|m| {
            if !m.iter().any(|p| p.id == person.id) {
                m.push(person);
            }
        });
        query.set(None);
        if let Some(el) = field.get_untracked() {
            el.set_value(&value);
            let _ = el.focus();
            let _ = el.set_selection_range(caret as u32, caret as u32);
        }
    };
    let submit = move || {
        let value = text.get_untracked();
        if value.trim().is_empty() {
            return;
        }
        // Only the people whose "@Name" is still in the text.
        let mut ids: Vec<Uuid> = mentioned.with_untracked(|m| {
            m.iter()
                .filter(|p| p.name.is_empty() || value.contains(&format!("@{}", p.name)))
                .map(|p| p.id)
                .collect()
        });
        ids.dedup();
        if send.run((value, ids)) {
            text.set(String::new());
            mentioned.set(Vec::new());
            query.set(None);
            if let Some(el) = field.get_untracked() {
                el.set_value("");
            }
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        ev.stop_propagation();
        let listing =
            query.with_untracked(Option::is_some) && options.with_untracked(|o| !o.is_empty());
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if listing => {
                ev.prevent_default();
                let n = options.with_untracked(Vec::len);
                let a = active.get_untracked();
                active.set(if ev.key() == "ArrowDown" {
                    (a + 1) % n
                } else {
                    (a + n - 1) % n
                });
            }
            "Enter" | "Tab" if listing => {
                ev.prevent_default();
                let a = active.get_untracked();
                if let Some(p) = options.with_untracked(|o| o.get(a).cloned()) {
                    choose(p);
                }
            }
            "Escape" if listing => query.set(None),
            "Escape" => {
                if let Some(c) = cancel {
                    c.run(());
                }
            }
            "Enter" if ev.ctrl_key() || ev.meta_key() => {
                ev.prevent_default();
                submit();
            }
            _ => {}
        }
    };
    let board_id = ui.board_id;
    view! {
        <div class="comment-box">
            <div class="mention-anchor">
                <textarea node_ref=field rows="2" maxlength="5000" data-testid=input_testid
                    placeholder=move || i18n.t(placeholder) aria-label=move || i18n.t(placeholder)
                    title=move || i18n.t(T::CtrlEnterHint)
                    prop:value=move || text.get()
                    on:focus=move |_| ui.comments.load_people(board_id)
                    on:input=move |ev| { text.set(event_target_value(&ev)); update_query(); }
                    on:click=move |_| update_query()
                    on:keydown=on_keydown
                    on:blur=move |_| query.set(None)
                ></textarea>
                <Show when=move || query.with(Option::is_some) && options.with(|o| !o.is_empty())>
                    <ul class="mention-list" role="listbox">
                        {move || options.get().into_iter().enumerate().map(|(i, p)| {
                            let name = p.name.clone();
                            let color = browser::person_color(&p.id.to_string());
                            view! {
                                <li role="option" class:active=move || active.get() == i
                                    aria-selected=move || (active.get() == i).to_string()
                                    data-testid="mention-option"
                                    // Before the blur: the field keeps its focus.
                                    on:mousedown=move |ev| { ev.prevent_default(); choose(p.clone()); }
                                >
                                    <span class="avatar small" style:background=color>{browser::initials(&name)}</span>
                                    <span>{name.clone()}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </Show>
            </div>
            <div class="comment-box-actions">
                {cancel.map(|c| view! {
                    <button class="link-button" type="button" on:click=move |_| c.run(())>{move || i18n.t(T::Cancel)}</button>
                })}
                <button class="primary small-button" type="button" data-testid=send_testid
                    disabled=move || text.with(|t| t.trim().is_empty())
                    on:click=move |_| submit()>{move || i18n.t(send_label)}</button>
            </div>
        </div>
    }
}

/// Adds a comment (a new thread, or a reply when `parent` is set).
fn add_comment(
    ui: Ui,
    on: CommentTarget,
    parent: Option<CommentId>,
    text: String,
    mentions: Vec<Uuid>,
) -> bool {
    let me = ui.conn.actor.get_untracked();
    let author_name = ui
        .comments
        .people
        .with_untracked(|p| {
            p.iter()
                .flatten()
                .find(|p| Some(p.id) == me)
                .map(|p| p.name.clone())
        })
        .unwrap_or_default();
    ui.submit(vec![Op::AddComment(NewComment {
        id: CommentId::new(),
        on,
        parent,
        text,
        mentions,
        author_name,
    })])
}

/// The "Comments" section of a card's or a stage's details: its threads
/// and a box to start one (for those who may comment).
#[component]
pub fn CommentsSection(target: CommentTarget) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let roots = Memo::new(move |_| {
        ui.conn.board.with(|b| {
            let Some(b) = b else { return Vec::new() };
            let mut v: Vec<&Comment> = b
                .comments
                .values()
                .filter(|c| c.parent.is_none() && shows(target, c.on) && b.target_exists(c.on))
                .collect();
            v.sort_by_key(|c| (c.created_at, c.id));
            v.into_iter().map(|c| c.id).collect::<Vec<_>>()
        })
    });
    let card_reactions = Signal::derive(move || {
        let CommentTarget::Card(id) = target else {
            return Reactions::new();
        };
        ui.conn.board.with(|b| {
            b.as_ref()
                .and_then(|b| b.card_reactions.get(&id).cloned())
                .unwrap_or_default()
        })
    });
    let send = Callback::new(move |(text, mentions): (String, Vec<Uuid>)| {
        add_comment(ui, target, None, text, mentions)
    });
    view! {
        <section class="details-section comments" data-testid="comments">
            <h3><Icon name="comment"/>{move || i18n.t(T::Comments)}</h3>
            {match target {
                CommentTarget::Card(id) => Some(view! {
                    <ReactionBar target=ReactionTarget::Card(id) reactions=card_reactions/>
                }),
                _ => None,
            }}
            <Show when=move || roots.with(Vec::is_empty)>
                <p class="muted small">{move || i18n.t(T::NoComments)}</p>
            </Show>
            <For each=move || roots.get() key=|id| *id let:root>
                <Thread root=root context=target/>
            </For>
            <Show when=move || ui.may_comment()>
                <CommentBox initial=String::new() initial_mentions=Vec::new()
                    placeholder=T::CommentPlaceholder send_label=T::CommentSend
                    input_testid="comment-input" send_testid="comment-send" send=send/>
            </Show>
        </section>
    }
}

/// One thread: its first comment, the replies (indented) and a reply box.
/// A resolved thread is dimmed and folded to its first comment.
#[component]
fn Thread(
    root: CommentId,
    /// What the surrounding list is about: a thread about something else
    /// (an emotion, in a stage's list) names its subject.
    context: CommentTarget,
) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let board = ui.conn.board;
    let info = Memo::new(move |_| {
        board.with(|b| {
            let b = b.as_ref()?;
            let c = b.comments.get(&root)?;
            let mut replies: Vec<&Comment> = b
                .comments
                .values()
                .filter(|r| r.is_reply_to(root))
                .collect();
            replies.sort_by_key(|r| (r.created_at, r.id));
            let about = (c.on != context).then(|| subject(b, c.on, i18n));
            Some((
                c.on,
                c.resolved,
                replies.into_iter().map(|r| r.id).collect::<Vec<_>>(),
                about,
            ))
        })
    });
    let resolved = move || info.with(|i| i.as_ref().is_some_and(|i| i.1));
    let unfolded = RwSignal::new(false);
    let open = move || !resolved() || unfolded.get();
    let replies = move || info.with(|i| i.as_ref().map(|i| i.2.clone()).unwrap_or_default());
    let send = Callback::new(move |(text, mentions): (String, Vec<Uuid>)| {
        let Some(on) = info.with_untracked(|i| i.as_ref().map(|i| i.0)) else {
            return false;
        };
        add_comment(ui, on, Some(root), text, mentions)
    });
    view! {
        <div class="thread" class:resolved=resolved data-testid="thread" data-resolved=move || resolved().to_string()>
            {move || info.with(|i| i.as_ref().and_then(|i| i.3.clone())).map(|about| view! {
                <p class="thread-about muted small">{about}</p>
            })}
            <CommentView id=root root=true/>
            <Show when=move || resolved()>
                <button class="link-button small" on:click=move |_| unfolded.update(|u| *u = !*u)>
                    {move || {
                        let n = replies().len();
                        let label = if unfolded.get() { i18n.t(T::HideThread) } else { i18n.t(T::ShowThread) };
                        if n > 0 { format!("{label} ({n})") } else { label.to_string() }
                    }}
                </button>
            </Show>
            <Show when=open>
                <div class="replies">
                    <For each=replies key=|id| *id let:reply>
                        <CommentView id=reply root=false/>
                    </For>
                </div>
                <Show when=move || ui.may_comment() && !resolved()>
                    <div class="reply-box">
                        <CommentBox initial=String::new() initial_mentions=Vec::new()
                            placeholder=T::ReplyPlaceholder send_label=T::Reply
                            input_testid="reply-input" send_testid="reply-send" send=send/>
                    </div>
                </Show>
            </Show>
        </div>
    }
}

/// One comment: who, when, the text, reactions and what we may do with it.
#[component]
fn CommentView(id: CommentId, root: bool) -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let comment = Memo::new(move |_| {
        ui.conn
            .board
            .with(|b| b.as_ref().and_then(|b| b.comments.get(&id).cloned()))
    });
    let editing = RwSignal::new(false);
    let mine = move || {
        let me = ui.conn.actor.get();
        comment.with(|c| c.as_ref().is_some_and(|c| Some(c.author) == me))
    };
    let resolved = move || comment.with(|c| c.as_ref().is_some_and(|c| c.resolved));
    let reactions = Signal::derive(move || {
        comment.with(|c| c.as_ref().map(|c| c.reactions.clone()).unwrap_or_default())
    });
    let save = Callback::new(move |(text, mentions): (String, Vec<Uuid>)| {
        let sent = ui.submit(vec![Op::EditComment {
            id,
            text,
            mentions: Some(mentions),
        }]);
        if sent {
            editing.set(false);
        }
        sent
    });
    let cancel = Callback::new(move |()| editing.set(false));
    let delete = move |_| {
        if browser::confirm(i18n.t(T::ConfirmDeleteComment)) {
            ui.submit(vec![Op::DeleteComment { id }]);
        }
    };
    let resolve = move |resolved: bool| {
        ui.submit(vec![Op::ResolveComment { id, resolved }]);
    };
    move || {
        comment.get().map(|c| {
            let name = if c.author_name.is_empty() {
                i18n.t(T::You).to_string()
            } else {
                c.author_name.clone()
            };
            let color = browser::person_color(&c.author.to_string());
            let created = c.created_at;
            let edited = c.edited_at.is_some();
            let text = c.text.clone();
            let mentions = c.mentions.clone();
            view! {
                <article class="comment" class:reply=!root data-testid="comment" data-id=id.to_string()>
                    <header class="comment-head">
                        <span class="avatar small" style:background=color aria-hidden="true">{browser::initials(&name)}</span>
                        <strong class="comment-author">{name.clone()}</strong>
                        <span class="muted small" title=move || browser::format_time(created, i18n.0.get().code())>{move || when(created, i18n)}</span>
                        {edited.then(|| view! { <span class="muted small" data-testid="comment-edited">{move || format!("· {}", i18n.t(T::Edited))}</span> })}
                        {(root && c.resolved).then(|| view! { <span class="tag resolved-tag">{move || i18n.t(T::ResolvedTag)}</span> })}
                        <span class="spacer"></span>
                        <Show when=move || ui.may_comment() && mine() && !editing.get()>
                            <button class="link-button small" data-testid="comment-edit" on:click=move |_| editing.set(true)>{move || i18n.t(T::Edit)}</button>
                            <button class="link-button small danger" data-testid="comment-delete" on:click=delete>{move || i18n.t(T::Delete)}</button>
                        </Show>
                    </header>
                    {move || if editing.get() {
                        view! {
                            <CommentBox initial=text.clone() initial_mentions=mentions.clone()
                                placeholder=T::CommentPlaceholder send_label=T::Save
                                input_testid="comment-edit-input" send_testid="comment-save"
                                send=save cancel=cancel autofocus=true/>
                        }.into_any()
                    } else {
                        view! { <p class="comment-text" data-testid="comment-text">{text.clone()}</p> }.into_any()
                    }}
                    <footer class="comment-foot">
                        <ReactionBar target=ReactionTarget::Comment(id) reactions=reactions/>
                        <span class="spacer"></span>
                        <Show when=move || ui.may_comment() && root>
                            {move || if resolved() {
                                view! { <button class="link-button small" data-testid="comment-reopen" on:click=move |_| resolve(false)>{move || i18n.t(T::Reopen)}</button> }.into_any()
                            } else {
                                view! { <button class="link-button small" data-testid="comment-resolve" on:click=move |_| resolve(true)>"✓ "{move || i18n.t(T::Resolve)}</button> }.into_any()
                            }}
                        </Show>
                    </footer>
                </article>
            }
        })
    }
}

/// Which threads the board's comments panel lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filter {
    Open,
    Resolved,
    Mentions,
}

/// The top-bar button of the comments panel, with the open threads' count.
#[component]
pub fn CommentsButton() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let open = Memo::new(move |_| ui.comments.index.with(|i| i.open_threads));
    let fresh = Memo::new(move |_| {
        let seen = ui.comments.seen_at.get();
        ui.comments
            .index
            .with(|i| seen.is_some_and(|t| i.targets.values().any(|s| s.newest_by_others > t)))
    });
    let active = move || ui.panel.get() == Some(Panel::Comments);
    view! {
        <button class="tool-button" data-testid="comments-button"
            class:active=active aria-pressed=move || active().to_string()
            title=move || i18n.t(T::Comments)
            on:click=move |ev| { ev.stop_propagation(); ui.toggle_panel(Panel::Comments); }
        >
            <Icon name="comment"/>
            <span>{move || i18n.t(T::Comments)}</span>
            <span class="count" class:fresh=fresh data-testid="comments-open-count">{move || open.get()}</span>
        </button>
    }
}

/// A thread as the board's comments panel lists it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Listed {
    id: CommentId,
    on: CommentTarget,
    about: String,
    author: String,
    text: String,
    created_at: i64,
    replies: usize,
    /// The newest comment of the thread by someone else.
    newest_by_others: i64,
}

/// Every thread on the board, filtered: open, resolved, or mentioning us.
/// Opening it marks the comments read; a click on a thread opens what it
/// is about.
#[component]
pub fn CommentsPanel() -> impl IntoView {
    let ui = use_ui();
    let i18n = use_i18n();
    let filter = RwSignal::new(Filter::Open);
    // What was new before this opening keeps its mark while the panel is open.
    let seen_before = ui.comments.seen_at.get_untracked().unwrap_or(0);
    ui.comments.mark_seen(ui.board_id);
    let threads = Memo::new(move |_| {
        let f = filter.get();
        let me = ui.conn.actor.get();
        ui.conn.board.with(|b| {
            let Some(b) = b else { return Vec::new() };
            let mut v: Vec<Listed> = b
                .comments
                .values()
                .filter(|c| c.parent.is_none() && b.target_exists(c.on))
                .filter_map(|c| {
                    let replies: Vec<&Comment> = b
                        .comments
                        .values()
                        .filter(|r| r.is_reply_to(c.id))
                        .collect();
                    let keep = match f {
                        Filter::Open => !c.resolved,
                        Filter::Resolved => c.resolved,
                        Filter::Mentions => me.is_some_and(|me| {
                            c.mentions.contains(&me)
                                || replies.iter().any(|r| r.mentions.contains(&me))
                        }),
                    };
                    keep.then(|| Listed {
                        id: c.id,
                        on: c.on,
                        about: subject(b, c.on, i18n),
                        author: c.author_name.clone(),
                        text: excerpt(&c.text, 140),
                        created_at: c.created_at,
                        replies: replies.len(),
                        newest_by_others: std::iter::once(c)
                            .chain(replies.iter().copied())
                            .filter(|x| Some(x.author) != me)
                            .map(|x| x.created_at)
                            .max()
                            .unwrap_or(0),
                    })
                })
                .collect();
            v.sort_by_key(|t| std::cmp::Reverse((t.created_at, t.id)));
            v
        })
    });
    let tab = move |which: Filter, label: T, testid: &'static str| {
        view! {
            <button role="tab" class="tab" class:active=move || filter.get() == which
                aria-selected=move || (filter.get() == which).to_string()
                data-testid=testid on:click=move |_| filter.set(which)>{move || i18n.t(label)}</button>
        }
    };
    let open_target = move |on: CommentTarget| {
        ui.panel.set(Some(panel_of(on)));
        match on {
            CommentTarget::Card(id) => {
                ui.selected.set(Some(id));
                request_animation_frame(move || browser::reveal(&format!("[data-card=\"{id}\"]")));
            }
            CommentTarget::Stage(id) => reveal_stage(id),
            CommentTarget::Emotion {
                persona_id,
                stage_id,
                curve,
            } => {
                // The point, when it still has a score; else its stage.
                let point = format!(
                    "[data-emotion-point][data-persona=\"{persona_id}\"][data-stage=\"{stage_id}\"][data-curve=\"{}\"]",
                    curve.as_str()
                );
                request_animation_frame(move || {
                    if document().query_selector(&point).ok().flatten().is_some() {
                        browser::reveal(&point);
                    } else {
                        reveal_stage(stage_id);
                    }
                });
            }
        }
    };
    view! {
        <div class="comments-panel" data-testid="comments-panel">
            <div class="tabs" role="tablist">
                {tab(Filter::Open, T::FilterOpen, "comments-filter-open")}
                {tab(Filter::Resolved, T::FilterResolved, "comments-filter-resolved")}
                {tab(Filter::Mentions, T::FilterMentions, "comments-filter-mentions")}
            </div>
            <Show when=move || threads.with(Vec::is_empty)>
                <p class="muted small">{move || i18n.t(T::NoThreads)}</p>
            </Show>
            <ul class="thread-list">
                <For each=move || threads.get() key=|t| t.clone() let:t>
                    {
                        let on = t.on;
                        let fresh = t.newest_by_others > seen_before;
                        let kind = match on {
                            CommentTarget::Card(_) => "notes",
                            CommentTarget::Stage(_) => "backstage",
                            CommentTarget::Emotion { .. } => "emotions",
                        };
                        view! {
                            <li>
                                <button class="thread-item" class:fresh=fresh data-testid="comments-thread"
                                    on:click=move |_| open_target(on)>
                                    <span class="thread-about"><Icon name=kind/>{t.about.clone()}</span>
                                    <span class="thread-line">
                                        <strong>{t.author.clone()}</strong>" "
                                        <span class="muted small">{when(t.created_at, i18n)}</span>
                                        {(t.replies > 0).then(|| view! {
                                            <span class="muted small">{format!(" · {}: {}", i18n.t(T::RepliesLabel), t.replies)}</span>
                                        })}
                                    </span>
                                    <span class="thread-text">{t.text.clone()}</span>
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
        </div>
    }
}

/// Scrolls a stage's header into view and flashes it.
fn reveal_stage(id: StageId) {
    request_animation_frame(move || {
        browser::reveal(&format!("[data-testid=stage-header][data-id=\"{id}\"]"))
    });
}
