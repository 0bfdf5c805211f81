//! Login, sessions and users (argon2id hashes, lockout, idle timeout).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use eduq_core::access::{Actor, Resource, Role};
use eduq_core::standards::password;
use eduq_core::text;
use eduq_store::Store;
use eduq_store::accounts::NewUser;
use rand_core::{OsRng, RngCore};

use crate::AppError;

pub fn hash_password(pw: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Invalid(format!("无法生成密码散列：{e}")))
}

fn verify(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash).map(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// 32 random bytes as hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    eduq_core::digest::hex(&b)
}

/// A code people copy from paper (a pupil's 答题码, a survey's 调查码, a link's path): `len`
/// characters of an alphabet without 0/O, 1/I/L.
pub fn paper_code(len: usize) -> String {
    use eduq_core::standards::screening::CODE_ALPHABET;
    let mut b = vec![0u8; len];
    OsRng.fill_bytes(&mut b);
    // 256 is not a multiple of the alphabet's size; the bias (< 1 %) costs nothing against guessing.
    b.iter().map(|&x| CODE_ALPHABET[x as usize % CODE_ALPHABET.len()] as char).collect()
}

/// A paper code as typed (lower case, spaces, dashes) in its stored form: the SHA-256 of its
/// letters and digits in upper case.
pub fn paper_code_hash(raw: &str) -> String {
    let code: String = raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    token_hash(&code)
}

/// Sessions are stored by the SHA-256 of their token, so a database leak yields no live cookie.
pub fn token_hash(token: &str) -> String {
    eduq_core::digest::sha256_hex(token.as_bytes())
}

/// A new session: the cookie token and the CSRF token of the forms.
pub struct Login {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
}

/// Checks a password. Attempts are counted per (account as typed, client address) before the
/// check, so parallel guesses stop at the limit; past it that client waits longer after each
/// failure while the owner, elsewhere, still logs in. Unknown accounts, wrong passwords and
/// waiting clients get one answer, so it never tells whether an account exists.
pub async fn login(
    store: &Store,
    username: &str,
    pw: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Login, AppError> {
    // Kept as typed, within a name's length, so that guesses cannot write long keys.
    let account: String = username.trim().to_lowercase().chars().take(eduq_core::text::NAME_CHARS).collect();
    let typed = Actor { username: username.trim().chars().take(64).collect(), ..Actor::system() };
    let policy = (i64::from(password::MAX_FAILURES), password::LOCK_MINUTES * 60, password::MAX_LOCK_MINUTES * 60);
    let Some(attempt) = store.system().reserve_login_attempt(&account, client, now.timestamp(), policy).await? else {
        store.audit(&typed, now, "login_throttled", "user", &format!("{client}：尝试过于频繁，未校验密码")).await?;
        return Err(AppError::BadLogin);
    };
    let user = store.system().user_by_name(username.trim()).await?;
    let ok = match &user {
        Some(u) => u.active && verify(pw, &u.password_hash),
        None => {
            // Same work as a real check, so that timing does not reveal which names exist.
            static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
            let dummy = DUMMY.get_or_init(|| hash_password("timing-equaliser").unwrap_or_default());
            let _ = verify(pw, dummy);
            false
        }
    };
    let why = if user.is_some() { "密码错误" } else { "用户不存在" };
    let Some(user) = user.filter(|_| ok) else {
        store.audit(&typed, now, "login_failed", "user", &format!("{client}：{why}（连续第{attempt}次）")).await?;
        let wait = password::wait_minutes(attempt);
        if wait > 0 {
            let detail = format!("{client}：连续失败{attempt}次，该地址暂停登录{wait}分钟");
            store.audit(&typed, now, "login_lock", "user", &detail).await?;
        }
        return Err(AppError::BadLogin);
    };
    store.system().clear_login_attempts(&account, Some(client)).await?;
    let forgotten = now - Duration::hours(password::ATTEMPTS_KEPT_HOURS);
    store.system().purge_login_attempts(forgotten.timestamp(), now.timestamp()).await?;
    let token = random_token();
    let csrf = random_token();
    store.system().create_session(&token_hash(&token), user.id, &csrf, now, session_ended(now)).await?;
    let actor = store.system().actor(&user).await?;
    store.audit(&actor, now, "login", "user", &format!("{client}：登录成功")).await?;
    Ok(Login { token, csrf, actor })
}

/// A session ended if idle since the first instant or created before the second.
fn session_ended(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (now - Duration::minutes(password::IDLE_TIMEOUT_MINUTES), now - Duration::hours(password::SESSION_LIFETIME_HOURS))
}

/// The actor and CSRF token of a live session.
pub async fn session(store: &Store, token: &str, now: DateTime<Utc>) -> Result<Option<(Actor, String)>, AppError> {
    match store.system().session(&token_hash(token), now, session_ended(now)).await? {
        Some((user, csrf)) => Ok(Some((store.system().actor(&user).await?, csrf))),
        None => Ok(None),
    }
}

pub async fn logout(store: &Store, actor: &Actor, token: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    store.system().delete_session(&token_hash(token)).await?;
    store.audit(actor, now, "logout", "user", "退出登录").await?;
    Ok(())
}

/// Creates an account after checking the password policy and the role's binding.
pub async fn create_user(store: &Store, by: &Actor, u: NewUserInput, now: DateTime<Utc>) -> Result<i64, AppError> {
    if !by.role.may_write(Resource::Users) {
        return Err(AppError::Forbidden);
    }
    password::check(&u.password).map_err(AppError::Invalid)?;
    if u.username.trim().is_empty() || u.username.chars().any(char::is_whitespace) {
        return Err(AppError::Invalid("用户名不能为空，也不能包含空格".to_string()));
    }
    text::check_field("用户名", &u.username, text::NAME_CHARS).map_err(AppError::Invalid)?;
    text::check_field("姓名", &u.display_name, text::NAME_CHARS).map_err(AppError::Invalid)?;
    if u.role.needs_school() && u.school_id.is_none() {
        return Err(AppError::Invalid(format!("角色“{}”须指定所属学校", u.role.label())));
    }
    check_area(store, u.role, &u.school_ids).await?;
    let id = store
        .system()
        .create_user(
            &NewUser {
                username: u.username.trim().to_string(),
                display_name: u.display_name,
                password_hash: hash_password(&u.password)?,
                role: u.role,
                school_id: u.school_id,
                class_ids: u.class_ids,
                student_ids: u.student_ids,
                school_ids: u.school_ids,
            },
            now,
        )
        .await?;
    store.audit(by, now, "user_create", &format!("user:{}", u.username), &format!("角色：{}", u.role.label())).await?;
    Ok(id)
}

pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub school_id: Option<i64>,
    pub class_ids: Vec<i64>,
    pub student_ids: Vec<i64>,
    /// The schools of an inspector's 责任区.
    pub school_ids: Vec<i64>,
}

/// The teacher record a school's account may name: a teacher of the account's school.
async fn own_teacher_record(store: &Store, user: &UserRow, staff_no: &str) -> Result<i64, AppError> {
    let school = match (user.role.enters_own_training(), user.school_id) {
        (true, Some(school)) => school,
        _ => return Err(AppError::Invalid(format!("角色“{}”不关联教师档案", user.role.label()))),
    };
    store
        .system()
        .teacher_of_school(staff_no, school)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("工号“{staff_no}”不是该用户所属学校的教师")))
}

/// Names the teacher record (by 工号) of a school's account, so that its user reads and enters
/// their own training hours; administrators only, audited.
pub async fn link_teacher(
    store: &Store,
    by: &Actor,
    username: &str,
    staff_no: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !by.role.may_write(Resource::Users) {
        return Err(AppError::Forbidden);
    }
    let user = store.system().user_by_name(username).await?.ok_or(AppError::NotFound)?;
    let teacher = own_teacher_record(store, &user, staff_no.trim()).await?;
    store.system().set_user_teacher(user.id, Some(teacher)).await?;
    store
        .audit(by, now, "user_update", &format!("user:{username}"), &format!("关联教师档案（工号{staff_no}）"))
        .await?;
    Ok(())
}

/// An inspector's 责任区 must name schools of the district; other roles hold none.
async fn check_area(store: &Store, role: Role, school_ids: &[i64]) -> Result<(), AppError> {
    if school_ids.is_empty() {
        return Ok(());
    }
    if role != Role::Inspector {
        return Err(AppError::Invalid(format!("角色“{}”不绑定责任区学校", role.label())));
    }
    let known: std::collections::HashSet<i64> =
        store.list_schools(&Actor::system(), None).await?.iter().map(|s| s.id).collect();
    if let Some(s) = school_ids.iter().find(|s| !known.contains(s)) {
        return Err(AppError::Invalid(format!("学校（编号{s}）不存在")));
    }
    Ok(())
}

/// Changes to an account by an administrator.
pub struct UserUpdate {
    pub active: bool,
    /// Classes of a 班主任/任课教师 (must be in the user's school).
    pub class_ids: Vec<i64>,
    /// 学籍号 of a parent's children.
    pub student_numbers: Vec<String>,
    /// The schools of an inspector's 责任区.
    pub school_ids: Vec<i64>,
    pub new_password: Option<String>,
    /// Lift every client's login wait on the account.
    pub unlock: bool,
    /// The 工号 of the account's own teacher record (its training hours): `Some("")` clears it,
    /// `None` leaves it.
    pub staff_no: Option<String>,
}

/// Enables or disables an account, resets its password, and binds classes or children; audited.
pub async fn update_user(
    store: &Store,
    by: &Actor,
    user_id: i64,
    u: UserUpdate,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !by.role.may_write(Resource::Users) {
        return Err(AppError::Forbidden);
    }
    let user = store.system().user_by_id(user_id).await?.ok_or_else(|| AppError::Invalid("用户不存在".into()))?;
    if user_id == by.user_id && !u.active {
        return Err(AppError::Invalid("不能停用自己的账号".into()));
    }
    let binds_classes = matches!(user.role, Role::HeadTeacher | Role::Teacher);
    if !u.class_ids.is_empty() {
        if !binds_classes {
            return Err(AppError::Invalid(format!("角色“{}”不绑定班级", user.role.label())));
        }
        let school = user.school_id.ok_or_else(|| AppError::Invalid("该用户没有所属学校".into()))?;
        let system = Actor::system();
        let terms = store.terms().await?;
        let mut allowed = std::collections::HashSet::new();
        for (tid, t) in terms.iter().take(2) {
            for c in store.list_classes(&system, t.start_year, Some(*tid), Some(school)).await? {
                allowed.insert(c.id);
            }
        }
        if let Some(c) = u.class_ids.iter().find(|c| !allowed.contains(c)) {
            return Err(AppError::Invalid(format!("班级（编号{c}）不属于该用户的学校")));
        }
    }
    check_area(store, user.role, &u.school_ids).await?;
    let numbers: Vec<String> =
        u.student_numbers.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
    if !numbers.is_empty() && user.role != Role::Parent {
        return Err(AppError::Invalid(format!("角色“{}”不绑定学生", user.role.label())));
    }
    let (student_ids, unknown) = store.system().student_ids_by_number(&numbers).await?;
    if !unknown.is_empty() {
        return Err(AppError::Invalid(format!("学籍号不存在：{}", unknown.join("、"))));
    }
    let hash = match &u.new_password {
        Some(p) if !p.is_empty() => {
            password::check(p).map_err(AppError::Invalid)?;
            Some(hash_password(p)?)
        }
        _ => None,
    };
    let teacher = match u.staff_no.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(no) => Some(Some(own_teacher_record(store, &user, no).await?)),
    };
    store.system().update_user(user_id, u.active, &u.class_ids, &student_ids, &u.school_ids, hash.as_deref()).await?;
    if let Some(t) = teacher {
        store.system().set_user_teacher(user_id, t).await?;
    }
    let unlock = u.unlock || hash.is_some();
    if unlock {
        store.system().clear_login_attempts(&user.username.to_lowercase(), None).await?;
    }
    let detail = format!(
        "{}；班级{}个；学生{}个；责任区学校{}所{}{}",
        if u.active { "启用" } else { "停用" },
        u.class_ids.len(),
        student_ids.len(),
        u.school_ids.len(),
        if hash.is_some() { "；重置密码" } else { "" },
        if unlock { "；解除登录限制" } else { "" }
    ) + &match u.staff_no.as_deref().map(str::trim) {
        Some("") => "；解除教师档案关联".to_string(),
        Some(no) => format!("；关联教师档案（工号{no}）"),
        None => String::new(),
    };
    store.audit(by, now, "user_update", &format!("user:{}", user.username), &detail).await?;
    Ok(())
}

pub use eduq_store::accounts::UserRow;

/// The accounts and, among them, those that must wait after failed logins (administrators only).
pub async fn users(
    store: &Store,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(Vec<UserRow>, std::collections::HashSet<String>), AppError> {
    let users = store.list_users(actor).await?;
    let waiting = store.waiting_accounts(actor, now.timestamp()).await?;
    Ok((users, waiting))
}

/// An account as its edit form shows it.
pub struct UserEdit {
    pub user: UserRow,
    /// The classes of the user's school this term a class-bound role may hold: (id, name, held).
    pub classes: Vec<(i64, String, bool)>,
    /// The 学籍号 of the pupils a parent is bound to.
    pub student_numbers: Vec<String>,
    /// The district's schools an inspector's 责任区 may hold: (id, name, held). Empty for other roles.
    pub schools: Vec<(i64, String, bool)>,
    /// The 工号 of the teacher record the account names.
    pub staff_no: Option<String>,
}

/// An account for editing, with its bindings (administrators only).
pub async fn user_for_edit(store: &Store, actor: &Actor, id: i64) -> Result<UserEdit, AppError> {
    if !actor.role.may_write(Resource::Users) {
        return Err(AppError::Forbidden);
    }
    let user = store.system().user_by_id(id).await?.ok_or(AppError::NotFound)?;
    let b = store.system().bindings(id).await?;
    let mut classes = Vec::new();
    if let (true, Some(school)) = (matches!(user.role, Role::HeadTeacher | Role::Teacher), user.school_id)
        && let Some((tid, t)) = store.terms().await?.first().copied()
    {
        for c in store.list_classes(actor, t.start_year, Some(tid), Some(school)).await? {
            classes.push((c.id, c.name.clone(), b.class_ids.contains(&c.id)));
        }
    }
    let student_numbers = b.students.into_iter().map(|(_, no, _)| no).collect();
    let staff_no = b.staff_no;
    let mut schools = Vec::new();
    if user.role == Role::Inspector {
        for s in store.list_schools(actor, None).await? {
            schools.push((s.id, s.name.clone(), b.school_ids.contains(&s.id)));
        }
    }
    Ok(UserEdit { user, classes, student_numbers, schools, staff_no })
}
