//! Board templates, in every UI language. A template is just the first state
//! of a board; after creation nothing remembers it.
//!
//! Every text is a `(English, Russian)` pair, so both languages of a template
//! have the same shape by construction. Layout templates (stages, lanes and
//! a placeholder persona) are tables below; the finished example map lives in
//! `fridge.rs`.

mod fridge;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::ids::{BoardId, CardId, LaneId, PersonaId, StageId};
use crate::model::{Board, Card, Color, Curve, EmotionPoint, Lane, LaneKind, Persona, Stage};
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
    /// The seven layers of a CJM: persona, stages, touchpoints, actions,
    /// thoughts/emotions/pains, backstage, opportunities.
    SevenLayers,
    /// The call-centre method's stages and lanes.
    CallCentre,
    /// A finished example map: Igor, 45, buys a fridge.
    FridgeExample,
}

/// A template's id and display names, for `GET /api/templates` and the UI.
#[derive(Clone, Debug, Serialize)]
pub struct TemplateInfo {
    pub id: Template,
    pub name_en: &'static str,
    pub name_ru: &'static str,
}

pub const TEMPLATES: [TemplateInfo; 5] = [
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
    TemplateInfo {
        id: Template::SevenLayers,
        name_en: "Seven layers",
        name_ru: "Семь слоёв",
    },
    TemplateInfo {
        id: Template::CallCentre,
        name_en: "Call-centre CJM",
        name_ru: "CJM колл-центра",
    },
    TemplateInfo {
        id: Template::FridgeExample,
        name_en: "Igor, 45, buys a fridge",
        name_ru: "Игорь, 45, покупает холодильник",
    },
];

impl Template {
    pub const ALL: [Template; 5] = [
        Template::Blank,
        Template::Classic,
        Template::SevenLayers,
        Template::CallCentre,
        Template::FridgeExample,
    ];

    /// The id, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Template::Blank => "blank",
            Template::Classic => "classic",
            Template::SevenLayers => "seven_layers",
            Template::CallCentre => "call_centre",
            Template::FridgeExample => "fridge_example",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The display name in `locale` (a board made without a title takes it).
    pub fn name(self, locale: Locale) -> &'static str {
        let info = TEMPLATES
            .iter()
            .find(|t| t.id == self)
            .expect("every template is listed");
        match locale {
            Locale::En => info.name_en,
            Locale::Ru => info.name_ru,
        }
    }

    /// The first state of a board made from this template.
    pub fn build(self, id: BoardId, title: &str, locale: Locale) -> Board {
        let mut b = Builder::new(id, title, locale);
        match self {
            Template::Blank => b.layout(&BLANK),
            Template::Classic => b.layout(&CLASSIC),
            Template::SevenLayers => b.layout(&SEVEN_LAYERS),
            Template::CallCentre => b.layout(&CALL_CENTRE),
            Template::FridgeExample => fridge::build(&mut b),
        }
        b.board
    }
}

/// A text in both UI languages: (English, Russian).
type Tr = (&'static str, &'static str);

/// Stages, lanes and an optional placeholder persona.
struct Layout {
    stages: &'static [Tr],
    lanes: &'static [(Tr, LaneKind)],
    persona: Option<(Tr, Color)>,
}

const BLANK: Layout = Layout {
    stages: &[
        ("Stage 1", "Этап 1"),
        ("Stage 2", "Этап 2"),
        ("Stage 3", "Этап 3"),
    ],
    lanes: &[(("Notes", "Заметки"), LaneKind::Notes)],
    persona: None,
};

const CLASSIC: Layout = Layout {
    stages: &[
        ("Awareness", "Осведомлённость"),
        ("Consideration", "Рассмотрение"),
        ("Decision", "Решение"),
        ("Purchase", "Покупка"),
        ("Usage", "Использование"),
        ("Loyalty", "Лояльность"),
    ],
    lanes: &[
        (("Actions", "Действия"), LaneKind::Actions),
        (("Thoughts", "Мысли"), LaneKind::Thoughts),
        (("Touchpoints", "Точки контакта"), LaneKind::Touchpoints),
        (("Emotions", "Эмоции"), LaneKind::Emotions),
        (("Pains", "Боли"), LaneKind::Pains),
        (("Opportunities", "Возможности"), LaneKind::Opportunities),
    ],
    persona: None,
};

const SEVEN_LAYERS: Layout = Layout {
    stages: &[
        ("Awareness", "Осведомлённость"),
        ("Consideration", "Рассмотрение"),
        ("Purchase", "Покупка"),
        ("Onboarding / Usage", "Онбординг / использование"),
        ("Loyalty", "Лояльность"),
        ("Advocacy", "Рекомендации"),
    ],
    lanes: &[
        (
            ("Channels & touchpoints", "Каналы и точки контакта"),
            LaneKind::Touchpoints,
        ),
        (("Customer actions", "Действия клиента"), LaneKind::Actions),
        (("Thoughts", "Мысли"), LaneKind::Thoughts),
        (("Emotions", "Эмоции"), LaneKind::Emotions),
        (("Pains", "Боли"), LaneKind::Pains),
        (("Backstage", "Внутренние процессы"), LaneKind::Backstage),
        (("Opportunities", "Возможности"), LaneKind::Opportunities),
    ],
    persona: Some((("Customer", "Клиент"), Color::Blue)),
};

const CALL_CENTRE: Layout = Layout {
    stages: &[
        ("Need awareness", "Осознание потребности"),
        ("Research", "Поиск информации"),
        ("Comparing alternatives", "Сравнение альтернатив"),
        ("Decision", "Принятие решения"),
        ("Purchase", "Покупка"),
        ("Usage", "Использование"),
        ("Repeat purchase", "Повторная покупка"),
    ],
    lanes: &[
        (("Thoughts", "Мысли"), LaneKind::Thoughts),
        (("Goals", "Цели"), LaneKind::Goals),
        (("Actions", "Действия"), LaneKind::Actions),
        (("Emotions", "Эмоции"), LaneKind::Emotions),
        (("Barriers", "Барьеры"), LaneKind::Pains),
        (("Touchpoints", "Точки контакта"), LaneKind::Touchpoints),
        (("Questions", "Вопросы"), LaneKind::Questions),
        (("Triggers", "Триггеры"), LaneKind::Triggers),
    ],
    persona: Some((("Caller", "Клиент"), Color::Purple)),
};

/// Assembles a board in one locale. Stages, lanes and personas are numbered
/// in creation order; each list, and each cell's cards, gets the keys of
/// `OrderKey::sequence` in turn.
struct Builder {
    board: Board,
    locale: Locale,
    keys: Vec<OrderKey>,
    stages: Vec<StageId>,
    lanes: Vec<(LaneId, LaneKind)>,
    personas: Vec<PersonaId>,
    cells: HashMap<(StageId, LaneId), usize>,
}

impl Builder {
    fn new(id: BoardId, title: &str, locale: Locale) -> Self {
        Self {
            board: Board::new(id, title),
            locale,
            keys: OrderKey::sequence(8),
            stages: Vec::new(),
            lanes: Vec::new(),
            personas: Vec::new(),
            cells: HashMap::new(),
        }
    }

    fn t(&self, (en, ru): Tr) -> String {
        match self.locale {
            Locale::En => en,
            Locale::Ru => ru,
        }
        .to_owned()
    }

    /// The `n`-th key of `OrderKey::sequence`.
    fn key(&mut self, n: usize) -> OrderKey {
        while self.keys.len() <= n {
            let next = OrderKey::between(self.keys.last(), None);
            self.keys.push(next);
        }
        self.keys[n].clone()
    }

    fn layout(&mut self, layout: &Layout) {
        for &name in layout.stages {
            self.stage(name);
        }
        for &(name, kind) in layout.lanes {
            self.lane(name, kind);
        }
        if let Some((name, color)) = layout.persona {
            let name = self.t(name);
            self.persona(name, color);
        }
    }

    /// Appends a stage and returns it for the caller to fill in.
    fn stage(&mut self, name: Tr) -> &mut Stage {
        let id = StageId::new();
        let order = self.key(self.stages.len());
        self.stages.push(id);
        let stage = Stage {
            id,
            name: self.t(name),
            description: String::new(),
            order,
            metrics: Vec::new(),
        };
        self.board.stages.entry(id).or_insert(stage)
    }

    fn lane(&mut self, name: Tr, kind: LaneKind) {
        let id = LaneId::new();
        let order = self.key(self.lanes.len());
        self.lanes.push((id, kind));
        let name = self.t(name);
        self.board.lanes.insert(
            id,
            Lane {
                id,
                name,
                kind,
                order,
            },
        );
    }

    /// Appends a persona with only a name and a colour; returns it for the
    /// caller to fill in.
    fn persona(&mut self, name: String, color: Color) -> &mut Persona {
        let order = self.key(self.personas.len());
        let persona = Persona::new(name, order, color);
        let id = persona.id;
        self.personas.push(id);
        self.board.personas.entry(id).or_insert(persona)
    }

    /// Appends a card at the bottom of the cell of the `stage`-th stage and
    /// `lane`-th lane, in the lane's default colour; returns it for the
    /// caller to fill in.
    fn card(&mut self, stage: usize, lane: usize, text: Tr) -> &mut Card {
        let stage = self.stages[stage];
        let (lane, kind) = self.lanes[lane];
        let n = self.cells.entry((stage, lane)).or_insert(0);
        let order_n = *n;
        *n += 1;
        let order = self.key(order_n);
        let card = Card::new(stage, lane, order, self.t(text), kind.default_color());
        let id: CardId = card.id;
        self.board.cards.entry(id).or_insert(card)
    }

    fn emotion(&mut self, persona: usize, stage: usize, curve: Curve, score: i8) {
        let (persona_id, stage_id) = (self.personas[persona], self.stages[stage]);
        match self.board.emotion_index(persona_id, stage_id, curve) {
            Ok(i) => self.board.emotions[i].score = score,
            Err(i) => self.board.emotions.insert(
                i,
                EmotionPoint {
                    persona_id,
                    stage_id,
                    curve,
                    score,
                },
            ),
        }
    }
}
