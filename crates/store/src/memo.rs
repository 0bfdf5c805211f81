//! Memoised reads: large aggregate reads behind the dashboards (the 学籍 history for 巩固率, the
//! per-school facts of a term) kept per caller until the next write through the store.
//!
//! A memo is used while no write has gone through this store (or its clones) since it was read,
//! and for at most `TTL`, so that a write by another process (a CLI import into the same
//! database) is seen soon.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a memoised read is used at most.
pub const TTL: Duration = Duration::from_secs(60);
/// Keys held at once: a district's readers (one per scope and role: the bureau, each school, each
/// class teacher online) times the few aggregates each page reads. When full, stale entries go
/// first; only if all are fresh is everything dropped.
pub(crate) const CAPACITY: usize = 1024;

/// A value with the write count and the time it was read at.
type Entry<T> = (u64, Instant, T);

pub struct Memo<T> {
    held: Arc<Mutex<HashMap<String, Entry<T>>>>,
}

impl<T> std::fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo { held: Arc::default() }
    }
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Memo { held: self.held.clone() }
    }
}

impl<T: Clone> Memo<T> {
    /// The value read for `key` at write count `writes`, if still fresh.
    pub fn get(&self, key: &str, writes: u64) -> Option<T> {
        let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.get(key).filter(|(w, at, _)| *w == writes && at.elapsed() < TTL).map(|(_, _, v)| v.clone())
    }

    /// The value read for `key` at write count `writes`, however old: no write went through this
    /// store since, only one by another process could have changed it.
    pub fn get_aged(&self, key: &str, writes: u64) -> Option<T> {
        let held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.get(key).filter(|(w, _, _)| *w == writes).map(|(_, _, v)| v.clone())
    }

    /// Keeps a value read at write count `writes` (taken before the read began).
    pub fn put(&self, key: String, writes: u64, value: T) {
        self.put_at(key, writes, value, Instant::now());
    }

    /// Keeps a value read at `at` (tests age a value with it).
    pub(crate) fn put_at(&self, key: String, writes: u64, value: T, at: Instant) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held.len() >= CAPACITY {
            held.retain(|_, (w, at, _)| *w == writes && at.elapsed() < TTL);
            if held.len() >= CAPACITY {
                held.clear();
            }
        }
        held.insert(key, (writes, at, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_memo_drops_stale_entries_before_fresh_ones() {
        let m: Memo<u32> = Memo::default();
        for i in 0..CAPACITY - 1 {
            m.put(format!("old{i}"), 1, 1);
        }
        m.put("fresh".into(), 2, 2);
        m.put("new".into(), 2, 3);
        assert_eq!(m.get("fresh", 2), Some(2), "the fresh entry survives the purge");
        assert_eq!(m.get("new", 2), Some(3));
        assert_eq!(m.get("old0", 1), None, "stale entries went first");
        assert_eq!(m.get("new", 3), None, "a later write makes it stale");
    }
}
