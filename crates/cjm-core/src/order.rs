//! Order keys for lists (stages, lanes, personas, cards in a cell).
//!
//! A key is the hex form of a `fractional_index::FractionalIndex`: strings
//! compare in the same order as the indexes, so the database and the browser
//! can sort by plain string comparison, and inserting between two siblings
//! never renumbers anything. Two clients inserting at the same place at once
//! may make equal keys; ties are broken by entity id, so every replica still
//! agrees on the order.

use fractional_index::FractionalIndex;
use serde::{Deserialize, Serialize};

use crate::limits::MAX_ORDER_KEY_CHARS;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct OrderKey(String);

impl OrderKey {
    /// The key of the first item of an empty list.
    pub fn first() -> Self {
        Self(FractionalIndex::default().to_string())
    }

    /// A key strictly between `before` and `after` (either may be absent).
    /// When the two are equal or out of order (concurrent inserts), the key
    /// goes right after `before`, which is the best any replica can do.
    pub fn between(before: Option<&OrderKey>, after: Option<&OrderKey>) -> Self {
        let lo = before.and_then(|k| FractionalIndex::from_string(&k.0).ok());
        let hi = after.and_then(|k| FractionalIndex::from_string(&k.0).ok());
        let index = match (&lo, &hi) {
            (Some(lo), Some(hi)) if lo < hi => FractionalIndex::new_between(lo, hi)
                .unwrap_or_else(|| FractionalIndex::new_after(lo)),
            (Some(lo), _) => FractionalIndex::new_after(lo),
            (None, Some(hi)) => FractionalIndex::new_before(hi),
            (None, None) => FractionalIndex::default(),
        };
        Self(index.to_string())
    }

    /// `n` keys in increasing order after `before`, for building lists.
    pub fn sequence(n: usize) -> Vec<Self> {
        let mut keys: Vec<OrderKey> = Vec::with_capacity(n);
        for _ in 0..n {
            let next = OrderKey::between(keys.last(), None);
            keys.push(next);
        }
        keys
    }

    /// `n` keys in increasing order after `before` (the end of a list),
    /// for appending many items at once: the span after `before` is
    /// halved again and again, so the keys grow with log2(n), where
    /// appending one after another (`sequence`) grows them by a byte per
    /// 128 items and would pass `MAX_ORDER_KEY_CHARS` within a few
    /// thousand.
    pub fn spread_after(before: Option<&OrderKey>, n: usize) -> Vec<Self> {
        if n == 0 {
            return Vec::new();
        }
        let lo = before.cloned();
        // An upper bound well past `before`, itself the last key.
        let mut hi = OrderKey::between(lo.as_ref(), None);
        for _ in 0..8 {
            hi = OrderKey::between(Some(&hi), None);
        }
        let mut keys: Vec<Option<OrderKey>> = vec![None; n];
        keys[n - 1] = Some(hi.clone());
        // Fill (lo, hi) exclusive for the indexes 0..n-1, middle first.
        let mut stack = vec![(lo, Some(hi), 0usize, n - 1)];
        while let Some((lo, hi, from, to)) = stack.pop() {
            if from >= to {
                continue;
            }
            let mid = from + (to - from) / 2;
            let key = OrderKey::between(lo.as_ref(), hi.as_ref());
            keys[mid] = Some(key.clone());
            stack.push((lo, Some(key.clone()), from, mid));
            stack.push((Some(key), hi, mid + 1, to));
        }
        keys.into_iter()
            .map(|k| k.expect("every index filled"))
            .collect()
    }

    /// Parses a key received from a client or the database.
    pub fn parse(s: &str) -> Option<Self> {
        // The crate's decoder slices the string two bytes at a time: check
        // the alphabet and length first so that odd input can never panic it.
        let canonical_hex = s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if s.len() > MAX_ORDER_KEY_CHARS || !s.len().is_multiple_of(2) || !canonical_hex {
            return None;
        }
        FractionalIndex::from_string(s)
            .ok()
            .map(|_| Self(s.to_owned()))
    }

    pub fn is_valid(&self) -> bool {
        Self::parse(&self.0).is_some()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The examples docs/protocol.md gives a third-party client.
    #[test]
    fn protocol_doc_examples() {
        let k = |s: &str| OrderKey::parse(s).unwrap();
        assert_eq!(OrderKey::first().as_str(), "80");
        assert_eq!(OrderKey::between(Some(&k("80")), None).as_str(), "8180");
        assert_eq!(OrderKey::between(Some(&k("8180")), None).as_str(), "8280");
        assert_eq!(OrderKey::between(None, Some(&k("80"))).as_str(), "7f80");
        let between = |a: &str, b: &str| OrderKey::between(Some(&k(a)), Some(&k(b)));
        assert_eq!(between("80", "8180").as_str(), "817f80");
        assert_eq!(between("7f80", "80").as_str(), "7f8180");
        assert_eq!(between("8180", "8280").as_str(), "818180");
    }
    use proptest::prelude::*;

    #[test]
    fn a_spread_is_ordered_and_short() {
        let last = OrderKey::sequence(300).pop();
        for n in [1, 2, 3, 10, 1000, 10_000] {
            let keys = OrderKey::spread_after(last.as_ref(), n);
            assert_eq!(keys.len(), n);
            assert!(keys[0] > *last.as_ref().unwrap());
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "ordered for {n}");
            assert!(keys.iter().all(OrderKey::is_valid), "valid for {n}");
        }
        let keys = OrderKey::spread_after(None, 10_000);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        let longest = keys.iter().map(|k| k.as_str().len()).max().unwrap();
        assert!(longest <= 64, "longest key {longest} chars");
    }

    #[test]
    fn rejects_garbage() {
        assert!(OrderKey::parse("").is_none());
        assert!(OrderKey::parse("zz").is_none());
        assert!(OrderKey::parse("7f").is_none(), "no terminator");
        assert!(OrderKey::parse(&"8".repeat(200)).is_none());
        assert!(OrderKey::parse("8").is_none(), "odd length");
        assert!(OrderKey::parse("é80").is_none(), "non-ascii");
        assert!(OrderKey::parse("80").is_some());
    }

    #[test]
    fn sequence_is_increasing() {
        let keys = OrderKey::sequence(50);
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    /// Builds a key by a random walk of inserts, like a real list's history.
    fn walk(steps: Vec<(bool, u8)>) -> Vec<OrderKey> {
        let mut keys = vec![OrderKey::first()];
        for (before, pick) in steps {
            let i = pick as usize % keys.len();
            let new = if before {
                let lo = if i == 0 { None } else { Some(&keys[i - 1]) };
                OrderKey::between(lo, Some(&keys[i]))
            } else {
                OrderKey::between(Some(&keys[i]), keys.get(i + 1))
            };
            keys.push(new);
            keys.sort();
        }
        keys
    }

    proptest! {
        #[test]
        fn between_sorts_between(steps in prop::collection::vec((any::<bool>(), any::<u8>()), 0..60),
                                 a in any::<u8>(), b in any::<u8>()) {
            let keys = walk(steps);
            let (mut i, mut j) = (a as usize % keys.len(), b as usize % keys.len());
            if i > j { std::mem::swap(&mut i, &mut j); }
            prop_assume!(keys[i] < keys[j]);
            let k = OrderKey::between(Some(&keys[i]), Some(&keys[j]));
            prop_assert!(keys[i] < k && k < keys[j], "{:?} < {:?} < {:?}", keys[i], k, keys[j]);
            prop_assert!(k.is_valid());
            let before = OrderKey::between(None, Some(&keys[i]));
            prop_assert!(before < keys[i]);
            let after = OrderKey::between(Some(&keys[j]), None);
            prop_assert!(after > keys[j]);
        }
    }
}
