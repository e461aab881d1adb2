//! Board templates, in every UI language. A template is just the first state
//! of a board; after creation nothing remembers it.

use serde::{Deserialize, Serialize};

use crate::ids::{BoardId, LaneId, StageId};
use crate::model::{Board, Lane, LaneKind, Stage};
use crate::order::OrderKey;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    En,
    Ru,
}

impl Locale {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "en" => Some(Locale::En),
            "ru" => Some(Locale::Ru),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    Blank,
    Classic,
}

/// A template's id and display names, for `GET /api/templates` and the UI.
#[derive(Clone, Debug, Serialize)]
pub struct TemplateInfo {
    pub id: Template,
    pub name_en: &'static str,
    pub name_ru: &'static str,
}

pub const TEMPLATES: [TemplateInfo; 2] = [
    TemplateInfo {
        id: Template::Blank,
        name_en: "Blank",
        name_ru: "Пустая карта",
    },
    TemplateInfo {
        id: Template::Classic,
        name_en: "Classic journey",
        name_ru: "Классический путь",
    },
];

impl Template {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "blank" => Some(Template::Blank),
            "classic" => Some(Template::Classic),
            _ => None,
        }
    }

    /// The first state of a board made from this template.
    pub fn build(self, id: BoardId, title: &str, locale: Locale) -> Board {
        let ru = locale == Locale::Ru;
        let (stages, lanes): (Vec<&str>, Vec<(&str, LaneKind)>) = match (self, ru) {
            (Template::Blank, false) => (
                vec!["Stage 1", "Stage 2", "Stage 3"],
                vec![("Notes", LaneKind::Notes)],
            ),
            (Template::Blank, true) => (
                vec!["Этап 1", "Этап 2", "Этап 3"],
                vec![("Заметки", LaneKind::Notes)],
            ),
            (Template::Classic, false) => (
                vec![
                    "Awareness",
                    "Consideration",
                    "Decision",
                    "Purchase",
                    "Usage",
                    "Loyalty",
                ],
                vec![
                    ("Actions", LaneKind::Actions),
                    ("Thoughts", LaneKind::Thoughts),
                    ("Touchpoints", LaneKind::Touchpoints),
                    ("Emotions", LaneKind::Emotions),
                    ("Pains", LaneKind::Pains),
                    ("Opportunities", LaneKind::Opportunities),
                ],
            ),
            (Template::Classic, true) => (
                vec![
                    "Осведомлённость",
                    "Рассмотрение",
                    "Решение",
                    "Покупка",
                    "Использование",
                    "Лояльность",
                ],
                vec![
                    ("Действия", LaneKind::Actions),
                    ("Мысли", LaneKind::Thoughts),
                    ("Точки контакта", LaneKind::Touchpoints),
                    ("Эмоции", LaneKind::Emotions),
                    ("Боли", LaneKind::Pains),
                    ("Возможности", LaneKind::Opportunities),
                ],
            ),
        };
        let mut board = Board::new(id, title);
        for (name, order) in stages.into_iter().zip(OrderKey::sequence(6)) {
            let id = StageId::new();
            board.stages.insert(
                id,
                Stage {
                    id,
                    name: name.into(),
                    description: String::new(),
                    order,
                },
            );
        }
        for ((name, kind), order) in lanes.into_iter().zip(OrderKey::sequence(6)) {
            let id = LaneId::new();
            board.lanes.insert(
                id,
                Lane {
                    id,
                    name: name.into(),
                    kind,
                    order,
                },
            );
        }
        board
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_has_six_stages_in_order_in_both_languages() {
        let en = Template::Classic.build(BoardId::new(), "t", Locale::En);
        let names: Vec<_> = en
            .stages_in_order()
            .iter()
            .map(|s| s.name.clone())
            .collect();
        assert_eq!(
            names,
            [
                "Awareness",
                "Consideration",
                "Decision",
                "Purchase",
                "Usage",
                "Loyalty"
            ]
        );
        let ru = Template::Classic.build(BoardId::new(), "t", Locale::Ru);
        assert_eq!(ru.stages_in_order()[0].name, "Осведомлённость");
        assert_eq!(ru.lanes_in_order().len(), 6);
        assert_eq!(ru.lanes_in_order()[3].kind, LaneKind::Emotions);
    }
}
