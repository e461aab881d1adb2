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
    NotLoaded => "This part of the app could not be loaded. Check the connection and try again.", "Эту часть приложения не удалось загрузить. Проверьте соединение и попробуйте ещё раз.";
    TryAgain => "Try again", "Повторить";
    Tagline => "Customer journey maps, together, live.", "Карты пути клиента — вместе и в реальном времени.";
    AllBoards => "All boards", "Все карты";
    NewBoard => "New board", "Новая карта";
    Title => "Title", "Название";
    Template => "Template", "Шаблон";
    Create => "Create", "Создать";
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
    MorePeople => "more on this board", "ещё на карте";
    Refused => "Change not saved", "Изменение не сохранено";
    TooLong => "The text is too long (at most 5000 characters).", "Слишком длинный текст (не больше 5000 символов).";
    DeletedBySomeone => "It was deleted by someone else.", "Это уже удалил кто-то другой.";
    BoardDeleted => "This board was deleted.", "Эта карта удалена.";
    // Lane kinds
    KindNotes => "Notes", "Заметки";
    KindActions => "Actions", "Действия";
    KindThoughts => "Thoughts", "Мысли";
    KindQuestions => "Questions", "Вопросы";
    KindGoals => "Goals", "Цели";
    KindTriggers => "Triggers", "Триггеры";
    KindPains => "Pains / barriers", "Боли / барьеры";
    KindBackstage => "Backstage", "Бэкстейдж";
    KindIdeas => "Ideas", "Идеи";
    KindTouchpoints => "Touchpoints", "Точки контакта";
    KindEmotions => "Emotions", "Эмоции";
    KindOpportunities => "Opportunities", "Возможности";
    LaneKind => "Lane kind", "Тип дорожки";
    ChooseLaneKind => "What will this lane hold?", "Что будет в этой дорожке?";
    Collapse => "Collapse", "Свернуть";
    Expand => "Expand", "Развернуть";
    // Channels
    ChWebsite => "Website", "Сайт";
    ChEmail => "Email", "Эл. почта";
    ChPhone => "Phone / call centre", "Телефон / колл-центр";
    ChChat => "Chat / bot", "Чат / бот";
    ChMessenger => "Messenger", "Мессенджер";
    ChSocial => "Social media", "Соцсети";
    ChAds => "Ads", "Реклама";
    ChStore => "Store / offline", "Магазин / офлайн";
    ChMobileApp => "Mobile app", "Мобильное приложение";
    ChDelivery => "Delivery", "Доставка";
    ChOther => "Other", "Другое";
    Channel => "Channel", "Канал";
    NoChannel => "No channel", "Без канала";
    // Evidence
    SrcInterview => "Interview", "Интервью";
    SrcCallTranscript => "Call transcript", "Запись звонка";
    SrcSurvey => "Survey", "Опрос";
    SrcAnalytics => "Analytics", "Аналитика";
    SrcSupportTicket => "Support ticket", "Обращение в поддержку";
    SrcReview => "Review", "Отзыв";
    SrcOther => "Other source", "Другой источник";
    Evidence => "Evidence", "Подтверждения";
    AddEvidence => "Add evidence", "Добавить подтверждение";
    Source => "Source", "Источник";
    QuoteOrNote => "Quote or note", "Цитата или заметка";
    Link => "Link", "Ссылка";
    Date => "Date", "Дата";
    Remove => "Remove", "Убрать";
    Hypothesis => "Hypothesis", "Гипотеза";
    HypothesisHint => "No evidence yet: this card is a hypothesis.", "Подтверждений нет: эта карточка — гипотеза.";
    // Opportunities
    Opportunity => "Opportunity", "Возможность";
    MakeOpportunity => "Track as an opportunity", "Вести как возможность";
    Impact => "Impact", "Влияние";
    Effort => "Effort", "Трудозатраты";
    Priority => "Priority", "Приоритет";
    Owner => "Owner", "Ответственный";
    OwnerPlaceholder => "Name of the owner", "Имя ответственного";
    Status => "Status", "Статус";
    StIdea => "Idea", "Идея";
    StPlanned => "Planned", "Запланировано";
    StInProgress => "In progress", "В работе";
    StDone => "Done", "Сделано";
    Addresses => "Pains it addresses", "Какие боли решает";
    NoPains => "No pain cards on this map yet.", "На карте пока нет карточек-болей.";
    NoOwner => "no owner", "нет ответственного";
    // Card details
    Details => "Details", "Подробнее";
    CardDetails => "Card", "Карточка";
    Text => "Text", "Текст";
    Persona => "Persona", "Персона";
    NoPersona => "Everyone", "Все персоны";
    // Personas
    Personas => "Personas", "Персоны";
    AddPersona => "Add persona", "Добавить персону";
    NewPersona => "New persona", "Новая персона";
    Name => "Name", "Имя";
    Age => "Age", "Возраст";
    RoleOccupation => "Role / occupation", "Роль / занятие";
    Quote => "Quote", "Цитата";
    Goals => "Goals", "Цели";
    Needs => "Needs", "Потребности";
    PainsField => "Pains", "Боли";
    Fears => "Fears", "Страхи";
    Expectations => "Expectations", "Ожидания";
    About => "About", "О персоне";
    ConfirmDeletePersona => "Delete this persona? Its emotion curves go too; its cards stay.", "Удалить персону? Её кривые эмоций тоже удалятся, карточки останутся.";
    FilterPersona => "Show cards of", "Карточки персоны";
    AllPersonas => "All personas", "Все персоны";
    NoPersonasYet => "No personas yet. Whose journey is this?", "Персон пока нет. Чей это путь?";
    // Emotions
    AsIs => "As is", "Как есть";
    ToBe => "To be", "Как должно быть";
    EditingCurve => "Drawing", "Рисуем";
    EmotionHint => "Click or drag in a stage to set the score; Alt+click clears it.", "Щёлкните или потяните в этапе, чтобы задать оценку; Alt+щелчок — убрать.";
    AddPersonaForCurve => "Add a persona to draw their emotion curve.", "Добавьте персону, чтобы нарисовать её кривую эмоций.";
    Dip => "Dip", "Провал";
    // Stages
    StageDetails => "Stage details", "Об этапе";
    Description => "Description", "Описание";
    Metrics => "Metrics", "Метрики";
    AddMetric => "Add metric", "Добавить метрику";
    MetricName => "Metric", "Метрика";
    Value => "Value", "Значение";
    Unit => "Unit", "Ед.";
    Target => "Target", "Цель";
    HigherIsBetter => "Higher is better", "Чем больше, тем лучше";
    LowerIsBetter => "Lower is better", "Чем меньше, тем лучше";
    NumberExpected => "Enter a number, e.g. 4.1", "Введите число, например 4,1";
    // Health
    Health => "Map health", "Здоровье карты";
    EvidenceCoverage => "Evidence coverage", "Покрытие подтверждениями";
    Dips => "Emotion dips", "Провалы эмоций";
    PainsWithoutOpportunity => "Pains with no opportunity", "Боли без возможностей";
    OpportunitiesWithoutOwner => "Opportunities with no owner", "Возможности без ответственного";
    StaleCells => "Cells not touched for", "Ячейки без изменений дольше";
    Days => "days", "дн.";
    PerStage => "By stage", "По этапам";
    AllGood => "Nothing here.", "Всё в порядке.";
    Stage => "Stage", "Этап";
    UploadPhoto => "Upload photo", "Загрузить фото";
    Uploading => "Uploading…", "Загрузка…";
    RemovePhoto => "Remove photo", "Убрать фото";
    PhotoType => "Choose a PNG, JPEG, GIF or WebP image.", "Выберите изображение PNG, JPEG, GIF или WebP.";
    PhotoTooLarge => "The photo is larger than 1 MB.", "Фото больше 1 МБ.";
    SaveAsTemplate => "Save as template", "Сохранить как шаблон";
    TemplateName => "Template name", "Название шаблона";
    IncludeCards => "Include cards and curves", "С карточками и кривыми";
    Save => "Save", "Сохранить";
    TemplateSaved => "Saved as a template: it is offered when you create a board.", "Сохранено как шаблон: его можно выбрать при создании карты.";
    SavedTemplates => "Saved templates", "Сохранённые шаблоны";
    BuiltInTemplates => "Built-in", "Встроенные";
    BoardMenu => "Board menu", "Меню карты";
    SignIn => "Sign in", "Войти";
    SignOut => "Sign out", "Выйти";
    CreateAccount => "Create account", "Создать аккаунт";
    HaveAccount => "I already have an account", "У меня уже есть аккаунт";
    NoAccount => "No account yet? Create one", "Нет аккаунта? Создайте";
    Email => "Email", "Эл. почта";
    ViewOnly => "View only", "Только просмотр";
    ErrWrongLinkPassword => "Wrong link password.", "Неверный пароль ссылки.";
    ErrLinkInvalid => "This link does not work: it was revoked or has expired.", "Ссылка не работает: её отозвали или срок её действия истёк.";
    ErrNameRequired => "Enter your name so the others know who you are.", "Введите имя, чтобы остальные знали, кто вы.";
    ErrLastOwner => "A board needs an owner: make someone else owner first.", "У карты должен быть владелец: сначала назначьте владельцем кого-то другого.";
    ErrRateLimited => "Too many changes in a short time; try again in a moment.", "Слишком много изменений подряд; попробуйте чуть позже.";
    ViewOnlyRefused => "You can view this board but not change it.", "Эту карту можно смотреть, но не менять.";
    RefusedExists => "It is already there.", "Это уже есть на карте.";
    RefusedLimit => "The board has reached its size limit.", "Карта достигла предельного размера.";
    RefusedInvalid => "The change is not valid.", "Такое изменение недопустимо.";
    RefusedTooMuch => "Too much at once: make the change in smaller steps.", "Слишком много за раз: внесите изменение по частям.";
    RefusedRate => "Too many changes a second: try again in a moment.", "Слишком много изменений в секунду: повторите чуть позже.";
    RefusedStorage => "The server could not save it: try again.", "Сервер не смог сохранить: попробуйте ещё раз.";
    RefusedLink => "A link must start with http:// or https://.", "Ссылка должна начинаться с http:// или https://.";
    InvitationPending => "invited, has no account yet", "приглашение отправлено, аккаунта пока нет";
    InvitationCopy => "Copy invitation link", "Скопировать ссылку-приглашение";
    InvitationCopyHint => "Send this link yourself: signing up through it with this email joins the board.", "Отправьте ссылку сами: после регистрации по ней с этим адресом человек попадёт на карту.";
    Copied => "Copied", "Скопировано";
    InvitationCancel => "Take back the invitation", "Отозвать приглашение";
    InviteHint => "Someone without an account gets an invitation: they join when they sign up with this email.", "Если у человека нет аккаунта, он получит приглашение и попадёт на карту, когда зарегистрируется с этим адресом.";
    RescueDeletedTitle => "This card was deleted while you were writing", "Эту карточку удалили, пока вы писали";
    RescueDeletedText => "Someone else deleted it. Your text is kept: put the card back where it was, or let it go.", "Её удалил кто-то другой. Ваш текст сохранён: верните карточку на место или откажитесь от неё.";
    RescueRecreate => "Put the card back", "Вернуть карточку";
    RescueDiscard => "Discard my text", "Удалить мой текст";
    RescueConflictTitle => "Someone else changed this card while you were writing", "Пока вы писали, карточку изменил кто-то другой";
    RescueConflictText => "Nothing is lost: choose the text to keep, or combine the two.", "Ничего не потеряно: выберите, какой текст оставить, или объедините оба.";
    RescueTheirs => "Their text (saved)", "Их текст (сохранён)";
    RescueMine => "Your text", "Ваш текст";
    RescueKeepTheirs => "Keep theirs", "Оставить их текст";
    RescueUseMine => "Use mine", "Взять мой";
    RescueCombine => "Combine both", "Объединить";
    RefusedOther => "The server refused it.", "Сервер отклонил изменение.";
    AccessRevoked => "Your access to this board has ended: the link was revoked or expired, or you were removed.", "Доступ к этой карте закрыт: ссылку отозвали, срок её действия истёк или вас убрали из участников.";
    Share => "Share", "Доступ";
    Members => "Members", "Участники";
    Role => "Role", "Роль";
    RoleOwner => "Owner", "Владелец";
    RoleEditor => "Editor", "Редактор";
    RoleCommenter => "Commenter", "Комментатор";
    RoleViewer => "Viewer", "Наблюдатель";
    Invite => "Invite", "Пригласить";
    ShareLinks => "Share links", "Ссылки";
    ShareLinksHint => "Anyone with a link gets its role: a viewer sees the board live, an editor joins with just a name.", "Любой, у кого есть ссылка, получает её роль: наблюдатель видит карту вживую, редактор входит, просто назвав себя.";
    Expiry => "Expires", "Срок";
    NoExpiry => "No expiry", "Бессрочно";
    OneDay => "1 day", "1 день";
    SevenDays => "7 days", "7 дней";
    ThirtyDays => "30 days", "30 дней";
    OptionalPassword => "Password (optional)", "Пароль (необязательно)";
    CreateLink => "Create link", "Создать ссылку";
    Copy => "Copy", "Копировать";
    LinkShownOnce => "Copy it now: the link is shown only once.", "Скопируйте сейчас: ссылка показывается один раз.";
    LinkExpired => "expired", "истекла";
    Until => "until", "до";
    LastUsed => "last used", "использована";
    NeverUsed => "not used yet", "ещё не использована";
    WithPassword => "password", "с паролем";
    Created => "created", "создана";
    Revoke => "Revoke", "Отозвать";
    JoinTitle => "Join a journey map", "Вход на карту";
    JoinAsViewer => "You are invited to watch this map live.", "Вас пригласили смотреть эту карту вживую.";
    JoinAsEditor => "You are invited to work on this map.", "Вас пригласили работать над этой картой.";
    YourName => "Your name", "Ваше имя";
    LinkPassword => "Link password", "Пароль ссылки";
    Join => "Join", "Войти";
    ProtectedMap => "A password-protected map", "Карта, защищённая паролем";
    SignInToSeeBoards => "Sign in to create journey maps and see the ones shared with you.", "Войдите, чтобы создавать карты и видеть те, к которым вам дали доступ.";
    Password => "Password", "Пароль";
    PasswordRule => "At least 10 characters; not one of the common passwords.", "Не короче 10 символов и не из списка самых частых паролей.";
    ChangePassword => "Change password", "Сменить пароль";
    CurrentPassword => "Current password", "Текущий пароль";
    NewPassword => "New password", "Новый пароль";
    PasswordChanged => "Password changed. Other devices are signed out.", "Пароль изменён. На других устройствах выполнен выход.";
    DeleteAccountMenu => "Delete account…", "Удалить аккаунт…";
    DeleteAccountTitle => "Delete your account", "Удаление аккаунта";
    DeleteAccountExplain => "This cannot be undone. You are signed out everywhere; your account, your saved templates and your place on every board are deleted. Boards you own with someone else stay with them.", "Это нельзя отменить. Вы выйдете на всех устройствах; аккаунт, сохранённые шаблоны и ваше участие во всех картах будут удалены. Карты, которыми вы владеете вместе с кем-то, останутся у них.";
    DeleteAccountConfirm => "Delete account", "Удалить аккаунт";
    Cancel => "Cancel", "Отмена";
    WrongPassword => "Wrong password.", "Неверный пароль.";
    SoleOwnedIntro => "You are the only owner of these boards:", "Вы единственный владелец этих карт:";
    SoleOwnedHint => "Boards with no other member are deleted either way.", "Карты без других участников удаляются в любом случае.";
    OtherMembers => "other members", "других участников";
    NoOtherMembers => "no other member", "других участников нет";
    HandOverBoards => "Hand them over to another member", "Передать их другому участнику";
    DeleteBoardsToo => "Delete them", "Удалить их";
    ErrInvalidCredentials => "Wrong email or password.", "Неверная почта или пароль.";
    ErrTooManyAttempts => "Too many failed attempts; try again later.", "Слишком много неудачных попыток; попробуйте позже.";
    ErrEmailTaken => "An account with this email already exists.", "Аккаунт с такой почтой уже есть.";
    ErrWeakPassword => "Choose a stronger password: at least 10 characters, not a common one.", "Выберите пароль надёжнее: не короче 10 символов и не из самых частых.";
    ErrInvalidEmail => "Enter an email address like name@example.com.", "Введите адрес вида name@example.com.";
    ErrNotSignedIn => "Sign in first.", "Сначала войдите.";
    // Editing comfort
    Undo => "Undo", "Отменить";
    Redo => "Redo", "Повторить";
    Search => "Search the board", "Поиск по карте";
    NoMatches => "No matches", "Не найдено";
    Zoom => "Zoom", "Масштаб";
    ZoomIn => "Zoom in", "Крупнее";
    ZoomOut => "Zoom out", "Мельче";
    ZoomReset => "Actual size", "Исходный размер";
    Fit => "Fit", "Вместить";
    Selected => "selected", "выбрано";
    Duplicate => "Duplicate", "Дублировать";
    ClearSelection => "Clear selection", "Снять выделение";
    // Comments, reactions, mentions
    Comments => "Comments", "Комментарии";
    CommentPlaceholder => "Write a comment; @ to mention someone", "Напишите комментарий; @ — упомянуть участника";
    ReplyPlaceholder => "Reply…", "Ответить…";
    CommentSend => "Comment", "Отправить";
    Reply => "Reply", "Ответить";
    Edited => "edited", "изменено";
    Resolve => "Resolve", "Отметить решённым";
    Reopen => "Reopen", "Открыть снова";
    ResolvedTag => "Resolved", "Решено";
    FilterOpen => "Open", "Открытые";
    FilterResolved => "Resolved", "Решённые";
    FilterMentions => "Mentions me", "Упоминания меня";
    NoComments => "No comments yet.", "Комментариев пока нет.";
    NoThreads => "No threads here.", "Здесь обсуждений нет.";
    ConfirmDeleteComment => "Delete this comment? A thread's replies go with it.", "Удалить комментарий? Ответы в обсуждении удалятся вместе с ним.";
    You => "You", "Вы";
    JustNow => "just now", "только что";
    MinutesAgo => "min ago", "мин назад";
    HoursAgo => "h ago", "ч назад";
    NewComments => "New comments", "Новые комментарии";
    Reactions => "Reactions", "Реакции";
    RepliesLabel => "Replies", "Ответы";
    ShowThread => "Show the thread", "Показать обсуждение";
    HideThread => "Hide the thread", "Скрыть обсуждение";
    EmotionPoint => "Emotion", "Эмоция";
    CommentOnPoint => "Discuss this point", "Обсудить эту точку";
    Score => "Score", "Оценка";
    CtrlEnterHint => "Ctrl+Enter to send", "Ctrl+Enter — отправить";
    Inbox => "Mentions", "Упоминания";
    InboxEmpty => "Nobody has mentioned you yet.", "Вас пока никто не упоминал.";
    Unread => "unread", "непрочитанных";
    // Workshop: timer, dot voting, quiet brainstorming
    Timer => "Timer", "Таймер";
    StartTimer => "Start a timer", "Запустить таймер";
    Min => "min", "мин";
    Minutes => "Minutes", "Минуты";
    Start => "Start", "Запустить";
    Pause => "Pause", "Пауза";
    Resume => "Resume", "Продолжить";
    AddMinute => "Add a minute", "Добавить минуту";
    StopTimer => "Stop the timer", "Остановить таймер";
    TimesUp => "Time's up", "Время вышло";
    Chime => "Chime when time is up (this browser)", "Звуковой сигнал по окончании (в этом браузере)";
    Vote => "Vote", "Голосование";
    StartVote => "Start dot voting", "Начать голосование точками";
    DotVoting => "Dot voting", "Голосование точками";
    VoteLanes => "Lanes", "Дорожки";
    VoteStages => "Stages", "Этапы";
    VoteNeedsScope => "Pick at least one lane and one stage.", "Выберите хотя бы одну дорожку и один этап.";
    DotsPerPerson => "Dots per person", "Точек на человека";
    SeveralPerCard => "Several dots on one card", "Несколько точек на одну карточку";
    VoteEndsIn => "End in minutes", "Закончить через (мин)";
    Optional => "optional", "необязательно";
    Anonymous => "Anonymous", "Анонимно";
    DotsLeft => "Your dots left", "Осталось ваших точек";
    Voted => "Voted", "Проголосовали";
    DotsPlaced => "Dots", "Точек";
    EndsIn => "Ends in", "До конца";
    VoteHint => "Click a card to place a dot; click your dot to take it back.", "Нажмите на карточку, чтобы поставить точку; на свою точку — чтобы убрать её.";
    VoteClosed => "Voting is closed.", "Голосование закрыто.";
    NoDotsLeft => "You have no dots left.", "Точки закончились.";
    OnePerCard => "One dot per card in this vote.", "В этом голосовании — одна точка на карточку.";
    NotInVote => "This card is not part of the vote.", "Эта карточка не участвует в голосовании.";
    Reveal => "Reveal", "Показать итоги";
    Results => "Results", "Итоги";
    Ranking => "Ranking", "Рейтинг";
    NoDots => "Nobody placed a dot.", "Никто не поставил точку.";
    TopN => "Top", "Лучшие";
    ToOpportunities => "Turn into opportunities", "Превратить в возможности";
    OpportunitiesCreated => "Opportunity cards created.", "Карточки возможностей созданы.";
    FixPrefix => "Fix:", "Исправить:";
    KeepBadges => "Keep as badges", "Оставить значки";
    EndVote => "End", "Завершить";
    ClearVoteBadges => "Clear vote badges", "Убрать значки голосов";
    PlaceDot => "Place a dot", "Поставить точку";
    TakeDotBack => "Take a dot back", "Убрать точку";
    Dots => "Dots", "Точки";
    BringEveryone => "Bring everyone here", "Все ко мне";
    HideCursorsForAll => "Hide cursors for everyone", "Скрыть курсоры у всех";
    HideCursors => "Hide others' cursors", "Скрыть чужие курсоры";
    Following => "Following", "Вы следуете за:";
    StopFollowing => "Stop following", "Не следовать";
    IsLeading => "is leading", "ведёт встречу";
    Rejoin => "Rejoin", "Вернуться";
    Present => "Present", "Презентация";
    Previous => "Previous", "Назад";
    Next => "Next", "Далее";
    QuietBrainstorming => "Quiet brainstorming", "Тихий брейншторм";
    QuietHint => "Hypothesis marks and evidence are hidden while everyone writes.", "Отметки гипотез и доказательства скрыты, пока все пишут.";
    // Importing quotes from a spreadsheet ({n} and the like are filled in;
    // {s} is the English plural ending)
    ImportQuotes => "Import quotes…", "Импорт цитат…";
    ImportTitle => "Import quotes", "Импорт цитат";
    ImportExplain => "Choose a CSV or XLSX file whose first row names the columns. Columns named text, stage, lane, persona, source, quote, link, date (or текст, этап, дорожка, персона, источник, цитата, ссылка, дата) are matched by themselves; each row becomes a card with its quote as evidence.", "Выберите файл CSV или XLSX, в первой строке которого — названия столбцов. Столбцы с названиями текст, этап, дорожка, персона, источник, цитата, ссылка, дата (или text, stage, lane, persona, source, quote, link, date) сопоставятся сами; каждая строка станет карточкой с цитатой-подтверждением.";
    ImportChooseFile => "CSV or XLSX file", "Файл CSV или XLSX";
    ImportChecking => "Checking the file…", "Проверяем файл…";
    ImportColumns => "Which column holds what", "Какой столбец что содержит";
    ImportNoColumn => "— none —", "— нет —";
    FieldLane => "Lane", "Дорожка";
    FieldCard => "Existing card (id)", "Существующая карточка (id)";
    ImportSummary => "{rows} row{s}: {valid} ready, {invalid} with errors", "Строк: {rows}; готово к импорту: {valid}, с ошибками: {invalid}";
    ImportSummaryAllOk => "{rows} row{s}, all ready", "Строк: {rows}; все готовы к импорту";
    ImportFirstRows => "First rows", "Первые строки";
    ImportErrors => "Errors", "Ошибки";
    ImportErrorsTruncated => "Only the first errors are listed.", "Показаны только первые ошибки.";
    RowN => "Row {n}", "Строка {n}";
    ImportRows => "Import {n} row{s}", "Импортировать строк: {n}";
    ImportSkip => "Skip the {n} row{s} with errors", "Пропустить строки с ошибками ({n})";
    ImportSkipHint => "Tick it to import the other rows; or fix the file and choose it again.", "Отметьте, чтобы импортировать остальные строки, или исправьте файл и выберите его снова.";
    ImportedCards => "Imported {n} card{s}", "Импортировано карточек: {n}";
    ImportedEvidence => "{n} quote{s} added to existing cards", "цитат добавлено к карточкам: {n}";
    ImportUndone => "Import undone", "Импорт отменён";
    RecentImports => "Recent imports", "Недавние импорты";
    ImportRowsCards => "{rows} row{s} → {n} card{s2}", "строк: {rows} → карточек: {n}";
    UndoneTag => "undone", "отменён";
    ImportNoRecent => "No imports on this board yet.", "На эту карту ещё ничего не импортировали.";
    // Exporting a board, printing it, importing a full export
    ExportOpen => "Export…", "Экспорт…";
    ExportTitle => "Export", "Экспорт";
    ExportExplain => "The files are made from the board as saved, with headings in the language you use now.", "Файлы собираются из сохранённой карты, заголовки — на выбранном сейчас языке.";
    ExportPdf => "The map (PDF)", "Карта (PDF)";
    ExportPdfHint => "The whole map on one vector page, text searchable; for meetings and print", "Вся карта на одной векторной странице, текст ищется; для встреч и печати";
    ExportPng => "The map (PNG image)", "Карта (картинка PNG)";
    ExportPngHint => "A sharp image (2×) for slides and chats", "Чёткая картинка (2×) для слайдов и чатов";
    ExportSvg => "The map (SVG)", "Карта (SVG)";
    ExportSvgHint => "Vector drawing to edit in Figma, Illustrator or Inkscape", "Векторный рисунок для Figma, Illustrator или Inkscape";
    ExportXlsx => "Spreadsheet (XLSX)", "Таблица (XLSX)";
    ExportXlsxHint => "Cards, emotions, metrics, opportunities, personas", "Карточки, эмоции, метрики, возможности, персоны";
    ExportCsv => "Cards (CSV)", "Карточки (CSV)";
    ExportCsvHint => "One row per card with its stage, lane and evidence; imports back as quotes", "Строка на карточку: этап, дорожка, подтверждения; импортируется обратно как цитаты";
    ExportTasks => "Opportunities as tasks (CSV)", "Возможности как задачи (CSV)";
    ExportTasksHint => "For Trello, Jira, Notion", "Для Trello, Jira, Notion";
    ExportReportPage => "Manager's report (web page)", "Отчёт для руководителя (веб-страница)";
    ExportReportPageHint => "Opens in a new tab, with the emotion curves drawn; print it or save it as PDF", "Открывается в новой вкладке, с кривыми эмоций; можно распечатать или сохранить в PDF";
    ExportReport => "Manager's report (Markdown)", "Отчёт для руководителя (Markdown)";
    ExportReportHint => "Personas, stages and metrics, emotion dips, top pains, opportunities, map health", "Персоны, этапы и метрики, провалы эмоций, главные боли, возможности, здоровье карты";
    ExportSince => "Changes since", "Изменения с";
    ExportSelection => "Selected cards only", "Только выбранные карточки";
    ExportJson => "Full backup (JSON)", "Полная копия (JSON)";
    ExportJsonHint => "Imports back into an identical board", "Импортируется обратно в такую же карту";
    Print => "Print…", "Печать…";
    PrintHint => "The map alone, without the app, on landscape pages", "Только карта, без интерфейса, на альбомных листах";
    ImportBoard => "Import a board…", "Импортировать карту…";
    ImportBoardHint => "From the JSON file of a full backup (Export… in a board's menu)", "Из файла JSON полной копии (Экспорт… в меню карты)";
    ImportingBoard => "Importing the board…", "Импортируем карту…";
    ErrMalformedExport => "This file is not a CJM Board export: choose the .json file of a full backup (Export… → Full backup).", "Этот файл — не экспорт CJM Board: выберите файл .json полной копии (Экспорт… → Полная копия).";
    ErrUnsupportedVersion => "This export was made by a newer version of CJM Board and cannot be imported here.", "Этот экспорт сделан более новой версией CJM Board, здесь его не импортировать.";
    ErrInvalidBoard => "The board in this file does not pass the board's checks (was the file edited?); nothing was imported.", "Карта в этом файле не проходит проверки (файл правили?); ничего не импортировано.";
    ErrExportTooLarge => "The file is larger than 32 MB.", "Файл больше 32 МБ.";
    ErrBoardQuota => "You already own as many boards as an account may: delete some first.", "У вас уже предельное число карт: сначала удалите ненужные.";
    // Why a row cannot be imported ({value}: the cell)
    ImpMissingText => "no text and no quote", "нет ни текста, ни цитаты";
    ImpMissingStage => "no stage given", "не указан этап";
    ImpUnknownStage => "no stage named “{value}” on this board", "на карте нет этапа «{value}»";
    ImpUnknownLane => "no lane named “{value}” on this board", "на карте нет дорожки «{value}»";
    ImpUnknownPersona => "no persona named “{value}” on this board", "на карте нет персоны «{value}»";
    ImpUnknownSource => "unknown source “{value}” (interview, call transcript, survey, analytics, support ticket, review, other)", "неизвестный источник «{value}» (интервью, звонок, опрос, аналитика, обращение, отзыв, другое)";
    ImpBadDate => "“{value}” is not a date (YYYY-MM-DD or DD.MM.YYYY)", "«{value}» — не дата (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)";
    ImpUnknownCard => "no card with the id “{value}” on this board", "на карте нет карточки с id «{value}»";
    ImpTooLong => "a cell is too long", "слишком длинный текст в ячейке";
    ImpLimitReached => "the board is full: its size limit is reached", "карта заполнена: достигнут предел её размера";
    // Why a file cannot be imported
    ImpEmptyFile => "The file is empty.", "Файл пустой.";
    ImpUnreadable => "The file cannot be read: choose a CSV or XLSX file.", "Не удалось прочитать файл: выберите файл CSV или XLSX.";
    ImpFileTooLarge => "The file is too large: too many rows or columns.", "Файл слишком большой: слишком много строк или столбцов.";
    ImpOver10Mb => "The file is larger than 10 MB.", "Файл больше 10 МБ.";
    ImpNeedText => "Choose a column for the text or for the quote.", "Выберите столбец для текста или для цитаты.";
    ImpInvalid => "Some rows have errors: tick “Skip” to import the others, or fix the file.", "В некоторых строках ошибки: отметьте «Пропустить», чтобы импортировать остальные, или исправьте файл.";
    ImpNothing => "No row of this file can be imported.", "Ни одну строку этого файла нельзя импортировать.";
    ImpAlreadyUndone => "This import was already undone.", "Этот импорт уже отменён.";
    ImpForbidden => "Only editors of this board can import.", "Импортировать могут только редакторы карты.";
    // Named versions: saving, comparing, restoring ({name} is filled in;
    // {s} is the English plural ending)
    VersionsOpen => "Versions…", "Версии…";
    Versions => "Versions", "Версии";
    VersionSaveTitle => "Save a version", "Сохранить версию";
    VersionName => "Name", "Название";
    VersionNameHint => "e.g. Before the workshop", "например, До воркшопа";
    VersionNote => "Note (optional)", "Заметка (необязательно)";
    VersionSave => "Save version", "Сохранить версию";
    VersionsList => "Saved versions", "Сохранённые версии";
    VersionsNone => "No versions yet.", "Версий пока нет.";
    VersionAuto => "auto", "авто";
    VersionCompare => "Compare with now", "Сравнить с текущей";
    VersionOpen => "Open", "Открыть";
    VersionViewing => "Version “{name}”, saved {when}", "Версия «{name}», сохранена {when}";
    VersionBackToLive => "Back to the live board", "К текущей карте";
    VersionPdf => "Download PDF", "Скачать PDF";
    VersionMissing => "This version is not here: it was removed, or the link is wrong.", "Этой версии нет: её удалили, или ссылка неверна.";
    VersionDaily => "Daily: {date}", "За день: {date}";
    VersionBeforeRestoring => "Before restoring “{name}”", "Перед восстановлением «{name}»";
    VersionRestore => "Restore", "Восстановить";
    VersionRestoreConfirm => "Restore the map to “{name}”? The current map is saved as a version first.", "Вернуть карту к версии «{name}»? Текущая карта сначала сохранится как версия.";
    VersionRestored => "Restored “{name}”. The map before it was saved as a version.", "Версия «{name}» восстановлена. Карта до восстановления сохранена как версия.";
    ComparingWith => "Since “{name}”", "С версии «{name}»";
    StopComparing => "Stop comparing", "Закончить сравнение";
    DiffCards => "card{s}", "Карточки";
    DiffStages => "stage{s}", "Этапы";
    DiffLanes => "lane{s}", "Дорожки";
    DiffPersonas => "persona{s}", "Персоны";
    DiffAdded => "added", "добавлено";
    DiffRemoved => "removed", "удалено";
    DiffMoved => "moved", "перемещено";
    DiffEdited => "edited", "изменено";
    DiffChanged => "changed", "изменено";
    DiffTitle => "Title: “{from}” → “{to}”", "Название: «{from}» → «{to}»";
    DiffEmotion => "Emotion", "Эмоция";
    DiffMetric => "Metric", "Метрика";
    DiffTarget => "target", "цель";
    DiffNothing => "Nothing changed since this version.", "С этой версии ничего не изменилось.";
    DiffAddedCards => "Added cards", "Добавленные карточки";
    DiffRemovedCards => "Removed cards", "Удалённые карточки";
    DiffEditedCards => "Edited cards", "Изменённые карточки";
    DiffMovedCards => "Moved cards", "Перемещённые карточки";
    DiffLegendAdded => "added", "добавлена";
    DiffLegendEdited => "edited", "изменена";
    DiffLegendMoved => "moved", "перемещена";
    // The activity feed ({n} is a number)
    ActivityOpen => "Activity…", "История изменений…";
    Activity => "Activity", "История изменений";
    ActivityPerson => "Person", "Участник";
    ActivityEveryone => "Everyone", "Все участники";
    ActivityStage => "Stage", "Этап";
    ActivityAllStages => "All stages", "Все этапы";
    ActivitySince => "Since", "С даты";
    ActivityMore => "Show older", "Показать более ранние";
    ActivityNone => "No changes yet.", "Изменений пока нет.";
    ActivityNoMatch => "No changes match these filters.", "По этим фильтрам изменений нет.";
    // Changes since the last visit
    SinceVisitOne => "1 change since your last visit", "1 изменение с вашего прошлого визита";
    SinceVisitMany => "{n} changes since your last visit", "Изменений с вашего прошлого визита: {n}";
    SinceVisitSee => "see History", "открыть историю";
    // The phone view
    PhoneNoCards => "No cards in this stage yet.", "На этом этапе пока нет карточек.";
    PhoneNoStages => "This map has no stages yet.", "На карте пока нет этапов.";
    PhoneCurve => "Emotion curve", "Кривая эмоций";
    PhoneNoEmotions => "No emotions marked yet.", "Эмоции пока не отмечены.";
    PhoneEditCard => "Edit card", "Изменить карточку";
    PhoneLane => "Lane", "Дорожка";
    PhoneCardText => "Card text", "Текст карточки";
    // Big maps: long cards, health table columns, empty lanes
    CardShowMore => "Show more", "Ещё";
    CardShowLess => "Show less", "Свернуть";
    // Soft hyphens (U+00AD): long Russian words break in a narrow panel.
    HealthColEvidence => "Evidence", "Подтвер\u{AD}ждения";
    HealthColDips => "Dips", "Провалы";
    HealthColPains => "Pains, no opp.", "Боли без решений";
    HealthColNoOwner => "No owner", "Без ответ\u{AD}ствен\u{AD}ного";
    PromptNotes => "Anything worth noting at this step", "Что стоит отметить на этом шаге";
    PromptActions => "What does the customer do here?", "Что клиент делает на этом этапе?";
    PromptThoughts => "What does the customer think here?", "О чём клиент думает на этом этапе?";
    PromptQuestions => "What does the customer want to know?", "Что клиент хочет узнать?";
    PromptGoals => "What does the customer want to achieve?", "Чего клиент хочет добиться?";
    PromptTriggers => "What makes the customer move on?", "Что побуждает клиента идти дальше?";
    PromptPains => "What gets in the customer's way?", "Что мешает клиенту?";
    PromptBackstage => "What happens behind the scenes?", "Что происходит за кулисами?";
    PromptIdeas => "Ideas to make this step better", "Идеи, как улучшить этот шаг";
    PromptTouchpoints => "Where does the customer meet us?", "Где клиент соприкасается с нами?";
    PromptEmotions => "How does the customer feel here?", "Что клиент чувствует на этом этапе?";
    PromptOpportunities => "What could we do about the pains?", "Что мы можем сделать с болями?";
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

/// Labels of the domain's enums.
pub fn lane_kind(kind: cjm_core::LaneKind) -> T {
    use cjm_core::LaneKind as K;
    match kind {
        K::Notes => T::KindNotes,
        K::Actions => T::KindActions,
        K::Thoughts => T::KindThoughts,
        K::Questions => T::KindQuestions,
        K::Goals => T::KindGoals,
        K::Triggers => T::KindTriggers,
        K::Pains => T::KindPains,
        K::Backstage => T::KindBackstage,
        K::Ideas => T::KindIdeas,
        K::Touchpoints => T::KindTouchpoints,
        K::Emotions => T::KindEmotions,
        K::Opportunities => T::KindOpportunities,
    }
}

pub fn channel(c: cjm_core::Channel) -> T {
    use cjm_core::Channel as C;
    match c {
        C::Website => T::ChWebsite,
        C::Email => T::ChEmail,
        C::Phone => T::ChPhone,
        C::Chat => T::ChChat,
        C::Messenger => T::ChMessenger,
        C::Social => T::ChSocial,
        C::Ads => T::ChAds,
        C::Store => T::ChStore,
        C::MobileApp => T::ChMobileApp,
        C::Delivery => T::ChDelivery,
        C::Other => T::ChOther,
    }
}

pub fn evidence_source(s: cjm_core::EvidenceSource) -> T {
    use cjm_core::EvidenceSource as S;
    match s {
        S::Interview => T::SrcInterview,
        S::CallTranscript => T::SrcCallTranscript,
        S::Survey => T::SrcSurvey,
        S::Analytics => T::SrcAnalytics,
        S::SupportTicket => T::SrcSupportTicket,
        S::Review => T::SrcReview,
        S::Other => T::SrcOther,
    }
}

pub fn status(s: cjm_core::OpportunityStatus) -> T {
    use cjm_core::OpportunityStatus as S;
    match s {
        S::Idea => T::StIdea,
        S::Planned => T::StPlanned,
        S::InProgress => T::StInProgress,
        S::Done => T::StDone,
    }
}
