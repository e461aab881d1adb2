//! Comments and reactions: the workshop's conversation about the map.
//!
//! They are part of the board like its cards (changed by ops, stored before
//! they are acknowledged, sent in `welcome`), so a reconnecting client gets
//! them the same way and no second sync path exists. Three things set them
//! apart from the map itself:
//!
//! - Who wrote a comment matters: `author` is the actor of the batch that
//!   added it (`ApplyCtx::actor`, set by the server from the session, never
//!   by the client), and only the author may edit or delete it.
//! - A commenter may send these ops and no others (`Op::is_conversation`).
//! - They outlive what they are about: deleting a card leaves its comments
//!   and reactions in the board (not shown), so that undoing the delete
//!   brings the discussion back with the card. `MAX_COMMENTS` bounds them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{CardId, CommentId, PersonaId, StageId};
use crate::model::Curve;

/// What a comment thread is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommentTarget {
    Card(CardId),
    Stage(StageId),
    /// A persona's emotion at a stage (on one curve).
    Emotion {
        persona_id: PersonaId,
        stage_id: StageId,
        #[serde(default)]
        curve: Curve,
    },
}

/// What a reaction is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReactionTarget {
    Card(CardId),
    Comment(CommentId),
}

/// The reactions a workshop needs: agree, important, unclear, and a few
/// warmer ones. A fixed set keeps reactions a signal (and small).
pub const REACTIONS: [&str; 6] = ["👍", "❗", "❓", "❤️", "🎉", "👀"];

/// Emoji → the people who reacted with it (actor ids).
pub type Reactions = BTreeMap<String, BTreeSet<Uuid>>;

/// One comment: a thread's first comment (`parent` absent) or a reply to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Comment {
    pub id: CommentId,
    pub on: CommentTarget,
    /// The thread's first comment, for a reply (threads are one level deep).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<CommentId>,
    /// The actor (account or guest id) whose batch added it.
    pub author: Uuid,
    /// The author's name when they wrote it (as the server knew it).
    pub author_name: String,
    pub text: String,
    /// People the text mentions (actor ids): their inbox lists the comment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Uuid>,
    /// Unix milliseconds (the batch's time, assigned by the server).
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
    /// Threads only: the point was dealt with.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resolved: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reactions: Reactions,
}

/// A new comment as a client sends it. `author_name` is filled in by the
/// server from the session (what a client sends there is replaced).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewComment {
    pub id: CommentId,
    pub on: CommentTarget,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<CommentId>,
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<Uuid>,
    #[serde(default)]
    pub author_name: String,
}

/// Adds or removes `actor`'s `emoji` in `reactions`; whether anything changed.
pub(crate) fn toggle(reactions: &mut Reactions, emoji: &str, actor: Uuid, add: bool) -> bool {
    if add {
        reactions.entry(emoji.to_owned()).or_default().insert(actor)
    } else {
        let Some(who) = reactions.get_mut(emoji) else {
            return false;
        };
        let removed = who.remove(&actor);
        if who.is_empty() {
            reactions.remove(emoji);
        }
        removed
    }
}

impl Comment {
    /// A thread's replies are found by scanning: threads are short and a
    /// board's comments are bounded (`MAX_COMMENTS`).
    pub fn is_reply_to(&self, root: CommentId) -> bool {
        self.parent == Some(root)
    }
}

impl crate::model::Board {
    /// The threads about `target` (first comments, oldest first) with their
    /// replies (oldest first).
    pub fn threads_on(&self, target: CommentTarget) -> Vec<(&Comment, Vec<&Comment>)> {
        let mut roots: Vec<&Comment> = self
            .comments
            .values()
            .filter(|c| c.on == target && c.parent.is_none())
            .collect();
        roots.sort_by_key(|c| (c.created_at, c.id));
        roots
            .into_iter()
            .map(|root| {
                let mut replies: Vec<&Comment> = self
                    .comments
                    .values()
                    .filter(|c| c.is_reply_to(root.id))
                    .collect();
                replies.sort_by_key(|c| (c.created_at, c.id));
                (root, replies)
            })
            .collect()
    }

    /// Whether a comment's subject is still on the board (comments on
    /// deleted cards are kept for undo but not shown).
    pub fn target_exists(&self, target: CommentTarget) -> bool {
        match target {
            CommentTarget::Card(id) => self.cards.contains_key(&id),
            CommentTarget::Stage(id) => self.stages.contains_key(&id),
            CommentTarget::Emotion {
                persona_id,
                stage_id,
                ..
            } => self.personas.contains_key(&persona_id) && self.stages.contains_key(&stage_id),
        }
    }

    /// Comments (first comments and replies) about `target`.
    pub fn comment_count(&self, target: CommentTarget) -> usize {
        self.comments.values().filter(|c| c.on == target).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_tagged_objects() {
        let id = CardId::new();
        let json = serde_json::to_value(CommentTarget::Card(id)).unwrap();
        assert_eq!(json, serde_json::json!({ "card": id.to_string() }));
        let t: CommentTarget = serde_json::from_value(serde_json::json!({
            "emotion": { "persona_id": PersonaId::new(), "stage_id": StageId::new() }
        }))
        .unwrap();
        assert!(matches!(
            t,
            CommentTarget::Emotion {
                curve: Curve::AsIs,
                ..
            }
        ));
    }

    #[test]
    fn toggling_a_reaction_twice_leaves_nothing() {
        let mut r = Reactions::new();
        let me = Uuid::now_v7();
        assert!(toggle(&mut r, "👍", me, true));
        assert!(!toggle(&mut r, "👍", me, true));
        assert!(toggle(&mut r, "👍", me, false));
        assert!(r.is_empty());
        assert!(!toggle(&mut r, "👍", me, false));
    }
}
