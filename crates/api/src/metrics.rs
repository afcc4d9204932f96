//! Computing the executive metrics snapshot from subscriptions, usage and activity, and
//! storing it. Definitions live in `tessera_domain::metrics`. The job reads whole tables
//! once per period (every few minutes); a request computes a snapshot only for a period
//! with none stored, once per process ([`summary_snapshot`]), and otherwise reads the
//! stored one, parsed once per stored row ([`SnapshotCache`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Serialize, Serializer};
use tessera_domain::entity::{metric_snapshot, subscription, tenant, user_activity};
use tessera_domain::metrics::{BusinessMetrics, Cohort, LlmMetrics, MetricsSnapshot, MrrMovements};
use tessera_domain::plan::SYSTEM_TENANT;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::sql::Sql;
use crate::state::AppState;

/// Periods whose parsed snapshot a process keeps.
const CACHED_PERIODS: usize = 16;

/// The latest parsed snapshot of a few periods, each under the id of the stored row it was
/// read from, and the lock that lets one task per process compute a snapshot at a time.
///
/// Every replica writes snapshots to the same table: a request asks the database for the
/// latest row's id (not its body) and parses the body only when that id is not the one
/// kept here, so another replica's newer snapshot is picked up on the next request.
#[derive(Default)]
pub struct SnapshotCache {
    /// `(period, row id, snapshot)`, oldest insertion first.
    parsed: Mutex<Vec<(String, Uuid, Arc<MetricsSnapshot>)>>,
    /// Held while a snapshot is computed and stored (the job, or a request for a period
    /// with none stored), so that work happens once and the others wait for its row.
    computing: tokio::sync::Mutex<()>,
}

impl SnapshotCache {
    /// The kept snapshot of `period` if it was read from row `id`.
    fn get(&self, period: &str, id: Uuid) -> Option<Arc<MetricsSnapshot>> {
        let parsed = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        parsed
            .iter()
            .find(|(p, i, _)| p == period && *i == id)
            .map(|(_, _, s)| s.clone())
    }

    /// Keeps `snapshot`, read from (or stored as) row `id`, as `period`'s latest.
    fn put(&self, period: &str, id: Uuid, snapshot: MetricsSnapshot) -> Arc<MetricsSnapshot> {
        let snapshot = Arc::new(snapshot);
        let mut parsed = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        parsed.retain(|(p, _, _)| p != period);
        if parsed.len() >= CACHED_PERIODS {
            parsed.remove(0);
        }
        parsed.push((period.to_owned(), id, snapshot.clone()));
        snapshot
    }
}

/// A parsed snapshot shared by every response that shows it (serialized as the snapshot).
#[derive(Debug, Clone)]
pub struct SharedSnapshot(pub Arc<MetricsSnapshot>);

impl std::ops::Deref for SharedSnapshot {
    type Target = MetricsSnapshot;

    fn deref(&self) -> &MetricsSnapshot {
        &self.0
    }
}

impl Serialize for SharedSnapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Stores `snap` as its period's latest snapshot (the job and the summary write the same
/// row) and returns the row's id.
///
/// # Errors
/// The database failed.
pub async fn store(conn: &impl ConnectionTrait, snap: &MetricsSnapshot) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    metric_snapshot::Entity::insert(metric_snapshot::ActiveModel {
        id: Set(id),
        period: Set(snap.business.period.clone()),
        body: Set(serde_json::to_value(snap).unwrap_or_default()),
        computed_at: Set(snap.computed_at),
    })
    .exec(conn)
    .await?;
    Ok(id)
}

/// Computes and stores the snapshot of the current period (the metrics job), one task per
/// process at a time, and keeps it as the period's latest.
///
/// # Errors
/// The computation or the database failed.
pub async fn compute_and_store_current(state: &AppState) -> ApiResult<MetricsSnapshot> {
    let _one = state.snapshots.computing.lock().await;
    let now = Utc::now();
    let (name, start, end) = period(None, now)?;
    let snap = compute(&state.db, name.clone(), start, end, now).await?;
    let id = store(&state.db, &snap).await?;
    state.snapshots.put(&name, id, snap.clone());
    Ok(snap)
}

/// The snapshot the summary shows for `requested` (`YYYY-MM`, default the current month):
/// the latest stored one, parsed once per stored row and process. A period with none
/// stored gets one computed and stored here, by one request per process while the others
/// wait for its row. A closed period's stored snapshot is final once computed after the
/// period ended; one computed before (the job's last run in that month) is replaced once
/// the same way, so a closed month shows its whole data.
///
/// # Errors
/// 422 for a bad period; the database failed.
pub async fn summary_snapshot(
    state: &AppState,
    requested: Option<&str>,
) -> ApiResult<SharedSnapshot> {
    let now = Utc::now();
    let (name, start, _) = period(requested, now)?;
    let closes = next_month(start);
    let usable = |computed_at: DateTime<Utc>| closes > now || computed_at >= closes;
    if let Some(s) = stored(state, &name, usable).await? {
        return Ok(SharedSnapshot(s));
    }
    let _one = state.snapshots.computing.lock().await;
    // Whoever held the lock may have stored it meanwhile (here or on another replica).
    if let Some(s) = stored(state, &name, usable).await? {
        return Ok(SharedSnapshot(s));
    }
    let now = Utc::now();
    let (name, start, end) = period(Some(&name), now)?;
    let snap = compute(&state.db, name.clone(), start, end, now).await?;
    let id = store(&state.db, &snap).await?;
    Ok(SharedSnapshot(state.snapshots.put(&name, id, snap)))
}

/// The latest stored snapshot of `period`, when `usable` accepts its computation time and
/// its body parses; parsed only when the latest row is not the one already kept.
async fn stored(
    state: &AppState,
    period: &str,
    usable: impl Fn(DateTime<Utc>) -> bool,
) -> ApiResult<Option<Arc<MetricsSnapshot>>> {
    let latest: Option<(Uuid, DateTime<Utc>)> = metric_snapshot::Entity::find()
        .select_only()
        .column(metric_snapshot::Column::Id)
        .column(metric_snapshot::Column::ComputedAt)
        .filter(metric_snapshot::Column::Period.eq(period))
        .order_by_desc(metric_snapshot::Column::ComputedAt)
        .limit(1)
        .into_tuple()
        .one(&state.db)
        .await?;
    let Some((id, _)) = latest.filter(|(_, at)| usable(*at)) else {
        return Ok(None);
    };
    if let Some(s) = state.snapshots.get(period, id) {
        return Ok(Some(s));
    }
    let body: Option<serde_json::Value> = metric_snapshot::Entity::find_by_id(id)
        .select_only()
        .column(metric_snapshot::Column::Body)
        .into_tuple()
        .one(&state.db)
        .await?;
    match body.map(serde_json::from_value::<MetricsSnapshot>) {
        Some(Ok(s)) => Ok(Some(state.snapshots.put(period, id, s))),
        Some(Err(e)) => {
            tracing::warn!(%id, error = %e, "a stored metrics snapshot does not parse");
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Months of sign-up cohorts in a snapshot.
const COHORT_MONTHS: i32 = 12;

/// A period `YYYY-MM` as `[start, end)`, the end capped at `now`.
///
/// # Errors
/// 422 for anything but a valid `YYYY-MM` not in the future.
pub fn period(
    value: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<(String, DateTime<Utc>, DateTime<Utc>)> {
    let bad = || ApiError::field("period", "must be a month as YYYY-MM, not in the future");
    let (y, m) = match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => (now.year(), now.month()),
        Some(v) => {
            let (y, m) = v.split_once('-').ok_or_else(bad)?;
            (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
        }
    };
    let start = month_start(y, m).ok_or_else(bad)?;
    if start > now {
        return Err(bad());
    }
    let next = next_month(start);
    Ok((format!("{y:04}-{m:02}"), start, next.min(now)))
}

fn month_start(y: i32, m: u32) -> Option<DateTime<Utc>> {
    Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()
}

fn next_month(t: DateTime<Utc>) -> DateTime<Utc> {
    let (y, m) = if t.month() == 12 {
        (t.year() + 1, 1)
    } else {
        (t.year(), t.month() + 1)
    };
    month_start(y, m).unwrap_or(t)
}

/// A tenant's subscription history, oldest first.
struct History(Vec<subscription::Model>);

fn paying(s: &subscription::Model) -> bool {
    matches!(s.status.as_str(), "active" | "past_due") && s.monthly_price_cents > 0
}

impl History {
    /// The row in force at `t`.
    fn at(&self, t: DateTime<Utc>) -> Option<&subscription::Model> {
        self.0
            .iter()
            .rev()
            .find(|s| s.started_at <= t && s.ended_at.is_none_or(|e| e > t))
    }

    /// The MRR this customer contributes at `t`.
    fn mrr_at(&self, t: DateTime<Utc>) -> i64 {
        self.at(t)
            .filter(|s| paying(s))
            .map_or(0, |s| s.monthly_price_cents)
    }

    /// Whether the customer paid at any time before `t`.
    fn paid_before(&self, t: DateTime<Utc>) -> bool {
        self.0.iter().any(|s| s.started_at < t && paying(s))
    }

    /// Books every change of this customer's MRR in `[start, end)` as ChartMogul does, one
    /// movement per change: from 0 to more is `new` the first time the customer pays and
    /// `reactivation` after that, a rise is `expansion`, a fall to more than 0
    /// `contraction`, a fall to 0 `churn`. An upgrade then a cancellation in one month is
    /// an expansion and a churn, not one net figure. Returns how many `new` there were.
    fn book_movements(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        mv: &mut MrrMovements,
    ) -> i64 {
        let mut changes: Vec<DateTime<Utc>> = self
            .0
            .iter()
            .flat_map(|s| [Some(s.started_at), s.ended_at])
            .flatten()
            .filter(|t| *t >= start && *t < end)
            .collect();
        changes.sort();
        changes.dedup();
        let mut new_customers = 0;
        for t in changes {
            let (before, after) = (self.mrr_at(t - Duration::microseconds(1)), self.mrr_at(t));
            match (before, after) {
                (0, a) if a > 0 && self.paid_before(t) => mv.reactivation_cents += a,
                (0, a) if a > 0 => {
                    mv.new_cents += a;
                    new_customers += 1;
                }
                (b, 0) if b > 0 => mv.churn_cents += b,
                (b, a) if a > b => mv.expansion_cents += a - b,
                (b, a) if a < b => mv.contraction_cents += b - a,
                _ => {}
            }
        }
        new_customers
    }

    /// Whether the customer holds any live subscription at `t` (trial included).
    fn subscribed_at(&self, t: DateTime<Utc>) -> bool {
        self.at(t).is_some_and(|s| s.status != "canceled")
    }
}

fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

/// Computes the snapshot for a period.
///
/// # Errors
/// The database failed.
pub async fn compute(
    conn: &impl ConnectionTrait,
    period_name: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<MetricsSnapshot> {
    let tenants: Vec<tenant::Model> = tenant::Entity::find()
        .filter(tenant::Column::Slug.ne(SYSTEM_TENANT))
        .all(conn)
        .await?;
    let mut by_tenant: HashMap<Uuid, History> = tenants
        .iter()
        .map(|t| (t.id, History(Vec::new())))
        .collect();
    let mut subs = subscription::Entity::find().all(conn).await?;
    subs.sort_by_key(|s| (s.started_at, s.id));
    for s in subs {
        if let Some(h) = by_tenant.get_mut(&s.tenant_id) {
            h.0.push(s);
        }
    }

    let mut mv = MrrMovements::default();
    let (mut mrr_start, mut mrr_end, mut paying_start, mut paying_end, mut new_customers, mut lost) =
        (0i64, 0i64, 0i64, 0i64, 0i64, 0i64);
    let (mut trials_ended, mut converted) = (0i64, 0i64);
    for h in by_tenant.values() {
        let (a, b) = (
            h.mrr_at(start - Duration::microseconds(1)),
            h.mrr_at(end - Duration::microseconds(1)),
        );
        mrr_start += a;
        mrr_end += b;
        paying_start += i64::from(a > 0);
        paying_end += i64::from(b > 0);
        lost += i64::from(a > 0 && b == 0);
        new_customers += h.book_movements(start, end, &mut mv);
        for (i, s) in h.0.iter().enumerate() {
            if s.status == "trialing" && s.ended_at.is_some_and(|e| e >= start && e < end) {
                trials_ended += 1;
                converted += i64::from(h.0.get(i + 1).is_some_and(paying));
            }
        }
    }

    let mut unavailable = BTreeMap::new();
    let customer_churn_rate = ratio(lost, paying_start);
    let gross = ratio(mv.churn_cents + mv.contraction_cents, mrr_start);
    let net = ratio(
        mv.churn_cents + mv.contraction_cents - mv.expansion_cents - mv.reactivation_cents,
        mrr_start,
    );
    if paying_start == 0 {
        unavailable.insert(
            "customer_churn_rate".into(),
            "no paying customers at the start of the period".into(),
        );
    }
    if mrr_start == 0 {
        unavailable.insert(
            "gross_revenue_churn_rate".into(),
            "no MRR at the start of the period".into(),
        );
        unavailable.insert(
            "net_revenue_churn_rate".into(),
            "no MRR at the start of the period".into(),
        );
    }
    let arpa = (paying_end > 0).then(|| mrr_end / paying_end);
    if arpa.is_none() {
        unavailable.insert("arpa_cents".into(), "no paying customers".into());
    }
    let conversion = ratio(converted, trials_ended);
    if conversion.is_none() {
        unavailable.insert(
            "trial_to_paid_conversion_rate".into(),
            "no trial ended in the period".into(),
        );
    }
    // As of the period's last day, so a closed month shows its own active users, not
    // today's (activity is kept per user and day, so past days can be counted).
    let last_day = now.min(end - Duration::microseconds(1)).date_naive();
    let active_since = |days: u64| -> NaiveDate { last_day - chrono::Days::new(days - 1) };
    let (dau, wau, mau) = (
        distinct_users(conn, active_since(1), last_day).await?,
        distinct_users(conn, active_since(7), last_day).await?,
        distinct_users(conn, active_since(30), last_day).await?,
    );

    let business = BusinessMetrics {
        period: period_name,
        mrr_cents: mrr_end,
        arr_cents: mrr_end * 12,
        mrr_start_cents: mrr_start,
        movements: mv,
        paying_customers: paying_end,
        new_customers,
        customer_churn_rate,
        gross_revenue_churn_rate: gross,
        net_revenue_churn_rate: net,
        arpa_cents: arpa,
        trial_to_paid_conversion_rate: conversion,
        dau,
        wau,
        mau,
        unavailable,
    };
    Ok(MetricsSnapshot {
        business,
        llm: llm(conn, start, end).await?,
        cohorts: cohorts(&tenants, &by_tenant, now),
        computed_at: now,
    })
}

async fn distinct_users(
    conn: &impl ConnectionTrait,
    since: NaiveDate,
    until: NaiveDate,
) -> ApiResult<i64> {
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let n = user_activity::Entity::find()
        .select_only()
        .column_as(
            Expr::expr(Func::count_distinct(Expr::col(
                user_activity::Column::UserId,
            ))),
            "n",
        )
        .filter(user_activity::Column::Day.gte(since))
        .filter(user_activity::Column::Day.lte(until))
        .into_model::<N>()
        .one(conn)
        .await?;
    Ok(n.map_or(0, |n| n.n))
}

/// The LLM figures of `[start, end)`, summed by the database in one row.
async fn llm(
    conn: &impl ConnectionTrait,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> ApiResult<LlmMetrics> {
    #[derive(FromQueryResult)]
    struct Sums {
        calls: i64,
        timed: i64,
        duration_ms: i64,
        failures: i64,
        tokens: i64,
        cost_cents: i64,
    }
    // PostgreSQL sums bigints as numeric: every figure is cast back to BIGINT. The mean
    // and the failure rate are divided here, as f64, exactly as before.
    let mut q = Sql::new(conn.get_database_backend());
    q.push(
        "SELECT CAST(COUNT(*) AS BIGINT) AS calls, \
         CAST(COUNT(duration_ms) AS BIGINT) AS timed, \
         CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT) AS duration_ms, \
         CAST(COALESCE(SUM(CASE WHEN success THEN 0 ELSE 1 END), 0) AS BIGINT) AS failures, \
         CAST(COALESCE(SUM(tokens), 0) AS BIGINT) AS tokens, \
         CAST(COALESCE(SUM(cost_cents), 0) AS BIGINT) AS cost_cents \
         FROM usage_events WHERE kind = ",
    )
    .bind("llm_call")
    .push(" AND occurred_at >= ")
    .bind(start)
    .push(" AND occurred_at < ")
    .bind(end);
    let s = Sums::find_by_statement(q.build())
        .one(conn)
        .await?
        .ok_or_else(|| ApiError::Internal("an aggregate returned no row".into()))?;
    Ok(LlmMetrics {
        calls: s.calls,
        mean_duration_ms: (s.timed > 0).then(|| s.duration_ms as f64 / s.timed as f64),
        failure_rate: ratio(s.failures, s.calls),
        tokens: s.tokens,
        cost_cents: s.cost_cents,
    })
}

fn cohorts(
    tenants: &[tenant::Model],
    histories: &HashMap<Uuid, History>,
    now: DateTime<Utc>,
) -> Vec<Cohort> {
    let this_month = month_start(now.year(), now.month()).unwrap_or(now);
    let mut months = vec![this_month];
    for _ in 1..COHORT_MONTHS {
        let prev = *months.last().unwrap_or(&this_month) - Duration::days(1);
        months.push(month_start(prev.year(), prev.month()).unwrap_or(prev));
    }
    months.reverse();
    months
        .into_iter()
        .filter_map(|m| {
            let members: Vec<&tenant::Model> = tenants
                .iter()
                .filter(|t| t.created_at >= m && t.created_at < next_month(m))
                .collect();
            if members.is_empty() {
                return None;
            }
            let mut retention = Vec::new();
            let mut month_end = next_month(m);
            loop {
                let at = month_end.min(now) - Duration::microseconds(1);
                let alive = members
                    .iter()
                    .filter(|t| histories.get(&t.id).is_some_and(|h| h.subscribed_at(at)))
                    .count();
                retention.push(alive as f64 / members.len() as f64);
                if month_end >= now {
                    break;
                }
                month_end = next_month(month_end);
            }
            Some(Cohort {
                month: format!("{:04}-{:02}", m.year(), m.month()),
                size: members.len() as i64,
                retention,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_cap_at_now() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let (name, start, end) = period(None, now).unwrap();
        assert_eq!(name, "2026-11");
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap());
        assert_eq!(end, now);
        let (_, s, e) = period(Some("2025-12"), now).unwrap();
        assert_eq!((s.month(), e.year(), e.month()), (12, 2026, 1));
        assert!(period(Some("2027-01"), now).is_err());
        assert!(period(Some("2026-13"), now).is_err());
        assert!(period(Some("soon"), now).is_err());
    }
}
