//! A bound on password hashing. argon2id takes 19 MiB and tens of
//! milliseconds of CPU per hash; unbounded, a few hundred parallel sign-ins
//! (no account needed) would take gigabytes. At most `slots` hashes run at
//! once, each on one of `slots` threads of our own; up to `queue` more
//! requests wait for a slot for `MAX_WAIT`; beyond that the caller gets
//! `503 busy` with `Retry-After`, which costs nothing.
//!
//! Why our own threads rather than tokio's blocking pool: the allocator
//! keeps a freed 19 MiB block for the thread (arena) that used it, and the
//! blocking pool grows to hundreds of threads, so memory would climb with
//! every new thread that ever hashed (measured: 587 MiB after 100 parallel
//! sign-ins). A few long-lived threads reuse their few blocks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use tokio::sync::{Semaphore, oneshot};

use crate::error::ApiError;

/// How long a request waits for a hashing slot before `503 busy`.
const MAX_WAIT: Duration = Duration::from_secs(5);

type Job = Box<dyn FnOnce() + Send>;

pub struct HashPool {
    slots: Semaphore,
    /// Work for the hashing threads (never more queued than `slots`).
    jobs: Mutex<mpsc::Sender<Job>>,
    waiting: AtomicUsize,
    queue: usize,
    /// Hashes that ran (for tests and metrics).
    pub ran: AtomicUsize,
    /// The most that ever ran at once.
    pub peak: AtomicUsize,
    running: AtomicUsize,
}

impl HashPool {
    /// `slots` hashes at once (about two per core), `queue` waiting.
    pub fn new(slots: usize, queue: usize) -> Self {
        let slots = slots.max(1);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(Mutex::new(rx));
        for i in 0..slots {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("cjm-hash-{i}"))
                .spawn(move || {
                    loop {
                        let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // the pool is gone
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Self {
            slots: Semaphore::new(slots),
            jobs: Mutex::new(tx),
            waiting: AtomicUsize::new(0),
            queue,
            ran: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
        }
    }

    /// Two hashes per core, and up to 32 rounds of them waiting (a workshop
    /// signing in at once waits a second or two rather than getting `busy`).
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(2 * cores, 64 * cores)
    }

    /// Runs `work` (a hash or a verification) on the blocking pool once a
    /// slot is free; `busy` when too many are queued already.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let busy = || ApiError::Busy {
            retry_after: 2,
            message: "the server is busy checking passwords; try again in a few seconds".into(),
        };
        let permit = match self.slots.try_acquire() {
            Ok(p) => p,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(busy());
                }
                let got = tokio::time::timeout(MAX_WAIT, self.slots.acquire()).await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                match got {
                    Ok(Ok(p)) => p,
                    _ => return Err(busy()),
                }
            }
        };
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        self.ran.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(work());
        });
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(job)
            .is_ok();
        let out = if sent { rx.await.ok() } else { None };
        self.running.fetch_sub(1, Ordering::SeqCst);
        drop(permit);
        out.ok_or_else(|| ApiError::Internal("a password hashing thread failed".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_most_the_slots_run_and_the_overflow_is_busy() {
        let pool = std::sync::Arc::new(HashPool::new(2, 3));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let pool = pool.clone();
            tasks.push(tokio::spawn(async move {
                pool.run(|| std::thread::sleep(Duration::from_millis(100)))
                    .await
            }));
        }
        let mut ok = 0;
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => ok += 1,
                Err(ApiError::Busy { .. }) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(pool.peak.load(Ordering::SeqCst), 2);
        assert_eq!(ok, 5, "two running and three queued");
        assert_eq!(busy, 5);
    }
}
