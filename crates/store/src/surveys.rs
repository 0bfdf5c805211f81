//! 问卷调查: surveys, their anonymous links, quotas, single-use tokens and responses. Responses
//! name no one; a principal reads those of the own school's link only, the bureau every link.

use chrono::{DateTime, NaiveDate, Utc};
use eduq_core::access::Actor;
use serde::Serialize;

use crate::imports::JsonCol;
use crate::org::scope_filter;
use crate::{Result, Sql, Store, StoreError, Tx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyRow {
    pub id: i64,
    pub title: String,
    /// The form's sheets as JSON.
    pub form: String,
    pub file_name: String,
    pub recognition: bool,
    pub tokens: bool,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub username: String,
    pub at: DateTime<Utc>,
}

impl SurveyRow {
    pub fn is_open(&self, today: NaiveDate) -> bool {
        self.opens <= today && today <= self.closes
    }
}

/// A survey to keep, with its links as (slug, school; `None` for the district's).
#[derive(Debug, Clone, PartialEq)]
pub struct NewSurvey {
    pub district_id: i64,
    pub title: String,
    pub form: String,
    pub file_name: String,
    pub recognition: bool,
    pub tokens: bool,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub links: Vec<(String, Option<i64>)>,
}

/// A link with its quotas and the responses it gathered, per respondent type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRow {
    pub slug: String,
    pub school_id: Option<i64>,
    pub school_name: String,
    /// (respondent type, quota).
    pub quotas: Vec<(String, i64)>,
    /// (respondent type, responses).
    pub got: Vec<(String, i64)>,
    pub tokens_issued: i64,
    pub tokens_used: i64,
}

/// What an anonymous link opens: the survey and the school it is for. No one's data.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicLink {
    pub slug: String,
    pub survey: SurveyRow,
    pub district_id: i64,
    pub school_id: Option<i64>,
    pub school_name: String,
}

/// One response as kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRow {
    pub id: i64,
    pub school_id: Option<i64>,
    pub school_name: String,
    pub respondent: String,
    pub answers: Vec<Option<String>>,
    pub submitted_at: DateTime<Utc>,
}

/// A response handed in through a link, checked against its form.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub survey_id: i64,
    pub district_id: i64,
    pub school_id: Option<i64>,
    pub slug: String,
    pub respondent: String,
    pub answers: Vec<Option<String>>,
    /// SHA-256 of the token or of the browser's survey cookie.
    pub guard: String,
    /// Whether `guard` is a token's hash, which must be unused.
    pub token: bool,
}

/// Why a response was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotKept {
    /// The token is unknown, of another link, or spent.
    TokenSpent,
    /// This browser (or token) already answered the survey.
    AlreadyAnswered,
}

const RESPONSE_TABLE: &str =
    "survey_response (survey_id, district_id, school_id, slug, respondent, answers, guard, submitted_at)";
const RESPONSE_COLS: [JsonCol; 8] = {
    use JsonCol::*;
    [Int, Int, Int, Text, Text, Text, Text, Stamp]
};

const DISTRICT_LINK: &str = "全区（县）公众链接";

const SURVEY_COLS: &str =
    "v.id, v.title, v.form, v.file_name, v.recognition, v.tokens, v.opens, v.closes, v.username, v.at";

fn survey_row(r: &dyn crate::Get) -> std::result::Result<SurveyRow, sqlx::Error> {
    Ok(SurveyRow {
        id: r.i(0)?,
        title: r.s(1)?,
        form: r.s(2)?,
        file_name: r.s(3)?,
        recognition: r.b(4)?,
        tokens: r.b(5)?,
        opens: r.d(6)?,
        closes: r.d(7)?,
        username: r.s(8)?,
        at: r.ts(9)?,
    })
}

fn answers_of(json: &str) -> std::result::Result<Vec<Option<String>>, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(format!("survey_response.answers: {e}").into()))
}

/// Limits a query of links (`k`) to the caller's: the bureau reads every link, a principal the
/// own school's (never the district's public link).
fn link_filter(q: &mut Sql, actor: &Actor) {
    if actor.scope != eduq_core::access::Scope::District {
        q.push(" AND k.school_id IS NOT NULL");
        scope_filter(q, actor, "k.school_id", None, None);
    }
}

impl Store {
    /// The district's surveys, newest first (every role that follows surveys sees the list; what
    /// each link gathered is scoped).
    pub async fn surveys(&self, actor: &Actor, id: Option<i64>) -> Result<Vec<SurveyRow>> {
        if !actor.role.reads_surveys() {
            return Err(StoreError::Forbidden);
        }
        let (district, _) = self.district().await?;
        let mut q = Sql::new(format!("SELECT {SURVEY_COLS} FROM survey v WHERE 1=1"));
        q.push_arg(" AND v.district_id = ?", district);
        if let Some(id) = id {
            q.push_arg(" AND v.id = ?", id);
        }
        q.push(" ORDER BY v.opens DESC, v.id DESC");
        self.fetch(&q, survey_row).await
    }

    pub async fn survey(&self, actor: &Actor, id: i64) -> Result<SurveyRow> {
        self.surveys(actor, Some(id)).await?.into_iter().next().ok_or(StoreError::NotFound)
    }

    /// The links of a survey in the caller's scope with quotas and progress; the district's first,
    /// then the schools by code.
    pub async fn survey_links(&self, actor: &Actor, survey_id: i64) -> Result<Vec<LinkRow>> {
        let survey = self.survey(actor, survey_id).await?;
        let mut q = Sql::new(
            "SELECT k.slug, k.school_id, COALESCE(s.name, ''), \
             (SELECT COUNT(*) FROM survey_token t WHERE t.slug = k.slug), \
             (SELECT COUNT(*) FROM survey_token t WHERE t.slug = k.slug AND t.used_at IS NOT NULL) \
             FROM survey_link k LEFT JOIN school s ON s.id = k.school_id WHERE 1=1",
        );
        q.push_arg(" AND k.survey_id = ?", survey.id);
        link_filter(&mut q, actor);
        q.push(" ORDER BY k.school_id IS NOT NULL, s.code");
        let mut links = self
            .fetch(&q, |r| {
                let school_id = r.oi(1)?;
                let name = r.s(2)?;
                Ok(LinkRow {
                    slug: r.s(0)?,
                    school_id,
                    school_name: if school_id.is_none() { DISTRICT_LINK.to_string() } else { name },
                    quotas: vec![],
                    got: vec![],
                    tokens_issued: r.i(3)?,
                    tokens_used: r.i(4)?,
                })
            })
            .await?;
        let mut q = Sql::new(
            "SELECT k.slug, u.respondent, u.quota FROM survey_quota u JOIN survey_link k ON k.slug = u.slug WHERE 1=1",
        );
        q.push_arg(" AND k.survey_id = ?", survey.id);
        link_filter(&mut q, actor);
        q.push(" ORDER BY k.slug, u.respondent");
        let quotas = self.fetch(&q, |r| Ok((r.s(0)?, r.s(1)?, r.i(2)?))).await?;
        let mut q = Sql::new(
            "SELECT k.slug, r.respondent, COUNT(*) FROM survey_response r JOIN survey_link k ON k.slug = r.slug \
             WHERE 1=1",
        );
        q.push_arg(" AND k.survey_id = ?", survey.id);
        link_filter(&mut q, actor);
        q.push(" GROUP BY k.slug, r.respondent ORDER BY k.slug, r.respondent");
        let got = self.fetch(&q, |r| Ok((r.s(0)?, r.s(1)?, r.i(2)?))).await?;
        for l in &mut links {
            l.quotas = quotas.iter().filter(|q| q.0 == l.slug).map(|q| (q.1.clone(), q.2)).collect();
            l.got = got.iter().filter(|g| g.0 == l.slug).map(|g| (g.1.clone(), g.2)).collect();
        }
        Ok(links)
    }

    /// The responses of a survey in the caller's scope, oldest first.
    pub async fn survey_responses(&self, actor: &Actor, survey_id: i64) -> Result<Vec<ResponseRow>> {
        let survey = self.survey(actor, survey_id).await?;
        let mut q = Sql::new(
            "SELECT r.id, r.school_id, COALESCE(s.name, ''), r.respondent, r.answers, r.submitted_at \
             FROM survey_response r JOIN survey_link k ON k.slug = r.slug LEFT JOIN school s ON s.id = r.school_id \
             WHERE 1=1",
        );
        q.push_arg(" AND r.survey_id = ?", survey.id);
        link_filter(&mut q, actor);
        q.push(" ORDER BY r.id");
        self.fetch(&q, |r| {
            let school_id = r.oi(1)?;
            let name = r.s(2)?;
            Ok(ResponseRow {
                id: r.i(0)?,
                school_id,
                school_name: if school_id.is_none() { DISTRICT_LINK.to_string() } else { name },
                respondent: r.s(3)?,
                answers: answers_of(&r.s(4)?)?,
                submitted_at: r.ts(5)?,
            })
        })
        .await
    }

    /// What an anonymous link opens, for the respondent's page (no login).
    pub async fn survey_link(&self, slug: &str) -> Result<Option<PublicLink>> {
        let q = Sql::new(format!(
            "SELECT {SURVEY_COLS}, k.slug, v.district_id, k.school_id, COALESCE(s.name, '') FROM survey_link k \
             JOIN survey v ON v.id = k.survey_id LEFT JOIN school s ON s.id = k.school_id WHERE k.slug = $1"
        ))
        .bind(slug);
        self.fetch_opt(&q, |r| {
            let school_id = r.oi(12)?;
            let name = r.s(13)?;
            Ok(PublicLink {
                survey: survey_row(r)?,
                slug: r.s(10)?,
                district_id: r.i(11)?,
                school_id,
                school_name: if school_id.is_none() { DISTRICT_LINK.to_string() } else { name },
            })
        })
        .await
    }
}

impl Tx {
    /// Keeps a new survey with its links (the bureau).
    pub async fn insert_survey(&mut self, actor: &Actor, n: &NewSurvey, at: DateTime<Utc>) -> Result<i64> {
        if !actor.role.runs_surveys() {
            return Err(StoreError::Forbidden);
        }
        let district = n.district_id;
        let id = self
            .scalar(
                &Sql::new(
                    "INSERT INTO survey (district_id, title, form, file_name, recognition, tokens, opens, closes, \
                     username, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(district)
                .bind(n.title.as_str())
                .bind(n.form.as_str())
                .bind(n.file_name.as_str())
                .bind(n.recognition)
                .bind(n.tokens)
                .bind(n.opens)
                .bind(n.closes)
                .bind(actor.username.as_str())
                .bind(at),
            )
            .await?;
        for (slug, school) in &n.links {
            self.exec(
                &Sql::new("INSERT INTO survey_link (slug, survey_id, district_id, school_id) VALUES ($1, $2, $3, $4)")
                    .bind(slug.as_str())
                    .bind(id)
                    .bind(district)
                    .bind(*school),
            )
            .await?;
        }
        self.audit(actor, at, "survey_add", &format!("survey:{id}"), &n.title).await?;
        Ok(id)
    }

    /// Sets the quotas of links (the bureau): (slug, respondent type, quota); 0 removes one.
    pub async fn set_survey_quotas(
        &mut self,
        actor: &Actor,
        survey_id: i64,
        quotas: &[(String, String, i64)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.runs_surveys() {
            return Err(StoreError::Forbidden);
        }
        // The survey's links, read once: every quota must name one of them.
        let links: std::collections::HashSet<String> = self
            .fetch(&Sql::new("SELECT slug FROM survey_link WHERE survey_id = $1").bind(survey_id), |r| r.s(0))
            .await?
            .into_iter()
            .collect();
        for (slug, respondent, quota) in quotas {
            if !links.contains(slug) {
                return Err(StoreError::NotFound);
            }
            self.exec(
                &Sql::new("DELETE FROM survey_quota WHERE slug = $1 AND respondent = $2")
                    .bind(slug.as_str())
                    .bind(respondent.as_str()),
            )
            .await?;
            if *quota > 0 {
                self.exec(
                    &Sql::new("INSERT INTO survey_quota (slug, respondent, quota) VALUES ($1, $2, $3)")
                        .bind(slug.as_str())
                        .bind(respondent.as_str())
                        .bind(*quota),
                )
                .await?;
            }
        }
        self.audit(actor, at, "survey_quota", &format!("survey:{survey_id}"), &format!("{}项", quotas.len())).await
    }

    /// Keeps the hashes of new single-use tokens of a link in the caller's scope.
    pub async fn insert_survey_tokens(
        &mut self,
        actor: &Actor,
        survey_id: i64,
        slug: &str,
        hashes: &[String],
        at: DateTime<Utc>,
    ) -> Result<()> {
        if !actor.role.runs_surveys() {
            return Err(StoreError::Forbidden);
        }
        let held = self
            .scalar(
                &Sql::new("SELECT COUNT(*) FROM survey_link WHERE slug = $1 AND survey_id = $2")
                    .bind(slug)
                    .bind(survey_id),
            )
            .await?;
        if held == 0 {
            return Err(StoreError::NotFound);
        }
        // One statement for the whole batch (up to MAX_TOKENS rows), as the responses go in.
        let rows: Vec<Vec<serde_json::Value>> = hashes.iter().map(|h| vec![h.as_str().into(), slug.into()]).collect();
        self.insert_json("survey_token (token_hash, slug)", &[JsonCol::Text, JsonCol::Text], &rows, at, "").await?;
        self.audit(actor, at, "survey_tokens", &format!("survey:{survey_id}"), &format!("{}个", hashes.len())).await
    }

    /// Keeps a batch of responses handed in through links (no login): spends each token, keeps
    /// one response per token or browser, and returns per response its id or why not kept. The
    /// responses go in as one statement (a JSON array), whatever the batch's size.
    pub async fn insert_survey_responses(
        &mut self,
        responses: &[NewResponse],
        at: DateTime<Utc>,
    ) -> Result<Vec<std::result::Result<i64, NotKept>>> {
        let mut out: Vec<std::result::Result<i64, NotKept>> = vec![Err(NotKept::AlreadyAnswered); responses.len()];
        let mut keep = Vec::with_capacity(responses.len());
        for (i, n) in responses.iter().enumerate() {
            if n.token {
                let spent = self
                    .fetch(
                        &Sql::new(
                            "UPDATE survey_token SET used_at = $1 WHERE token_hash = $2 AND slug = $3 \
                             AND used_at IS NULL RETURNING token_hash",
                        )
                        .bind(at)
                        .bind(n.guard.as_str())
                        .bind(n.slug.as_str()),
                        |r| r.s(0),
                    )
                    .await?;
                if spent.is_empty() {
                    out[i] = Err(NotKept::TokenSpent);
                    continue;
                }
            }
            keep.push(i);
        }
        let mut rows = Vec::with_capacity(keep.len());
        for &i in &keep {
            let n = &responses[i];
            let answers = serde_json::to_string(&n.answers).map_err(|e| StoreError::Invalid(e.to_string()))?;
            rows.push(vec![
                n.survey_id.into(),
                n.district_id.into(),
                n.school_id.into(),
                n.slug.as_str().into(),
                n.respondent.as_str().into(),
                answers.into(),
                n.guard.as_str().into(),
            ]);
        }
        let inserted = self
            .insert_json_returning(
                RESPONSE_TABLE,
                &RESPONSE_COLS,
                &rows,
                at,
                "ON CONFLICT (survey_id, guard) DO NOTHING RETURNING id, survey_id, guard",
                |r| Ok((r.i(0)?, r.i(1)?, r.s(2)?)),
            )
            .await?;
        let mut ids: std::collections::HashMap<(i64, &str), i64> =
            inserted.iter().map(|(id, sv, g)| ((*sv, g.as_str()), *id)).collect();
        // A browser that sent twice in one batch keeps its first response.
        for &i in &keep {
            let n = &responses[i];
            if let Some(id) = ids.remove(&(n.survey_id, n.guard.as_str())) {
                out[i] = Ok(id);
            }
        }
        Ok(out)
    }
}
