//! Housekeeping that keeps a long-running server's database the size of
//! its live content: op-log compaction (old batches lose their ops, deleted
//! entities go for good, so deleted text really leaves the database),
//! removal of images nothing refers to, and the daily automatic version of
//! every board that changed (kept `keep_auto_versions`, then removed). Runs in the background of `serve`
//! every `Policy::every`, and on demand with `cjm maintenance`.

use std::time::Duration;

use cjm_store::Store;

use crate::clock::now_ms;

#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Batches per board that keep their ops: a client this far behind
    /// catches up from the log, one further behind gets a snapshot (the
    /// room's own catch-up limit).
    pub keep_last: u64,
    /// Boards are compacted once this many more batches have accrued, so
    /// that compaction is an occasional bulk job, not a per-commit cost.
    pub slack: u64,
    /// Deleted entities are kept this long (for undo), then removed.
    pub keep_deleted: Duration,
    /// Unreferenced images are kept this long (an upload is referred to
    /// only after the persona edit that follows it).
    pub upload_grace: Duration,
    /// How often the background job runs.
    pub every: Duration,
    /// A board that changed gets an automatic version once in this long.
    pub daily_version: Duration,
    /// Automatic versions are removed after this long (named ones stay).
    pub keep_auto_versions: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            keep_last: 1_000,
            slack: 500,
            keep_deleted: Duration::from_secs(24 * 3600),
            upload_grace: Duration::from_secs(24 * 3600),
            every: Duration::from_secs(3600),
            daily_version: Duration::from_secs(24 * 3600),
            keep_auto_versions: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub boards: u64,
    pub batches_stripped: u64,
    pub entities_purged: u64,
    pub uploads_removed: u64,
    pub versions_saved: u64,
    pub versions_removed: u64,
}

/// One pass over every board that needs it, and over the uploads.
pub async fn run_once(store: &dyn Store, policy: &Policy) -> Result<Report, cjm_store::StoreError> {
    let now = now_ms();
    let mut report = Report::default();
    let deleted_before = now - policy.keep_deleted.as_millis() as i64;
    for board in store
        .boards_to_compact(policy.keep_last, policy.slack)
        .await?
    {
        let done = store
            .compact(board, policy.keep_last, deleted_before)
            .await?;
        report.boards += 1;
        report.batches_stripped += done.stripped;
        report.entities_purged += done.purged;
    }
    report.uploads_removed = store
        .remove_orphan_uploads(now - policy.upload_grace.as_millis() as i64)
        .await?;
    let since = now - policy.daily_version.as_millis() as i64;
    for board in store.boards_for_daily_version(since).await? {
        let Some((current, seq)) = store.load_board(board).await? else {
            continue;
        };
        let version = cjm_store::Version {
            id: uuid::Uuid::now_v7(),
            board,
            seq,
            name: format!("Daily: {}", cjm_export::report::date(now)),
            note: String::new(),
            auto: true,
            actor: String::new(),
            actor_name: "CJM Board".into(),
            created_at: now,
        };
        store.put_version(&version, &current).await?;
        report.versions_saved += 1;
    }
    report.versions_removed = store
        .remove_auto_versions(now - policy.keep_auto_versions.as_millis() as i64)
        .await?;
    Ok(report)
}

/// Runs `run_once` every `policy.every` until the task is aborted.
pub async fn run_forever(store: std::sync::Arc<dyn Store>, policy: Policy) {
    let mut tick = tokio::time::interval(policy.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match run_once(&*store, &policy).await {
            Ok(r) if r != Report::default() => tracing::info!(?r, "maintenance done"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "maintenance failed; next time"),
        }
    }
}
