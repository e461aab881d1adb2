use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("configuration: {0}")]
    Config(String),
    /// A stored value that the current code cannot read (a bug or a
    /// hand-edited database); reported instead of guessed.
    #[error("corrupt data in {table}: {detail}")]
    Corrupt { table: &'static str, detail: String },
    #[error("board {0} does not exist")]
    NoSuchBoard(String),
    /// The board was changed by someone else (another server instance)
    /// since the caller's copy; nothing was written.
    #[error("the board is at seq {current}, not the expected one")]
    Stale { current: u64 },
    /// Some batches of a commit were stored before (resent by a client),
    /// under these seqs; nothing of the commit was written.
    #[error("{} batch(es) were already stored", .0.len())]
    AlreadyStored(std::collections::HashMap<cjm_core::ClientOpId, u64>),
    /// The change would leave a board without an owner; nothing written.
    #[error("a board needs an owner")]
    LastOwner,
    /// A unique value (an account's email) is taken.
    #[error("{0} is already taken")]
    Taken(&'static str),
}
