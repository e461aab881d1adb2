//! Attempt limits in memory: password guesses (sign-in, the current
//! password on a change, link passwords) and state-changing REST calls.
//!
//! Guessing is limited in three ways, so that an attacker can neither guess
//! freely nor lock a real person out from elsewhere:
//! - hard, per (subject, address): `per_pair` failures in the window, then
//!   `429` until the oldest one ages out. The subject is an account's email
//!   or a share link.
//! - hard, per address: `per_address` attempts at any subjects.
//! - soft, per subject from anywhere: past `per_pair` failures, each further
//!   attempt must wait twice as long as the one before (from 1 s up to
//!   `MAX_BACKOFF`), which slows a distributed guesser to a crawl while the
//!   owner, from their own address, waits seconds rather than a quarter hour.
//!
//! An attempt is counted *before* its password is verified (`begin`), so
//! a hundred parallel guesses meet the limit exactly; a success gives the
//! address its attempt back and clears the subject's failures.
//!
//! Memory stays bounded: each key keeps at most its limit of events, and
//! past `MAX_KEYS` keys the stalest ones are evicted one by one (a spray of
//! addresses cannot reset everyone's lockout by flooding the table).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

const MAX_KEYS: usize = 100_000;
/// The longest a soft backoff makes anyone wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Events kept for a soft key: enough to reach `MAX_BACKOFF`.
const SOFT_EVENTS: usize = 16;

pub struct Limiter {
    window: Duration,
    per_pair: usize,
    per_address: usize,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

fn pair_key(subject: &str, address: &str) -> String {
    format!("p:{subject}|{address}")
}

fn address_key(address: &str) -> String {
    format!("i:{address}")
}

fn subject_key(subject: &str) -> String {
    format!("s:{subject}")
}

impl Limiter {
    /// `per_pair`: attempts per subject and address (and, as a hard limit
    /// for `hit`, per subject); `per_address`: per address.
    pub fn new(window: Duration, per_pair: usize, per_address: usize) -> Self {
        Self {
            window,
            per_pair,
            per_address,
            events: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, VecDeque<Instant>>> {
        self.events.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a password attempt at `subject` from `address`: counted at
    /// once, or `Err(wait)` when a limit is reached.
    pub fn begin(&self, subject: &str, address: &str) -> Result<(), Duration> {
        self.admit(
            [
                (pair_key(subject, address), self.per_pair),
                (address_key(address), self.per_address),
            ],
            Some(subject_key(subject)),
        )
    }

    /// The attempt `begin` counted was right: the address gets it back and
    /// the subject's failures are forgotten.
    pub fn succeeded(&self, subject: &str, address: &str) {
        let mut map = self.lock();
        map.remove(&pair_key(subject, address));
        map.remove(&subject_key(subject));
        if let Some(list) = map.get_mut(&address_key(address)) {
            list.pop_back();
        }
    }

    /// Counts one event for `who` and `address` (limits on every request,
    /// not only failures) unless either is already at its limit.
    pub fn hit(&self, who: &str, address: &str) -> Result<(), Duration> {
        self.admit(
            [
                (subject_key(who), self.per_pair),
                (address_key(address), self.per_address),
            ],
            None,
        )
    }

    /// `hit` for a request with no account: only the address counts.
    pub fn hit_address(&self, address: &str) -> Result<(), Duration> {
        self.admit([(address_key(address), self.per_address)], None)
    }

    /// Counts one event under each of the `hard` keys (each with its limit)
    /// and the `soft` backoff key, all or none: `Err(wait)`, the longest
    /// wait, when any of them is spent.
    fn admit<const N: usize>(
        &self,
        hard: [(String, usize); N],
        soft: Option<String>,
    ) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.lock();
        let waits = hard
            .iter()
            .filter_map(|(key, limit)| self.spent(&mut map, key, *limit, now))
            .collect::<Vec<_>>();
        let soft_wait = soft.as_ref().and_then(|k| self.backoff(&mut map, k, now));
        if let Some(wait) = waits.into_iter().chain(soft_wait).max() {
            return Err(wait);
        }
        for (key, limit) in hard {
            self.record(&mut map, key, limit, now);
        }
        if let Some(key) = soft {
            self.record(&mut map, key, SOFT_EVENTS, now);
        }
        Ok(())
    }

    /// Forgets the events of `key` older than the window; then, if `limit`
    /// of them remain, how long until the oldest goes.
    fn spent(
        &self,
        map: &mut HashMap<String, VecDeque<Instant>>,
        key: &str,
        limit: usize,
        now: Instant,
    ) -> Option<Duration> {
        let list = map.get_mut(key)?;
        self.expire(list, now);
        if list.len() >= limit {
            list.front()
                .map(|first| self.window.saturating_sub(now.duration_since(*first)))
        } else {
            None
        }
    }

    /// How long the subject must still wait after its last attempt: none
    /// for its first `per_pair` in the window, then 1 s, 2 s, 4 s…
    fn backoff(
        &self,
        map: &mut HashMap<String, VecDeque<Instant>>,
        key: &str,
        now: Instant,
    ) -> Option<Duration> {
        let list = map.get_mut(key)?;
        self.expire(list, now);
        let over = list.len().checked_sub(self.per_pair)?;
        let last = *list.back()?;
        let pause = Duration::from_secs(1u64 << over.min(16)).min(MAX_BACKOFF);
        let waited = now.duration_since(last);
        (waited < pause).then(|| pause - waited)
    }

    fn expire(&self, list: &mut VecDeque<Instant>, now: Instant) {
        while list
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            list.pop_front();
        }
    }

    fn record(
        &self,
        map: &mut HashMap<String, VecDeque<Instant>>,
        key: String,
        keep: usize,
        now: Instant,
    ) {
        if !map.contains_key(&key) && map.len() >= MAX_KEYS {
            self.evict(map, now);
        }
        let list = map.entry(key).or_default();
        list.push_back(now);
        while list.len() > keep.max(1) {
            list.pop_front();
        }
    }

    /// Makes room for a new key: drops the expired keys, and if that is not
    /// enough, the tenth of the keys whose last event is oldest.
    fn evict(&self, map: &mut HashMap<String, VecDeque<Instant>>, now: Instant) {
        map.retain(|_, list| {
            list.back()
                .is_some_and(|t| now.duration_since(*t) < self.window)
        });
        if map.len() < MAX_KEYS {
            return;
        }
        let mut last: Vec<Instant> = map.values().filter_map(|l| l.back().copied()).collect();
        let cut = last.len() / 10;
        let (_, threshold, _) = last.select_nth_unstable(cut);
        let threshold = *threshold;
        map.retain(|_, list| list.back().is_some_and(|t| *t > threshold));
    }

    #[cfg(test)]
    fn keys(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_limits_are_per_subject_and_address_and_per_address() {
        let l = Limiter::new(Duration::from_secs(60), 3, 5);
        for _ in 0..3 {
            assert!(l.begin("anna", "10.0.0.1").is_ok());
        }
        let wait = l.begin("anna", "10.0.0.1").unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        // The owner, elsewhere, is only slowed down (soft backoff), not
        // locked out for the window.
        let soft = l.begin("anna", "10.0.0.2").unwrap_err();
        assert!(soft <= Duration::from_secs(1), "{soft:?}");
        // Another account from the same address may, until the address is
        // spent.
        assert!(l.begin("boris", "10.0.0.1").is_ok());
        assert!(l.begin("boris", "10.0.0.1").is_ok());
        assert!(l.begin("vera", "10.0.0.1").is_err(), "5 from one address");
        assert!(l.begin("vera", "10.0.0.3").is_ok());
    }

    #[test]
    fn soft_backoff_doubles_and_success_clears_it() {
        let l = Limiter::new(Duration::from_secs(600), 2, 1000);
        for i in 0..2 {
            assert!(l.begin("anna", &format!("10.0.0.{i}")).is_ok());
        }
        // Third failure from a third address: must wait 1 s.
        assert!(l.begin("anna", "10.0.1.1").is_err());
        let mut map = l.lock();
        // Pretend the last attempt was long ago.
        let list = map.get_mut("s:anna").unwrap();
        let back = list.back_mut().unwrap();
        *back -= Duration::from_secs(2);
        drop(map);
        assert!(l.begin("anna", "10.0.1.1").is_ok());
        let wait = l.begin("anna", "10.0.1.2").unwrap_err();
        assert!(wait > Duration::from_secs(1) && wait <= Duration::from_secs(2));
        l.succeeded("anna", "10.0.1.1");
        assert!(l.begin("anna", "10.0.1.2").is_ok());
    }

    #[test]
    fn a_success_gives_the_address_its_attempt_back() {
        let l = Limiter::new(Duration::from_secs(60), 10, 2);
        for _ in 0..5 {
            l.begin("anna", "ip").unwrap();
            l.succeeded("anna", "ip");
        }
        assert!(l.begin("boris", "ip").is_ok());
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
        l.begin("anna", "ip").unwrap();
        assert!(l.begin("anna", "ip").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.begin("anna", "ip").is_ok());
    }

    #[test]
    fn a_flood_of_keys_evicts_the_stalest_and_keeps_recent_lockouts() {
        let l = Limiter::new(Duration::from_secs(600), 1, 1_000_000);
        l.begin("victim", "attacker").unwrap();
        std::thread::sleep(Duration::from_millis(2));
        for i in 0..MAX_KEYS {
            l.hit_address(&format!("10.{i}")).unwrap();
        }
        assert!(l.keys() <= MAX_KEYS);
        // The table never grows past its cap, and eviction takes the
        // stalest keys only: a lockout made after the flood holds.
        l.begin("anna", "ip").unwrap();
        for i in 0..1000 {
            l.hit_address(&format!("11.{i}")).unwrap();
        }
        assert!(l.begin("anna", "ip").is_err(), "a recent lockout survives");
        assert!(l.keys() <= MAX_KEYS);
    }
}
