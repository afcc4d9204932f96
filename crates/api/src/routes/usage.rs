//! Usage ingestion (batches from devices and users) and the daily rollups.

use std::collections::{BTreeMap, HashSet};

use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IdenStatic, QueryFilter, QueryOrder, Statement, TryInsertResult,
};
use serde::{Deserialize, Serialize};
use tessera_domain::Role;
use tessera_domain::entity::{device, tenant, usage_event, usage_rollup};
use tessera_domain::page::CursorPage;
use tessera_domain::usage::{
    UsageBatch, UsageBatchResult, UsageEvent, UsageEventInput, UsageRollup,
};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::body::Json;
use crate::cursor;
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::ledger::{self, NewEntry};
use crate::lookup::tenant_by_ref;
use crate::state::AppState;

/// Who sent a batch: a licensed device or a signed-in tenant member.
struct Sender {
    tenant_id: Uuid,
    device_id: Option<Uuid>,
    user_id: Option<Uuid>,
}

/// `Authorization: License <token>` for devices, `Bearer <token>` for people.
async fn sender(state: &AppState, req: &HttpRequest) -> ApiResult<Sender> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(token) = header.strip_prefix("License ") {
        let invalid = |why: &str| {
            ApiError::unauthorized(
                "INVALID_LICENSE",
                format!("the license is not accepted: {why}"),
            )
        };
        let claims = state
            .license
            .verify(token)
            .map_err(|_| invalid("not signed by this server"))?;
        if claims.exp < Utc::now().timestamp() {
            return Err(invalid("it has expired; activate again to renew it"));
        }
        let d = device::Entity::find_by_id(claims.device_id)
            .filter(device::Column::TenantId.eq(claims.tenant_id))
            .one(&state.db)
            .await?
            .ok_or_else(|| invalid("the device is unknown"))?;
        if d.revoked_at.is_some() {
            return Err(invalid("the device has been revoked"));
        }
        let t = tenant::Entity::find_by_id(d.tenant_id)
            .one(&state.db)
            .await?;
        if t.is_none_or(|t| t.status != "active") {
            return Err(ApiError::forbidden(
                "TENANT_SUSPENDED",
                "the organisation is suspended",
            ));
        }
        return Ok(Sender {
            tenant_id: d.tenant_id,
            device_id: Some(d.id),
            user_id: None,
        });
    }
    let auth = AuthUser::extract(req).await?;
    let tenant_id = auth.tenant_id.ok_or_else(|| {
        ApiError::forbidden(
            "FORBIDDEN",
            "usage belongs to a tenant; platform staff have none",
        )
    })?;
    Ok(Sender {
        tenant_id,
        device_id: None,
        user_id: Some(auth.user_id),
    })
}

/// Records a batch of up to 1000 usage events. Each `event_id` counts once per tenant —
/// repeats in the batch or from earlier batches are accepted and reported as duplicates.
/// In the same transaction the daily rollups are updated and the events' total cost is
/// debited from the reserve, so balances are never stale.
#[utoipa::path(
    tag = "usage",
    request_body = UsageBatch,
    security(("bearer" = []), ("license" = [])),
    responses(
        (status = 200, description = "What was recorded", body = UsageBatchResult),
        (status = 401, description = "No valid token or license", body = tessera_domain::Problem),
        (status = 403, description = "Staff, or a suspended tenant", body = tessera_domain::Problem),
        (status = 422, description = "Invalid events (field names carry the index)", body = tessera_domain::Problem),
    )
)]
#[post("/api/usage")]
pub async fn ingest_usage(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<web::Json<UsageBatchResult>> {
    let who = sender(&state, &req).await?;
    // At most as many batches as the pool has connections are read, parsed and written at
    // once; the others wait here with their bodies unread (in the socket, not in memory).
    let _permit = state
        .usage_permits
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(format!("usage permits: {e}")))?;
    // The JSON extractor keeps the size limit, the content-type check and problem+json.
    let batch = Json::<UsageBatch>::from_request(&req, &mut payload.into_inner())
        .await?
        .into_inner();
    Ok(web::Json(record(&state, who, batch).await?))
}

/// Adds one inserted event to its day's and kind's rollup.
fn add_to_rollup(
    days: &mut BTreeMap<(NaiveDate, String), usage_rollup::Model>,
    tenant_id: Uuid,
    e: &UsageEventInput,
) {
    let r = days
        .entry((e.occurred_at.date_naive(), e.kind.clone()))
        .or_insert_with_key(|(day, kind)| usage_rollup::Model {
            tenant_id,
            day: *day,
            kind: kind.clone(),
            events: 0,
            quantity: 0,
            tokens: 0,
            cost_cents: 0,
            duration_ms: 0,
            failures: 0,
        });
    r.events += 1;
    r.quantity += e.quantity;
    r.tokens += e.tokens;
    r.cost_cents += e.cost_cents;
    // Missing durations count as 0.
    r.duration_ms += e.duration_ms.unwrap_or(0);
    r.failures += i64::from(!e.success);
}

/// One event as PostgreSQL reads it from the insert's JSON parameter: the sender's
/// fields as they came, plus the row's id.
#[derive(Serialize)]
struct EventRow<'a> {
    id: Uuid,
    #[serde(flatten)]
    event: &'a UsageEventInput,
}

/// Inserts the events, skipping those whose `event_id` the tenant already has, and
/// returns the ids of the rows actually inserted: the unique (tenant_id, event_id) index
/// decides duplicates, also against a concurrent batch carrying the same ids.
///
/// On PostgreSQL the events travel as one JSON parameter read by `json_to_recordset`:
/// a short statement with five parameters instead of a 13,000-parameter multi-row
/// INSERT, which took several MB per batch in flight to build, bind and plan
/// (docs/BENCHMARKS.md, "Memory"). SQLite gets the ORM's multi-row INSERT.
async fn insert_events(
    txn: &DatabaseTransaction,
    who: &Sender,
    now: DateTime<Utc>,
    events: &[(Uuid, &UsageEventInput)],
) -> ApiResult<HashSet<Uuid>> {
    if txn.get_database_backend() == DbBackend::Postgres {
        let rows: Vec<EventRow> = events
            .iter()
            .map(|(id, event)| EventRow { id: *id, event })
            .collect();
        let json = serde_json::to_string(&rows)
            .map_err(|e| ApiError::Internal(format!("usage rows: {e}")))?;
        drop(rows);
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO usage_events (id, tenant_id, event_id, device_id, user_id, kind, \
             quantity, tokens, cost_cents, duration_ms, success, occurred_at, created_at) \
             SELECT e.id, $1, e.event_id, $2, $3, e.kind, e.quantity, e.tokens, e.cost_cents, \
             e.duration_ms, e.success, e.occurred_at, $4 \
             FROM json_to_recordset($5::json) AS e(id uuid, event_id text, kind text, \
             quantity bigint, tokens bigint, cost_cents bigint, duration_ms bigint, \
             success boolean, occurred_at timestamptz) \
             ON CONFLICT (tenant_id, event_id) DO NOTHING RETURNING id",
            [
                who.tenant_id.into(),
                who.device_id.into(),
                who.user_id.into(),
                now.into(),
                json.into(),
            ],
        );
        return txn
            .query_all_raw(stmt)
            .await?
            .iter()
            .map(|row| row.try_get::<Uuid>("", "id").map_err(ApiError::from))
            .collect();
    }
    let rows = events.iter().map(|(id, e)| usage_event::ActiveModel {
        id: Set(*id),
        tenant_id: Set(who.tenant_id),
        event_id: Set(e.event_id.clone()),
        device_id: Set(who.device_id),
        user_id: Set(who.user_id),
        kind: Set(e.kind.clone()),
        quantity: Set(e.quantity),
        tokens: Set(e.tokens),
        cost_cents: Set(e.cost_cents),
        duration_ms: Set(e.duration_ms),
        success: Set(e.success),
        occurred_at: Set(e.occurred_at),
        created_at: Set(now),
    });
    Ok(
        match usage_event::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([
                usage_event::Column::TenantId,
                usage_event::Column::EventId,
            ])
            .exec_with_returning_keys(txn)
            .await?
        {
            TryInsertResult::Inserted(ids) => ids.into_iter().collect(),
            _ => HashSet::new(),
        },
    )
}

/// Validates and writes one batch: events, rollups and the reserve charge, in one transaction.
async fn record(state: &AppState, who: Sender, batch: UsageBatch) -> ApiResult<UsageBatchResult> {
    let now = Utc::now();
    batch.validate(now).map_err(ApiError::validation)?;
    let total = batch.events.len() as i64;
    // A repeated event_id within the batch counts once, like one from an earlier batch.
    let mut seen = HashSet::new();
    let fresh: Vec<(Uuid, &UsageEventInput)> = batch
        .events
        .iter()
        .filter(|e| seen.insert(e.event_id.as_str()))
        .map(|e| (Uuid::now_v7(), e))
        .collect();
    let txn = crate::db::begin(&state.db).await?;
    let inserted = insert_events(&txn, &who, now, &fresh).await?;
    // The sums come from the inserted rows' copies in memory.
    let mut days: BTreeMap<(NaiveDate, String), usage_rollup::Model> = BTreeMap::new();
    for (_, e) in fresh.iter().filter(|(id, _)| inserted.contains(id)) {
        add_to_rollup(&mut days, who.tenant_id, e);
    }
    let accepted = inserted.len() as i64;
    let charged: i64 = days.values().map(|r| r.cost_cents).sum();
    if !days.is_empty() {
        let mut on_conflict = OnConflict::columns([
            usage_rollup::Column::TenantId,
            usage_rollup::Column::Day,
            usage_rollup::Column::Kind,
        ]);
        // Concurrent batches for the same day add up instead of overwriting each other.
        for c in [
            usage_rollup::Column::Events,
            usage_rollup::Column::Quantity,
            usage_rollup::Column::Tokens,
            usage_rollup::Column::CostCents,
            usage_rollup::Column::DurationMs,
            usage_rollup::Column::Failures,
        ] {
            on_conflict.value(
                c,
                Expr::col((usage_rollup::Entity, c))
                    .add(Expr::cust(format!("excluded.{}", c.as_str()))),
            );
        }
        let models: Vec<usage_rollup::ActiveModel> = days.into_values().map(Into::into).collect();
        usage_rollup::Entity::insert_many(models)
            .on_conflict(on_conflict.to_owned())
            .exec(&txn)
            .await?;
    }
    let mut charge = None;
    if charged > 0 {
        charge = Some(
            ledger::append(
                &txn,
                who.tenant_id,
                NewEntry {
                    kind: "usage_charge",
                    amount_cents: -charged,
                    reason: None,
                    actor_id: who.user_id,
                    reference: Some(format!("usage batch of {accepted} events")),
                },
            )
            .await?,
        );
    }
    txn.commit().await?;
    if let Some(e) = &charge {
        state.events.publish(
            "ledger_entry",
            Some(e.tenant_id),
            serde_json::json!({"entry": ledger::entry_view(e)}),
        );
    }
    Ok(UsageBatchResult {
        accepted,
        duplicates: total - accepted,
        charged_cents: charged,
    })
}

/// The caller's tenant, for the tenant endpoints: staff are sent to `admin_path`, and a
/// `?tenant=` is refused because the token alone says whose data this is.
fn own_tenant(auth: &AuthUser, tenant: Option<&str>, admin_path: &str) -> ApiResult<Uuid> {
    let tid = auth.tenant_id.ok_or_else(|| {
        ApiError::forbidden("FORBIDDEN", format!("staff read usage at {admin_path}"))
    })?;
    if tenant.is_some() {
        return Err(ApiError::field(
            "tenant",
            "the tenant comes from your token",
        ));
    }
    Ok(tid)
}

/// The tenant a staff member named with `?tenant=` (slug or id); `None` when none was.
///
/// # Errors
/// 404 `TENANT_NOT_FOUND`.
async fn named_tenant(state: &AppState, tenant: Option<&str>) -> ApiResult<Option<Uuid>> {
    let Some(t) = tenant.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let found = tenant_by_ref(&state.db, t)
        .await?
        .ok_or_else(|| ApiError::not_found("TENANT_NOT_FOUND", "no such tenant"))?;
    Ok(Some(found.id))
}

/// Rollup filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RollupQuery {
    /// First day, inclusive (default: 30 days ago).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: today).
    pub to: Option<NaiveDate>,
    /// Only this kind of event.
    pub kind: Option<String>,
    /// Staff only: one tenant (slug or id).
    pub tenant: Option<String>,
}

async fn rollups(
    state: &AppState,
    q: &RollupQuery,
    tenant_id: Option<Uuid>,
) -> ApiResult<Vec<UsageRollup>> {
    let today = Utc::now().date_naive();
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to - chrono::Days::new(30));
    days::ordered(Some(from), Some(to))?;
    let mut s = usage_rollup::Entity::find().filter(usage_rollup::Column::Day.between(from, to));
    if let Some(t) = tenant_id {
        s = s.filter(usage_rollup::Column::TenantId.eq(t));
    }
    if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        s = s.filter(usage_rollup::Column::Kind.eq(k));
    }
    let rows = s
        .order_by_asc(usage_rollup::Column::Day)
        .order_by_asc(usage_rollup::Column::TenantId)
        .order_by_asc(usage_rollup::Column::Kind)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| UsageRollup {
            tenant_id: r.tenant_id,
            day: r.day,
            kind: r.kind,
            events: r.events,
            quantity: r.quantity,
            tokens: r.tokens,
            cost_cents: r.cost_cents,
            duration_ms: r.duration_ms,
            failures: r.failures,
        })
        .collect())
}

/// The caller's tenant's daily usage per kind.
#[utoipa::path(
    tag = "usage",
    params(RollupQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Daily rollups, oldest first", body = Vec<UsageRollup>),
        (status = 403, description = "Staff (use the admin endpoint)", body = tessera_domain::Problem),
        (status = 422, description = "Bad range", body = tessera_domain::Problem),
    )
)]
#[get("/api/usage/rollups")]
pub async fn list_usage_rollups(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<RollupQuery>,
) -> ApiResult<web::Json<Vec<UsageRollup>>> {
    let tid = own_tenant(&auth, q.tenant.as_deref(), "/admin/api/usage/rollups")?;
    Ok(web::Json(rollups(&state, &q, Some(tid)).await?))
}

/// Daily usage per tenant and kind across tenants (staff).
#[utoipa::path(
    tag = "usage",
    params(RollupQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Daily rollups, oldest first", body = Vec<UsageRollup>),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 404, description = "No such tenant", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/usage/rollups")]
pub async fn list_all_usage_rollups(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<RollupQuery>,
) -> ApiResult<web::Json<Vec<UsageRollup>>> {
    auth.require(Role::Admin)?;
    let tenant = named_tenant(&state, q.tenant.as_deref()).await?;
    Ok(web::Json(rollups(&state, &q, tenant).await?))
}

/// Usage event feed filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UsageEventQuery {
    /// First day the events occurred (UTC), inclusive.
    pub from: Option<NaiveDate>,
    /// Last day the events occurred (UTC), inclusive.
    pub to: Option<NaiveDate>,
    /// Only this kind of event.
    pub kind: Option<String>,
    /// Only the events this device sent.
    pub device: Option<Uuid>,
    /// Staff only, and required there: the tenant (slug or id).
    pub tenant: Option<String>,
    /// The `next_cursor` of the previous slice.
    pub cursor: Option<String>,
    /// Events per slice, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// One slice of a tenant's events, newest occurrence first.
async fn event_feed(
    state: &AppState,
    q: &UsageEventQuery,
    tenant_id: Uuid,
) -> ApiResult<CursorPage<UsageEvent>> {
    days::ordered(q.from, q.to)?;
    let mut s = usage_event::Entity::find().filter(usage_event::Column::TenantId.eq(tenant_id));
    if let Some(from) = q.from {
        s = s.filter(usage_event::Column::OccurredAt.gte(days::start(from)));
    }
    if let Some(to) = q.to {
        s = s.filter(usage_event::Column::OccurredAt.lt(days::end(to)));
    }
    if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
        s = s.filter(usage_event::Column::Kind.eq(k));
    }
    if let Some(d) = q.device {
        s = s.filter(usage_event::Column::DeviceId.eq(d));
    }
    let (rows, next_cursor) =
        cursor::newest_first(s, q.cursor.as_deref(), q.limit, &state.db).await?;
    Ok(CursorPage {
        items: rows.into_iter().map(event_view).collect(),
        next_cursor,
    })
}

fn event_view(m: usage_event::Model) -> UsageEvent {
    UsageEvent {
        id: m.id,
        tenant_id: m.tenant_id,
        event_id: m.event_id,
        kind: m.kind,
        quantity: m.quantity,
        tokens: m.tokens,
        cost_cents: m.cost_cents,
        currency: tessera_domain::billing::CURRENCY.to_owned(),
        duration_ms: m.duration_ms,
        success: m.success,
        occurred_at: m.occurred_at,
        received_at: m.created_at,
        device_id: m.device_id,
        user_id: m.user_id,
    }
}

/// The caller's tenant's usage events, newest occurrence first, with a keyset cursor.
#[utoipa::path(
    tag = "usage",
    params(UsageEventQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A slice of the events", body = CursorPage<UsageEvent>),
        (status = 403, description = "Staff (use the admin endpoint)", body = tessera_domain::Problem),
        (status = 422, description = "Bad range, cursor or limit", body = tessera_domain::Problem),
    )
)]
#[get("/api/usage/events")]
pub async fn list_usage_events(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<UsageEventQuery>,
) -> ApiResult<web::Json<CursorPage<UsageEvent>>> {
    let tid = own_tenant(&auth, q.tenant.as_deref(), "/admin/api/usage/events")?;
    Ok(web::Json(event_feed(&state, &q, tid).await?))
}

/// One tenant's usage events, newest occurrence first (staff).
#[utoipa::path(
    tag = "usage",
    params(UsageEventQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A slice of the events", body = CursorPage<UsageEvent>),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 404, description = "No such tenant", body = tessera_domain::Problem),
        (status = 422, description = "No tenant, or a bad range, cursor or limit", body = tessera_domain::Problem),
    )
)]
#[get("/admin/api/usage/events")]
pub async fn list_all_usage_events(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<UsageEventQuery>,
) -> ApiResult<web::Json<CursorPage<UsageEvent>>> {
    auth.require(Role::Admin)?;
    // One tenant at a time: the feed walks the `(tenant_id, occurred_at)` index, and a
    // feed across every tenant would have none to walk.
    let tenant = named_tenant(&state, q.tenant.as_deref())
        .await?
        .ok_or_else(|| ApiError::field("tenant", "name the tenant whose events to read"))?;
    Ok(web::Json(event_feed(&state, &q, tenant).await?))
}
