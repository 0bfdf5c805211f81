//! Editing an account: enable/disable, reset the password, bind classes (班主任/任课教师) or
//! children (家长) or an inspector's 责任区 schools (督学), so that the account sees what its role should and nothing more.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use eduq_app::accounts::UserRow;
use eduq_app::accounts::{UserUpdate, update_user};
use eduq_core::access::{Resource, Role};

use crate::auth::{Posted, Session};
use crate::views::{Layout, layout};
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "user_edit.html")]
struct EditPage {
    l: Layout,
    user: UserRow,
    binds_classes: bool,
    binds_students: bool,
    classes: Vec<(i64, String, bool)>,
    binds_area: bool,
    schools: Vec<(i64, String, bool)>,
    /// A school's account may name its own teacher record (工号).
    binds_teacher: bool,
    staff_no: String,
    students: String,
    message: String,
    error: String,
}

async fn render(st: &AppState, s: &Session, id: i64, message: String, error: String) -> Result<Html<String>, WebError> {
    if !s.actor.role.may_write(Resource::Users) {
        return Err(WebError::Forbidden);
    }
    let (l, _) = layout(&st.store, s, "编辑用户", "users", None).await?;
    let eduq_app::accounts::UserEdit { user, classes, student_numbers, schools, staff_no } =
        eduq_app::accounts::user_for_edit(&st.store, &s.actor, id).await?;
    let binds_classes = matches!(user.role, Role::HeadTeacher | Role::Teacher);
    let students = student_numbers.join("\n");
    Ok(Html(
        EditPage {
            l,
            binds_students: user.role == Role::Parent,
            binds_area: user.role == Role::Inspector,
            binds_teacher: user.role.enters_own_training(),
            staff_no: staff_no.unwrap_or_default(),
            schools,
            user,
            binds_classes,
            classes,
            students,
            message,
            error,
        }
        .render()?,
    ))
}

pub async fn page(State(st): State<AppState>, s: Session, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    render(&st, &s, id, String::new(), String::new()).await
}

pub async fn save(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Posted(s, f): Posted<Vec<(String, String)>>,
) -> Result<Html<String>, WebError> {
    let map: HashMap<&str, &str> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let u = UserUpdate {
        active: map.contains_key("active"),
        class_ids: f.iter().filter(|(k, _)| k == "class").filter_map(|(_, v)| v.parse().ok()).collect(),
        student_numbers: map
            .get("students")
            .map(|v| v.split(['\n', ',', '，', ';', ' ']).map(str::to_string).collect())
            .unwrap_or_default(),
        school_ids: f.iter().filter(|(k, _)| k == "school").filter_map(|(_, v)| v.parse().ok()).collect(),
        new_password: map.get("password").map(|p| p.to_string()).filter(|p| !p.is_empty()),
        unlock: map.contains_key("unlock"),
        staff_no: map.get("staff_no").map(|v| v.to_string()),
    };
    match update_user(&st.store, &s.actor, id, u, st.clock.now()).await {
        Ok(()) => render(&st, &s, id, "已保存".into(), String::new()).await,
        Err(eduq_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(eduq_app::AppError::Invalid(m)) => render(&st, &s, id, String::new(), m).await,
        Err(e) => Err(e.into()),
    }
}
