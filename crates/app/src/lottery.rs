//! The admission lottery's life cycle: create, register applicants under pseudonymous ids, freeze
//! (publish the roster digest and the entropy source to come), draw with the entropy, publish the
//! files the public verifier reads. Every step lands in the lottery's append-only trail.

use chrono::{DateTime, Utc};
use eduq_core::access::{Actor, Resource};
use eduq_core::lottery::{BundlePolicy, Input, Mechanism, hex, roster_digest, sha256};
use eduq_exchange::lottery::{
    APPLICANTS_FILE, PRIORITIES_FILE, SCHOOLS_FILE, input_files, parse_registration, parse_schools, publish, read_input,
};
use eduq_exchange::table::read_table;
use eduq_exchange::{ExchangeError, RowError};
use eduq_store::Store;
use eduq_store::lottery::LotteryInputs;
pub use eduq_store::lottery::LotteryRow;

use crate::AppError;

fn may_run(actor: &Actor) -> Result<(), AppError> {
    if actor.role.may_write(Resource::Admissions) { Ok(()) } else { Err(AppError::Forbidden) }
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    key: &str,
    name: &str,
    mechanism: Mechanism,
    policy: BundlePolicy,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    may_run(actor)?;
    let key = key.trim();
    if key.is_empty() || key.len() > 64 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(AppError::Invalid("派位编号应为1–64位字母、数字、“-”或“_”（如 2027-shiyan-xiaoxue）".into()));
    }
    if key == "verify" {
        return Err(AppError::Invalid("“verify”是验证页的地址，不能用作派位编号".into()));
    }
    if name.trim().is_empty() {
        return Err(AppError::Invalid("请填写派位名称".into()));
    }
    let (district_id, _) = store.district().await?;
    let mut tx = store.begin().await?;
    let id = tx.insert_lottery(actor, district_id, key, name.trim(), mechanism.key(), policy.key(), now).await?;
    let detail = format!("创建派位“{}”（{}，{}）", name.trim(), mechanism.label(), policy.label());
    tx.lottery_event(id, actor, "create", &detail, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// What a registration stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub applicants: usize,
    pub schools: usize,
    pub seats: u64,
}

/// Registers (or replaces, while registering) the applicants and the schools' seats. Applicants
/// get ids A00001… in the order of SHA-256(lottery id, 证件号), so an id reveals neither the
/// file's order nor the person; names and 证件号 stay in the private roster.
pub async fn register(
    store: &Store,
    actor: &Actor,
    id: i64,
    applicants: (&[u8], &str),
    schools: (&[u8], &str),
    now: DateTime<Utc>,
) -> Result<Registered, AppError> {
    may_run(actor)?;
    let lottery = store.lottery(actor, id).await?;
    if lottery.state != "registering" {
        return Err(AppError::Invalid("名单已冻结，不能再修改".into()));
    }
    let people = parse_registration(&read_table(applicants.0, applicants.1)?)?;
    let seats = parse_schools(&read_table(schools.0, schools.1)?)?;
    let known: std::collections::HashSet<&str> = seats.iter().map(|(_, s)| s.code.as_str()).collect();
    let mut errors = Vec::new();
    for (row, p) in &people {
        for c in p.choices.iter().filter(|c| !known.contains(c.as_str())) {
            errors.push(RowError {
                row: *row,
                column: "志愿".into(),
                value: c.clone(),
                message: "不是学位表中参加派位的学校".into(),
            });
        }
        if let Some((school, _)) = p.priority.as_ref().filter(|(s, _)| !p.choices.contains(s)) {
            errors.push(RowError {
                row: *row,
                column: "优先学校".into(),
                value: school.clone(),
                message: "不在该申请人的志愿中".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Rows(errors));
    }
    let mut order: Vec<(String, usize)> = people
        .iter()
        .enumerate()
        .map(|(i, (_, p))| (hex(&sha256(format!("{}\n{}", lottery.key, p.id_number).as_bytes())), i))
        .collect();
    order.sort();
    let mut ids = vec![String::new(); people.len()];
    for (k, (_, i)) in order.iter().enumerate() {
        ids[*i] = format!("A{:05}", k + 1);
    }
    let input = Input {
        lottery_id: lottery.key.clone(),
        applicants: people
            .iter()
            .zip(&ids)
            .map(|((_, p), id)| eduq_core::lottery::Applicant {
                id: id.clone(),
                choices: p.choices.clone(),
                bundle: p.bundle.clone(),
            })
            .collect(),
        schools: seats.iter().map(|(_, s)| s.clone()).collect(),
        priorities: people
            .iter()
            .zip(&ids)
            .filter_map(|((_, p), id)| {
                p.priority.as_ref().map(|(school, group)| eduq_core::lottery::Priority {
                    applicant: id.clone(),
                    school: school.clone(),
                    group: *group,
                })
            })
            .collect(),
        entropy: vec!["registration".into()],
        mechanism: Mechanism::from_key(&lottery.mechanism).unwrap_or(Mechanism::DeferredAcceptance),
        bundle_policy: BundlePolicy::from_key(&lottery.bundle_policy).unwrap_or(BundlePolicy::AdmitAll),
    };
    // The draw's own checks (bundles with different choices, …) run now, not on the day.
    eduq_core::lottery::draw(&input).map_err(|e| AppError::Invalid(e.to_string()))?;
    let [a, s, p] = input_files(&input);
    let inputs = LotteryInputs { applicants: a.1, schools: s.1, priorities: p.1 };
    let persons: Vec<(String, String, String)> =
        people.iter().zip(&ids).map(|((_, p), id)| (id.clone(), p.name.clone(), p.id_number.clone())).collect();
    let out = Registered {
        applicants: ids.len(),
        schools: input.schools.len(),
        seats: input.schools.iter().map(|s| u64::from(s.seats)).sum(),
    };
    let mut tx = store.begin().await?;
    tx.set_lottery_registration(id, &inputs, &persons).await?;
    let detail = format!(
        "登记申请人{}名、学校{}所（学位{}个）；{} sha256:{}",
        out.applicants,
        out.schools,
        out.seats,
        APPLICANTS_FILE,
        hex(&sha256(&inputs.applicants))
    );
    tx.lottery_event(id, actor, "register", &detail, now).await?;
    tx.commit().await?;
    Ok(out)
}

fn stored_input(lottery: &LotteryRow, inputs: &LotteryInputs, entropy: Vec<String>) -> Result<Input, AppError> {
    read_input(
        &lottery.key,
        (&inputs.applicants, APPLICANTS_FILE),
        (&inputs.schools, SCHOOLS_FILE),
        Some((&inputs.priorities, PRIORITIES_FILE)),
        entropy,
        Mechanism::from_key(&lottery.mechanism).unwrap_or(Mechanism::DeferredAcceptance),
        BundlePolicy::from_key(&lottery.bundle_policy).unwrap_or(BundlePolicy::AdmitAll),
    )
    .map_err(|e| AppError::Invalid(e.to_string()))
}

/// Freezes the roster and announces where the entropy will come from (a source whose value is
/// not known yet: a beacon round, a public lottery's numbers on a date). Published at once.
pub async fn freeze(
    store: &Store,
    actor: &Actor,
    id: i64,
    beacon: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    may_run(actor)?;
    if beacon.trim().is_empty() {
        return Err(AppError::Invalid("请写明事先公布的随机源（如“2027年6月20日福彩3D开奖号码”）".into()));
    }
    let lottery = store.lottery(actor, id).await?;
    let inputs = store.system().lottery_inputs(id).await?.ok_or_else(|| AppError::Invalid("尚未登记名单".into()))?;
    let input = stored_input(&lottery, &inputs, vec!["freeze".into()])?;
    let ids: Vec<&str> = input.applicants.iter().map(|a| a.id.as_str()).collect();
    let digest = hex(&roster_digest(&ids));
    let files = [
        (APPLICANTS_FILE, inputs.applicants.clone()),
        (SCHOOLS_FILE, inputs.schools.clone()),
        (PRIORITIES_FILE, inputs.priorities.clone()),
    ];
    let mut tx = store.begin().await?;
    tx.freeze_lottery(id, &digest, beacon.trim(), now).await?;
    // The inputs are public from the freeze on, so anyone can check the digest before the draw.
    tx.set_lottery_files(id, &files).await?;
    tx.lottery_event(id, actor, "freeze", &format!("冻结名单 roster_digest {digest}；随机源：{}", beacon.trim()), now)
        .await?;
    tx.commit().await?;
    Ok(digest)
}

/// Draws with the announced source's value and the digits drawn on site, in that order, and
/// stores the publication. A lottery is drawn once.
pub async fn draw(
    store: &Store,
    actor: &Actor,
    id: i64,
    beacon_value: &str,
    onsite: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    may_run(actor)?;
    let lottery = store.lottery(actor, id).await?;
    if lottery.state != "frozen" {
        return Err(AppError::Invalid("只有已冻结、尚未派位的名单可以派位；同一派位不能重复进行".into()));
    }
    let (b, o) = (beacon_value.trim(), onsite.trim());
    if b.is_empty() || o.is_empty() {
        return Err(AppError::Invalid("请填写随机源的公布值和现场摇号数字".into()));
    }
    let entropy = vec![format!("{}:{b}", lottery.beacon.clone().unwrap_or_default()), format!("现场:{o}")];
    let inputs = store.system().lottery_inputs(id).await?.ok_or_else(|| AppError::Invalid("尚未登记名单".into()))?;
    let input = stored_input(&lottery, &inputs, entropy.clone())?;
    let result = eduq_core::lottery::draw(&input).map_err(|e| AppError::Invalid(e.to_string()))?;
    let digest = hex(&result.roster_digest);
    if lottery.roster_digest.as_deref() != Some(digest.as_str()) {
        return Err(AppError::Invalid("名单与冻结时公布的摘要不一致，已停止派位".into()));
    }
    let files = publish(&input, &result).map_err(AppError::File)?;
    let seed = hex(&result.seed);
    let entropy_json =
        serde_json::to_string(&entropy).map_err(|e| AppError::File(ExchangeError::Write(e.to_string())))?;
    let admitted = result.admitted.iter().filter(|a| a.is_some()).count();
    let mut tx = store.begin().await?;
    tx.set_lottery_drawn(id, &entropy_json, &seed, &files, now).await?;
    tx.lottery_event(id, actor, "draw", &format!("派位：seed {seed}；录取{admitted}人；随机源 {entropy_json}"), now)
        .await?;
    tx.commit().await?;
    Ok(seed)
}

pub use eduq_store::lottery::TrailEvent;

/// The lotteries the caller may see.
pub async fn list(store: &Store, actor: &Actor) -> Result<Vec<LotteryRow>, AppError> {
    Ok(store.lotteries(actor).await?)
}

/// A lottery as its page shows it.
pub struct LotteryView {
    pub row: LotteryRow,
    pub trail: Vec<TrailEvent>,
    /// Whether every trail event links to the one before (the chain is unbroken).
    pub trail_whole: bool,
    pub files: Vec<String>,
    /// After the draw: (applicant id, name, masked 身份证号, admitted school); reading it is audited.
    pub roster: Vec<(String, String, String, String)>,
}

/// One lottery with its trail, published files and, once drawn, who was admitted where.
pub async fn view(store: &Store, actor: &Actor, id: i64, now: DateTime<Utc>) -> Result<LotteryView, AppError> {
    let row = store.lottery(actor, id).await?;
    let trail = store.lottery_trail(actor, id).await?;
    let files = store.lottery_file_names(id).await?;
    let roster = if row.state == "drawn" {
        let result = store.lottery_file(&row.key, eduq_exchange::lottery::RESULT_FILE).await?;
        // The published file read as any csv the platform reads (quoting, BOM).
        let table = read_table(&result, eduq_exchange::lottery::RESULT_FILE)?;
        let (id_col, school_col) = (table.column("申请人编号"), table.column("录取学校"));
        let admitted: std::collections::HashMap<String, String> = table
            .rows
            .iter()
            .filter_map(|(_, r)| Some((r.get(id_col?)?.clone(), r.get(school_col?).cloned().unwrap_or_default())))
            .collect();
        store
            .lottery_persons(actor, id, now)
            .await?
            .into_iter()
            .map(|(a, n, i)| {
                let school = admitted.get(&a).cloned().unwrap_or_default();
                (a, n, i, school)
            })
            .collect()
    } else {
        vec![]
    };
    let trail_whole = eduq_store::lottery::broken_link(&trail).is_none();
    Ok(LotteryView { row, trail, trail_whole, files, roster })
}

/// A frozen or drawn lottery as the public sees it (no login, no names), with its files.
pub async fn public(store: &Store, key: &str) -> Result<(LotteryRow, Vec<String>), AppError> {
    let row = store.public_lottery(key).await?;
    let files = store.lottery_file_names(row.id).await?;
    Ok((row, files))
}

/// One published file of a public lottery.
pub async fn public_file(store: &Store, key: &str, name: &str) -> Result<Vec<u8>, AppError> {
    store.public_lottery(key).await?;
    Ok(store.lottery_file(key, name).await?)
}
