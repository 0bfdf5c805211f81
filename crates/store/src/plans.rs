//! Plans (三年行动计划) and their targets on the indicator library.

use serde::Serialize;

use crate::{Result, Sql, Store};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanTarget {
    pub indicator: String,
    pub target: f64,
    pub deadline_year: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub name: String,
    pub targets: Vec<PlanTarget>,
}

impl Store {
    /// Every plan with its targets, by name.
    pub async fn plans(&self) -> Result<Vec<Plan>> {
        let rows = self
            .fetch(
                &Sql::new(
                    "SELECT p.name, t.indicator, t.target, t.deadline_year FROM plan p JOIN plan_target t ON t.plan_id = p.id ORDER BY p.name, t.id",
                ),
                |r| Ok((r.s(0)?, PlanTarget { indicator: r.s(1)?, target: r.f(2)?, deadline_year: r.i(3)? as i32 })),
            )
            .await?;
        let mut out: Vec<Plan> = Vec::new();
        for (name, t) in rows {
            match out.last_mut() {
                Some(p) if p.name == name => p.targets.push(t),
                _ => out.push(Plan { name, targets: vec![t] }),
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
        tx.exec(&Sql::new("DELETE FROM plan_target WHERE plan_id = $1").bind(id)).await?;
        for t in &plan.targets {
            tx.exec(
                &Sql::new(
                    "INSERT INTO plan_target (plan_id, indicator, target, deadline_year) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(t.indicator.as_str())
                .bind(t.target)
                .bind(i64::from(t.deadline_year)),
            )
            .await?;
        }
        tx.commit().await
    }
}
