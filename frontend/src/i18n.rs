//! UI strings in English and Russian: one table, one switcher, the choice
//! remembered in localStorage.

use leptos::prelude::*;

use crate::browser;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The saved choice, else the browser's language.
    pub fn initial() -> Self {
        let saved = browser::storage_get("cjm.lang");
        let guess = saved
            .or_else(|| window().navigator().language())
            .unwrap_or_default();
        if guess.starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }
}

macro_rules! strings {
    ($($key:ident => $en:literal, $ru:literal;)*) => {
        /// Every UI string, by key.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum T { $($key),* }

        pub fn text(lang: Lang, key: T) -> &'static str {
            match (key, lang) {
                $((T::$key, Lang::En) => $en, (T::$key, Lang::Ru) => $ru,)*
            }
        }
    };
}

strings! {
    AppName => "CJM Board", "CJM Board";
    Tagline => "Customer journey maps, together, live.", "Карты пути клиента — вместе и в реальном времени.";
    AllBoards => "All boards", "Все карты";
    NewBoard => "New board", "Новая карта";
    Title => "Title", "Название";
    Template => "Template", "Шаблон";
    Create => "Create", "Создать";
    TplBlank => "Blank", "Пустая карта";
    TplClassic => "Classic journey", "Классический путь";
    NoBoards => "No boards yet. Create the first one above.", "Карт пока нет. Создайте первую выше.";
    Stages => "stages", "этапов";
    Cards => "cards", "карточек";
    Updated => "updated", "изменена";
    Delete => "Delete", "Удалить";
    ConfirmDeleteBoard => "Delete this board for everyone?", "Удалить эту карту для всех?";
    Loading => "Loading…", "Загрузка…";
    Online => "Saved", "Сохранено";
    Syncing => "Saving…", "Сохранение…";
    Connecting => "Connecting…", "Подключение…";
    Reconnecting => "Reconnecting…", "Переподключение…";
    Offline => "Offline", "Нет сети";
    Unsynced => "unsynced", "не отправлено";
    AddCard => "Add a card", "Добавить карточку";
    AddStage => "Add stage", "Добавить этап";
    AddLane => "Add lane", "Добавить дорожку";
    NewStage => "New stage", "Новый этап";
    NewLane => "New lane", "Новая дорожка";
    Rename => "Rename", "Переименовать";
    MoveLeft => "Move left", "Левее";
    MoveRight => "Move right", "Правее";
    MoveUp => "Move up", "Выше";
    MoveDown => "Move down", "Ниже";
    ConfirmDeleteStage => "Delete this stage and all its cards?", "Удалить этап со всеми карточками?";
    ConfirmDeleteLane => "Delete this lane and all its cards?", "Удалить дорожку со всеми карточками?";
    Color => "Colour", "Цвет";
    Edit => "Edit", "Редактировать";
    CardPlaceholder => "Type, Enter to save, Esc to cancel", "Текст; Enter — сохранить, Esc — отмена";
    BoardNotFound => "This board does not exist or was deleted.", "Такой карты нет или она удалена.";
    BackToBoards => "Back to boards", "К списку карт";
    Language => "Language", "Язык";
    Close => "Close", "Закрыть";
    Menu => "Menu", "Меню";
    Guest => "Guest", "Гость";
    IsEditing => "is editing", "редактирует";
    OnBoard => "On this board", "На карте";
    Refused => "Change not saved", "Изменение не сохранено";
    TooLong => "The text is too long (at most 5000 characters).", "Слишком длинный текст (не больше 5000 символов).";
    DeletedBySomeone => "It was deleted by someone else.", "Это уже удалил кто-то другой.";
    BoardDeleted => "This board was deleted.", "Эта карта удалена.";
}

/// The current language, shared through context.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

impl I18n {
    pub fn t(self, key: T) -> &'static str {
        text(self.0.get(), key)
    }

    pub fn set(self, lang: Lang) {
        browser::storage_set("cjm.lang", lang.code());
        browser::set_document_lang(lang.code());
        self.0.set(lang);
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// EN | RU switcher.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let button = move |lang: Lang, label: &'static str| {
        view! {
            <button
                class="lang"
                class:active=move || i18n.0.get() == lang
                aria-pressed=move || (i18n.0.get() == lang).to_string()
                data-testid=format!("lang-{}", lang.code())
                on:click=move |_| i18n.set(lang)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="lang-switch" role="group" aria-label=move || i18n.t(T::Language)>
            {button(Lang::En, "EN")}
            {button(Lang::Ru, "RU")}
        </div>
    }
}
