//! Sign-in attempt limits, per account and per client address, in memory:
//! a few failures in a window, then a clear "try again in N minutes". A
//! success clears the account's count. Memory stays bounded: old failures
//! are forgotten as keys are touched, and the whole table is dropped if it
//! ever grows past `MAX_KEYS` (an attacker spraying addresses).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_KEYS: usize = 100_000;

pub struct Limiter {
    window: Duration,
    per_account: usize,
    per_address: usize,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Limiter {
    pub fn new(window: Duration, per_account: usize, per_address: usize) -> Self {
        Self {
            window,
            per_account,
            per_address,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` when the account or the address used up its attempts.
    pub fn check(&self, account: &str, address: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = None;
        for (key, limit) in [
            (format!("a:{account}"), self.per_account),
            (format!("i:{address}"), self.per_address),
        ] {
            if let Some(list) = map.get_mut(&key)
                && let Some(w) = self.spent(list, limit, now)
            {
                wait = Some(wait.map_or(w, |x: Duration| x.max(w)));
            }
        }
        wait.map_or(Ok(()), Err)
    }

    /// Forgets the events of `list` older than the window; then, if `limit`
    /// of them remain, how long until the oldest goes.
    fn spent(&self, list: &mut VecDeque<Instant>, limit: usize, now: Instant) -> Option<Duration> {
        while list
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            list.pop_front();
        }
        if list.len() >= limit {
            list.front()
                .map(|first| self.window - now.duration_since(*first))
        } else {
            None
        }
    }

    pub fn failed(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_KEYS {
            map.clear();
        }
        for key in [format!("a:{account}"), format!("i:{address}")] {
            map.entry(key).or_default().push_back(now);
        }
    }

    /// Counts one event (for limits on every request, not only failures)
    /// unless the account or the address is already over its limit.
    pub fn hit(&self, account: &str, address: &str) -> Result<(), Duration> {
        self.check(account, address)?;
        self.failed(account, address);
        Ok(())
    }

    /// `hit` for a request with no account: only the address counts.
    pub fn hit_address(&self, address: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let key = format!("i:{address}");
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > MAX_KEYS {
            map.clear();
        }
        let list = map.entry(key).or_default();
        if let Some(wait) = self.spent(list, self.per_address, now) {
            return Err(wait);
        }
        list.push_back(now);
        Ok(())
    }

    pub fn succeeded(&self, account: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("a:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_per_account_and_per_address() {
        let l = Limiter::new(Duration::from_secs(60), 3, 5);
        for _ in 0..3 {
            assert!(l.check("anna", "10.0.0.1").is_ok());
            l.failed("anna", "10.0.0.1");
        }
        let wait = l.check("anna", "10.0.0.2").unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        // Another account from the same address still may, until the
        // address runs out too.
        assert!(l.check("boris", "10.0.0.1").is_ok());
        l.failed("boris", "10.0.0.1");
        l.failed("boris", "10.0.0.1");
        assert!(
            l.check("vera", "10.0.0.1").is_err(),
            "5 failures from one address"
        );
        assert!(l.check("vera", "10.0.0.3").is_ok());
        l.succeeded("anna");
        assert!(l.check("anna", "10.0.0.9").is_ok());
    }

    #[test]
    fn hit_counts_every_event_and_refuses_over_the_limit() {
        let l = Limiter::new(Duration::from_secs(60), 2, 100);
        assert!(l.hit("anna", "ip").is_ok());
        assert!(l.hit("anna", "ip").is_ok());
        assert!(l.hit("anna", "ip").is_err());
        assert!(l.hit("boris", "ip").is_ok());
        // Anonymous requests count against the address alone.
        let l = Limiter::new(Duration::from_secs(60), 1, 3);
        for _ in 0..3 {
            assert!(l.hit_address("10.0.0.7").is_ok());
        }
        assert!(l.hit_address("10.0.0.7").is_err());
        assert!(l.hit("anna", "10.0.0.7").is_err(), "the address is spent");
        assert!(l.hit_address("10.0.0.8").is_ok());
    }

    #[test]
    fn failures_expire_with_the_window() {
        let l = Limiter::new(Duration::from_millis(30), 1, 10);
        l.failed("anna", "ip");
        assert!(l.check("anna", "ip").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.check("anna", "ip").is_ok());
    }
}
