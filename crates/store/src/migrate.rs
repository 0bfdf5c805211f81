//! Numbered migrations embedded in the binary, one file per backend where SQL differs.
//! Each runs in its own transaction and is recorded in `schema_migrations`.

use crate::{Result, Sql, Store, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "fitness",
        sqlite: include_str!("../migrations/sqlite/0002_fitness.sql"),
        postgres: include_str!("../migrations/postgres/0002_fitness.sql"),
    },
    Migration {
        version: 3,
        name: "attendance",
        sqlite: include_str!("../migrations/sqlite/0003_attendance.sql"),
        postgres: include_str!("../migrations/postgres/0003_attendance.sql"),
    },
    Migration {
        version: 4,
        name: "plans",
        sqlite: include_str!("../migrations/sqlite/0004_plans.sql"),
        postgres: include_str!("../migrations/postgres/0004_plans.sql"),
    },
    Migration {
        version: 5,
        name: "cases",
        sqlite: include_str!("../migrations/sqlite/0005_cases.sql"),
        postgres: include_str!("../migrations/postgres/0005_cases.sql"),
    },
    Migration {
        version: 6,
        name: "destination",
        sqlite: include_str!("../migrations/sqlite/0006_destination.sql"),
        postgres: include_str!("../migrations/postgres/0006_destination.sql"),
    },
    Migration {
        version: 7,
        name: "lottery",
        sqlite: include_str!("../migrations/sqlite/0007_lottery.sql"),
        postgres: include_str!("../migrations/postgres/0007_lottery.sql"),
    },
    Migration {
        version: 8,
        name: "fitness_source",
        sqlite: include_str!("../migrations/sqlite/0008_fitness_source.sql"),
        postgres: include_str!("../migrations/postgres/0008_fitness_source.sql"),
    },
    Migration {
        version: 9,
        name: "fitness_stats_index",
        sqlite: include_str!("../migrations/sqlite/0009_fitness_stats_index.sql"),
        postgres: include_str!("../migrations/postgres/0009_fitness_stats_index.sql"),
    },
    Migration {
        version: 10,
        name: "exams",
        sqlite: include_str!("../migrations/sqlite/0010_exams.sql"),
        postgres: include_str!("../migrations/postgres/0010_exams.sql"),
    },
    Migration {
        version: 11,
        name: "exam_schools",
        sqlite: include_str!("../migrations/sqlite/0011_exam_schools.sql"),
        postgres: include_str!("../migrations/postgres/0011_exam_schools.sql"),
    },
    Migration {
        version: 12,
        name: "enrolment_roster_index",
        sqlite: include_str!("../migrations/sqlite/0012_enrolment_roster_index.sql"),
        postgres: include_str!("../migrations/postgres/0012_enrolment_roster_index.sql"),
    },
    Migration {
        version: 13,
        name: "plan_paths",
        sqlite: include_str!("../migrations/sqlite/0013_plan_paths.sql"),
        postgres: include_str!("../migrations/postgres/0013_plan_paths.sql"),
    },
    Migration {
        version: 14,
        name: "district_inputs",
        sqlite: include_str!("../migrations/sqlite/0014_district_inputs.sql"),
        postgres: include_str!("../migrations/postgres/0014_district_inputs.sql"),
    },
    Migration {
        version: 15,
        name: "covering_fact_indexes",
        sqlite: include_str!("../migrations/sqlite/0015_covering_fact_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0015_covering_fact_indexes.sql"),
    },
    Migration {
        version: 16,
        name: "pupil_history",
        sqlite: include_str!("../migrations/sqlite/0016_pupil_history.sql"),
        postgres: include_str!("../migrations/postgres/0016_pupil_history.sql"),
    },
    Migration {
        version: 17,
        name: "purchased_places",
        sqlite: include_str!("../migrations/sqlite/0017_purchased_places.sql"),
        postgres: include_str!("../migrations/postgres/0017_purchased_places.sql"),
    },
    Migration {
        version: 18,
        name: "class_scope_keys",
        sqlite: include_str!("../migrations/sqlite/0018_class_scope_keys.sql"),
        postgres: include_str!("../migrations/postgres/0018_class_scope_keys.sql"),
    },
    Migration {
        version: 19,
        name: "login_throttle",
        sqlite: include_str!("../migrations/sqlite/0019_login_throttle.sql"),
        postgres: include_str!("../migrations/postgres/0019_login_throttle.sql"),
    },
    Migration {
        version: 20,
        name: "list_keyset_indexes",
        sqlite: include_str!("../migrations/sqlite/0020_list_keyset_indexes.sql"),
        postgres: include_str!("../migrations/postgres/0020_list_keyset_indexes.sql"),
    },
    Migration {
        version: 21,
        name: "login_throttle_last_attempt",
        sqlite: include_str!("../migrations/sqlite/0021_login_throttle_last_attempt.sql"),
        postgres: include_str!("../migrations/postgres/0021_login_throttle_last_attempt.sql"),
    },
    Migration {
        version: 22,
        name: "rubrics",
        sqlite: include_str!("../migrations/sqlite/0022_rubrics.sql"),
        postgres: include_str!("../migrations/postgres/0022_rubrics.sql"),
    },
    Migration {
        version: 23,
        name: "casework",
        sqlite: include_str!("../migrations/sqlite/0023_casework.sql"),
        postgres: include_str!("../migrations/postgres/0023_casework.sql"),
    },
    Migration {
        version: 24,
        name: "inspections",
        sqlite: include_str!("../migrations/sqlite/0024_inspections.sql"),
        postgres: include_str!("../migrations/postgres/0024_inspections.sql"),
    },
    Migration {
        version: 25,
        name: "problem_board_indexes",
        sqlite: include_str!("../migrations/sqlite/0025_problem_board_index.sql"),
        postgres: include_str!("../migrations/postgres/0025_problem_board_index.sql"),
    },
    Migration {
        version: 26,
        name: "problem_source_key",
        sqlite: include_str!("../migrations/sqlite/0026_problem_source_key.sql"),
        postgres: include_str!("../migrations/postgres/0026_problem_source_key.sql"),
    },
    Migration {
        version: 27,
        name: "training",
        sqlite: include_str!("../migrations/sqlite/0027_training.sql"),
        postgres: include_str!("../migrations/postgres/0027_training.sql"),
    },
    Migration {
        version: 28,
        name: "training_claims",
        sqlite: include_str!("../migrations/sqlite/0028_training_claims.sql"),
        postgres: include_str!("../migrations/postgres/0028_training_claims.sql"),
    },
    Migration {
        version: 29,
        name: "rotation",
        sqlite: include_str!("../migrations/sqlite/0029_rotation.sql"),
        postgres: include_str!("../migrations/postgres/0029_rotation.sql"),
    },
    Migration {
        version: 30,
        name: "teacher_registration",
        sqlite: include_str!("../migrations/sqlite/0030_teacher_registration.sql"),
        postgres: include_str!("../migrations/postgres/0030_teacher_registration.sql"),
    },
    Migration {
        version: 31,
        name: "teacher_development",
        sqlite: include_str!("../migrations/sqlite/0031_teacher_development.sql"),
        postgres: include_str!("../migrations/postgres/0031_teacher_development.sql"),
    },
    Migration {
        version: 32,
        name: "screening",
        sqlite: include_str!("../migrations/sqlite/0032_screening.sql"),
        postgres: include_str!("../migrations/postgres/0032_screening.sql"),
    },
    Migration {
        version: 33,
        name: "surveys",
        sqlite: include_str!("../migrations/sqlite/0033_surveys.sql"),
        postgres: include_str!("../migrations/postgres/0033_surveys.sql"),
    },
    Migration {
        version: 34,
        name: "homework",
        sqlite: include_str!("../migrations/sqlite/0034_homework.sql"),
        postgres: include_str!("../migrations/postgres/0034_homework.sql"),
    },
    Migration {
        version: 35,
        name: "timetables",
        sqlite: include_str!("../migrations/sqlite/0035_timetables.sql"),
        postgres: include_str!("../migrations/postgres/0035_timetables.sql"),
    },
    Migration {
        version: 36,
        name: "after_school",
        sqlite: include_str!("../migrations/sqlite/0036_after_school.sql"),
        postgres: include_str!("../migrations/postgres/0036_after_school.sql"),
    },
    Migration {
        version: 37,
        name: "reading",
        sqlite: include_str!("../migrations/sqlite/0037_reading.sql"),
        postgres: include_str!("../migrations/postgres/0037_reading.sql"),
    },
    Migration {
        version: 38,
        name: "service_sessions",
        sqlite: include_str!("../migrations/sqlite/0038_service_sessions.sql"),
        postgres: include_str!("../migrations/postgres/0038_service_sessions.sql"),
    },
    Migration {
        version: 39,
        name: "grade_leaders",
        sqlite: include_str!("../migrations/sqlite/0039_grade_leaders.sql"),
        postgres: include_str!("../migrations/postgres/0039_grade_leaders.sql"),
    },
    Migration {
        version: 40,
        name: "school_honours",
        sqlite: include_str!("../migrations/sqlite/0040_school_honours.sql"),
        postgres: include_str!("../migrations/postgres/0040_school_honours.sql"),
    },
    Migration {
        version: 41,
        name: "building_projects",
        sqlite: include_str!("../migrations/sqlite/0041_building_projects.sql"),
        postgres: include_str!("../migrations/postgres/0041_building_projects.sql"),
    },
    Migration {
        version: 42,
        name: "group_details",
        sqlite: include_str!("../migrations/sqlite/0042_group_details.sql"),
        postgres: include_str!("../migrations/postgres/0042_group_details.sql"),
    },
    Migration {
        version: 43,
        name: "group_activities",
        sqlite: include_str!("../migrations/sqlite/0043_group_activities.sql"),
        postgres: include_str!("../migrations/postgres/0043_group_activities.sql"),
    },
    Migration {
        version: 44,
        name: "school_bundles",
        sqlite: include_str!("../migrations/sqlite/0044_school_bundles.sql"),
        postgres: include_str!("../migrations/postgres/0044_school_bundles.sql"),
    },
    Migration {
        version: 45,
        name: "flow_summary",
        sqlite: include_str!("../migrations/sqlite/0045_flow_summary.sql"),
        postgres: include_str!("../migrations/postgres/0045_flow_summary.sql"),
    },
];

pub(crate) async fn run(store: &Store) -> Result<Vec<i64>> {
    run_until(store, i64::MAX).await
}

/// Applies the migrations not applied yet up to `last` (tests start from an older schema).
pub(crate) async fn run_until(store: &Store, last: i64) -> Result<Vec<i64>> {
    store
        .exec(&Sql::new(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)",
        ))
        .await?;
    let applied = store.fetch(&Sql::new("SELECT version FROM schema_migrations"), |r| r.i(0)).await?;
    let mut done = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version) && m.version <= last) {
        let script = if store.is_postgres() { m.postgres } else { m.sqlite };
        let mut tx = store.begin().await?;
        tx.exec_script(script)
            .await
            .map_err(|e| StoreError::Migration { version: m.version, message: e.to_string() })?;
        tx.exec(
            &Sql::new("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)").bind(m.version).bind(m.name),
        )
        .await?;
        tx.commit().await?;
        done.push(m.version);
    }
    Ok(done)
}

#[cfg(test)]
/// Tables and indexes a migration creates or alters, for the test that keeps the two backends in step.
pub fn table_names(sql: &str) -> Vec<String> {
    sql.lines()
        .filter_map(|l| {
            let l = l.trim();
            ["CREATE TABLE ", "ALTER TABLE ", "CREATE INDEX ", "CREATE UNIQUE INDEX "]
                .iter()
                .find_map(|p| l.strip_prefix(p))
        })
        .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables a migration touches, a SQLite rebuild (`x_v2` renamed to `x`) counted as `x`,
    /// with the indexes a rebuild has to recreate on `x` left out.
    fn touched(sql: &str) -> std::collections::BTreeSet<String> {
        let rebuilt: Vec<String> =
            table_names(sql).iter().filter_map(|t| t.strip_suffix("_v2")).map(str::to_string).collect();
        let recreated = |l: &str| {
            let l = l.trim();
            l.starts_with("CREATE INDEX ") && rebuilt.iter().any(|t| l.contains(&format!(" ON {t} (")))
        };
        let kept: Vec<&str> = sql.lines().filter(|l| !recreated(l)).collect();
        table_names(&kept.join("\n")).into_iter().map(|t| t.trim_end_matches("_v2").to_string()).collect()
    }

    #[test]
    fn backends_have_the_same_tables() {
        for m in MIGRATIONS {
            assert_eq!(touched(m.sqlite), touched(m.postgres), "migration {}", m.version);
            assert!(!table_names(m.sqlite).is_empty());
        }
    }
}
