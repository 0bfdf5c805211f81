//! Admission lotteries in the platform: their inputs, state, publication and append-only trail.

use chrono::{DateTime, SecondsFormat, Utc};
use eduq_core::access::{Actor, Resource};
use serde::Serialize;

use crate::{Get, Result, Sql, Store, StoreError, System, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LotteryRow {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub mechanism: String,
    pub bundle_policy: String,
    /// registering, frozen or drawn.
    pub state: String,
    pub roster_digest: Option<String>,
    /// The entropy source announced at freezing (e.g. a lottery draw or beacon round to come).
    pub beacon: Option<String>,
    /// JSON list of the entropy strings used, once drawn.
    pub entropy: Option<String>,
    pub seed: Option<String>,
    pub created_at: DateTime<Utc>,
    pub frozen_at: Option<DateTime<Utc>>,
    pub drawn_at: Option<DateTime<Utc>>,
}

/// The registered inputs as canonical csv files (pseudonymous ids).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LotteryInputs {
    pub applicants: Vec<u8>,
    pub schools: Vec<u8>,
    pub priorities: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrailEvent {
    pub seq: i64,
    pub at: String,
    pub username: String,
    pub action: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

const COLS: &str = "id, lottery_key, name, mechanism, bundle_policy, state, roster_digest, beacon, entropy, seed, \
    created_at, frozen_at, drawn_at";

fn row(r: &dyn Get) -> std::result::Result<LotteryRow, sqlx::Error> {
    Ok(LotteryRow {
        id: r.i(0)?,
        key: r.s(1)?,
        name: r.s(2)?,
        mechanism: r.s(3)?,
        bundle_policy: r.s(4)?,
        state: r.s(5)?,
        roster_digest: r.os(6)?,
        beacon: r.os(7)?,
        entropy: r.os(8)?,
        seed: r.os(9)?,
        created_at: r.ts(10)?,
        frozen_at: r.ots(11)?,
        drawn_at: r.ots(12)?,
    })
}

fn staff(actor: &Actor) -> Result<()> {
    if actor.role.may_read(Resource::Admissions) { Ok(()) } else { Err(StoreError::Forbidden) }
}

/// The first event of a trail whose hash does not follow from its predecessor (`None`: whole).
pub fn broken_link(trail: &[TrailEvent]) -> Option<i64> {
    let links: Vec<_> = trail
        .iter()
        .map(|e| {
            (
                e.seq,
                e.at.clone(),
                e.username.clone(),
                e.action.clone(),
                e.detail.clone(),
                e.prev_hash.clone(),
                e.hash.clone(),
            )
        })
        .collect();
    eduq_core::lottery::broken_link(&links)
}

impl Store {
    pub async fn lotteries(&self, actor: &Actor) -> Result<Vec<LotteryRow>> {
        staff(actor)?;
        self.fetch(&Sql::new(format!("SELECT {COLS} FROM lottery ORDER BY created_at DESC, id DESC")), row).await
    }

    pub async fn lottery(&self, actor: &Actor, id: i64) -> Result<LotteryRow> {
        staff(actor)?;
        self.fetch_opt(&Sql::new(format!("SELECT {COLS} FROM lottery WHERE id = $1")).bind(id), row)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// What anyone may see of a lottery once frozen: no names, only what is published.
    pub async fn public_lottery(&self, key: &str) -> Result<LotteryRow> {
        self.fetch_opt(
            &Sql::new(format!("SELECT {COLS} FROM lottery WHERE lottery_key = $1 AND state <> 'registering'"))
                .bind(key),
            row,
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Drawn lotteries' keys, names and seeds: public, offered as seeds for 均衡分班.
    pub async fn public_seeds(&self) -> Result<Vec<(String, String, String)>> {
        self.fetch(
            &Sql::new("SELECT lottery_key, name, seed FROM lottery WHERE state = 'drawn' ORDER BY drawn_at DESC"),
            |r| Ok((r.s(0)?, r.s(1)?, r.s(2)?)),
        )
        .await
    }

    /// A published file of a frozen or drawn lottery (public).
    pub async fn lottery_file(&self, key: &str, name: &str) -> Result<Vec<u8>> {
        self.fetch_opt(
            &Sql::new(
                "SELECT f.content FROM lottery_file f JOIN lottery l ON l.id = f.lottery_id WHERE l.lottery_key = $1 AND f.name = $2",
            )
            .bind(key)
            .bind(name),
            |r| r.bytes(0),
        )
        .await?
        .ok_or(StoreError::NotFound)
    }

    pub async fn lottery_file_names(&self, id: i64) -> Result<Vec<String>> {
        self.fetch(&Sql::new("SELECT name FROM lottery_file WHERE lottery_id = $1 ORDER BY name").bind(id), |r| r.s(0))
            .await
    }

    /// The private roster (applicant id → name, 证件号); the read is audited. The 证件号 is masked
    /// for roles that do not keep 学籍 (局领导).
    pub async fn lottery_persons(
        &self,
        actor: &Actor,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<Vec<(String, String, String)>> {
        staff(actor)?;
        let full = actor.role.reads_full_identity();
        let v = self
            .fetch(
                &Sql::new("SELECT applicant_id, name, id_number FROM lottery_person WHERE lottery_id = $1 ORDER BY applicant_id")
                    .bind(id),
                |r| {
                    let number = r.s(2)?;
                    Ok((r.s(0)?, r.s(1)?, if full { number } else { eduq_core::identity::mask_id_card(&number) }))
                },
            )
            .await?;
        self.audit(actor, at, "lottery_roster_read", &format!("lottery:{id}"), &format!("{}人", v.len())).await?;
        Ok(v)
    }

    pub async fn lottery_trail(&self, actor: &Actor, id: i64) -> Result<Vec<TrailEvent>> {
        staff(actor)?;
        self.fetch(
            &Sql::new(
                "SELECT seq, at, username, action, detail, prev_hash, hash FROM lottery_event WHERE lottery_id = $1 ORDER BY seq",
            )
            .bind(id),
            |r| {
                Ok(TrailEvent {
                    seq: r.i(0)?,
                    at: r.ts(1)?.to_rfc3339_opts(SecondsFormat::Micros, true),
                    username: r.s(2)?,
                    action: r.s(3)?,
                    detail: r.s(4)?,
                    prev_hash: r.s(5)?,
                    hash: r.s(6)?,
                })
            },
        )
        .await
    }
}

impl Tx {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_lottery(
        &mut self,
        actor: &Actor,
        district_id: i64,
        key: &str,
        name: &str,
        mechanism: &str,
        bundle_policy: &str,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let exists =
            self.fetch(&Sql::new("SELECT id FROM lottery WHERE lottery_key = $1").bind(key), |r| r.i(0)).await?;
        if !exists.is_empty() {
            return Err(StoreError::Conflict(format!("派位编号“{key}”已被使用：同一编号不能再次派位")));
        }
        self.scalar(
            &Sql::new(
                "INSERT INTO lottery (district_id, lottery_key, name, mechanism, bundle_policy, state, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'registering', $6, $7) RETURNING id",
            )
            .bind(district_id)
            .bind(key)
            .bind(name)
            .bind(mechanism)
            .bind(bundle_policy)
            .bind(actor.username.as_str())
            .bind(at),
        )
        .await
    }

    /// Replaces the registration of a lottery still registering.
    pub async fn set_lottery_registration(
        &mut self,
        id: i64,
        inputs: &LotteryInputs,
        persons: &[(String, String, String)],
    ) -> Result<()> {
        let n = self
            .exec(
                &Sql::new(
                    "UPDATE lottery SET applicants_csv = $1, schools_csv = $2, priorities_csv = $3 WHERE id = $4 AND state = 'registering'",
                )
                .bind(inputs.applicants.clone())
                .bind(inputs.schools.clone())
                .bind(inputs.priorities.clone())
                .bind(id),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("名单已冻结，不能再修改".into()));
        }
        self.exec(&Sql::new("DELETE FROM lottery_person WHERE lottery_id = $1").bind(id)).await?;
        let rows = persons
            .iter()
            .map(|(a, n, i)| vec![id.into(), a.clone().into(), n.clone().into(), i.clone().into()])
            .collect();
        self.insert_rows("lottery_person (lottery_id, applicant_id, name, id_number)", "", rows).await
    }

    /// Freezes the roster: its digest and the announced entropy source are fixed before the draw.
    pub async fn freeze_lottery(&mut self, id: i64, digest: &str, beacon: &str, at: DateTime<Utc>) -> Result<()> {
        let n = self
            .exec(
                &Sql::new(
                    "UPDATE lottery SET state = 'frozen', roster_digest = $1, beacon = $2, frozen_at = $3 \
                     WHERE id = $4 AND state = 'registering' AND applicants_csv IS NOT NULL",
                )
                .bind(digest)
                .bind(beacon)
                .bind(at)
                .bind(id),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("只有已登记名单、尚未冻结的派位可以冻结".into()));
        }
        Ok(())
    }

    /// Records the draw and its publication; a lottery is drawn once.
    pub async fn set_lottery_drawn(
        &mut self,
        id: i64,
        entropy_json: &str,
        seed: &str,
        files: &[(&str, Vec<u8>)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        let n = self
            .exec(
                &Sql::new(
                    "UPDATE lottery SET state = 'drawn', entropy = $1, seed = $2, drawn_at = $3 WHERE id = $4 AND state = 'frozen'",
                )
                .bind(entropy_json)
                .bind(seed)
                .bind(at)
                .bind(id),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict("只有已冻结、尚未派位的名单可以派位；同一派位不能重复进行".into()));
        }
        self.set_lottery_files(id, files).await
    }

    /// Replaces the published files of a lottery (the inputs at freezing, everything at the draw).
    pub async fn set_lottery_files(&mut self, id: i64, files: &[(&str, Vec<u8>)]) -> Result<()> {
        self.exec(&Sql::new("DELETE FROM lottery_file WHERE lottery_id = $1").bind(id)).await?;
        let rows = files.iter().map(|(name, bytes)| vec![id.into(), (*name).into(), bytes.clone().into()]).collect();
        self.insert_rows("lottery_file (lottery_id, name, content)", "", rows).await
    }

    /// Appends to the lottery's trail, chained to the previous event.
    pub async fn lottery_event(
        &mut self,
        id: i64,
        actor: &Actor,
        action: &str,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let last = self
            .fetch(
                &Sql::new("SELECT seq, hash FROM lottery_event WHERE lottery_id = $1 ORDER BY seq DESC LIMIT 1")
                    .bind(id),
                |r| Ok((r.i(0)?, r.s(1)?)),
            )
            .await?
            .into_iter()
            .next()
            .unwrap_or((0, String::new()));
        // Stored and hashed at microsecond precision, as both backends keep it.
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        let stamp = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let seq = last.0 + 1;
        let hash = eduq_core::lottery::trail_hash(&last.1, seq, &stamp, &actor.username, action, detail);
        self.exec(
            &Sql::new(
                "INSERT INTO lottery_event (lottery_id, seq, at, username, action, detail, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(seq)
            .bind(at)
            .bind(actor.username.as_str())
            .bind(action)
            .bind(detail)
            .bind(last.1)
            .bind(hash),
        )
        .await?;
        self.audit(actor, at, &format!("lottery_{action}"), &format!("lottery:{id}"), detail).await
    }
}

impl System<'_> {
    pub async fn lottery_inputs(&self, id: i64) -> Result<Option<LotteryInputs>> {
        self.fetch_opt(
            &Sql::new("SELECT applicants_csv, schools_csv, priorities_csv FROM lottery WHERE id = $1 AND applicants_csv IS NOT NULL")
                .bind(id),
            |r| Ok(LotteryInputs { applicants: r.bytes(0)?, schools: r.bytes(1)?, priorities: r.bytes(2)? }),
        )
        .await
    }
}
