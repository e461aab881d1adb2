//! A store that fails on purpose: every call goes to a real store, except
//! that loads, commits and lookups of the op log fail when the seeded dice
//! say so, and a commit can fail *after* it was written (the answer lost on
//! the way back, as when a connection drops after COMMIT). The room's
//! failure paths run in tests this way, which a healthy database never
//! takes them through.
//!
//! The delegation below was written out from the `Store` trait (one method
//! each); when the trait changes, this file stops compiling.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use cjm_core::protocol::Applied;
use cjm_core::{Board, BoardId, Change, ClientOpId, Role};
use cjm_store::*;

use super::sim::Rng;

/// Which call an injected fault hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Load,
    Find,
    /// The commit fails before anything is written.
    Commit,
}

/// Chances per thousand of each fault while faults are on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rates {
    pub load: u64,
    pub find: u64,
    pub commit: u64,
    /// A commit is written, then reported failed.
    pub commit_lost: u64,
}

pub struct FaultyStore {
    inner: Arc<dyn Store>,
    rng: Mutex<Rng>,
    rates: Rates,
    on: AtomicBool,
    /// Faults injected so far.
    pub injected: AtomicU64,
}

impl FaultyStore {
    pub fn new(inner: Arc<dyn Store>, seed: u64, rates: Rates) -> Arc<Self> {
        Arc::new(FaultyStore {
            inner,
            rng: Mutex::new(Rng(seed | 1)),
            rates,
            on: AtomicBool::new(false),
            injected: AtomicU64::new(0),
        })
    }

    /// Turns the faults on or off (off while a test sets up and checks).
    pub fn set_faults(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
    }

    fn roll(&self, per_mille: u64) -> bool {
        if !self.on.load(Ordering::SeqCst) || per_mille == 0 {
            return false;
        }
        let hit = (self.rng.lock().unwrap().next() % 1000) < per_mille;
        if hit {
            self.injected.fetch_add(1, Ordering::SeqCst);
        }
        hit
    }

    fn maybe_fail(&self, fault: Fault) -> Result<(), StoreError> {
        let rate = match fault {
            Fault::Load => self.rates.load,
            Fault::Find => self.rates.find,
            Fault::Commit => self.rates.commit,
        };
        if self.roll(rate) {
            return Err(StoreError::Config(format!("injected {fault:?} fault")));
        }
        Ok(())
    }
}

#[async_trait]
impl Store for FaultyStore {
    async fn create_board(
        &self,
        board: &Board,
        owner: Option<uuid::Uuid>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.inner.create_board(board, owner, now).await
    }

    async fn list_boards(&self, user: uuid::Uuid) -> Result<Vec<BoardSummary>, StoreError> {
        self.inner.list_boards(user).await
    }

    async fn load_board(&self, id: BoardId) -> Result<Option<(Board, u64)>, StoreError> {
        self.maybe_fail(Fault::Load)?;
        self.inner.load_board(id).await
    }

    async fn delete_board(&self, id: BoardId, now: i64) -> Result<bool, StoreError> {
        self.inner.delete_board(id, now).await
    }

    async fn find_batches(
        &self,
        board: BoardId,
        ids: &[ClientOpId],
    ) -> Result<HashMap<ClientOpId, u64>, StoreError> {
        self.maybe_fail(Fault::Find)?;
        self.inner.find_batches(board, ids).await
    }

    async fn commit(
        &self,
        board: &Board,
        expected_seq: u64,
        batches: &[NewBatch],
        changes: &BTreeSet<Change>,
    ) -> Result<Vec<u64>, StoreError> {
        self.maybe_fail(Fault::Commit)?;
        let seqs = self
            .inner
            .commit(board, expected_seq, batches, changes)
            .await?;
        if self.roll(self.rates.commit_lost) {
            return Err(StoreError::Config(
                "injected fault: commit written, answer lost".into(),
            ));
        }
        Ok(seqs)
    }

    async fn listen(&self) -> Result<Option<tokio::sync::mpsc::Receiver<Notice>>, StoreError> {
        self.inner.listen().await
    }

    async fn announce_access(
        &self,
        board: BoardId,
        grant: Grant,
        removed: bool,
    ) -> Result<(), StoreError> {
        self.inner.announce_access(board, grant, removed).await
    }

    async fn announce_sessions_ended(
        &self,
        user: uuid::Uuid,
        session: Option<u64>,
    ) -> Result<(), StoreError> {
        self.inner.announce_sessions_ended(user, session).await
    }

    async fn ops_since(
        &self,
        board: BoardId,
        after_seq: u64,
        limit: u64,
    ) -> Result<Vec<Applied>, StoreError> {
        self.maybe_fail(Fault::Load)?;
        self.inner.ops_since(board, after_seq, limit).await
    }

    async fn put_upload(
        &self,
        upload: &Upload,
        uploaded_by: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.inner.put_upload(upload, uploaded_by, now).await
    }

    async fn upload_usage(
        &self,
        uploaded_by: &str,
        board: BoardId,
    ) -> Result<(u64, u64), StoreError> {
        self.inner.upload_usage(uploaded_by, board).await
    }

    async fn owned_boards(&self, user: uuid::Uuid) -> Result<u64, StoreError> {
        self.inner.owned_boards(user).await
    }

    async fn boards_to_compact(
        &self,
        keep_last: u64,
        slack: u64,
    ) -> Result<Vec<BoardId>, StoreError> {
        self.inner.boards_to_compact(keep_last, slack).await
    }

    async fn compact(
        &self,
        board: BoardId,
        keep_last: u64,
        deleted_before: i64,
    ) -> Result<Compacted, StoreError> {
        self.inner.compact(board, keep_last, deleted_before).await
    }

    async fn remove_orphan_uploads(&self, created_before: i64) -> Result<u64, StoreError> {
        self.inner.remove_orphan_uploads(created_before).await
    }

    async fn get_upload(&self, id: uuid::Uuid) -> Result<Option<Upload>, StoreError> {
        self.inner.get_upload(id).await
    }

    async fn create_template(&self, template: &SavedTemplate) -> Result<(), StoreError> {
        self.inner.create_template(template).await
    }

    async fn list_templates(&self, user: uuid::Uuid) -> Result<Vec<SavedTemplateInfo>, StoreError> {
        self.inner.list_templates(user).await
    }

    async fn load_template(&self, id: uuid::Uuid) -> Result<Option<SavedTemplate>, StoreError> {
        self.inner.load_template(id).await
    }

    async fn delete_template(
        &self,
        id: uuid::Uuid,
        user: uuid::Uuid,
        is_admin: bool,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.inner.delete_template(id, user, is_admin, now).await
    }

    async fn member_role(
        &self,
        board: BoardId,
        user: uuid::Uuid,
    ) -> Result<Option<Role>, StoreError> {
        self.inner.member_role(board, user).await
    }

    async fn members(&self, board: BoardId) -> Result<Vec<Member>, StoreError> {
        self.inner.members(board).await
    }

    async fn put_member(
        &self,
        board: BoardId,
        user: uuid::Uuid,
        role: Role,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.inner.put_member(board, user, role, now).await
    }

    async fn add_member(
        &self,
        board: BoardId,
        user: uuid::Uuid,
        role: Role,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.inner.add_member(board, user, role, now).await
    }

    async fn remove_member(&self, board: BoardId, user: uuid::Uuid) -> Result<bool, StoreError> {
        self.inner.remove_member(board, user).await
    }

    async fn invite(
        &self,
        board: BoardId,
        email: &str,
        role: Role,
        by: uuid::Uuid,
        now: i64,
    ) -> Result<(), StoreError> {
        self.inner.invite(board, email, role, by, now).await
    }

    async fn invitations(&self, board: BoardId) -> Result<Vec<Invitation>, StoreError> {
        self.inner.invitations(board).await
    }

    async fn cancel_invitation(&self, board: BoardId, email: &str) -> Result<bool, StoreError> {
        self.inner.cancel_invitation(board, email).await
    }

    async fn accept_invitations(
        &self,
        user: uuid::Uuid,
        email: &str,
        now: i64,
    ) -> Result<Vec<BoardId>, StoreError> {
        self.inner.accept_invitations(user, email, now).await
    }

    async fn create_link(&self, link: &ShareLink, token_hash: &[u8]) -> Result<(), StoreError> {
        self.inner.create_link(link, token_hash).await
    }

    async fn links(&self, board: BoardId) -> Result<Vec<ShareLink>, StoreError> {
        self.inner.links(board).await
    }

    async fn link_by_token(&self, token_hash: &[u8]) -> Result<Option<ShareLink>, StoreError> {
        self.inner.link_by_token(token_hash).await
    }

    async fn revoke_link(
        &self,
        board: BoardId,
        link: uuid::Uuid,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.inner.revoke_link(board, link, now).await
    }

    async fn touch_link(&self, link: uuid::Uuid, now: i64) -> Result<(), StoreError> {
        self.inner.touch_link(link, now).await
    }

    async fn add_guest(
        &self,
        token_hash: &[u8],
        link: uuid::Uuid,
        name: &str,
        now: i64,
    ) -> Result<uuid::Uuid, StoreError> {
        self.inner.add_guest(token_hash, link, name, now).await
    }

    async fn rekey_guest(&self, old: &[u8], new: &[u8]) -> Result<(), StoreError> {
        self.inner.rekey_guest(old, new).await
    }

    async fn guest_links(
        &self,
        token_hash: &[u8],
        board: BoardId,
    ) -> Result<Vec<Guest>, StoreError> {
        self.inner.guest_links(token_hash, board).await
    }

    async fn create_user(
        &self,
        id: uuid::Uuid,
        email: &str,
        name: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<User, StoreError> {
        self.inner
            .create_user(id, email, name, password_hash, now)
            .await
    }

    async fn has_users(&self) -> Result<bool, StoreError> {
        self.inner.has_users().await
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        self.inner.user_by_email(email).await
    }

    async fn set_password(
        &self,
        user: uuid::Uuid,
        password_hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        self.inner.set_password(user, password_hash, now).await
    }

    async fn create_session(
        &self,
        token_hash: &[u8],
        user: uuid::Uuid,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        self.inner
            .create_session(token_hash, user, now, expires_at)
            .await
    }

    async fn session_user(&self, token_hash: &[u8], now: i64) -> Result<Option<User>, StoreError> {
        self.inner.session_user(token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &[u8]) -> Result<(), StoreError> {
        self.inner.delete_session(token_hash).await
    }

    async fn delete_account(
        &self,
        user: uuid::Uuid,
        sole_owned: Option<SoleOwned>,
        now: i64,
    ) -> Result<AccountDeletion, StoreError> {
        self.inner.delete_account(user, sole_owned, now).await
    }

    async fn inbox(&self, person: uuid::Uuid, limit: u32) -> Result<Inbox, StoreError> {
        self.inner.inbox(person, limit).await
    }

    async fn mark_inbox_read(&self, user: uuid::Uuid, at: i64) -> Result<(), StoreError> {
        self.inner.mark_inbox_read(user, at).await
    }

    async fn comments_seen(&self, board: BoardId, person: uuid::Uuid) -> Result<i64, StoreError> {
        self.inner.comments_seen(board, person).await
    }

    async fn set_comments_seen(
        &self,
        board: BoardId,
        person: uuid::Uuid,
        at: i64,
    ) -> Result<(), StoreError> {
        self.inner.set_comments_seen(board, person, at).await
    }

    async fn board_people(&self, board: BoardId) -> Result<Vec<Person>, StoreError> {
        self.inner.board_people(board).await
    }

    async fn vote_dots(
        &self,
        board: BoardId,
        vote: cjm_core::VoteId,
        person: uuid::Uuid,
    ) -> Result<Vec<cjm_core::CardId>, StoreError> {
        self.inner.vote_dots(board, vote, person).await
    }

    async fn put_dot(&self, dot: &Dot<'_>) -> Result<(), StoreError> {
        self.inner.put_dot(dot).await
    }

    async fn vote_progress(
        &self,
        board: BoardId,
        vote: cjm_core::VoteId,
    ) -> Result<(u32, u32), StoreError> {
        self.inner.vote_progress(board, vote).await
    }

    async fn vote_tally(
        &self,
        board: BoardId,
        vote: cjm_core::VoteId,
    ) -> Result<cjm_core::workshop::VoteResults, StoreError> {
        self.inner.vote_tally(board, vote).await
    }

    async fn put_import(&self, import: &Import) -> Result<(), StoreError> {
        self.inner.put_import(import).await
    }

    async fn imports(&self, board: BoardId, limit: u32) -> Result<Vec<Import>, StoreError> {
        self.inner.imports(board, limit).await
    }

    async fn import(&self, board: BoardId, id: uuid::Uuid) -> Result<Option<Import>, StoreError> {
        self.inner.import(board, id).await
    }

    async fn set_import_undone(
        &self,
        board: BoardId,
        id: uuid::Uuid,
        at: Option<i64>,
    ) -> Result<bool, StoreError> {
        self.inner.set_import_undone(board, id, at).await
    }

    async fn batches_before(
        &self,
        board: BoardId,
        before: Option<u64>,
        limit: u64,
    ) -> Result<Vec<Applied>, StoreError> {
        self.inner.batches_before(board, before, limit).await
    }

    async fn boards_for_daily_version(&self, since: i64) -> Result<Vec<BoardId>, StoreError> {
        self.inner.boards_for_daily_version(since).await
    }

    async fn remove_auto_versions(&self, before: i64) -> Result<u64, StoreError> {
        self.inner.remove_auto_versions(before).await
    }

    async fn put_version(&self, version: &Version, snapshot: &Board) -> Result<(), StoreError> {
        self.inner.put_version(version, snapshot).await
    }

    async fn versions(&self, board: BoardId, limit: u32) -> Result<Vec<Version>, StoreError> {
        self.inner.versions(board, limit).await
    }

    async fn version(
        &self,
        board: BoardId,
        id: uuid::Uuid,
    ) -> Result<Option<(Version, Board)>, StoreError> {
        self.inner.version(board, id).await
    }

    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
}
