//! The activity feed: each batch of the op log told as one readable line
//! ("Olga moved 3 cards to Purchase; set 2 emotion scores"), in English or
//! Russian, with the structured counts beside it for clients that word it
//! their own way.

use std::collections::{BTreeMap, BTreeSet};

use cjm_core::{Board, CardId, CommentTarget, Op, StageId};

use crate::Lang;

/// What a batch did (`What`) and one kind of change in it (`Line`): the
/// API's activity types, so that the feed's JSON is the shared wire type.
pub use cjm_core::api::{ActivityLine as Line, ActivityWhat as What};

/// The lines of one batch, in a stable order.
pub fn summarize(ops: &[Op]) -> Vec<Line> {
    let mut counts: BTreeMap<What, (BTreeSet<String>, BTreeSet<StageId>)> = BTreeMap::new();
    let mut add = |what: What, key: String, stage: Option<StageId>| {
        let e = counts.entry(what).or_default();
        e.0.insert(key);
        if let Some(s) = stage {
            e.1.insert(s);
        }
    };
    for op in ops {
        match op {
            Op::SetBoardTitle { .. } => add(What::Title, String::new(), None),
            Op::CreateCard(c) => add(What::CardsAdded, c.id.0.to_string(), Some(c.stage_id)),
            Op::MoveCard { id, stage_id, .. } => {
                add(What::CardsMoved, id.0.to_string(), Some(*stage_id))
            }
            Op::UpdateCard { id, .. } => add(What::CardsEdited, id.0.to_string(), None),
            Op::DeleteCard { id } => add(What::CardsDeleted, id.0.to_string(), None),
            Op::CreateStage(s) => add(What::StagesAdded, s.id.0.to_string(), None),
            Op::UpdateStage { id, .. } | Op::MoveStage { id, .. } => {
                add(What::StagesEdited, id.0.to_string(), None)
            }
            Op::DeleteStage { id } => add(What::StagesDeleted, id.0.to_string(), None),
            Op::CreateLane(l) => add(What::LanesAdded, l.id.0.to_string(), None),
            Op::UpdateLane { id, .. } | Op::MoveLane { id, .. } => {
                add(What::LanesEdited, id.0.to_string(), None)
            }
            Op::DeleteLane { id } => add(What::LanesDeleted, id.0.to_string(), None),
            Op::CreatePersona(p) => add(What::PersonasAdded, p.id.0.to_string(), None),
            Op::UpdatePersona { id, .. } | Op::MovePersona { id, .. } => {
                add(What::PersonasEdited, id.0.to_string(), None)
            }
            Op::DeletePersona { id } => add(What::PersonasDeleted, id.0.to_string(), None),
            Op::SetEmotion {
                persona_id,
                stage_id,
                curve,
                ..
            } => add(
                What::Emotions,
                format!("{}{}{}", persona_id.0, stage_id.0, curve.as_str()),
                None,
            ),
            Op::AddComment(c) => add(What::Comments, c.id.0.to_string(), None),
            Op::EditComment { id, .. }
            | Op::DeleteComment { id }
            | Op::ResolveComment { id, .. } => add(What::Comments, id.0.to_string(), None),
            Op::React { .. } => add(What::Reactions, format!("{op:?}"), None),
            _ => add(What::Workshop, String::new(), None),
        }
    }
    // A card added and edited in one batch was added.
    let added: BTreeSet<String> = counts
        .get(&What::CardsAdded)
        .map(|e| e.0.clone())
        .unwrap_or_default();
    if let Some(e) = counts.get_mut(&What::CardsEdited) {
        e.0.retain(|id| !added.contains(id));
    }
    counts
        .into_iter()
        .filter(|(_, (keys, _))| !keys.is_empty())
        .map(|(what, (keys, stages))| Line {
            what,
            count: keys.len(),
            stage_id: (stages.len() == 1 && matches!(what, What::CardsAdded | What::CardsMoved))
                .then(|| *stages.iter().next().expect("one stage")),
        })
        .collect()
}

/// The stages a batch touched, as far as `board` (now) can tell: stages
/// changed, cards added, moved or changed there, scores and comments on it.
pub fn stages_touched(ops: &[Op], board: &Board) -> BTreeSet<StageId> {
    let card_stage = |id: &CardId| board.cards.get(id).map(|c| c.stage_id);
    ops.iter()
        .filter_map(|op| match op {
            Op::CreateStage(s) => Some(s.id),
            Op::UpdateStage { id, .. } | Op::MoveStage { id, .. } | Op::DeleteStage { id } => {
                Some(*id)
            }
            Op::CreateCard(c) => Some(c.stage_id),
            Op::MoveCard { stage_id, .. } => Some(*stage_id),
            Op::UpdateCard { id, .. } | Op::DeleteCard { id } => card_stage(id),
            Op::SetEmotion { stage_id, .. } => Some(*stage_id),
            Op::AddComment(c) => match &c.on {
                CommentTarget::Stage(s) => Some(*s),
                CommentTarget::Card(card) => card_stage(card),
                CommentTarget::Emotion { stage_id, .. } => Some(*stage_id),
            },
            _ => None,
        })
        .collect()
}

/// The batch as one sentence: "Olga moved 3 cards to Purchase; set 2
/// emotion scores" ("Ольга: переместил(а) 3 карточки в «Покупка»; …").
pub fn sentence(who: &str, lines: &[Line], board: &Board, lang: Lang) -> String {
    let stage = |l: &Line| {
        l.stage_id
            .and_then(|s| board.stages.get(&s))
            .map(|s| s.name.clone())
    };
    let parts: Vec<String> = lines
        .iter()
        .map(|l| {
            let n = l.count;
            let to = |en: &str, ru: &str| match (stage(l), lang) {
                (Some(s), Lang::En) => format!(" {en} {s}"),
                (Some(s), Lang::Ru) => format!(" {ru} «{s}»"),
                (None, _) => String::new(),
            };
            match lang {
                Lang::En => {
                    let things = |one: &str, many: &str| {
                        if n == 1 {
                            format!("1 {one}")
                        } else {
                            format!("{n} {many}")
                        }
                    };
                    match l.what {
                        What::Title => "renamed the board".to_string(),
                        What::CardsAdded => {
                            format!("added {}{}", things("card", "cards"), to("to", ""))
                        }
                        What::CardsMoved => {
                            format!("moved {}{}", things("card", "cards"), to("to", ""))
                        }
                        What::CardsEdited => format!("edited {}", things("card", "cards")),
                        What::CardsDeleted => format!("deleted {}", things("card", "cards")),
                        What::StagesAdded => format!("added {}", things("stage", "stages")),
                        What::StagesEdited => format!("changed {}", things("stage", "stages")),
                        What::StagesDeleted => format!("deleted {}", things("stage", "stages")),
                        What::LanesAdded => format!("added {}", things("lane", "lanes")),
                        What::LanesEdited => format!("changed {}", things("lane", "lanes")),
                        What::LanesDeleted => format!("deleted {}", things("lane", "lanes")),
                        What::PersonasAdded => format!("added {}", things("persona", "personas")),
                        What::PersonasEdited => {
                            format!("changed {}", things("persona", "personas"))
                        }
                        What::PersonasDeleted => {
                            format!("deleted {}", things("persona", "personas"))
                        }
                        What::Emotions => "edited the emotion curve".to_string(),
                        What::Comments => format!("commented ({})", things("comment", "comments")),
                        What::Reactions => "reacted".to_string(),
                        What::Workshop => {
                            "ran the workshop (timer, vote or quiet mode)".to_string()
                        }
                    }
                }
                Lang::Ru => {
                    let things = |forms: [&'static str; 3]| format!("{n} {}", plural(n, forms));
                    const CARDS: [&str; 3] = ["карточку", "карточки", "карточек"];
                    const STAGES: [&str; 3] = ["этап", "этапа", "этапов"];
                    const LANES: [&str; 3] = ["дорожку", "дорожки", "дорожек"];
                    const PERSONAS: [&str; 3] = ["персону", "персоны", "персон"];
                    match l.what {
                        What::Title => "переименовал(а) карту".to_string(),
                        What::CardsAdded => format!("добавил(а) {}{}", things(CARDS), to("", "в")),
                        What::CardsMoved => {
                            format!("переместил(а) {}{}", things(CARDS), to("", "в"))
                        }
                        What::CardsEdited => format!("изменил(а) {}", things(CARDS)),
                        What::CardsDeleted => format!("удалил(а) {}", things(CARDS)),
                        What::StagesAdded => format!("добавил(а) {}", things(STAGES)),
                        What::StagesEdited => format!("изменил(а) {}", things(STAGES)),
                        What::StagesDeleted => format!("удалил(а) {}", things(STAGES)),
                        What::LanesAdded => format!("добавил(а) {}", things(LANES)),
                        What::LanesEdited => format!("изменил(а) {}", things(LANES)),
                        What::LanesDeleted => format!("удалил(а) {}", things(LANES)),
                        What::PersonasAdded => format!("добавил(а) {}", things(PERSONAS)),
                        What::PersonasEdited => format!("изменил(а) {}", things(PERSONAS)),
                        What::PersonasDeleted => format!("удалил(а) {}", things(PERSONAS)),
                        What::Emotions => "изменил(а) кривую эмоций".to_string(),
                        What::Comments => {
                            format!(
                                "прокомментировал(а) ({})",
                                things(["комментарий", "комментария", "комментариев"])
                            )
                        }
                        What::Reactions => "отреагировал(а)".to_string(),
                        What::Workshop => {
                            "провёл(а) воркшоп (таймер, голосование или тихий режим)".to_string()
                        }
                    }
                }
            }
        })
        .collect();
    match lang {
        Lang::En => format!("{who} {}", parts.join("; ")),
        Lang::Ru => format!("{who}: {}", parts.join("; ")),
    }
}

/// The Russian form for `n`: 1 карточку, 2 карточки, 5 карточек, 21 карточку.
fn plural(n: usize, forms: [&'static str; 3]) -> &'static str {
    let (ten, hundred) = (n % 10, n % 100);
    if ten == 1 && hundred != 11 {
        forms[0]
    } else if (2..=4).contains(&ten) && !(12..=14).contains(&hundred) {
        forms[1]
    } else {
        forms[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals() {
        let f = ["карточку", "карточки", "карточек"];
        let got: Vec<&str> = [1, 2, 5, 11, 12, 21, 22, 25, 111]
            .iter()
            .map(|n| plural(*n, f))
            .collect();
        assert_eq!(
            got,
            [
                "карточку",
                "карточки",
                "карточек",
                "карточек",
                "карточек",
                "карточку",
                "карточки",
                "карточек",
                "карточек"
            ]
        );
    }
}
