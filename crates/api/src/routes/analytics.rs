//! `GET /admin/api/analytics`: activations per day, top tenants by usage, the plan mix and
//! totals for a date range, all computed by the database.

use std::collections::HashMap;

use actix_web::{get, web};
use chrono::{Days, NaiveDate, Utc};
use sea_orm::{DbBackend, FromQueryResult};
use serde::Deserialize;
use tessera_domain::Role;
use tessera_domain::metrics::{Analytics, AnalyticsTotals, DayCount, PlanCount, TenantUsage};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::sql::Sql;
use crate::state::AppState;

/// The longest range one request may ask for.
const MAX_DAYS: i64 = 366;

/// The range.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsQuery {
    /// First day, inclusive (default: 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: today).
    pub to: Option<NaiveDate>,
}

/// Analytics for a date range: activations per day, top tenants by usage, subscription
/// distribution per plan, and totals (tenants, codes, devices, revenue collected).
#[utoipa::path(
    tag = "metrics",
    params(AnalyticsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The analytics", body = Analytics),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 422, description = "Bad or too long range", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/analytics")]
pub async fn get_analytics(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<AnalyticsQuery>,
) -> ApiResult<web::Json<Analytics>> {
    auth.require(Role::Admin)?;
    let to = q.to.unwrap_or_else(|| Utc::now().date_naive());
    let from = q.from.unwrap_or(to - Days::new(29));
    days::ordered(Some(from), Some(to))?;
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ApiError::field("to", "ask for at most 366 days"));
    }
    let (start, end) = (days::start(from), days::end(to));
    let backend = state.db.get_database_backend();
    let day_of = |col: &str| match backend {
        DbBackend::Postgres => format!("to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"),
        _ => format!("substr({col}, 1, 10)"),
    };

    #[derive(FromQueryResult)]
    struct Day {
        day: String,
        n: i64,
    }
    let mut q1 = Sql::new(backend);
    q1.push(&format!(
        "SELECT {} AS day, CAST(COUNT(*) AS BIGINT) AS n FROM devices WHERE activated_at >= ",
        day_of("activated_at")
    ))
    .bind(start)
    .push(" AND activated_at < ")
    .bind(end)
    .push(" GROUP BY 1");
    let counts: HashMap<String, i64> = Day::find_by_statement(q1.build())
        .all(&state.db)
        .await?
        .into_iter()
        .map(|d| (d.day, d.n))
        .collect();
    let mut activations_per_day = Vec::new();
    let mut day = from;
    while day <= to {
        activations_per_day.push(DayCount {
            date: day,
            count: counts.get(&day.to_string()).copied().unwrap_or(0),
        });
        day = day + Days::new(1);
    }

    #[derive(FromQueryResult)]
    struct Usage {
        tenant_id: Uuid,
        tenant_slug: String,
        events: i64,
        cost_cents: i64,
    }
    let mut q2 = Sql::new(backend);
    q2.push(
        "SELECT r.tenant_id, t.slug AS tenant_slug, CAST(SUM(r.events) AS BIGINT) AS events, \
         CAST(SUM(r.cost_cents) AS BIGINT) AS cost_cents FROM usage_rollups r JOIN tenants t ON t.id = r.tenant_id \
         WHERE r.day >= ",
    )
    .bind(from)
    .push(" AND r.day <= ")
    .bind(to)
    .push(" GROUP BY r.tenant_id, t.slug ORDER BY events DESC, t.slug ASC LIMIT 10");
    let top_tenants = Usage::find_by_statement(q2.build())
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| TenantUsage {
            tenant_id: u.tenant_id,
            tenant_slug: u.tenant_slug,
            events: u.events,
            cost_cents: u.cost_cents,
        })
        .collect();

    #[derive(FromQueryResult)]
    struct Plan {
        plan: String,
        tenants: i64,
    }
    let mut q3 = Sql::new(backend);
    q3.push("SELECT plan, CAST(COUNT(*) AS BIGINT) AS tenants FROM tenants WHERE slug <> ")
        .bind(tessera_domain::plan::SYSTEM_TENANT)
        .push(" GROUP BY plan ORDER BY plan");
    let plan_distribution = Plan::find_by_statement(q3.build())
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| PlanCount {
            plan: p.plan,
            tenants: p.tenants,
        })
        .collect();

    #[derive(FromQueryResult)]
    struct Totals {
        tenants: i64,
        codes: i64,
        devices: i64,
        revenue_cents: i64,
    }
    let mut q4 = Sql::new(backend);
    q4.push("SELECT (SELECT CAST(COUNT(*) AS BIGINT) FROM tenants WHERE slug <> ")
        .bind(tessera_domain::plan::SYSTEM_TENANT)
        .push(") AS tenants, (SELECT CAST(COUNT(*) AS BIGINT) FROM activation_codes) AS codes, \
               (SELECT CAST(COUNT(*) AS BIGINT) FROM devices WHERE revoked_at IS NULL) AS devices, \
               (SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_entries WHERE kind = 'top_up' AND created_at >= ")
        .bind(start)
        .push(" AND created_at < ")
        .bind(end)
        .push(") AS revenue_cents");
    let t = Totals::find_by_statement(q4.build())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::Internal("totals returned no row".into()))?;
    Ok(web::Json(Analytics {
        activations_per_day,
        top_tenants,
        plan_distribution,
        totals: AnalyticsTotals {
            tenants: t.tenants,
            codes: t.codes,
            devices: t.devices,
            revenue_cents: t.revenue_cents,
        },
    }))
}
