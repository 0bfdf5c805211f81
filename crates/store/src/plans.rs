//! Plans (三年行动计划) and their targets on the indicator library.

use eduq_core::plan::Scope;
use serde::Serialize;

use crate::{Result, Sql, Store};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanTarget {
    pub indicator: String,
    pub scope: Scope,
    /// The final value; `None` when the plan states a change per year.
    pub target: Option<f64>,
    pub annual_change: Option<f64>,
    pub deadline_year: i32,
    /// (school start year, value), by year.
    pub milestones: Vec<(i32, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub name: String,
    /// The plan's first school year (its baseline year).
    pub start_year: i32,
    pub targets: Vec<PlanTarget>,
}

impl Store {
    /// Every plan with its targets, by name.
    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let milestones = self
            .fetch(
                &Sql::new("SELECT target_id, start_year, value FROM plan_milestone ORDER BY target_id, start_year"),
                |r| Ok((r.i(0)?, r.i(1)? as i32, r.f(2)?)),
            )
            .await?;
        let rows = self
            .fetch(
                &Sql::new(
                    "SELECT p.name, p.start_year, t.id, t.indicator, t.scope, t.target, t.annual_change, t.deadline_year \
                     FROM plan p JOIN plan_target t ON t.plan_id = p.id ORDER BY p.name, t.id",
                ),
                |r| {
                    let id = r.i(2)?;
                    let deadline_year = r.i(7)? as i32;
                    let start = r.oi(1)?.map_or(deadline_year - 2, |y| y as i32);
                    let t = PlanTarget {
                        indicator: r.s(3)?,
                        scope: Scope::from_key(&r.s(4)?).unwrap_or(Scope::District),
                        target: r.of(5)?,
                        annual_change: r.of(6)?,
                        deadline_year,
                        milestones: milestones.iter().filter(|m| m.0 == id).map(|m| (m.1, m.2)).collect(),
                    };
                    Ok((r.s(0)?, start, t))
                },
            )
            .await?;
        let mut out: Vec<Plan> = Vec::new();
        for (name, start_year, t) in rows {
            match out.last_mut() {
                Some(p) if p.name == name => {
                    p.start_year = p.start_year.min(start_year);
                    p.targets.push(t)
                }
                _ => out.push(Plan { name, start_year, targets: vec![t] }),
            }
        }
        Ok(out)
    }

    /// Replaces a plan's targets (the plan is created if new), in one transaction.
    pub async fn save_plan(&self, district_id: i64, plan: &Plan) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.exec(
            &Sql::new("INSERT INTO plan (district_id, name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(district_id)
                .bind(plan.name.as_str()),
        )
        .await?;
        let id = tx.scalar(&Sql::new("SELECT id FROM plan WHERE name = $1").bind(plan.name.as_str())).await?;
        tx.exec(&Sql::new("UPDATE plan SET start_year = $1 WHERE id = $2").bind(i64::from(plan.start_year)).bind(id))
            .await?;
        tx.exec(
            &Sql::new("DELETE FROM plan_milestone WHERE target_id IN (SELECT id FROM plan_target WHERE plan_id = $1)")
                .bind(id),
        )
        .await?;
        tx.exec(&Sql::new("DELETE FROM plan_target WHERE plan_id = $1").bind(id)).await?;
        for t in &plan.targets {
            tx.exec(
                &Sql::new(
                    "INSERT INTO plan_target (plan_id, indicator, scope, target, annual_change, deadline_year) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(t.indicator.as_str())
                .bind(t.scope.key())
                .bind(t.target)
                .bind(t.annual_change)
                .bind(i64::from(t.deadline_year)),
            )
            .await?;
            let target_id = tx
                .scalar(
                    &Sql::new("SELECT id FROM plan_target WHERE plan_id = $1 AND indicator = $2 AND scope = $3")
                        .bind(id)
                        .bind(t.indicator.as_str())
                        .bind(t.scope.key()),
                )
                .await?;
            for &(year, value) in &t.milestones {
                tx.exec(
                    &Sql::new("INSERT INTO plan_milestone (target_id, start_year, value) VALUES ($1, $2, $3)")
                        .bind(target_id)
                        .bind(i64::from(year))
                        .bind(value),
                )
                .await?;
            }
        }
        tx.commit().await
    }
}
