//! A bound on password hashing. argon2id takes 19 MiB and tens of
//! milliseconds of CPU per hash; unbounded, a few hundred parallel sign-ins
//! (no account needed) would take gigabytes. At most `slots` hashes run at
//! once on the blocking pool; up to `queue` more requests wait for a slot
//! for `MAX_WAIT`; beyond that the caller gets `503 busy` with
//! `Retry-After`, which costs nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::ApiError;

/// How long a request waits for a hashing slot before `503 busy`.
const MAX_WAIT: Duration = Duration::from_secs(5);

pub struct HashPool {
    slots: Semaphore,
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
        Self {
            slots: Semaphore::new(slots.max(1)),
            waiting: AtomicUsize::new(0),
            queue,
            ran: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
        }
    }

    /// Two hashes per core, and as many waiting as eight rounds of them.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(2 * cores, 16 * cores)
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
        let out = tokio::task::spawn_blocking(work).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        drop(permit);
        out.map_err(|e| ApiError::Unexpected(e.to_string()))
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
