//! Persistence behind one `Store` trait, with a SQLite backend (the
//! zero-setup default) and a Postgres backend (teams, several instances).
//!
//! Design note: both backends share every SQL statement (`$N` placeholders
//! and `ON CONFLICT ... DO UPDATE` work in both), generated once by
//! `shared::impl_store!`; only connection setup differs. The room applies a
//! batch to its in-memory board first and then hands the store the board and
//! the set of touched entities (`Change`), so what is written is by
//! construction what `apply` computed, cascades included. One conformance
//! suite (tests/conformance.rs) runs against both backends.

mod error;
mod postgres;
mod rows;
mod shared;
mod sqlite;
/// Throwaway Postgres databases for tests (feature `test-support`), not
/// part of what the server links.
#[cfg(any(test, feature = "test-support"))]
pub mod test_db;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use cjm_core::protocol::Applied;
use cjm_core::{Board, BoardId, Change, ClientOpId, Role};
use serde_json::Value;

pub use cjm_core::api::{
    BoardSummary, Inbox, InboxItem, Invitation, Member, Person, SavedTemplateInfo, SoleOwnedBoard,
    Version,
};
pub use error::StoreError;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// A share link. Its token is never stored, only `token_hash` (SHA-256).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareLink {
    pub id: uuid::Uuid,
    pub board: BoardId,
    pub role: Role,
    /// PHC string (argon2id) when the link asks for a password.
    pub password_hash: Option<String>,
    pub expires_at: Option<i64>,
    pub created_by: uuid::Uuid,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl ShareLink {
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|t| t <= now)
    }
}

/// What a person's access to a board comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grant {
    Member(uuid::Uuid),
    Link(uuid::Uuid),
}

/// What other server instances on the same database announce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// The board was committed up to this seq.
    Commit(BoardId, u64),
    /// Access through this grant was removed (or, `removed: false`, its
    /// role changed): its live sessions must end.
    Access {
        board: BoardId,
        grant: Grant,
        removed: bool,
    },
    /// A session of `user` ended (`session`: its key), or all of them
    /// (`None`): the sockets opened with them must end.
    SessionsEnded {
        user: uuid::Uuid,
        session: Option<u64>,
    },
}

/// A browser let in through a link (see `Store::add_guest`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guest {
    pub link: ShareLink,
    /// Stable for this browser and link: the actor of the guest's edits.
    pub guest_id: uuid::Uuid,
    pub name: String,
}

/// An image stored for a board (a persona's photo).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    pub id: uuid::Uuid,
    pub board_id: BoardId,
    /// One of the image types the server accepts (checked from the bytes).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What `Store::compact` removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Compacted {
    /// Batches whose ops were dropped.
    pub stripped: u64,
    /// Deleted entities removed for good.
    pub purged: u64,
}

/// A board saved as a template: its first state for new boards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedTemplate {
    pub id: uuid::Uuid,
    pub name: String,
    pub board: Board,
    pub created_at: i64,
    /// Who saved it (`None`: saved before accounts; everyone sees those).
    pub owner: Option<uuid::Uuid>,
}

/// A person's account. `email` is stored lower-cased; `password_hash` is a
/// PHC string (argon2id), never the password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub created_at: i64,
}

/// What becomes of the live boards whose only owner deletes their account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SoleOwned {
    /// Each goes to another member (its longest-standing editor, else its
    /// longest-standing commenter, else viewer), who becomes its owner;
    /// a board with no other member is deleted.
    Transfer,
    /// They are all deleted.
    Delete,
}

/// What `Store::delete_account` did.
#[derive(Clone, Debug, PartialEq)]
pub enum AccountDeletion {
    /// Nothing written: the account is the only owner of these boards and
    /// no `SoleOwned` choice was given.
    SoleOwner(Vec<SoleOwnedBoard>),
    /// Nothing written: no such account (or it was deleted already).
    NoSuchAccount,
    Deleted {
        /// Boards soft-deleted with the account.
        deleted_boards: Vec<BoardId>,
        /// Boards handed over, with their new owner.
        transferred: Vec<(BoardId, uuid::Uuid)>,
    },
}

/// A batch the room accepted and wants stored; the store assigns its seq.
#[derive(Clone, Debug)]
pub struct NewBatch {
    pub client_op_id: ClientOpId,
    pub actor: String,
    pub at: i64,
    /// The ops as JSON text, serialised once by the room: written to the op
    /// log as they are, and spliced as they are into the `applied` that
    /// goes to everyone (`room::encode_applied`).
    pub ops: Box<serde_json::value::RawValue>,
}

/// One dot placed or taken back.
pub struct Dot<'a> {
    pub board: BoardId,
    pub vote: cjm_core::VoteId,
    pub person: uuid::Uuid,
    pub name: &'a str,
    pub card: cjm_core::CardId,
    pub add: bool,
}

/// One import of quotes into a board, kept so that it can be undone.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub id: uuid::Uuid,
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
    /// What to take back: the server's own JSON (cards created, evidence
    /// attached); not sent to clients.
    pub undo: Value,
    pub undone_at: Option<i64>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Stores a new board (from a template) at seq 0, with `owner` (if any)
    /// as its owner, in one transaction.
    async fn create_board(
        &self,
        board: &Board,
        owner: Option<uuid::Uuid>,
        now: i64,
    ) -> Result<(), StoreError>;

    /// The live boards `user` is a member of, most recently changed first.
    async fn list_boards(&self, user: uuid::Uuid) -> Result<Vec<BoardSummary>, StoreError>;

    /// The board's live entities and its current seq.
    async fn load_board(&self, id: BoardId) -> Result<Option<(Board, u64)>, StoreError>;

    /// Soft-deletes a board; false when there was no such live board.
    async fn delete_board(&self, id: BoardId, now: i64) -> Result<bool, StoreError>;

    /// Seqs of batches already stored under any of these client_op_ids.
    async fn find_batches(
        &self,
        board: BoardId,
        ids: &[ClientOpId],
    ) -> Result<HashMap<ClientOpId, u64>, StoreError>;

    /// Appends `batches` to the op log and writes the current value in
    /// `board` of every entity in `changes`, all in one transaction (group
    /// commit). Returns, per batch, its seq: `expected_seq + 1` onwards.
    ///
    /// `expected_seq` is the seq the caller's `board` is at. If the stored
    /// board has moved on (another server instance committed meanwhile),
    /// nothing is written and `StoreError::Stale` says where it is: the
    /// caller must catch up and apply its batches again. If any batch was
    /// stored before (a resend), nothing is written and
    /// `StoreError::AlreadyStored` gives their seqs.
    async fn commit(
        &self,
        board: &Board,
        expected_seq: u64,
        batches: &[NewBatch],
        changes: &BTreeSet<Change>,
    ) -> Result<Vec<u64>, StoreError>;

    /// Commits and access changes made by any process, for stores that
    /// several server instances can share (Postgres `LISTEN`). `None` when
    /// the store is single-process (SQLite).
    async fn listen(&self) -> Result<Option<tokio::sync::mpsc::Receiver<Notice>>, StoreError> {
        Ok(None)
    }

    /// Tells the other instances (see `listen`) that access through `grant`
    /// changed, so that they end its live sessions too. Nothing to do for
    /// a single-process store.
    async fn announce_access(
        &self,
        board: BoardId,
        grant: Grant,
        removed: bool,
    ) -> Result<(), StoreError> {
        let _ = (board, grant, removed);
        Ok(())
    }

    /// Tells the other instances that sessions of `user` ended (see
    /// `Notice::SessionsEnded`). Nothing to do for a single-process store.
    async fn announce_sessions_ended(
        &self,
        user: uuid::Uuid,
        session: Option<u64>,
    ) -> Result<(), StoreError> {
        let _ = (user, session);
        Ok(())
    }

    /// Batches after `after_seq`, in order, at most `limit`.
    async fn ops_since(
        &self,
        board: BoardId,
        after_seq: u64,
        limit: u64,
    ) -> Result<Vec<Applied>, StoreError>;

    /// Stores an image uploaded by `uploaded_by` (an actor id).
    async fn put_upload(
        &self,
        upload: &Upload,
        uploaded_by: &str,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Bytes of images stored by `uploaded_by`, and for `board`.
    async fn upload_usage(
        &self,
        uploaded_by: &str,
        board: BoardId,
    ) -> Result<(u64, u64), StoreError>;

    /// Live boards `user` owns.
    async fn owned_boards(&self, user: uuid::Uuid) -> Result<u64, StoreError>;

    /// Boards whose op log holds more than `keep_last + slack` batches
    /// with their ops (worth compacting).
    async fn boards_to_compact(
        &self,
        keep_last: u64,
        slack: u64,
    ) -> Result<Vec<BoardId>, StoreError>;

    /// Compacts a board: the ops of all but its last `keep_last` batches
    /// are dropped (each batch keeps its seq, client op id, actor and time,
    /// so a resend is still recognised; `ops_since` no longer returns them,
    /// so a client that far behind gets a snapshot), and entities deleted
    /// before `deleted_before` are removed for good. Deleted text is gone
    /// from the database afterwards.
    async fn compact(
        &self,
        board: BoardId,
        keep_last: u64,
        deleted_before: i64,
    ) -> Result<Compacted, StoreError>;

    /// Removes images uploaded before `created_before` that no live
    /// persona or saved template refers to; how many went.
    async fn remove_orphan_uploads(&self, created_before: i64) -> Result<u64, StoreError>;

    async fn get_upload(&self, id: uuid::Uuid) -> Result<Option<Upload>, StoreError>;

    async fn create_template(&self, template: &SavedTemplate) -> Result<(), StoreError>;

    /// The saved templates `user` may use (their own and those saved before
    /// accounts), newest first.
    async fn list_templates(&self, user: uuid::Uuid) -> Result<Vec<SavedTemplateInfo>, StoreError>;

    async fn load_template(&self, id: uuid::Uuid) -> Result<Option<SavedTemplate>, StoreError>;

    /// Soft-deletes a saved template of `user` (or, for an admin, one
    /// saved before accounts); false when there was none.
    async fn delete_template(
        &self,
        id: uuid::Uuid,
        user: uuid::Uuid,
        is_admin: bool,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// `user`'s role on a live board, if a member.
    async fn member_role(
        &self,
        board: BoardId,
        user: uuid::Uuid,
    ) -> Result<Option<Role>, StoreError>;

    /// The board's members, owners first, then by name.
    async fn members(&self, board: BoardId) -> Result<Vec<Member>, StoreError>;

    /// Adds `user` to the board or changes their role; true when added.
    /// `LastOwner` (nothing written) if that would demote the board's only
    /// owner; the check and the write are one transaction.
    async fn put_member(
        &self,
        board: BoardId,
        user: uuid::Uuid,
        role: Role,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Adds `user` to the board; false (nothing changed) when they are a
    /// member already, however many invitations race.
    async fn add_member(
        &self,
        board: BoardId,
        user: uuid::Uuid,
        role: Role,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// False when `user` was not a member; `LastOwner` (nothing written)
    /// if they are the board's only owner.
    async fn remove_member(&self, board: BoardId, user: uuid::Uuid) -> Result<bool, StoreError>;

    /// Invites `email` (no account uses it) with `role`; inviting it again
    /// changes the role. Signing up with it accepts (`accept_invitations`).
    async fn invite(
        &self,
        board: BoardId,
        email: &str,
        role: Role,
        by: uuid::Uuid,
        now: i64,
    ) -> Result<(), StoreError>;

    /// The board's pending invitations, oldest first.
    async fn invitations(&self, board: BoardId) -> Result<Vec<Invitation>, StoreError>;

    /// False when there was no such invitation.
    async fn cancel_invitation(&self, board: BoardId, email: &str) -> Result<bool, StoreError>;

    /// Makes `user` a member of every live board that invited `email`, with
    /// the invited role, and deletes those invitations (one transaction);
    /// the boards joined.
    async fn accept_invitations(
        &self,
        user: uuid::Uuid,
        email: &str,
        now: i64,
    ) -> Result<Vec<BoardId>, StoreError>;

    async fn create_link(&self, link: &ShareLink, token_hash: &[u8]) -> Result<(), StoreError>;

    /// The board's unrevoked links (expired ones included), newest first.
    async fn links(&self, board: BoardId) -> Result<Vec<ShareLink>, StoreError>;

    /// The unrevoked link with this token, on a live board.
    async fn link_by_token(&self, token_hash: &[u8]) -> Result<Option<ShareLink>, StoreError>;

    /// Revokes a link and forgets its guests; false when there was none.
    async fn revoke_link(
        &self,
        board: BoardId,
        link: uuid::Uuid,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// Records that the link was just used.
    async fn touch_link(&self, link: uuid::Uuid, now: i64) -> Result<(), StoreError>;

    /// Lets the browser with this guest cookie in through `link` under
    /// `name` (renaming it if it was in already). Returns its guest id.
    async fn add_guest(
        &self,
        token_hash: &[u8],
        link: uuid::Uuid,
        name: &str,
        now: i64,
    ) -> Result<uuid::Uuid, StoreError>;

    /// Moves every link membership of the guest cookie `old` to the new
    /// cookie `new` (a browser's guest token is replaced on each join, so
    /// that a cookie planted by someone else is worth nothing afterwards).
    async fn rekey_guest(&self, old: &[u8], new: &[u8]) -> Result<(), StoreError>;

    /// The unrevoked links of `board` this guest cookie was let in through
    /// (expired ones included: the caller checks the time).
    async fn guest_links(
        &self,
        token_hash: &[u8],
        board: BoardId,
    ) -> Result<Vec<Guest>, StoreError>;

    /// Stores a new account; the first (live) account of the server becomes
    /// its admin (decided in the same statement, so two first sign-ups cannot
    /// both become admin). `Taken("email")` if the email is in use.
    async fn create_user(
        &self,
        id: uuid::Uuid,
        email: &str,
        name: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<User, StoreError>;

    /// Whether any live (not deleted) account exists (the first one
    /// becomes the admin).
    async fn has_users(&self) -> Result<bool, StoreError>;

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError>;

    /// Replaces the password and ends every session of the account.
    async fn set_password(
        &self,
        user: uuid::Uuid,
        password_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError>;

    async fn create_session(
        &self,
        token_hash: &[u8],
        user: uuid::Uuid,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError>;

    /// The account of a live (unexpired) session.
    async fn session_user(&self, token_hash: &[u8], now: i64) -> Result<Option<User>, StoreError>;

    async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError>;

    /// Deletes the account `user`, all in one transaction (the boards it
    /// is a member of are locked first, so no membership change races it):
    /// the live boards it alone owns are handed over or deleted as
    /// `sole_owned` says (without a choice, if there are any, nothing is
    /// written and `SoleOwner` lists them); then its memberships, sessions
    /// and saved templates go, and the user row becomes an anonymous
    /// tombstone (no email, name or password; `deleted_at` set), which keeps
    /// the share links it created on surviving boards working and frees the
    /// email for a new sign-up.
    async fn delete_account(
        &self,
        user: uuid::Uuid,
        sole_owned: Option<SoleOwned>,
        now: i64,
    ) -> Result<AccountDeletion, StoreError>;

    /// Which backend this is ("sqlite" or "postgres"), for logs and tests.
    /// Comments that mention `person`, newest first (at most `limit`), on
    /// live boards `person` is a member of, and when they last read them.
    async fn inbox(&self, person: uuid::Uuid, limit: u32) -> Result<Inbox, StoreError>;

    /// Marks the inbox of `user` read up to `at`.
    async fn mark_inbox_read(&self, user: uuid::Uuid, at: i64) -> Result<(), StoreError>;

    /// When `person` last looked at the comments of `board` (0: never).
    async fn comments_seen(&self, board: BoardId, person: uuid::Uuid) -> Result<i64, StoreError>;

    /// Records that `person` has seen the comments of `board` up to `at`.
    async fn set_comments_seen(
        &self,
        board: BoardId,
        person: uuid::Uuid,
        at: i64,
    ) -> Result<(), StoreError>;

    /// Who can be mentioned on `board`: its members (accounts) and the
    /// named guests of its live links, by name (no emails).
    async fn board_people(&self, board: BoardId) -> Result<Vec<Person>, StoreError>;

    /// `person`'s dots in the vote (a card once per dot).
    async fn vote_dots(
        &self,
        board: BoardId,
        vote: cjm_core::VoteId,
        person: uuid::Uuid,
    ) -> Result<Vec<cjm_core::CardId>, StoreError>;

    /// Adds one of `person`'s dots on `card` (or takes one back: `add`
    /// false), forgetting the dots of the board's earlier votes.
    async fn put_dot(&self, dot: &Dot<'_>) -> Result<(), StoreError>;

    /// How many people have placed dots in the vote, and how many dots:
    /// the progress everyone sees while it runs (one aggregate, not the
    /// tally's rows).
    async fn vote_progress(
        &self,
        board: BoardId,
        vote: cjm_core::VoteId,
    ) -> Result<(u32, u32), StoreError>;

    /// Dots per card, voters, and who put them (a name once per dot).
    async fn vote_tally(
        &self,
        board: BoardId,
        vote: cjm_core::VoteId,
    ) -> Result<cjm_core::workshop::VoteResults, StoreError>;

    /// Records an import (see `Import`).
    async fn put_import(&self, import: &Import) -> Result<(), StoreError>;

    /// The board's imports, newest first (at most `limit`).
    async fn imports(&self, board: BoardId, limit: u32) -> Result<Vec<Import>, StoreError>;

    /// One import of the board.
    async fn import(&self, board: BoardId, id: uuid::Uuid) -> Result<Option<Import>, StoreError>;

    /// Marks an import undone at `at` (or not undone: `None`, when taking
    /// it back failed). Marking it undone succeeds once: false if it was
    /// already.
    async fn set_import_undone(
        &self,
        board: BoardId,
        id: uuid::Uuid,
        at: Option<i64>,
    ) -> Result<bool, StoreError>;

    /// Batches of the op log newest first: those before `before` (all when
    /// `None`), at most `limit`. Compacted batches are gone.
    async fn batches_before(
        &self,
        board: BoardId,
        before: Option<u64>,
        limit: u64,
    ) -> Result<Vec<Applied>, StoreError>;

    /// Live boards changed since `since` (unix ms) that have no version
    /// made since then: those the daily automatic version is for.
    async fn boards_for_daily_version(&self, since: i64) -> Result<Vec<BoardId>, StoreError>;

    /// Removes automatic versions made before `before`; how many.
    async fn remove_auto_versions(&self, before: i64) -> Result<u64, StoreError>;

    /// Saves a version with the board as it is in `snapshot`.
    async fn put_version(&self, version: &Version, snapshot: &Board) -> Result<(), StoreError>;

    /// The board's versions, newest first (at most `limit`).
    async fn versions(&self, board: BoardId, limit: u32) -> Result<Vec<Version>, StoreError>;

    /// One version with its board.
    async fn version(
        &self,
        board: BoardId,
        id: uuid::Uuid,
    ) -> Result<Option<(Version, Board)>, StoreError>;

    fn backend(&self) -> &'static str;
}

/// Opens the store named by `url` (`sqlite://path` or `postgres://...`) and
/// runs its migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL {url:?}: use sqlite://path/to/file.db or postgres://..."
        )))
    }
}
