//! One clock for the whole program: the instant (the server's, or one a test sets) read in the
//! district's zone. Every "today", deadline and report month comes from here.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use eduq_core::clock::DistrictZone;

#[derive(Debug, Clone, Default)]
pub struct Clock {
    zone: DistrictZone,
    /// Set by tests: the instant the clock shows until set again (no sleeping).
    fixed: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The server's clock in the district's zone.
    pub fn system(zone: DistrictZone) -> Clock {
        Clock { zone, fixed: None }
    }

    /// A clock stopped at `at` that tests move with [`Clock::set`].
    pub fn fixed(zone: DistrictZone, at: DateTime<Utc>) -> Clock {
        Clock { zone, fixed: Some(Arc::new(Mutex::new(at))) }
    }

    /// Moves a fixed clock (and every clone of it); a system clock ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(Ok(mut t)) = self.fixed.as_ref().map(|m| m.lock()) {
            *t = at;
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(m) => m.lock().map(|t| *t).unwrap_or_else(|e| *e.into_inner()),
            None => Utc::now(),
        }
    }

    /// The district's date now.
    pub fn today(&self) -> NaiveDate {
        self.zone.today(self.now())
    }

    /// An instant in the district's local time, for people to read.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        self.zone.local(t)
    }

    pub fn zone(&self) -> &DistrictZone {
        &self.zone
    }
}
