//! The REST API's bodies (docs/api.md), one type per response, shared by the
//! server that writes them and the web client that reads them, so the two
//! cannot drift apart and nothing reaches a client by accident: the store's
//! rows (an account with its password hash, an import with its undo data)
//! are not these types and cannot be serialised to a client.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::ApiErrorCode;
use crate::comments::Comment;
use crate::health::Health;
use crate::history::Comparison;
use crate::{Board, BoardId, Role, StageId};

macro_rules! wire {
    ($($item:item)*) => {$(
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        $item
    )*};
}

wire! {
    /// Every refusal: `{"error": {"code", "message"}}` with its status.
    pub struct ErrorBody {
        pub error: ErrorDetail,
    }

    pub struct ErrorDetail {
        pub code: ApiErrorCode,
        /// English, for people and logs; clients translate from `code`.
        pub message: String,
        /// `sole_owner` only: the boards the account alone owns.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub boards: Vec<SoleOwnedBoard>,
    }

    /// `GET /api/boards`.
    pub struct BoardList {
        pub boards: Vec<BoardSummary>,
    }

    /// A board as listed on the home page.
    pub struct BoardSummary {
        pub id: BoardId,
        pub title: String,
        pub created_at: i64,
        pub updated_at: i64,
        pub stages: i64,
        pub cards: i64,
        /// The asking account's role on the board.
        pub role: Role,
    }

    /// A board just made (`POST /api/boards`, `/boards/import`,
    /// `/boards/{id}/duplicate`), at seq 0.
    pub struct NewBoard {
        pub id: BoardId,
        pub board: Board,
        pub seq: u64,
    }

    /// `GET /api/boards/{id}`: the board as stored, its seq, your role.
    pub struct BoardSnapshot {
        pub board: Board,
        pub seq: u64,
        pub role: Role,
    }

    /// `GET /api/boards/{id}/health`.
    pub struct BoardHealth {
        pub seq: u64,
        pub health: Health,
    }

    /// `GET /api/templates`.
    pub struct TemplateList {
        pub templates: Vec<TemplateChoice>,
    }

    /// A template to start a board from: built in (named in each language)
    /// or saved by the caller (`saved`, one name in both).
    pub struct TemplateChoice {
        pub id: String,
        pub name_en: String,
        pub name_ru: String,
        pub saved: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub created_at: Option<i64>,
    }

    /// `POST /api/boards/{id}/template`.
    pub struct SavedTemplateRef {
        pub id: Uuid,
        pub name: String,
    }

    /// A saved template as listed (without its content).
    pub struct SavedTemplateInfo {
        pub id: Uuid,
        pub name: String,
        pub created_at: i64,
    }

    /// `GET /healthz`.
    pub struct Liveness {
        pub status: String,
    }

    /// `GET /api/boards/{id}/members`.
    pub struct MemberList {
        pub members: Vec<Member>,
        /// Owners only; empty for the others.
        pub invitations: Vec<Invitation>,
        /// The caller's role.
        pub you: Role,
    }

    /// An account's membership of a board.
    pub struct Member {
        pub user_id: Uuid,
        pub email: String,
        pub name: String,
        pub role: Role,
        pub added_at: i64,
    }

    /// An invitation of an email that has no account yet.
    pub struct Invitation {
        pub email: String,
        pub role: Role,
        pub invited_at: i64,
    }

    /// `POST /api/boards/{id}/members` for an email without an account (202).
    pub struct Invited {
        pub email: String,
        pub role: Role,
        pub pending: bool,
    }

    /// `POST /api/boards/{id}/members` for an account (201).
    pub struct MemberAdded {
        pub user_id: Uuid,
        pub email: String,
        pub name: String,
        pub role: Role,
    }

    /// `PATCH`/`DELETE /api/boards/{id}/members/{user}`.
    pub struct MemberRole {
        pub user_id: Uuid,
        pub role: Role,
    }

    /// `GET /api/boards/{id}/links`.
    pub struct LinkList {
        pub links: Vec<LinkInfo>,
    }

    /// A share link as its board's owners see it (never its token).
    pub struct LinkInfo {
        pub id: Uuid,
        pub role: Role,
        pub has_password: bool,
        pub expires_at: Option<i64>,
        pub expired: bool,
        pub created_at: i64,
        pub last_used_at: Option<i64>,
    }

    /// `POST /api/boards/{id}/links`: the link, with its token this once.
    pub struct NewLink {
        #[serde(flatten)]
        pub link: LinkInfo,
        pub token: String,
        /// The path to share: `/s/{token}`.
        pub url: String,
    }

    /// `GET /api/links/{token}`: what joining through the link gives.
    pub struct LinkDescription {
        pub board_id: BoardId,
        /// Absent while the link asks for a password.
        pub title: Option<String>,
        pub role: Role,
        pub needs_password: bool,
        pub needs_name: bool,
        pub expires_at: Option<i64>,
    }

    /// `POST /api/links/{token}/join`.
    pub struct Joined {
        pub board_id: BoardId,
        pub role: Role,
        pub name: String,
    }

    /// `GET /api/boards/{id}/versions`.
    pub struct VersionList {
        pub versions: Vec<Version>,
    }

    /// `POST /api/boards/{id}/versions` (201).
    pub struct SavedVersion {
        pub version: Version,
    }

    /// `GET /api/boards/{id}/versions/{version}`.
    pub struct VersionSnapshot {
        pub version: Version,
        pub board: Board,
    }

    /// A named version of a board: the map as it was at `seq`.
    pub struct Version {
        pub id: Uuid,
        pub board: BoardId,
        pub seq: u64,
        pub name: String,
        pub note: String,
        /// Made by the server (before a restore), not by a person.
        pub auto: bool,
        /// Who saved it (actor id) and their name then.
        pub actor: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    /// `GET /api/boards/{id}/compare`.
    pub struct CompareReply {
        pub from: CompareSide,
        pub to: CompareSide,
        pub comparison: Comparison,
        pub from_board: Board,
        pub to_board: Board,
    }

    /// `POST /api/boards/{id}/versions/{version}/restore`.
    pub struct Restored {
        pub restored: Uuid,
        /// The batch that restored it (absent when nothing differed).
        pub seq: Option<u64>,
        /// The board as it was before, saved as a version.
        pub saved_before: Version,
    }

    /// `GET /api/boards/{id}/comments`.
    pub struct CommentList {
        pub seq: u64,
        /// Your actor id.
        pub you: String,
        /// When you last read the board's comments (0: never).
        pub seen_at: i64,
        pub comments: Vec<Comment>,
    }

    /// `POST /api/boards/{id}/comments/seen`.
    pub struct SeenAt {
        pub seen_at: i64,
    }

    /// `GET /api/boards/{id}/people`.
    pub struct PeopleList {
        pub people: Vec<Person>,
    }

    /// Someone who can be mentioned on a board.
    pub struct Person {
        /// The actor id: an account's id, or a guest's.
        pub id: Uuid,
        pub name: String,
        /// A guest of a share link (no account, so no inbox).
        pub guest: bool,
    }

    /// `GET /api/inbox`.
    #[derive(Default)]
    pub struct Inbox {
        pub items: Vec<InboxItem>,
        pub unread: u64,
        pub read_at: i64,
    }

    /// A mention in someone's inbox.
    pub struct InboxItem {
        pub board_id: BoardId,
        pub board_title: String,
        pub comment: Comment,
        /// Newer than the last time the inbox was read.
        pub unread: bool,
    }

    /// `POST /api/inbox/read`.
    pub struct ReadAt {
        pub read_at: i64,
    }

    /// `GET /api/boards/{id}/activity`.
    pub struct ActivityPage {
        pub items: Vec<ActivityItem>,
        /// Pass as `before` for the next page; absent at the start of history.
        pub next_before: Option<u64>,
    }

    /// One batch of the op log, told.
    pub struct ActivityItem {
        pub seq: u64,
        pub at: i64,
        pub actor: String,
        pub actor_name: String,
        pub lines: Vec<ActivityLine>,
        /// The lines as one sentence in the requested language.
        pub text: String,
    }

    /// One kind of change in a batch: how many, and the stage they went to
    /// when they all went to one (cards added or moved).
    pub struct ActivityLine {
        pub what: ActivityWhat,
        pub count: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub stage_id: Option<StageId>,
    }

    /// `GET /api/auth/me`, sign-up and sign-in.
    pub struct AccountReply {
        pub user: Account,
    }

    /// A signed-in person's own account.
    pub struct Account {
        pub id: Uuid,
        pub email: String,
        pub name: String,
        pub is_admin: bool,
        pub created_at: i64,
    }

    /// `DELETE /api/auth/account`.
    pub struct AccountDeleted {
        pub deleted_boards: Vec<BoardId>,
        pub transferred: Vec<Transferred>,
    }

    /// A board handed over when its only owner left.
    pub struct Transferred {
        pub board: BoardId,
        pub owner: Uuid,
    }

    /// A live board whose only owner is the account being deleted.
    pub struct SoleOwnedBoard {
        pub id: BoardId,
        pub title: String,
        /// Members besides that owner.
        pub other_members: i64,
    }

    /// `POST /api/boards/{id}/uploads` (201).
    pub struct Uploaded {
        pub id: Uuid,
        /// Where to fetch it: `/api/uploads/{id}`.
        pub url: String,
        pub content_type: String,
    }

    /// `GET /api/boards/{id}/imports`.
    pub struct ImportList {
        pub imports: Vec<ImportRecord>,
    }

    /// One import of quotes into a board.
    pub struct ImportRecord {
        pub id: Uuid,
        pub board: BoardId,
        /// Who imported (the actor of the batch).
        pub actor: String,
        pub file_name: String,
        pub created_at: i64,
        /// The batch that made it.
        pub seq: u64,
        pub rows: u64,
        pub cards: u64,
        pub evidence: u64,
        pub undone_at: Option<i64>,
    }

    /// `POST /api/boards/{id}/imports/{import}/undo`.
    pub struct ImportUndone {
        pub undone: bool,
        pub seq: Option<u64>,
        pub cards_deleted: usize,
        pub cards_updated: usize,
    }
}

/// One side of a comparison: a saved version, or the board as it is now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum CompareSide {
    Version(Version),
    Current { current: bool, seq: u64 },
}

/// What a batch did, counted by kind (an activity line's `what`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActivityWhat {
    Title,
    CardsAdded,
    CardsMoved,
    CardsEdited,
    CardsDeleted,
    StagesAdded,
    StagesEdited,
    StagesDeleted,
    LanesAdded,
    LanesEdited,
    LanesDeleted,
    PersonasAdded,
    PersonasEdited,
    PersonasDeleted,
    Emotions,
    Comments,
    Reactions,
    Workshop,
}
