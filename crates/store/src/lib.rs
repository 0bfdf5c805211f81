//! The storage boundary of eduq: sqlx on SQLite (embedded default) or PostgreSQL (production),
//! chosen at run time by the database URL.
//!
//! Every read of people data takes the caller's [`Actor`] and filters by its scope here, in the
//! data layer, so that no page or API route can forget it. SQL is written once with `$n`
//! placeholders, which both backends accept, and run on whichever pool is configured.

mod error;
mod memo;
mod migrate;
mod sql;

pub mod accounts;
pub mod after_school;
pub mod alerts;
pub mod attendance;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod casework;
pub mod designations;
pub mod exams;
pub mod fitness;
pub mod flows;
pub mod group_activities;
pub mod homework;
pub mod honours;
pub mod imports;
pub mod indicators;
pub mod inspections;
mod keyset;
pub mod lottery;
pub mod org;
pub mod people;
pub mod plans;
pub mod problems;
pub mod projects;
pub mod psych_followup;
pub mod research;
pub mod rotation;
pub mod rubrics;
pub mod screening;
pub mod studios;
pub mod surveys;
pub mod timetables;
pub mod training;

use std::any::Any;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use eduq_core::access::Actor;
pub use error::StoreError;
pub use keyset::KeyPage;
pub use sql::{Arg, Get, Sql};

pub type Result<T> = std::result::Result<T, StoreError>;

/// Who reads, for memo keys: the same scope and role read the same rows.
pub fn reader_key(actor: &Actor) -> String {
    format!("{:?}|{:?}", actor.scope, actor.role)
}

#[derive(Clone, Debug)]
enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// Runs `$body` with `$p` bound to whichever pool is configured (compiled once per backend).
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($p) => $body,
            $crate::Db::Pg($p) => $body,
        }
    };
}

/// A handle on the database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    /// Counts the writes made through this handle (and its clones): a read memoised at one count
    /// is stale at another.
    writes: Arc<AtomicU64>,
    /// Values derived from the contents by callers (see `memoised`).
    derived: memo::Memo<Arc<dyn Any + Send + Sync>>,
    /// A gate per memo key being computed (see `memoised`).
    flights: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

/// How often the write-ahead log is folded back into the database file (off the commits).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// Checkpoints the SQLite WAL in the background (PASSIVE: never blocks readers or the writer)
/// until the pool closes. Where no Tokio runtime runs, SQLite's own rule stays in place.
fn checkpointer(pool: SqlitePool) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else { return };
    rt.spawn(async move {
        loop {
            tokio::time::sleep(CHECKPOINT_EVERY).await;
            if pool.is_closed() {
                return;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                tracing::warn!("WAL checkpoint: {e}");
            }
        }
    });
}

impl Store {
    /// `sqlite://path/to/eduq.db` (created if missing, WAL) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            Self::connect_pg(opts).await
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // No checkpoint inside a commit: the 8:00 burst of rolls must not wait for one.
                .pragma("wal_autocheckpoint", "0")
                // After a checkpoint the log is cut back to this size (bytes) rather than kept at
                // the high-water mark of the last big import.
                .pragma("journal_size_limit", "67108864")
                // Up to 32 MB of pages per connection (allocated as used): a 100,000-row import
                // spilled the 8 MB default into the log mid-transaction (docs/benchmarks.md).
                .pragma("cache_size", "-32768");
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
            checkpointer(pool.clone());
            Ok(Store::new(Db::Sqlite(pool)))
        } else {
            Err(StoreError::Config(format!("不支持的数据库地址：{url}（应以 sqlite: 或 postgres:// 开头）")))
        }
    }

    /// PostgreSQL with every connection's search_path set to `schema` (created if missing):
    /// tests use a unique schema per run.
    pub async fn connect_pg_schema(url: &str, schema: &str) -> Result<Store> {
        if !schema.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StoreError::Config(format!("无效的schema名：{schema}")));
        }
        let base = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new().max_connections(1).connect_with(base.clone()).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}"))).execute(&pool).await?;
        pool.close().await;
        Self::connect_pg(base.options([("search_path", schema)])).await
    }

    async fn connect_pg(opts: PgConnectOptions) -> Result<Store> {
        // A few connections stay open: the first burst after a quiet spell (a computer room
        // pressing 提交 together) should not wait for connections to be made.
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .min_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Store::new(Db::Pg(pool)))
    }

    fn new(db: Db) -> Store {
        Store { db, writes: Arc::default(), flights: Arc::default(), derived: memo::Memo::default() }
    }

    /// A value derived from the contents (the schools with their counts, an indicator library, a
    /// plan dashboard), kept under `key` until the next write through this store or the memo's TTL:
    /// the home page, the dashboards and the API read the same aggregates for every visitor of a
    /// scope, and 50 visitors at once must not compute them 50 times. `key` names the caller's
    /// scope and role and the term; the value's type is part of it.
    pub async fn memoised<T, E, F>(&self, key: &str, read: F) -> std::result::Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = std::result::Result<T, E>>,
    {
        let key = format!("{}|{key}", std::any::type_name::<T>());
        let held = |writes| self.derived.get(&key, writes).and_then(|v| v.downcast_ref::<T>().cloned());
        if let Some(v) = held(self.write_count()) {
            return Ok(v);
        }
        // One reader computes a missing value; the others asking for the same key meanwhile wait
        // for it and take it (50 visitors at a memo's expiry must not compute it 50 times).
        let gate = {
            let mut flights = self.flights.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if flights.len() > memo::CAPACITY {
                flights.retain(|_, g| Arc::strong_count(g) > 1);
            }
            flights.entry(key.clone()).or_default().clone()
        };
        // A value only past its age (no write since) is still served while one reader refreshes it:
        // the age bounds how late a write by another process (a CLI import) is seen, and at 60 s it
        // must not make every visitor of that moment wait for the recomputation.
        let _turn = match gate.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                let aged = self.derived.get_aged(&key, self.write_count());
                if let Some(v) = aged.and_then(|v| v.downcast_ref::<T>().cloned()) {
                    return Ok(v);
                }
                gate.lock().await
            }
        };
        // Read the count before the value: a write landing meanwhile makes this memo stale at once.
        let writes = self.write_count();
        if let Some(v) = held(writes) {
            return Ok(v);
        }
        let v = read.await?;
        self.derived.put(key, writes, Arc::new(v.clone()));
        Ok(v)
    }

    /// The number of writes made through this handle so far.
    pub(crate) fn write_count(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.db, Db::Pg(_))
    }

    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "SQLite",
            Db::Pg(_) => "PostgreSQL",
        }
    }

    /// Brings the query planner's statistics up to date after a bulk change (an import, the demo).
    /// PostgreSQL plans a table autovacuum has not analysed yet from default estimates, and a small
    /// table never reaches its threshold: the demo's 5 cases were joined to all 45,000 pupils by a
    /// hash join (15 ms a read, the case register at p99 0.4 s under 50 clients).
    pub async fn refresh_statistics(&self) -> Result<()> {
        match &self.db {
            Db::Pg(p) => {
                // This schema's tables only: a bare ANALYZE would walk every schema of the database.
                let tables: Vec<String> =
                    sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()")
                        .fetch_all(p)
                        .await?;
                if !tables.is_empty() {
                    let list = tables.iter().map(|t| format!("\"{}\"", t.replace('"', ""))).collect::<Vec<_>>();
                    sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {}", list.join(", ")))).execute(p).await?;
                }
            }
            Db::Sqlite(p) => {
                sqlx::query("PRAGMA optimize").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Applies the embedded migrations not yet applied. Returns the versions applied now.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        migrate::run(self).await
    }

    /// Applies the migrations up to `version` only: tests of a migration start from the schema
    /// before it, with rows in it.
    pub async fn migrate_to(&self, version: i64) -> Result<Vec<i64>> {
        migrate::run_until(self, version).await
    }

    /// A consistent copy of the SQLite database while serving (`VACUUM INTO`).
    pub async fn backup_to(&self, path: &str) -> Result<()> {
        match &self.db {
            Db::Sqlite(p) => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
                Ok(())
            }
            Db::Pg(_) => Err(StoreError::Config(
                "PostgreSQL 请使用 pg_dump 备份（它在服务运行时也能得到一致的副本）".to_string(),
            )),
        }
    }

    /// Runs one statement.
    pub(crate) async fn exec(&self, sql: &Sql) -> Result<u64> {
        let n = self.exec_bookkeeping(sql).await?;
        self.writes.fetch_add(1, Ordering::SeqCst);
        Ok(n)
    }

    /// Runs one statement that changes nothing a memoised read holds (a session's last visit, an
    /// audit row, a login attempt): counting those as writes would drop every memo at each
    /// visitor's session touch.
    pub(crate) async fn exec_bookkeeping(&self, sql: &Sql) -> Result<u64> {
        Ok(
            on_pool!(self, p => sql::bind!(sqlx::query(sqlx::AssertSqlSafe(sql::text_for(p, sql))), &sql.args).execute(p).await?.rows_affected()),
        )
    }

    /// Runs a query and maps each row.
    pub(crate) async fn fetch<T>(
        &self,
        sql: &Sql,
        map: impl Fn(&dyn Get) -> std::result::Result<T, sqlx::Error>,
    ) -> Result<Vec<T>> {
        on_pool!(self, p => {
            let rows = sql::bind!(sqlx::query(sqlx::AssertSqlSafe(sql::text_for(p, sql))), &sql.args).fetch_all(p).await?;
            rows.iter().map(|r| map(r).map_err(StoreError::from)).collect()
        })
    }

    pub(crate) async fn fetch_opt<T>(
        &self,
        sql: &Sql,
        map: impl Fn(&dyn Get) -> std::result::Result<T, sqlx::Error>,
    ) -> Result<Option<T>> {
        Ok(self.fetch(sql, map).await?.into_iter().next())
    }

    /// One page of `SELECT {cols}{from_where} ORDER BY {order}` and the total number of rows, or
    /// `cap + 1` when there are more than `cap` (a log that only grows is not counted whole at
    /// every page view). `from_where` carries the filters (and the caller's scope) once for both.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn paged<T>(
        &self,
        from_where: Sql,
        cols: &str,
        order: &str,
        page: i64,
        per_page: i64,
        cap: Option<i64>,
        map: impl Fn(&dyn Get) -> std::result::Result<T, sqlx::Error>,
    ) -> Result<(Vec<T>, i64)> {
        let count = match cap {
            None => Sql { text: format!("SELECT COUNT(*){}", from_where.text), args: from_where.args.clone() },
            Some(cap) => Sql {
                text: format!("SELECT COUNT(*) FROM (SELECT 1{} LIMIT {}) capped", from_where.text, cap + 1),
                args: from_where.args.clone(),
            },
        };
        let total = self.scalar(&count).await?;
        let mut list =
            Sql { text: format!("SELECT {cols}{} ORDER BY {order}", from_where.text), args: from_where.args };
        list.push_arg(" LIMIT ?", per_page);
        list.push_arg(" OFFSET ?", page.max(0) * per_page);
        Ok((self.fetch(&list, map).await?, total))
    }

    /// One integer (count, id).
    pub(crate) async fn scalar(&self, sql: &Sql) -> Result<i64> {
        self.fetch_opt(sql, |r| r.i(0)).await?.ok_or(StoreError::NotFound)
    }

    /// Starts a transaction: everything done through it lands together or not at all.
    ///
    /// On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a deferred transaction that
    /// reads and then writes cannot wait for another writer and fails with "database is locked",
    /// which the 8:00 roll-call peak of 200 classes showed. Waiting is bounded by busy_timeout.
    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &self.db {
            Db::Sqlite(p) => TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(p) => TxInner::Pg(p.begin().await?),
        };
        Ok(Tx { inner, writes: self.writes.clone() })
    }
}

/// The unscoped tier of the store: what no caller's scope bounds (sessions and logins, accounts,
/// the system's own scans, reads by id after a scoped check, raw statements for tests and tools).
/// Reaching it is explicit (`store.system()`), so that a use case cannot read people's records
/// past the caller's scope by accident; everything on [`Store`] itself is either scoped by an
/// [`Actor`] or public (terms, calendars, published lottery files).
#[derive(Clone, Copy)]
pub struct System<'a>(&'a Store);

impl Store {
    /// The unscoped tier (see [`System`]).
    pub fn system(&self) -> System<'_> {
        System(self)
    }
}

impl std::ops::Deref for System<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        self.0
    }
}

/// A table whose rows carry a `source_key` (the digest of what makes two imported rows the same).
#[derive(Debug, Clone, Copy)]
pub(crate) enum SourceKeyed {
    Problem,
    Training,
}

impl SourceKeyed {
    fn table(self) -> &'static str {
        match self {
            SourceKeyed::Problem => "problem",
            SourceKeyed::Training => "training_record",
        }
    }
}

impl System<'_> {
    /// Which of `keys` the district's rows of `table` already hold (an import skips them).
    pub(crate) async fn source_keys_held(
        &self,
        table: SourceKeyed,
        district_id: i64,
        keys: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        let mut held = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let mut q = Sql::new(format!("SELECT source_key FROM {} WHERE district_id = ", table.table()));
            let d = q.arg(district_id);
            q.push(&d);
            let ph: Vec<String> = chunk.iter().map(|k| q.arg(k.as_str())).collect();
            q.push(&format!(" AND source_key IN ({})", ph.join(", ")));
            held.extend(self.fetch(&q, |r| r.s(0)).await?);
        }
        Ok(held)
    }

    /// Runs one statement (a write: memoised reads are dropped).
    pub async fn exec(&self, sql: &Sql) -> Result<u64> {
        self.0.exec(sql).await
    }

    /// Runs a query and maps each row.
    pub async fn fetch<T>(
        &self,
        sql: &Sql,
        map: impl Fn(&dyn Get) -> std::result::Result<T, sqlx::Error>,
    ) -> Result<Vec<T>> {
        self.0.fetch(sql, map).await
    }

    /// One integer (count, id).
    pub async fn scalar(&self, sql: &Sql) -> Result<i64> {
        self.0.scalar(sql).await
    }
}

/// An open transaction on either backend.
pub struct Tx {
    inner: TxInner,
    writes: Arc<AtomicU64>,
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Pg(sqlx::Transaction<'static, sqlx::Postgres>),
}

macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::TxInner::Sqlite($c) => $body,
            $crate::TxInner::Pg($c) => $body,
        }
    };
}

impl Tx {
    pub async fn exec(&mut self, sql: &Sql) -> Result<u64> {
        on_tx!(self, c => Ok(sql::bind!(sqlx::query(sqlx::AssertSqlSafe(sql::text_for(&**c, sql))), &sql.args).execute(&mut **c).await?.rows_affected()))
    }
    pub async fn fetch<T>(
        &mut self,
        sql: &Sql,
        map: impl Fn(&dyn Get) -> std::result::Result<T, sqlx::Error>,
    ) -> Result<Vec<T>> {
        on_tx!(self, c => {
            let rows = sql::bind!(sqlx::query(sqlx::AssertSqlSafe(sql::text_for(&**c, sql))), &sql.args).fetch_all(&mut **c).await?;
            rows.iter().map(|r| map(r).map_err(StoreError::from)).collect()
        })
    }
    /// Runs several statements of trusted SQL (a migration file) without arguments.
    pub(crate) async fn exec_script(&mut self, script: &'static str) -> std::result::Result<(), sqlx::Error> {
        on_tx!(self, c => sqlx::raw_sql(script).execute(&mut **c).await.map(|_| ()))
    }
    pub async fn scalar(&mut self, sql: &Sql) -> Result<i64> {
        self.fetch(sql, |r| r.i(0)).await?.into_iter().next().ok_or(StoreError::NotFound)
    }
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.inner, TxInner::Pg(_))
    }
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(c) => c.commit().await?,
            TxInner::Pg(c) => c.commit().await?,
        }
        self.writes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(c) => Ok(c.rollback().await?),
            TxInner::Pg(c) => Ok(c.rollback().await?),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn readers_of_a_missing_memo_wait_for_one_computation() {
        let dir = std::env::temp_dir().join(format!("eduq-memo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let store = Store::connect(&format!("sqlite://{}/m.db", dir.display())).await.expect("connect");
        let computed = Arc::new(AtomicUsize::new(0));
        let readers: Vec<_> = (0..20)
            .map(|_| {
                let (store, computed) = (store.clone(), computed.clone());
                tokio::spawn(async move {
                    store
                        .memoised("herd", async {
                            computed.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok::<u32, StoreError>(7)
                        })
                        .await
                })
            })
            .collect();
        for r in readers {
            assert_eq!(r.await.expect("task").expect("value"), 7);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1, "20 readers at once computed the value once");
        // A write makes it stale: the next reader computes again.
        store.writes.fetch_add(1, Ordering::SeqCst);
        let again = store.memoised("herd", async { Ok::<u32, StoreError>(8) }).await.expect("value");
        assert_eq!(again, 8);

        // Past its age with no write since: served while one reader refreshes it.
        let key = format!("{}|aged", std::any::type_name::<u32>());
        let old = std::time::Instant::now() - memo::TTL - Duration::from_secs(1);
        store.derived.put_at(key, store.write_count(), Arc::new(1u32), old);
        let refresher = {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .memoised("aged", async {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        Ok::<u32, StoreError>(2)
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let during = store.memoised("aged", async { Ok::<u32, StoreError>(3) }).await.expect("value");
        assert_eq!(during, 1, "the aged value is served while another reader refreshes it");
        assert_eq!(refresher.await.expect("task").expect("value"), 2);
        let after = store.memoised("aged", async { Ok::<u32, StoreError>(4) }).await.expect("value");
        assert_eq!(after, 2, "the refreshed value is kept");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_capped_count_stops_past_the_cap() {
        let dir = std::env::temp_dir().join(format!("eduq-paged-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let store = Store::connect(&format!("sqlite://{}/p.db", dir.display())).await.expect("connect");
        store.migrate().await.expect("migrate");
        let now = chrono::Utc::now();
        for i in 0..5 {
            store.audit(&Actor::system(), now, "test", &format!("t{i}"), "").await.expect("audit");
        }
        let page = |cap| {
            store.paged(Sql::new(" FROM audit_log WHERE action = 'test'"), "id", "id DESC", 0, 2, cap, |r| r.i(0))
        };
        let (rows, total) = page(None).await.expect("exact");
        assert_eq!((rows.len(), total), (2, 5));
        assert_eq!(page(Some(3)).await.expect("capped").1, 4, "more than the cap: cap + 1");
        assert_eq!(page(Some(10)).await.expect("under the cap").1, 5, "under the cap: exact");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
