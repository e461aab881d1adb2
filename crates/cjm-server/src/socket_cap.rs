//! A cap on the websockets one person (an account, or a guest) has open at
//! once, so that one cookie cannot hold thousands of connections' memory.
//! A slot is taken at the upgrade and given back when its guard drops.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::access::Access;

pub struct SocketCap {
    /// 0: no cap (load tests that open thousands of sockets with one
    /// account).
    per_person: usize,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open socket of a person; dropping it frees the slot.
pub struct SocketSlot {
    who: String,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl SocketCap {
    pub fn new(per_person: usize) -> Self {
        Self {
            per_person,
            open: Arc::default(),
        }
    }

    /// A slot for `who`, or `None` when they have `per_person` open.
    pub fn open(&self, who: &Access) -> Option<SocketSlot> {
        let key = match who.account {
            Some((user, _)) => user.to_string(),
            None => who.actor.clone(),
        };
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key.clone()).or_default();
        if self.per_person != 0 && *n >= self.per_person {
            return None;
        }
        *n += 1;
        Some(SocketSlot {
            who: key,
            open: self.open.clone(),
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.who) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.who);
            }
        }
    }
}
