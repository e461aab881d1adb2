//! Who this browser is, and how people are shown (colours, initials).

use super::{storage_get, storage_set};

/// A stable random id for this browser, sent as the actor of its edits until
/// accounts exist.
pub fn client_id() -> String {
    if let Some(id) = storage_get("cjm.client_id") {
        return id;
    }
    let id = format!("guest-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    storage_set("cjm.client_id", &id);
    id
}

/// The name others see in presence: the saved one, else "Guest" and the
/// end of this browser's id.
pub fn display_name(guest: &str) -> String {
    storage_get("cjm.name")
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            let id = client_id();
            format!("{guest} {}", &id[id.len().saturating_sub(4)..])
        })
}

/// A colour for a person, the same in every browser (from their actor id).
pub fn person_color(actor: &str) -> &'static str {
    // Strong colours that carry white text at WCAG AA contrast.
    const COLORS: [&str; 8] = [
        "#c2255c", "#7048e8", "#1864ab", "#0b7285", "#2b8a3e", "#d9480f", "#862e9c", "#364fc7",
    ];
    let h = actor
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    COLORS[h as usize % COLORS.len()]
}

/// Initials for an avatar: first letters of the first two words.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}
