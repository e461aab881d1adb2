//! How much room an entity takes: the bytes of its texts (UTF-8), plus a
//! fixed amount per entity and per list item for what is not text (ids,
//! numbers, enums). It is close to the size of the entity's JSON without
//! the field names, cheap to compute (string lengths, no serialisation),
//! and the same on every replica. It is what `MAX_ENTITY_BYTES` and
//! `MAX_BOARD_BYTES` bound.
//!
//! Every entity is destructured field by field, so that a new field cannot
//! be forgotten here: the code stops compiling until it is counted.

use crate::comments::{Comment, CommentTarget, Reactions};
use crate::model::{Board, Card, Evidence, Lane, Opportunity, Persona, Stage};
use crate::workshop::Vote;

/// Ids, order, colour, kind, timestamps of a stage, lane, card or persona.
pub const ENTITY_BYTES: usize = 64;
/// One evidence item, metric, opportunity or address beyond its texts.
pub const ITEM_BYTES: usize = 16;
/// One emotion point (two ids, a curve, a score; no text).
pub const EMOTION_BYTES: usize = 40;

fn opt(s: &Option<String>) -> usize {
    s.as_ref().map_or(0, String::len)
}

impl Stage {
    pub fn approx_bytes(&self) -> usize {
        let Stage {
            id: _,
            name,
            description,
            order,
            metrics,
        } = self;
        let metrics: usize = metrics
            .iter()
            .map(|m| {
                let crate::model::StageMetric {
                    name,
                    value: _,
                    unit,
                    target: _,
                    higher_is_better: _,
                } = m;
                ITEM_BYTES + name.len() + unit.len()
            })
            .sum();
        ENTITY_BYTES + name.len() + description.len() + order.as_str().len() + metrics
    }
}

impl Lane {
    pub fn approx_bytes(&self) -> usize {
        let Lane {
            id: _,
            name,
            kind: _,
            order,
        } = self;
        ENTITY_BYTES + name.len() + order.as_str().len()
    }
}

impl Evidence {
    pub fn approx_bytes(&self) -> usize {
        let Evidence {
            source: _,
            quote,
            link,
            date,
        } = self;
        ITEM_BYTES + quote.len() + opt(link) + opt(date)
    }
}

impl Opportunity {
    pub fn approx_bytes(&self) -> usize {
        let Opportunity {
            impact: _,
            effort: _,
            owner,
            status: _,
            addresses,
        } = self;
        ITEM_BYTES + owner.len() + addresses.len() * ITEM_BYTES
    }
}

impl Card {
    pub fn approx_bytes(&self) -> usize {
        let Card {
            id: _,
            stage_id: _,
            lane_id: _,
            order,
            text,
            color: _,
            persona_id: _,
            channel: _,
            evidence,
            opportunity,
            updated_at: _,
        } = self;
        ENTITY_BYTES
            + order.as_str().len()
            + text.len()
            + evidence.iter().map(Evidence::approx_bytes).sum::<usize>()
            + opportunity.as_ref().map_or(0, Opportunity::approx_bytes)
    }
}

impl Persona {
    pub fn approx_bytes(&self) -> usize {
        let Persona {
            id: _,
            name,
            order,
            color: _,
            avatar_url,
            age: _,
            role,
            quote,
            goals,
            needs,
            pains,
            fears,
            expectations,
            about,
        } = self;
        ENTITY_BYTES
            + order.as_str().len()
            + opt(avatar_url)
            + [
                name,
                role,
                quote,
                goals,
                needs,
                pains,
                fears,
                expectations,
                about,
            ]
            .iter()
            .map(|s| s.len())
            .sum::<usize>()
    }
}

/// One reaction: the emoji and one person, or one more person.
pub fn reactions_bytes(r: &Reactions) -> usize {
    r.iter()
        .map(|(emoji, who)| ITEM_BYTES + emoji.len() + who.len() * ITEM_BYTES)
        .sum()
}

impl Comment {
    pub fn approx_bytes(&self) -> usize {
        let Comment {
            id: _,
            on,
            parent: _,
            author: _,
            author_name,
            text,
            mentions,
            created_at: _,
            edited_at: _,
            resolved: _,
            reactions,
        } = self;
        let target = match on {
            CommentTarget::Card(_) | CommentTarget::Stage(_) => 0,
            CommentTarget::Emotion { .. } => ITEM_BYTES,
        };
        ENTITY_BYTES
            + target
            + author_name.len()
            + text.len()
            + mentions.len() * ITEM_BYTES
            + reactions_bytes(reactions)
    }
}

impl Vote {
    pub fn approx_bytes(&self) -> usize {
        let Vote {
            id: _,
            lanes,
            stages,
            dots_per_person: _,
            several_per_card: _,
            ends_at: _,
            anonymous: _,
            started_at: _,
            results,
        } = self;
        ENTITY_BYTES
            + (lanes.len() + stages.len()) * ITEM_BYTES
            + results.as_ref().map_or(0, |r| {
                r.dots.len() * ITEM_BYTES
                    + r.names
                        .values()
                        .flatten()
                        .map(|n| n.len() + ITEM_BYTES)
                        .sum::<usize>()
            })
    }
}

impl Board {
    /// The board's size as `MAX_BOARD_BYTES` counts it: the cached figure
    /// when `apply` or `recount` has computed it, else counted now (O(board)).
    pub fn approx_bytes(&self) -> usize {
        self.bytes.0.unwrap_or_else(|| self.count_bytes())
    }

    /// Counts the board's size afresh and caches it. `apply` keeps the
    /// figure up to date; code that changes a board's fields directly after
    /// it went through `apply` calls this (boards loaded or deserialised
    /// need not: they start without a figure).
    pub fn recount(&mut self) -> usize {
        let n = self.count_bytes();
        self.bytes.0 = Some(n);
        n
    }

    pub(crate) fn count_bytes(&self) -> usize {
        let Board {
            id: _,
            title,
            personas,
            stages,
            lanes,
            cards,
            emotions,
            comments,
            card_reactions,
            quiet: _,
            timer,
            vote,
            card_votes,
            bytes: _,
        } = self;
        ENTITY_BYTES
            + title.len()
            + personas.values().map(Persona::approx_bytes).sum::<usize>()
            + stages.values().map(Stage::approx_bytes).sum::<usize>()
            + lanes.values().map(Lane::approx_bytes).sum::<usize>()
            + cards.values().map(Card::approx_bytes).sum::<usize>()
            + emotions.len() * EMOTION_BYTES
            + comments.values().map(Comment::approx_bytes).sum::<usize>()
            + card_reactions.values().map(reactions_bytes).sum::<usize>()
            + timer.map_or(0, |_| ITEM_BYTES)
            + vote.as_ref().map_or(0, |v| v.approx_bytes())
            + card_votes.len() * ITEM_BYTES
    }
}
