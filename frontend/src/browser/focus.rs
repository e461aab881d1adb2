//! Focus: putting it where the person expects, and popovers that close
//! with Esc or a click outside and give it back to what opened them.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Focuses (and selects the text of) a field as soon as it is mounted;
/// `field` reads the field's node ref, so the effect runs when it appears.
///
/// The focus moves at once, so that keys typed right away land in the
/// field; the text is selected a microtask later, so that typing replaces
/// it. Leptos writes a field's `prop:value` in a microtask of its own
/// (tachys' `Dom::set_property_or_value` queues it), which runs after this
/// effect: selecting here selected the still empty field, then the default
/// text ("New stage") arrived with the caret after it, and what was typed
/// was appended to it.
pub fn focus_when_mounted(field: impl Fn() -> Option<web_sys::HtmlElement> + 'static) {
    Effect::new(move |_| {
        if let Some(el) = field() {
            let _ = el.focus();
            queue_microtask(move || {
                if !el.is_connected() {
                    // Not in the document yet: once it is.
                    request_animation_frame(move || focus_and_select(&el));
                } else {
                    focus_and_select(&el);
                }
            });
        }
    });
}

fn focus_and_select(el: &web_sys::HtmlElement) {
    let already = focused().is_some_and(|f| {
        let node: &web_sys::Node = el;
        f.is_same_node(Some(node))
    });
    if !already {
        let _ = el.focus();
    }
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        input.select();
    } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.select();
    }
}

/// The focused element, `None` when the focus is nowhere (on `<body>`).
pub fn focused() -> Option<web_sys::Element> {
    let doc = document();
    doc.active_element().filter(|el| {
        let node: &web_sys::Node = el;
        doc.body().is_none_or(|b| !b.is_same_node(Some(node)))
    })
}

/// Whether `el` is inside an element matching one of `selectors`.
fn within(el: &web_sys::Element, selectors: &[String]) -> bool {
    selectors
        .iter()
        .any(|s| el.closest(s).ok().flatten().is_some())
}

/// Makes a popover or panel close with Esc and with a click outside it,
/// and gives the focus back to what opened it when it closes and leaves
/// the focus nowhere (Esc from a field inside it, a menu item that closes
/// it). `state` is what is open (`None`: closed); `inside` are CSS selectors
/// of the popover (clicks there are not outside).
///
/// Esc closes it when the focus is inside it, on its opener, or nowhere,
/// so that one Esc closes the popover in use, not every one on the page.
/// A click outside closes it only when the click changed nothing itself:
/// a button that toggles it, or opens another panel instead, has its way.
pub fn dismissable<K: PartialEq + Clone + 'static>(
    state: impl Fn() -> Option<K> + Clone + 'static,
    close: impl Fn() + Clone + 'static,
    inside: Vec<String>,
) {
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;

    let opener: Rc<RefCell<Option<web_sys::Element>>> = Rc::default();
    let inside = Rc::new(inside);

    // Who opened it; and the focus back there when closing lost it.
    {
        let (state, opener, inside) = (state.clone(), opener.clone(), inside.clone());
        Effect::new(move |before: Option<Option<K>>| {
            let now = state();
            let was = before.flatten();
            if now.is_some() && now != was {
                let opening = was.is_none();
                // At once too, by the same rule: an Esc may come before the
                // frame below.
                if let Some(el) = focused().filter(|el| opening || !within(el, &inside)) {
                    *opener.borrow_mut() = Some(el);
                }
                let (opener, inside) = (opener.clone(), inside.clone());
                // After the page settles (another menu that closed gives
                // its focus back first). The opener may sit inside the
                // popover's own box (a menu and its button); switching
                // what an open panel shows keeps the first opener unless
                // the switch came from outside it.
                request_animation_frame(move || {
                    if let Some(el) = focused().filter(|el| opening || !within(el, &inside)) {
                        *opener.borrow_mut() = Some(el);
                    }
                });
            } else if now.is_none() && was.is_some() {
                let opener = opener.borrow_mut().take();
                request_animation_frame(move || {
                    if focused().is_none()
                        && let Some(el) = opener.filter(|el| el.is_connected())
                        && let Some(el) = el.dyn_ref::<web_sys::HtmlElement>()
                    {
                        let _ = el.focus();
                    }
                });
            }
            now
        });
    }

    let on_key = {
        let (state, close, opener, inside) =
            (state.clone(), close.clone(), opener.clone(), inside.clone());
        Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.key() != "Escape" || ev.default_prevented() || untrack(&state).is_none() {
                return;
            }
            let ours = match focused() {
                None => true,
                Some(el) => {
                    let node: &web_sys::Node = &el;
                    within(&el, &inside)
                        || opener
                            .borrow()
                            .as_ref()
                            .is_some_and(|o| o.contains(Some(node)))
                }
            };
            if ours {
                ev.prevent_default();
                close();
            }
        })
    };
    let on_click = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
        let Some(before) = untrack(&state) else {
            return;
        };
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        // A click on a node already gone (it re-rendered) says nothing;
        // nor does the language switch, which only says it all again.
        if target.as_ref().is_none_or(|t| {
            !t.is_connected() || within(t, &inside) || within(t, &[".lang-switch".into()])
        }) {
            return;
        }
        let (state, close) = (state.clone(), close.clone());
        // After the click's own handlers.
        set_timeout(
            move || {
                if untrack(&state).as_ref() == Some(&before) {
                    close();
                }
            },
            std::time::Duration::ZERO,
        );
    });
    let win = window();
    let _ = win.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    let _ = win.add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    let listeners = StoredValue::new_local((on_key, on_click));
    on_cleanup(move || {
        listeners.try_with_value(|(key, click)| {
            let win = window();
            let _ =
                win.remove_event_listener_with_callback("keydown", key.as_ref().unchecked_ref());
            let _ = win.remove_event_listener_with_callback_and_bool(
                "click",
                click.as_ref().unchecked_ref(),
                true,
            );
        });
    });
}

/// Scrolls the element matching `selector` into the middle of the view,
/// focuses it if it can take focus, and flashes it briefly.
pub fn reveal(selector: &str) {
    let Ok(Some(el)) = document().query_selector(selector) else {
        return;
    };
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(web_sys::ScrollLogicalPosition::Center);
    opts.set_inline(web_sys::ScrollLogicalPosition::Center);
    opts.set_behavior(web_sys::ScrollBehavior::Smooth);
    el.scroll_into_view_with_scroll_into_view_options(&opts);
    if let Some(h) = el.dyn_ref::<web_sys::HtmlElement>() {
        let _ = h.focus();
    }
    let list = el.class_list();
    let _ = list.remove_1("flash");
    let _ = list.add_1("flash");
    set_timeout(
        move || {
            let _ = el.class_list().remove_1("flash");
        },
        std::time::Duration::from_millis(1600),
    );
}
