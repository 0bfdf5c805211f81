//! Publicly verifiable admission lottery (电脑随机派位): seed and tickets by a published hash
//! construction, then student-proposing deferred acceptance with single tie-breaking.
//!
//! Everything here is a pure function of the published inputs, so anyone holding the applicant
//! roster, the school capacities, the priorities and the entropy strings recomputes the same result.
//! The construction (algorithm `eduq-lottery-v1`):
//! - `lp(x)` = length of `x` in bytes as 8-byte big-endian, then `x`;
//! - `roster_digest` = SHA-256 of the applicant ids sorted in byte order and joined by `\n`;
//! - `seed` = SHA-256(lp("eduq-lottery-v1") ‖ lp(lottery_id) ‖ lp(roster_digest) ‖ lp(entropy₁) ‖ …);
//! - `ticket(id)` = SHA-256(lp(seed) ‖ lp(id)); the lower ticket (256-bit big-endian) wins.

use std::collections::BTreeMap;

use hashbrown::HashMap;

use sha2::{Digest, Sha256};
use thiserror::Error;

/// The published algorithm version; part of the seed, so a change of algorithm changes every ticket.
pub const ALGORITHM: &str = "eduq-lottery-v1";

/// Priority group of an (applicant, school) pair that no priority rule lists.
pub const DEFAULT_GROUP: u32 = 99;

pub use crate::digest::{Hash, hex, sha256};

fn lp(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// One link of a lottery's append-only trail: SHA-256 over the previous link's hash and this
/// event's fields, each length-prefixed, so that changing or removing any past event breaks every
/// later hash.
pub fn trail_hash(prev: &str, seq: i64, at: &str, username: &str, action: &str, detail: &str) -> String {
    let mut h = Sha256::new();
    for part in
        [prev.as_bytes(), &seq.to_be_bytes(), at.as_bytes(), username.as_bytes(), action.as_bytes(), detail.as_bytes()]
    {
        lp(&mut h, part);
    }
    hex(&h.finalize())
}

/// The first event whose hash does not follow from its predecessor (`None`: the trail is whole).
/// Events are (seq, at, username, action, detail, prev_hash, hash) in order.
pub fn broken_link(events: &[(i64, String, String, String, String, String, String)]) -> Option<i64> {
    let mut prev = String::new();
    for (seq, at, user, action, detail, prev_hash, hash) in events {
        if *prev_hash != prev || *hash != trail_hash(&prev, *seq, at, user, action, detail) {
            return Some(*seq);
        }
        prev = hash.clone();
    }
    None
}

/// SHA-256 of the ids sorted in byte order, joined by "\n".
pub fn roster_digest<S: AsRef<str>>(ids: &[S]) -> Hash {
    let mut sorted: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    sorted.sort_unstable();
    sorted_roster_digest(sorted.into_iter())
}

fn sorted_roster_digest<'a>(sorted: impl Iterator<Item = &'a str>) -> Hash {
    let mut h = Sha256::new();
    for (i, id) in sorted.enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        h.update(id.as_bytes());
    }
    h.finalize().into()
}

pub fn seed<S: AsRef<str>>(lottery_id: &str, roster_digest: &Hash, entropy: &[S]) -> Hash {
    let mut h = Sha256::new();
    lp(&mut h, ALGORITHM.as_bytes());
    lp(&mut h, lottery_id.as_bytes());
    lp(&mut h, roster_digest);
    for e in entropy {
        lp(&mut h, e.as_ref().as_bytes());
    }
    h.finalize().into()
}

/// Every applicant's ticket, on two threads (a province draws a million).
fn tickets(seed: &Hash, ids: &[&str]) -> Vec<Hash> {
    let (a, b) = ids.split_at(ids.len() / 2);
    std::thread::scope(|s| {
        let second = s.spawn(|| b.iter().map(|id| ticket(seed, id)).collect::<Vec<Hash>>());
        let mut all: Vec<Hash> = a.iter().map(|id| ticket(seed, id)).collect();
        all.extend(second.join().unwrap_or_else(|_| b.iter().map(|id| ticket(seed, id)).collect()));
        all
    })
}

pub fn ticket(seed: &Hash, id: &str) -> Hash {
    let mut h = Sha256::new();
    lp(&mut h, seed);
    lp(&mut h, id.as_bytes());
    h.finalize().into()
}

crate::labelled_enum! {
    /// How seats are given. Published with the draw, never implicit.
    Mechanism, "派位算法" {
        DeferredAcceptance => "da", "延迟接受" | "deferred-acceptance";
        ImmediateAcceptance => "ia", "一志愿优先" | "immediate-acceptance";
    }
}

crate::labelled_enum! {
    /// What a school does when a bundle (twins drawn together) is next in line but fewer seats are
    /// left than the bundle has members.
    BundlePolicy, "捆绑末位规则" {
        AdmitAll => "admit-all", "全部录取";
        Skip => "skip", "跳过";
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub id: String,
    /// School codes in order of preference.
    pub choices: Vec<String>,
    pub bundle: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct School {
    pub code: String,
    pub seats: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priority {
    pub applicant: String,
    pub school: String,
    pub group: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub lottery_id: String,
    pub applicants: Vec<Applicant>,
    pub schools: Vec<School>,
    pub priorities: Vec<Priority>,
    pub entropy: Vec<String>,
    pub mechanism: Mechanism,
    pub bundle_policy: BundlePolicy,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LotteryError {
    #[error("派位编号不能为空")]
    NoLotteryId,
    #[error("缺少随机源（entropy）：至少需要一个事先公布的随机源字符串")]
    NoEntropy,
    #[error("第{0}个随机源字符串为空")]
    EmptyEntropy(usize),
    #[error("没有申请人")]
    NoApplicants,
    #[error("申请人编号“{0}”重复")]
    DuplicateApplicant(String),
    #[error("学校代码“{0}”重复")]
    DuplicateSchool(String),
    #[error("学校“{0}”的学位数为0")]
    ZeroSeats(String),
    #[error("申请人“{applicant}”的志愿“{school}”不是参加派位的学校")]
    UnknownSchool { applicant: String, school: String },
    #[error("申请人“{0}”没有填报志愿")]
    NoChoices(String),
    #[error("申请人“{applicant}”重复填报了学校“{school}”")]
    RepeatedChoice { applicant: String, school: String },
    #[error("捆绑组“{bundle}”内申请人的志愿不一致（“{first}”与“{other}”）")]
    BundleChoicesDiffer { bundle: String, first: String, other: String },
    #[error("优先级表中的申请人“{0}”不在申请名单中")]
    PriorityUnknownApplicant(String),
    #[error("优先级表中的学校“{0}”不是参加派位的学校")]
    PriorityUnknownSchool(String),
    #[error("优先级表中申请人“{applicant}”与学校“{school}”的组合出现了两次")]
    DuplicatePriority { applicant: String, school: String },
}

/// The result of a draw. Indices refer to `Input::applicants` and `Input::schools`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draw {
    pub roster_digest: Hash,
    pub seed: Hash,
    /// Each applicant's own ticket (what is published next to the id).
    pub tickets: Vec<Hash>,
    /// The ticket each applicant is ranked by: their own, or the bundle's smallest id's.
    pub rank_tickets: Vec<Hash>,
    pub admitted: Vec<Option<usize>>,
    /// Per school, every applicant who chose it, in the school's ranking order.
    pub orders: Vec<Vec<Ranked>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    pub applicant: usize,
    pub group: u32,
    pub admitted: bool,
}

/// Applicants drawn together (a bundle) or alone, as drafted in input order (bundles last): the
/// units that propose, as flat arrays (a province draws a million units: no allocation per unit).
struct Drafts {
    tickets: Vec<Hash>,
    /// Draft `d`'s members are `members[member_start[d]..member_start[d + 1]]`, smallest id first.
    member_start: Vec<u32>,
    members: Vec<u32>,
    /// Draft `d`'s choices (its first member's: all members chose alike) and its priority group at
    /// each (the best group of any member) are at `choice_start[d]..choice_start[d + 1]`.
    choice_start: Vec<u32>,
    choices: Vec<u32>,
    groups: Vec<u32>,
}

impl Drafts {
    fn with_capacity(units: usize, choices: usize) -> Drafts {
        let mut d = Drafts {
            tickets: Vec::with_capacity(units),
            member_start: Vec::with_capacity(units + 1),
            members: Vec::with_capacity(units),
            choice_start: Vec::with_capacity(units + 1),
            choices: Vec::with_capacity(choices),
            groups: Vec::with_capacity(choices),
        };
        d.member_start.push(0);
        d.choice_start.push(0);
        d
    }
    fn members(&self, d: usize) -> &[u32] {
        &self.members[self.member_start[d] as usize..self.member_start[d + 1] as usize]
    }
}

/// The units in ranking order (by ticket), each one's members, choices and groups laid out
/// contiguously in that order: the rounds of the draw then read them in sequence, not by random
/// access into a million applicants.
struct Units {
    /// Unit `u`'s members are `members[member_start[u]..member_start[u + 1]]`.
    member_start: Vec<u32>,
    members: Vec<u32>,
    /// Unit `u`'s choices (school indices) and its group at each are at `choice_start[u]..choice_start[u + 1]`.
    choice_start: Vec<u32>,
    choices: Vec<u32>,
    groups: Vec<u32>,
    /// No bundles: every unit takes one seat.
    singles: bool,
}

impl Units {
    /// Sorts the drafts by ticket, then by their first member's id (tickets are SHA-256 of distinct
    /// ids, so the second key only makes the order total), and lays them out in that order; also
    /// returns each draft's rank. Sorting (prefix, draft) pairs compares integers; the whole rule
    /// decides only between equal prefixes.
    fn ranked(d: &Drafts, ids: &[&str]) -> (Units, Vec<u32>) {
        let first = |x: u32| ids[d.members(x as usize)[0] as usize];
        let prefix = |t: &Hash| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&t[..8]);
            u64::from_be_bytes(b)
        };
        let mut order: Vec<(u64, u32)> = d.tickets.iter().enumerate().map(|(i, t)| (prefix(t), i as u32)).collect();
        order.sort_unstable_by(|x, y| {
            x.0.cmp(&y.0).then_with(|| {
                d.tickets[x.1 as usize].cmp(&d.tickets[y.1 as usize]).then_with(|| first(x.1).cmp(first(y.1)))
            })
        });
        // Where each unit's lists start, in rank order, before copying them: these loads do not
        // depend on one another, so many cache misses are in flight at once.
        let spans: Vec<[u32; 4]> = order
            .iter()
            .map(|&(_, x)| {
                let x = x as usize;
                [d.member_start[x], d.member_start[x + 1], d.choice_start[x], d.choice_start[x + 1]]
            })
            .collect();
        let n = order.len();
        let mut units = Units {
            member_start: Vec::with_capacity(n + 1),
            members: Vec::with_capacity(d.members.len()),
            choice_start: Vec::with_capacity(n + 1),
            choices: Vec::with_capacity(d.choices.len()),
            groups: Vec::with_capacity(d.groups.len()),
            singles: d.members.len() == n,
        };
        units.member_start.push(0);
        units.choice_start.push(0);
        for &[m0, m1, c0, c1] in &spans {
            units.members.extend_from_slice(&d.members[m0 as usize..m1 as usize]);
            units.member_start.push(units.members.len() as u32);
            units.choices.extend_from_slice(&d.choices[c0 as usize..c1 as usize]);
            units.groups.extend_from_slice(&d.groups[c0 as usize..c1 as usize]);
            units.choice_start.push(units.choices.len() as u32);
        }
        let mut rank = vec![0u32; n];
        for (r, &(_, x)) in order.iter().enumerate() {
            rank[x as usize] = r as u32;
        }
        (units, rank)
    }
    fn len(&self) -> usize {
        self.member_start.len() - 1
    }
    fn choices(&self, u: usize) -> &[u32] {
        &self.choices[self.choice_start[u] as usize..self.choice_start[u + 1] as usize]
    }
    /// The unit's priority group at each of its choices.
    fn groups(&self, u: usize) -> &[u32] {
        &self.groups[self.choice_start[u] as usize..self.choice_start[u + 1] as usize]
    }
    fn members(&self, u: usize) -> &[u32] {
        &self.members[self.member_start[u] as usize..self.member_start[u + 1] as usize]
    }
    fn size(&self, u: usize) -> u32 {
        self.member_start[u + 1] - self.member_start[u]
    }
}

pub fn validate(input: &Input) -> Result<(), LotteryError> {
    validate_parameters(&input.lottery_id, &input.entropy)?;
    if input.applicants.is_empty() {
        return Err(LotteryError::NoApplicants);
    }
    Ok(())
}

/// The lottery id and the entropy strings, checked before any file is read.
pub fn validate_parameters(lottery_id: &str, entropy: &[String]) -> Result<(), LotteryError> {
    if lottery_id.trim().is_empty() {
        return Err(LotteryError::NoLotteryId);
    }
    if entropy.is_empty() {
        return Err(LotteryError::NoEntropy);
    }
    if let Some(i) = entropy.iter().position(|e| e.trim().is_empty()) {
        return Err(LotteryError::EmptyEntropy(i + 1));
    }
    Ok(())
}

/// Runs the draw. Errors leave nothing drawn.
pub fn draw(input: &Input) -> Result<Draw, LotteryError> {
    validate(input)?;
    let mut school_index: HashMap<&str, usize> = HashMap::with_capacity(input.schools.len());
    for (i, s) in input.schools.iter().enumerate() {
        if school_index.insert(s.code.as_str(), i).is_some() {
            return Err(LotteryError::DuplicateSchool(s.code.clone()));
        }
        if s.seats == 0 {
            return Err(LotteryError::ZeroSeats(s.code.clone()));
        }
    }
    let n = input.applicants.len();
    let ids: Vec<&str> = input.applicants.iter().map(|a| a.id.as_str()).collect();
    // The applicants in id order: the roster digest's order, where a repeated id sits next to its
    // twin and a priority's applicant is found by bisection (no hash map of a million ids).
    let mut by_id: Vec<u32> = (0..n as u32).collect();
    by_id.sort_unstable_by(|&x, &y| ids[x as usize].cmp(ids[y as usize]).then(x.cmp(&y)));
    if let Some(w) = by_id.windows(2).find(|w| ids[w[0] as usize] == ids[w[1] as usize]) {
        return Err(LotteryError::DuplicateApplicant(ids[w[1] as usize].to_string()));
    }
    let mut choice_start: Vec<u32> = Vec::with_capacity(n + 1);
    let mut choice_list: Vec<u32> = Vec::with_capacity(n * 3);
    choice_start.push(0);
    for a in &input.applicants {
        if a.choices.is_empty() {
            return Err(LotteryError::NoChoices(a.id.clone()));
        }
        let from = choice_list.len();
        for c in &a.choices {
            let s = *school_index
                .get(c.as_str())
                .ok_or_else(|| LotteryError::UnknownSchool { applicant: a.id.clone(), school: c.clone() })?;
            if choice_list[from..].contains(&(s as u32)) {
                return Err(LotteryError::RepeatedChoice { applicant: a.id.clone(), school: c.clone() });
            }
            choice_list.push(s as u32);
        }
        choice_start.push(choice_list.len() as u32);
    }
    let choices = |a: usize| &choice_list[choice_start[a] as usize..choice_start[a + 1] as usize];
    let mut group_of: HashMap<(usize, usize), u32> = HashMap::with_capacity(input.priorities.len());
    let mut has_priority = vec![false; n];
    for p in &input.priorities {
        let a = by_id
            .binary_search_by(|&x| ids[x as usize].cmp(p.applicant.as_str()))
            .map(|k| by_id[k] as usize)
            .map_err(|_| LotteryError::PriorityUnknownApplicant(p.applicant.clone()))?;
        let s = *school_index
            .get(p.school.as_str())
            .ok_or_else(|| LotteryError::PriorityUnknownSchool(p.school.clone()))?;
        if group_of.insert((a, s), p.group).is_some() {
            return Err(LotteryError::DuplicatePriority { applicant: p.applicant.clone(), school: p.school.clone() });
        }
        has_priority[a] = true;
    }

    let roster = sorted_roster_digest(by_id.iter().map(|&x| ids[x as usize]));
    let seed = seed(&input.lottery_id, &roster, &input.entropy);
    let tickets = tickets(&seed, &ids);

    // Bundles: members share the ticket of the smallest id and must have the same choices.
    let mut bundles: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut drafts = Drafts::with_capacity(n, choice_list.len());
    let add = |drafts: &mut Drafts, members: &[usize], ticket: Hash| {
        drafts.tickets.push(ticket);
        drafts.members.extend(members.iter().map(|&m| m as u32));
        drafts.member_start.push(drafts.members.len() as u32);
        let chosen = choices(members[0]);
        drafts.choices.extend_from_slice(chosen);
        for &s in chosen {
            let best = members
                .iter()
                .filter(|&&m| has_priority[m])
                .filter_map(|&m| group_of.get(&(m, s as usize)).copied())
                .min();
            drafts.groups.push(best.unwrap_or(DEFAULT_GROUP));
        }
        drafts.choice_start.push(drafts.choices.len() as u32);
    };
    for (i, a) in input.applicants.iter().enumerate() {
        match a.bundle.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) => bundles.entry(b).or_default().push(i),
            None => add(&mut drafts, &[i], tickets[i]),
        }
    }
    for (name, members) in &bundles {
        let first = members[0];
        for &m in &members[1..] {
            if choices(m) != choices(first) {
                return Err(LotteryError::BundleChoicesDiffer {
                    bundle: name.to_string(),
                    first: input.applicants[first].id.clone(),
                    other: input.applicants[m].id.clone(),
                });
            }
        }
        let mut members = members.clone();
        members.sort_by(|&x, &y| ids[x].cmp(ids[y]));
        add(&mut drafts, &members, tickets[members[0]]);
    }
    let (units, rank) = Units::ranked(&drafts, &ids);

    let seats: Vec<u32> = input.schools.iter().map(|s| s.seats).collect();
    let placed = match input.mechanism {
        Mechanism::DeferredAcceptance => deferred_acceptance(&units, &seats, input.bundle_policy),
        Mechanism::ImmediateAcceptance => immediate_acceptance(&units, &seats, input.bundle_policy),
    };

    let mut admitted = vec![None; n];
    let mut rank_tickets = vec![Hash::default(); n];
    // Every applicant is a member of exactly one unit, so both are filled.
    for (x, &r) in rank.iter().enumerate() {
        let place = placed[r as usize];
        let place = (place != UNPLACED).then_some(place as usize);
        for &m in drafts.members(x) {
            admitted[m as usize] = place;
            rank_tickets[m as usize] = drafts.tickets[x];
        }
    }
    // Units are in ticket order, so pushing them in turn leaves each school's list sorted by ticket;
    // a stable sort by group then gives the ranking without touching the (cache-cold) tickets again.
    let mut sizes = vec![0usize; input.schools.len()];
    for u in 0..units.len() {
        for &s in units.choices(u) {
            sizes[s as usize] += units.size(u) as usize;
        }
    }
    let mut orders: Vec<Vec<Ranked>> = sizes.into_iter().map(Vec::with_capacity).collect();
    for (u, &place) in placed.iter().enumerate() {
        for (&s, &group) in units.choices(u).iter().zip(units.groups(u)) {
            for &m in units.members(u) {
                orders[s as usize].push(Ranked { applicant: m as usize, group, admitted: place == s });
            }
        }
    }
    for order in &mut orders {
        order.sort_by_key(|r| r.group);
    }
    Ok(Draw { roster_digest: roster, seed, tickets, rank_tickets, admitted, orders })
}

/// No school: a unit's place after a draw it did not win.
const UNPLACED: u32 = u32::MAX;

/// Unit `u`'s rank at a school, as one integer: its priority group, then its place in ticket order.
/// A school's candidates then sort as plain integers, without looking anything up.
fn key(group: u32, u: usize) -> u64 {
    (u64::from(group) << 32) | u as u64
}

fn unit_of(key: u64) -> usize {
    (key & u64::from(u32::MAX)) as usize
}

/// A school's choice among `candidates` (rank keys): best first, each unit taking as many seats as
/// it has members; the bundle policy decides a unit that does not fit. The refused go to `rejected`.
fn choose(units: &Units, candidates: &mut Vec<u64>, seats: u32, policy: BundlePolicy, rejected: &mut Vec<u32>) {
    candidates.sort_unstable();
    if units.singles {
        // One seat each: either policy keeps the first `seats`.
        if candidates.len() > seats as usize {
            rejected.extend(candidates.drain(seats as usize..).map(|k| unit_of(k) as u32));
        }
        return;
    }
    let mut used = 0u32;
    candidates.retain(|&k| {
        let size = units.size(unit_of(k));
        let fits = match policy {
            BundlePolicy::AdmitAll => used < seats,
            BundlePolicy::Skip => used + size <= seats,
        };
        if fits {
            used += size;
        } else {
            rejected.push(unit_of(k) as u32);
        }
        fits
    });
}

/// Student-proposing deferred acceptance in rounds: every unplaced unit proposes to its next choice;
/// each school keeps the best of its held and new proposers and rejects the rest. Returns each
/// unit's school or `UNPLACED`.
fn deferred_acceptance(units: &Units, seats: &[u32], policy: BundlePolicy) -> Vec<u32> {
    let mut next = vec![0u32; units.len()];
    let mut held: Vec<Vec<u64>> = vec![Vec::new(); seats.len()];
    let mut free: Vec<u32> = (0..units.len() as u32).collect();
    let mut touched: Vec<usize> = Vec::new();
    let mut is_touched = vec![false; seats.len()];
    let mut rejected: Vec<u32> = Vec::new();
    while !free.is_empty() {
        for &u in &free {
            let u = u as usize;
            let k = next[u] as usize;
            if let Some(&s) = units.choices(u).get(k) {
                let s = s as usize;
                if !is_touched[s] {
                    is_touched[s] = true;
                    touched.push(s);
                }
                held[s].push(key(units.groups(u)[k], u));
                next[u] += 1;
            }
        }
        touched.sort_unstable();
        rejected.clear();
        for &s in &touched {
            is_touched[s] = false;
            choose(units, &mut held[s], seats[s], policy, &mut rejected);
        }
        touched.clear();
        rejected.retain(|&u| (next[u as usize] as usize) < units.choices(u as usize).len());
        std::mem::swap(&mut free, &mut rejected);
    }
    let mut placed = vec![UNPLACED; units.len()];
    for (s, list) in held.iter().enumerate() {
        for &k in list {
            placed[unit_of(k)] = s as u32;
        }
    }
    placed
}

/// Immediate acceptance (一志愿优先): round r admits applicants at their r-th choice for good,
/// into the seats left after earlier rounds.
fn immediate_acceptance(units: &Units, seats: &[u32], policy: BundlePolicy) -> Vec<u32> {
    let mut left: Vec<u32> = seats.to_vec();
    let mut placed = vec![UNPLACED; units.len()];
    let rounds = (0..units.len()).map(|u| units.choices(u).len()).max().unwrap_or(0);
    let mut proposals: Vec<Vec<u64>> = vec![Vec::new(); seats.len()];
    let mut refused = Vec::new();
    for k in 0..rounds {
        for (u, place) in placed.iter().enumerate() {
            if *place == UNPLACED
                && let Some(&s) = units.choices(u).get(k)
            {
                proposals[s as usize].push(key(units.groups(u)[k], u));
            }
        }
        for (s, list) in proposals.iter_mut().enumerate() {
            if !list.is_empty() && left[s] > 0 {
                choose(units, list, left[s], policy, &mut refused);
                for &k in list.iter() {
                    placed[unit_of(k)] = s as u32;
                    left[s] = left[s].saturating_sub(units.size(unit_of(k)));
                }
            }
            list.clear();
        }
        refused.clear();
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str, choices: &[&str]) -> Applicant {
        Applicant { id: id.into(), choices: choices.iter().map(|s| s.to_string()).collect(), bundle: None }
    }

    fn input(applicants: Vec<Applicant>, schools: &[(&str, u32)]) -> Input {
        Input {
            lottery_id: "2026-示范区-民办初中".into(),
            applicants,
            schools: schools.iter().map(|(c, n)| School { code: c.to_string(), seats: *n }).collect(),
            priorities: vec![],
            entropy: vec!["beacon:1234".into(), "现场:0815".into()],
            mechanism: Mechanism::DeferredAcceptance,
            bundle_policy: BundlePolicy::AdmitAll,
        }
    }

    #[test]
    fn hash_construction_matches_an_independent_computation() {
        // lp("ab") = 00..02 'a' 'b'; digest of "a\nb" computed with `printf 'a\nb' | sha256sum`.
        assert_eq!(roster_digest(&["b", "a"]), sha256(b"a\nb"));
        let d = roster_digest(&["a", "b"]);
        let mut manual = Vec::new();
        for part in [ALGORITHM.as_bytes(), "L1".as_bytes(), &d[..], "x".as_bytes()] {
            manual.extend_from_slice(&(part.len() as u64).to_be_bytes());
            manual.extend_from_slice(part);
        }
        assert_eq!(seed("L1", &d, &["x"]), sha256(&manual));
        let s = seed("L1", &d, &["x"]);
        let mut t = Vec::new();
        t.extend_from_slice(&32u64.to_be_bytes());
        t.extend_from_slice(&s);
        t.extend_from_slice(&1u64.to_be_bytes());
        t.extend_from_slice(b"a");
        assert_eq!(ticket(&s, "a"), sha256(&t));
    }

    /// Known answers computed independently with Python's hashlib (struct.pack(">Q", len) framing).
    #[test]
    fn known_answer_vectors() {
        let ids = ["A003", "A001", "A002", "A010", "甲01"];
        let d = roster_digest(&ids);
        assert_eq!(hex(&d), "45a570328bdf885d920eb2085a151cbc5d1ac24e48e70cc8797989f04bb29d9f");
        let s = seed("2026-示范区-民办初中", &d, &["beacon:1234", "现场:0815"]);
        assert_eq!(hex(&s), "bdede4a8f61a0b31722f6607ac2c1d1d5072fc0332bb18a988f40cd85fcbeeb3");
        assert_eq!(hex(&ticket(&s, "A003")), "f2b2df92d6482dc84c1907a5a5221921e4c41004ff6abddaaf1797c82febb317");
        assert_eq!(hex(&ticket(&s, "A010")), "107f412474b96ab6f063e6d21d3d17d4d9ba3b02bf2e81d346de0ce270138ce1");
        assert_eq!(hex(&ticket(&s, "甲01")), "7cd533a65914054d13f7e72be6ceab6fb117bc7fe88428187fc6b41d9bc1e817");
        // One school with two seats admits the two lowest tickets: A010 (107f…) and A001 (7606…).
        let inp = input(ids.iter().map(|i| app(i, &["S1"])).collect(), &[("S1", 2)]);
        let r = draw(&inp).unwrap();
        let won: Vec<&str> = (0..5).filter(|&i| r.admitted[i] == Some(0)).map(|i| ids[i]).collect();
        assert_eq!(won, ["A001", "A010"]);
        let order: Vec<&str> = r.orders[0].iter().map(|x| ids[x.applicant]).collect();
        assert_eq!(order, ["A010", "A001", "甲01", "A002", "A003"]);
    }

    #[test]
    fn priority_groups_come_before_tickets() {
        let ids = ["A003", "A001", "A002", "A010", "甲01"];
        let mut inp = input(ids.iter().map(|i| app(i, &["S1"])).collect(), &[("S1", 2)]);
        inp.priorities = vec![Priority { applicant: "A003".into(), school: "S1".into(), group: 1 }];
        let r = draw(&inp).unwrap();
        assert_eq!(r.admitted[0], Some(0), "A003 is in group 1");
        assert_eq!(r.admitted[3], Some(0), "A010 has the best ticket of group 99");
        assert_eq!(r.admitted.iter().filter(|a| a.is_some()).count(), 2);
    }

    /// Cross-check: the round-based DA equals the classic one-proposal-at-a-time Gale–Shapley
    /// (applicant-optimal stable matching is unique), on random markets of single applicants.
    #[test]
    fn deferred_acceptance_equals_sequential_gale_shapley_and_is_stable() {
        let mut state = 7u64;
        let mut next = move |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for round in 0..200 {
            let n_schools = 1 + next(5) as usize;
            let n_app = 1 + next(40) as usize;
            let schools: Vec<(String, u32)> = (0..n_schools).map(|s| (format!("S{s}"), 1 + next(6) as u32)).collect();
            let mut apps = Vec::new();
            let mut pri = Vec::new();
            for a in 0..n_app {
                let mut list: Vec<usize> = (0..n_schools).collect();
                for i in (1..list.len()).rev() {
                    list.swap(i, next(i as u64 + 1) as usize);
                }
                list.truncate(1 + next(n_schools as u64) as usize);
                for &s in &list {
                    if next(4) == 0 {
                        pri.push(Priority {
                            applicant: format!("P{a}"),
                            school: format!("S{s}"),
                            group: 1 + next(3) as u32,
                        });
                    }
                }
                apps.push(Applicant {
                    id: format!("P{a}"),
                    choices: list.iter().map(|s| format!("S{s}")).collect(),
                    bundle: None,
                });
            }
            let refs: Vec<(&str, u32)> = schools.iter().map(|(c, n)| (c.as_str(), *n)).collect();
            let mut inp = input(apps, &refs);
            inp.priorities = pri;
            inp.lottery_id = format!("round-{round}");
            let r = draw(&inp).unwrap();
            // Independent sequential Gale–Shapley on the same rankings.
            let rank = |a: usize, s: usize| {
                let g = inp
                    .priorities
                    .iter()
                    .find(|p| p.applicant == inp.applicants[a].id && p.school == schools[s].0)
                    .map_or(DEFAULT_GROUP, |p| p.group);
                (g, r.tickets[a])
            };
            let choice_idx: Vec<Vec<usize>> =
                inp.applicants.iter().map(|a| a.choices.iter().map(|c| c[1..].parse().unwrap()).collect()).collect();
            let mut held: Vec<Vec<usize>> = vec![vec![]; n_schools];
            let mut next_choice = vec![0; n_app];
            let mut queue: Vec<usize> = (0..n_app).collect();
            while let Some(a) = queue.pop() {
                let Some(&s) = choice_idx[a].get(next_choice[a]) else { continue };
                next_choice[a] += 1;
                held[s].push(a);
                held[s].sort_by_key(|&x| rank(x, s));
                if held[s].len() > schools[s].1 as usize {
                    queue.push(held[s].pop().unwrap());
                }
            }
            let mut expect = vec![None; n_app];
            for (s, list) in held.iter().enumerate() {
                for &a in list {
                    expect[a] = Some(s);
                }
            }
            assert_eq!(r.admitted, expect, "market {round}");
            // Stability: nobody prefers a school that has a free seat or admitted someone ranked lower.
            for (a, list) in choice_idx.iter().enumerate() {
                for &s in list {
                    if r.admitted[a] == Some(s) {
                        break;
                    }
                    let taken: Vec<usize> = (0..n_app).filter(|&x| r.admitted[x] == Some(s)).collect();
                    assert_eq!(taken.len(), schools[s].1 as usize, "free seat left while {a} was refused");
                    assert!(taken.iter().all(|&x| rank(x, s) < rank(a, s)), "blocking pair ({a}, {s})");
                }
            }
        }
    }

    #[test]
    fn bundles_share_the_smallest_ticket_and_the_last_seat_policy_decides() {
        let ids = ["A003", "A001", "A002", "A010", "甲01"];
        // Tickets: A010 < A001 < 甲01 < A002 (bfc3…) < A003 (f2b2…). Bundle A002+A003 uses A002's.
        let mut apps: Vec<Applicant> = ids.iter().map(|i| app(i, &["S1"])).collect();
        apps[0].bundle = Some("twins".into());
        apps[2].bundle = Some("twins".into());
        let mut inp = input(apps, &[("S1", 4)]);
        let r = draw(&inp).unwrap();
        assert_eq!(r.rank_tickets[0], r.tickets[2]);
        // A010, A001, 甲01 take three seats; the twins are next with one seat left.
        assert_eq!(r.admitted, vec![Some(0), Some(0), Some(0), Some(0), Some(0)], "admit-all admits both twins");
        inp.bundle_policy = BundlePolicy::Skip;
        let r = draw(&inp).unwrap();
        assert_eq!(r.admitted, vec![None, Some(0), None, Some(0), Some(0)], "skip leaves the last seat empty");
        inp.applicants[2].choices = vec!["S1".into(), "S2".into()];
        inp.schools.push(School { code: "S2".into(), seats: 1 });
        assert!(matches!(draw(&inp), Err(LotteryError::BundleChoicesDiffer { .. })));
    }

    #[test]
    fn immediate_acceptance_honours_first_choices_first() {
        // X: S1 then S2; Y: S2 only; Z: S1 only. Z has priority at S1, X has priority at S2.
        let apps = vec![app("X", &["S1", "S2"]), app("Y", &["S2"]), app("Z", &["S1"])];
        let mut inp = input(apps, &[("S1", 1), ("S2", 1)]);
        inp.priorities = vec![
            Priority { applicant: "Z".into(), school: "S1".into(), group: 1 },
            Priority { applicant: "X".into(), school: "S2".into(), group: 1 },
        ];
        // DA: X, refused by S1, displaces Y at S2 by priority.
        assert_eq!(draw(&inp).unwrap().admitted, vec![Some(1), None, Some(0)]);
        // IA: Y holds S2 from round one for good; X's priority there no longer counts.
        inp.mechanism = Mechanism::ImmediateAcceptance;
        assert_eq!(draw(&inp).unwrap().admitted, vec![None, Some(1), Some(0)]);
    }

    #[test]
    fn bad_input_is_refused_with_chinese_errors() {
        let ok = input(vec![app("A1", &["S1"]), app("A2", &["S1"])], &[("S1", 1)]);
        let mut x = ok.clone();
        x.applicants[1].id = "A1".into();
        assert_eq!(draw(&x).unwrap_err().to_string(), "申请人编号“A1”重复");
        let mut x = ok.clone();
        x.applicants[1].choices = vec!["S9".into()];
        assert_eq!(draw(&x).unwrap_err().to_string(), "申请人“A2”的志愿“S9”不是参加派位的学校");
        let mut x = ok.clone();
        x.schools[0].seats = 0;
        assert_eq!(draw(&x).unwrap_err(), LotteryError::ZeroSeats("S1".into()));
        let mut x = ok.clone();
        x.entropy.clear();
        assert_eq!(draw(&x).unwrap_err(), LotteryError::NoEntropy);
        let mut x = ok.clone();
        x.applicants[0].choices = vec!["S1".into(), "S1".into()];
        assert!(matches!(draw(&x), Err(LotteryError::RepeatedChoice { .. })));
        let mut x = ok;
        x.priorities.push(Priority { applicant: "A9".into(), school: "S1".into(), group: 1 });
        assert_eq!(draw(&x).unwrap_err(), LotteryError::PriorityUnknownApplicant("A9".into()));
    }

    #[test]
    fn the_trail_breaks_where_it_was_changed() {
        let mut events = Vec::new();
        let mut prev = String::new();
        for (seq, action) in [(1, "create"), (2, "freeze"), (3, "draw")] {
            let hash = trail_hash(&prev, seq, "2026-06-20T09:00:00Z", "staff", action, "d");
            events.push((
                seq,
                "2026-06-20T09:00:00Z".to_string(),
                "staff".into(),
                action.into(),
                "d".into(),
                prev,
                hash.clone(),
            ));
            prev = hash;
        }
        assert_eq!(broken_link(&events), None);
        let mut edited = events.clone();
        edited[1].4 = "changed".into();
        assert_eq!(broken_link(&edited), Some(2));
        let mut removed = events.clone();
        removed.remove(1);
        assert_eq!(broken_link(&removed), Some(3));
    }
}
