//! The client side of live sync, kept pure so it is unit-tested here and
//! runs unchanged in the browser.
//!
//! The client keeps the state the server confirmed plus a queue of its own
//! batches the server has not acknowledged yet. What the user sees (`view`)
//! is always the confirmed state with the pending batches re-applied on top,
//! recomputed after every server message (rebase). A pending batch that no
//! longer applies (someone deleted its card) simply drops out of the view and
//! will be rejected by the server.

use serde::{Deserialize, Serialize};

use crate::apply::ApplyCtx;
use crate::error::OpError;
use crate::ids::ClientOpId;
use crate::model::Board;
use crate::ops::{Batch, Op};
use crate::protocol::Applied;

/// A local batch waiting for its acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Pending {
    pub batch: Batch,
    /// Local time of the edit, used until the server's time arrives.
    pub at: i64,
}

#[derive(Clone, Debug)]
pub struct SyncState {
    confirmed: Board,
    seq: u64,
    pending: Vec<Pending>,
    view: Board,
    /// Who this client is (`welcome.actor`): the author of its own pending
    /// comments while they wait for the server.
    actor: String,
}

/// The confirmed state can no longer follow the server: a seq was skipped or
/// a broadcast batch did not apply. The client must ask for a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedResync;

impl SyncState {
    pub fn new(board: Board, seq: u64) -> Self {
        Self {
            view: board.clone(),
            confirmed: board,
            seq,
            pending: Vec::new(),
            actor: String::new(),
        }
    }

    /// Sets who this client is (from `welcome`), before pending batches
    /// are applied on top.
    pub fn set_actor(&mut self, actor: &str) {
        if self.actor != actor {
            self.actor = actor.to_owned();
            self.rebase();
        }
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    pub fn view(&self) -> &Board {
        &self.view
    }

    pub fn confirmed(&self) -> &Board {
        &self.confirmed
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn pending(&self) -> &[Pending] {
        &self.pending
    }

    /// Applies a local edit optimistically. On error nothing changes and the
    /// caller shows the message; nothing is queued.
    pub fn propose(&mut self, ops: Vec<Op>, at: i64) -> Result<Batch, OpError> {
        crate::apply::check_batch_size(&ops)?;
        self.view.apply(&ops, ApplyCtx::by(at, &self.actor))?;
        let batch = Batch::new(ops);
        self.pending.push(Pending {
            batch: batch.clone(),
            at,
        });
        Ok(batch)
    }

    /// Re-queues batches restored from local storage after a reload.
    pub fn restore_pending(&mut self, pending: Vec<Pending>) {
        for p in pending {
            if !self
                .pending
                .iter()
                .any(|q| q.batch.client_op_id == p.batch.client_op_id)
            {
                self.pending.push(p);
            }
        }
        self.rebase();
    }

    /// Answer to `hello`: a snapshot and/or the batches the client missed.
    pub fn on_welcome(
        &mut self,
        board: Option<Board>,
        seq: u64,
        batches: &[Applied],
    ) -> Result<(), NeedResync> {
        if let Some(board) = board {
            self.confirmed = board;
            self.seq = seq;
        }
        for a in batches {
            self.apply_confirmed(a)?;
            // Ours, acknowledged while we were away.
            self.pending
                .retain(|p| p.batch.client_op_id != a.client_op_id);
        }
        if self.seq != seq {
            return Err(NeedResync);
        }
        self.rebase();
        Ok(())
    }

    /// A batch the server applied (ours or someone else's).
    pub fn on_applied(&mut self, a: &Applied) -> Result<(), NeedResync> {
        if a.seq <= self.seq {
            // Already applied (catch-up overlapped the live stream, or the
            // server answered a resent batch with its original `applied`):
            // only the pending copy, if any, goes.
            let before = self.pending.len();
            self.pending
                .retain(|p| p.batch.client_op_id != a.client_op_id);
            if self.pending.len() != before {
                self.rebase();
            }
            return Ok(());
        }
        let was_pending = self
            .pending
            .iter()
            .any(|p| p.batch.client_op_id == a.client_op_id);
        if !was_pending && self.pending.is_empty() {
            // Fast path: nothing local on top, so the view follows the
            // confirmed state op for op without a copy of the board.
            self.apply_confirmed(a)?;
            let _ = self.view.apply(&a.ops, ApplyCtx::by(a.at, &a.actor));
            return Ok(());
        }
        self.apply_confirmed(a)?;
        self.pending
            .retain(|p| p.batch.client_op_id != a.client_op_id);
        self.rebase();
        Ok(())
    }

    /// Our batch was refused: drop it and show the state without it.
    pub fn on_rejected(&mut self, id: ClientOpId) -> Option<Pending> {
        let i = self
            .pending
            .iter()
            .position(|p| p.batch.client_op_id == id)?;
        let p = self.pending.remove(i);
        self.rebase();
        Some(p)
    }

    fn apply_confirmed(&mut self, a: &Applied) -> Result<(), NeedResync> {
        if a.seq <= self.seq {
            return Ok(());
        }
        if a.seq != self.seq + 1 {
            return Err(NeedResync);
        }
        self.confirmed
            .apply(&a.ops, ApplyCtx::by(a.at, &a.actor))
            .map_err(|_| NeedResync)?;
        self.seq = a.seq;
        Ok(())
    }

    fn rebase(&mut self) {
        self.view = self.confirmed.clone();
        for p in &self.pending {
            let _ = self
                .view
                .apply(&p.batch.ops, ApplyCtx::by(p.at, &self.actor));
        }
    }
}
