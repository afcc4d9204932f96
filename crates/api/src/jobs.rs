//! Background jobs that must run once per period across every replica: each period is a
//! numbered slot, and the replica whose insert of `(job, slot)` into `job_runs` succeeds
//! (a unique index decides) runs it; the others skip. Runs and failures are recorded.

use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TryInsertResult};
use tessera_domain::entity::job_run;
use tessera_domain::metrics::MetricsSnapshot;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::{alerts, metrics};

/// The metrics job's name in `job_runs`.
pub const METRICS_JOB: &str = "metrics_snapshot";

/// Claims `slot` of `job` for this process; `None` when another replica has it.
async fn claim(state: &AppState, job: &str, slot: i64) -> ApiResult<Option<Uuid>> {
    let id = Uuid::now_v7();
    let row = job_run::ActiveModel {
        id: Set(id),
        job: Set(job.into()),
        slot: Set(slot),
        started_at: Set(Utc::now()),
        finished_at: Set(None),
        ok: Set(None),
        error: Set(None),
        runner: Set(format!("pid-{}", std::process::id())),
    };
    let res = job_run::Entity::insert(row)
        .on_conflict_do_nothing_on([job_run::Column::Job, job_run::Column::Slot])
        .exec(&state.db)
        .await?;
    Ok(matches!(res, TryInsertResult::Inserted(_)).then_some(id))
}

/// Computes and stores the current period's snapshot, recording the run under `run_id`.
///
/// # Errors
/// The computation or the database failed (also recorded on the run).
pub async fn run_metrics(state: &AppState, run_id: Uuid) -> ApiResult<MetricsSnapshot> {
    let result = metrics::compute_and_store_current(state).await;
    let error = result
        .as_ref()
        .err()
        .map(|e: &crate::ApiError| e.to_string());
    if let Ok(snap) = &result {
        publish_alerts(state, snap).await;
    }
    // Counted last, so a run that shows in /metrics has done everything.
    state.telemetry.job_ran(error.is_none());
    job_run::Entity::update_many()
        .col_expr(job_run::Column::FinishedAt, Expr::value(Utc::now()))
        .col_expr(job_run::Column::Ok, Expr::value(error.is_none()))
        .col_expr(job_run::Column::Error, Expr::value(error))
        .filter(job_run::Column::Id.eq(run_id))
        .exec(&state.db)
        .await?;
    result
}

/// Tells the live feed about every breached threshold, once per snapshot (the summary
/// endpoint only shows them, so a dashboard's refresh does not repeat them).
async fn publish_alerts(state: &AppState, snap: &MetricsSnapshot) {
    let checked = async {
        let ops = alerts::operational(state).await?;
        Ok::<_, crate::ApiError>(alerts::evaluate(
            &alerts::thresholds(&state.db).await?,
            snap,
            &ops,
        ))
    };
    match checked.await {
        Ok(breached) => {
            for a in breached {
                state
                    .events
                    .publish("alert", None, serde_json::to_value(&a).unwrap_or_default());
            }
        }
        Err(e) => tracing::warn!(error = %e, "alerts could not be checked"),
    }
}

/// Runs the metrics job now, outside the schedule (`POST /api/system/metrics/recompute`).
///
/// # Errors
/// As [`run_metrics`].
pub async fn recompute_now(state: &AppState) -> ApiResult<MetricsSnapshot> {
    // Manual runs take a slot of their own that no schedule ever uses.
    let slot = -Utc::now().timestamp_micros();
    let id = claim(state, METRICS_JOB, slot)
        .await?
        .unwrap_or_else(Uuid::now_v7);
    run_metrics(state, id).await
}

/// Starts the schedule: every `TESSERA_METRICS_INTERVAL_SECS`, once per period across replicas.
pub fn spawn_metrics_schedule(state: AppState) {
    let every = state.settings.metrics_interval_secs.max(1) as i64;
    tokio::spawn(async move {
        loop {
            let now = Utc::now().timestamp();
            let slot = now / every;
            match claim(&state, METRICS_JOB, slot).await {
                Ok(Some(id)) => {
                    if let Err(e) = run_metrics(&state, id).await {
                        tracing::warn!(error = %e, "metrics job failed");
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "metrics job could not claim its slot"),
            }
            let next = (slot + 1) * every;
            let wait = (next - Utc::now().timestamp()).max(1) as u64;
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
    });
}
