//! Billing reserves: the admin summary, accounts table, ledger, adjustments and export;
//! the tenant's reserve and top-ups; the payment provider's webhook.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, FromQueryResult, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, TryInsertResult,
};
use serde::Deserialize;
use sha2::Sha256;
use tessera_domain::Role;
use tessera_domain::billing::{
    AccountPatch, AccountRow, AdjustmentRequest, CURRENCY, LedgerEntry, Reserve, ReserveSummary,
    TopUp, TopUpRequest, reserve_status,
};
use tessera_domain::entity::{ledger_entry, reserve_account, tenant, top_up, webhook_event};
use tessera_domain::page::{CursorPage, Paged};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::body::Json;
use crate::csv::csv_field;
use crate::cursor;
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::idempotency;
use crate::ledger::{self, NewEntry, entry_view};
use crate::lookup::tenant_by_ref;
use crate::paging::Paging;
use crate::payments::CheckoutRequest;
use crate::sql::Sql;
use crate::state::AppState;

/// Seconds a webhook's signed timestamp may differ from now.
const WEBHOOK_TOLERANCE_SECS: i64 = 300;
/// Entries shown with a tenant's reserve.
const RECENT_ENTRIES: u64 = 20;

/// A date range; `to` is inclusive. Defaults to the current month so far.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// First day, inclusive (default: the first of this month).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: today).
    pub to: Option<NaiveDate>,
}

fn range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> ApiResult<(DateTime<Utc>, DateTime<Utc>)> {
    let today = Utc::now().date_naive();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| today.with_day0(0).unwrap_or(today));
    days::ordered(Some(from), Some(to))?;
    Ok((days::start(from), days::end(to)))
}

/// One computed account row from the database.
#[derive(Debug, FromQueryResult)]
struct AccountAgg {
    tenant_id: Uuid,
    tenant_slug: String,
    tenant_name: String,
    balance_cents: i64,
    spend_cents: i64,
    last_top_up_at: Option<DateTime<Utc>>,
    threshold_cents: i64,
    status: String,
}

impl AccountAgg {
    fn row(self) -> AccountRow {
        AccountRow {
            tenant_id: self.tenant_id,
            tenant_slug: self.tenant_slug,
            tenant_name: self.tenant_name,
            balance_cents: self.balance_cents,
            spend_in_range_cents: self.spend_cents,
            last_top_up_at: self.last_top_up_at,
            status: self.status,
            low_balance_threshold_cents: self.threshold_cents,
            currency: CURRENCY.into(),
        }
    }
}

/// Appends every tenant's reserve with balance (the newest entry), spend in range, last
/// top-up, threshold and status, as a derived table. One statement, no per-row queries.
fn push_accounts(q: &mut Sql, start: DateTime<Utc>, end: DateTime<Utc>, default_threshold: i64) {
    q.push(
        "SELECT a.*, CASE WHEN a.balance_cents < 0 THEN 'delinquent' \
         WHEN a.balance_cents < a.threshold_cents THEN 'low_balance' ELSE 'active' END AS status FROM (\
         SELECT t.id AS tenant_id, t.slug AS tenant_slug, t.name AS tenant_name, \
         CAST(COALESCE((SELECT le.balance_after_cents FROM ledger_entries le WHERE le.tenant_id = t.id \
            ORDER BY le.sequence DESC LIMIT 1), 0) AS BIGINT) AS balance_cents, \
         CAST(COALESCE((SELECT -SUM(le.amount_cents) FROM ledger_entries le WHERE le.tenant_id = t.id \
            AND le.kind = 'usage_charge' AND le.created_at >= ",
    )
    .bind(start)
    .push(" AND le.created_at < ")
    .bind(end)
    .push(
        "), 0) AS BIGINT) AS spend_cents, \
         (SELECT MAX(le.created_at) FROM ledger_entries le WHERE le.tenant_id = t.id AND le.kind = 'top_up') \
            AS last_top_up_at, \
         CAST(COALESCE((SELECT ra.low_balance_threshold_cents FROM reserve_accounts ra WHERE ra.tenant_id = t.id), ",
    )
    .bind(default_threshold)
    .push(") AS BIGINT) AS threshold_cents FROM tenants t) a");
}

/// Staff only.
fn require_staff(auth: &AuthUser) -> ApiResult<()> {
    auth.require(Role::Admin)
}

/// Totals across every reserve: accounts, reserves held, low-balance and delinquent
/// counts, and usage spend in the range.
#[utoipa::path(
    tag = "billing",
    params(RangeQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Totals", body = ReserveSummary),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 422, description = "Bad range", body = tessera_domain::Problem),
    )
)]
#[get("/api/billing/admin/reserve/summary")]
pub async fn get_reserve_summary(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<RangeQuery>,
) -> ApiResult<web::Json<ReserveSummary>> {
    require_staff(&auth)?;
    let (start, end) = range(q.from, q.to)?;
    #[derive(FromQueryResult)]
    struct Totals {
        total_accounts: i64,
        total_reserves_cents: i64,
        low_balance_count: i64,
        delinquent_count: i64,
        spend_in_range_cents: i64,
    }
    let mut sql = Sql::new(state.db.get_database_backend());
    sql.push(
        "SELECT CAST(COUNT(*) AS BIGINT) AS total_accounts, \
         CAST(COALESCE(SUM(b.balance_cents), 0) AS BIGINT) AS total_reserves_cents, \
         CAST(COALESCE(SUM(CASE WHEN b.status = 'low_balance' THEN 1 ELSE 0 END), 0) AS BIGINT) AS low_balance_count, \
         CAST(COALESCE(SUM(CASE WHEN b.status = 'delinquent' THEN 1 ELSE 0 END), 0) AS BIGINT) AS delinquent_count, \
         CAST(COALESCE(SUM(b.spend_cents), 0) AS BIGINT) AS spend_in_range_cents FROM (",
    );
    push_accounts(&mut sql, start, end, state.settings.low_balance_cents);
    sql.push(") b");
    let t = Totals::find_by_statement(sql.build())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::Internal("summary returned no row".into()))?;
    Ok(web::Json(ReserveSummary {
        total_accounts: t.total_accounts,
        total_reserves_cents: t.total_reserves_cents,
        low_balance_count: t.low_balance_count,
        delinquent_count: t.delinquent_count,
        spend_in_range_cents: t.spend_in_range_cents,
        currency: CURRENCY.into(),
    }))
}

/// Accounts table filters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccountsQuery {
    /// First day of the spend range, inclusive (default: the first of this month).
    pub from: Option<NaiveDate>,
    /// Last day of the spend range, inclusive (default: today).
    pub to: Option<NaiveDate>,
    /// `active`, `low_balance` or `delinquent`.
    #[param(pattern = r"^(active|low_balance|delinquent)?$")]
    pub status: Option<String>,
    /// `tenant`, `balance`, `spend`, `last_top_up` or `status`; `-` for descending.
    #[param(pattern = r"^(-?(tenant|balance|spend|last_top_up|status))?$")]
    pub sort: Option<String>,
    /// 1-based page.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u64>,
    /// Rows per page, 1 to 200.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u64>,
}

/// The `ORDER BY` for a whitelisted sort; NULL top-ups sort last either way.
fn account_order(sort: Option<&str>) -> ApiResult<String> {
    let raw = sort
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("tenant");
    let (name, desc) = raw.strip_prefix('-').map_or((raw, false), |r| (r, true));
    let dir = if desc { "DESC" } else { "ASC" };
    let order = match name {
        "tenant" => format!("b.tenant_slug {dir}"),
        "balance" => format!("b.balance_cents {dir}, b.tenant_slug ASC"),
        "spend" => format!("b.spend_cents {dir}, b.tenant_slug ASC"),
        "status" => format!("b.status {dir}, b.tenant_slug ASC"),
        "last_top_up" => format!(
            "CASE WHEN b.last_top_up_at IS NULL THEN 1 ELSE 0 END ASC, b.last_top_up_at {dir}, b.tenant_slug ASC"
        ),
        other => {
            return Err(ApiError::field(
                "sort",
                format!(
                    "cannot sort by {other:?}; use tenant, balance, spend, last_top_up or status"
                ),
            ));
        }
    };
    Ok(format!("{order}, b.tenant_id ASC"))
}

/// Every tenant's reserve: balance, spend in range, last top-up and status, with a
/// status filter, sorting and paging.
#[utoipa::path(
    tag = "billing",
    params(AccountsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = Paged<AccountRow>),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 422, description = "Bad range, status, sort or paging", body = tessera_domain::Problem),
    )
)]
#[get("/api/billing/admin/accounts")]
pub async fn list_reserve_accounts(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<AccountsQuery>,
) -> ApiResult<web::Json<Paged<AccountRow>>> {
    require_staff(&auth)?;
    let (start, end) = range(q.from, q.to)?;
    let paging = Paging::parse(q.page, q.per_page)?;
    let order = account_order(q.sort.as_deref())?;
    let status = q.status.as_deref().filter(|s| !s.is_empty());
    if status.is_some_and(|s| !["active", "low_balance", "delinquent"].contains(&s)) {
        return Err(ApiError::field(
            "status",
            "must be active, low_balance or delinquent",
        ));
    }
    let backend = state.db.get_database_backend();
    let build = |select: &str, tail: &str| {
        let mut sql = Sql::new(backend);
        sql.push(select).push(" FROM (");
        push_accounts(&mut sql, start, end, state.settings.low_balance_cents);
        sql.push(") b");
        if let Some(s) = status {
            sql.push(" WHERE b.status = ").bind(s.to_owned());
        }
        sql.push(tail);
        sql
    };
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let total = Count::find_by_statement(build("SELECT CAST(COUNT(*) AS BIGINT) AS n", "").build())
        .one(&state.db)
        .await?
        .map_or(0, |c| c.n);
    let tail = format!(
        " ORDER BY {order} LIMIT {} OFFSET {}",
        paging.per_page,
        paging.offset()
    );
    let rows = AccountAgg::find_by_statement(build("SELECT b.*", &tail).build())
        .all(&state.db)
        .await?;
    Ok(web::Json(paging.wrap(
        rows.into_iter().map(AccountAgg::row).collect(),
        total as u64,
    )))
}

/// One account row for a tenant.
async fn account_row(state: &AppState, tenant_id: Uuid) -> ApiResult<AccountRow> {
    let (start, end) = range(None, None)?;
    let mut sql = Sql::new(state.db.get_database_backend());
    sql.push("SELECT b.* FROM (");
    push_accounts(&mut sql, start, end, state.settings.low_balance_cents);
    sql.push(") b WHERE b.tenant_id = ").bind(tenant_id);
    AccountAgg::find_by_statement(sql.build())
        .one(&state.db)
        .await?
        .map(AccountAgg::row)
        .ok_or_else(|| ApiError::not_found("TENANT_NOT_FOUND", "no such tenant"))
}

async fn tenant_id_of(state: &AppState, reference: &str) -> ApiResult<tenant::Model> {
    tenant_by_ref(&state.db, reference)
        .await?
        .ok_or_else(|| ApiError::not_found("TENANT_NOT_FOUND", "no such tenant"))
}

/// Feed paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// The `next_cursor` of the previous slice.
    pub cursor: Option<String>,
    /// Entries per slice, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// A tenant's ledger, newest first, with a keyset cursor.
#[utoipa::path(
    tag = "billing",
    params(("tenant" = String, Path, description = "Tenant slug or id"), LedgerQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A slice of the ledger", body = CursorPage<LedgerEntry>),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 404, description = "No such tenant", body = tessera_domain::Problem),
    )
)]
#[get("/api/billing/admin/accounts/{tenant}/ledger")]
pub async fn list_ledger_entries(
    state: web::Data<AppState>,
    auth: AuthUser,
    path: web::Path<String>,
    q: web::Query<LedgerQuery>,
) -> ApiResult<web::Json<CursorPage<LedgerEntry>>> {
    require_staff(&auth)?;
    let t = tenant_id_of(&state, &path).await?;
    let (rows, next_cursor) = cursor::newest_first(
        ledger_entry::Entity::find().filter(ledger_entry::Column::TenantId.eq(t.id)),
        q.cursor.as_deref(),
        q.limit,
        &state.db,
    )
    .await?;
    Ok(web::Json(CursorPage {
        items: rows.iter().map(entry_view).collect(),
        next_cursor,
    }))
}

/// Answers with a stored first response (repeat of an Idempotency-Key).
fn replay(r: idempotency::Replay) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK)).json(r.body)
}

/// A manual correction: credits (positive) or debits (negative) a tenant's reserve with a
/// reason; the actor is recorded and audited. Honors `Idempotency-Key`.
#[utoipa::path(
    tag = "billing",
    params(
        ("tenant" = String, Path, description = "Tenant slug or id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key and body return the first answer"),
    ),
    request_body = AdjustmentRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new ledger entry", body = LedgerEntry),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 404, description = "No such tenant", body = tessera_domain::Problem),
        (status = 409, description = "Idempotency-Key reused with another body", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[post("/api/billing/admin/accounts/{tenant}/adjustments")]
pub async fn create_adjustment(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<AdjustmentRequest>,
) -> ApiResult<HttpResponse> {
    require_staff(&auth)?;
    let input = body.into_inner();
    input.validate().map_err(ApiError::validation)?;
    let t = tenant_id_of(&state, &path).await?;
    let key = idempotency::from_request(&req, format!("adjustment:{}", t.id), Some(t.id), &input)?;
    let txn = crate::db::begin(&state.db).await?;
    if let Some(k) = &key
        && let Some(r) = idempotency::claim(&txn, k).await?
    {
        txn.commit().await?;
        return Ok(replay(r));
    }
    let entry = ledger::append(
        &txn,
        t.id,
        NewEntry {
            kind: "adjustment",
            amount_cents: input.amount_cents,
            reason: Some(input.reason.trim().to_owned()),
            actor_id: Some(auth.user_id),
            reference: None,
        },
    )
    .await?;
    let view = entry_view(&entry);
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "billing.adjust",
            target_type: "reserve",
            target_id: Some(t.slug.clone()),
            tenant_id: Some(t.id),
            before: None,
            after: Some(serde_json::to_value(&view).unwrap_or_default()),
            ip: Some(ip),
        },
    )
    .await?;
    if let Some(k) = &key {
        idempotency::store(&txn, k, 201, &view).await?;
    }
    txn.commit().await?;
    state.events.publish(
        "ledger_entry",
        Some(t.id),
        serde_json::json!({"entry": view}),
    );
    Ok(HttpResponse::Created().json(view))
}

/// Sets an account's own low-balance threshold (`null` falls back to the global default).
#[utoipa::path(
    tag = "billing",
    params(("tenant" = String, Path, description = "Tenant slug or id")),
    request_body = AccountPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = AccountRow),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
        (status = 404, description = "No such tenant", body = tessera_domain::Problem),
        (status = 422, description = "Negative threshold", body = tessera_domain::Problem),
    )
)]
#[patch("/api/billing/admin/accounts/{tenant}")]
pub async fn update_reserve_account(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<String>,
    body: Json<AccountPatch>,
) -> ApiResult<web::Json<AccountRow>> {
    require_staff(&auth)?;
    if body.low_balance_threshold_cents.is_some_and(|c| c < 0) {
        return Err(ApiError::field(
            "low_balance_threshold_cents",
            "cannot be negative",
        ));
    }
    let t = tenant_id_of(&state, &path).await?;
    let txn = crate::db::begin(&state.db).await?;
    let acct = ledger::account(&txn, t.id).await?;
    let before = acct.low_balance_threshold_cents;
    let mut row = acct.into_active_model();
    row.low_balance_threshold_cents = Set(body.low_balance_threshold_cents);
    row.update(&txn).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor: Some(&auth),
            action: "billing.threshold",
            target_type: "reserve",
            target_id: Some(t.slug.clone()),
            tenant_id: Some(t.id),
            before: Some(serde_json::json!({"low_balance_threshold_cents": before})),
            after: Some(serde_json::json!({"low_balance_threshold_cents": body.low_balance_threshold_cents})),
            ip: Some(ip),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(account_row(&state, t.id).await?))
}

/// The accounts table as CSV for a spend range, every account, streamed in pages.
#[utoipa::path(
    tag = "billing",
    params(RangeQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 403, description = "Not staff", body = tessera_domain::Problem),
    )
)]
#[get("/api/billing/admin/accounts/export.csv")]
pub async fn export_reserve_accounts(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<RangeQuery>,
) -> ApiResult<HttpResponse> {
    require_staff(&auth)?;
    let (start, end) = range(q.from, q.to)?;
    const PAGE: u64 = 500;
    let header_line =
        "tenant,name,balance_cents,spend_cents,last_top_up_at,status,threshold_cents,currency\n";
    let stream = futures_util::stream::unfold(Some(0u64), move |offset| {
        let state = state.clone();
        async move {
            let offset = offset?;
            let mut sql = Sql::new(state.db.get_database_backend());
            sql.push("SELECT b.* FROM (");
            push_accounts(&mut sql, start, end, state.settings.low_balance_cents);
            sql.push(&format!(
                ") b ORDER BY b.tenant_slug ASC LIMIT {PAGE} OFFSET {offset}"
            ));
            let rows = match AccountAgg::find_by_statement(sql.build())
                .all(&state.db)
                .await
            {
                Ok(rows) => rows,
                Err(e) => return Some((Err(actix_web::error::ErrorInternalServerError(e)), None)),
            };
            if rows.is_empty() {
                return None;
            }
            let next = if (rows.len() as u64) < PAGE {
                None
            } else {
                Some(offset + PAGE)
            };
            let mut chunk = String::new();
            for r in rows {
                chunk.push_str(&format!(
                    "{},{},{},{},{},{},{},{}\n",
                    csv_field(&r.tenant_slug),
                    csv_field(&r.tenant_name),
                    r.balance_cents,
                    r.spend_cents,
                    r.last_top_up_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    r.status,
                    r.threshold_cents,
                    CURRENCY
                ));
            }
            Some((Ok::<_, actix_web::Error>(web::Bytes::from(chunk)), next))
        }
    });
    let head = futures_util::stream::once(async move {
        Ok::<_, actix_web::Error>(web::Bytes::from(header_line))
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"reserves.csv\"",
        ))
        .streaming(futures_util::StreamExt::chain(head, stream)))
}

/// The caller's tenant.
fn member_tenant(auth: &AuthUser) -> ApiResult<Uuid> {
    auth.tenant_id.ok_or_else(|| {
        ApiError::not_found(
            "RESERVE_NOT_FOUND",
            "platform staff have no reserve of their own",
        )
    })
}

/// The caller's reserve: balance, status and the latest entries.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The reserve", body = Reserve),
        (status = 404, description = "The caller has no tenant", body = tessera_domain::Problem),
    )
)]
#[get("/api/billing/reserve")]
pub async fn get_reserve(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<Reserve>> {
    let tid = member_tenant(&auth)?;
    let acct = reserve_account::Entity::find()
        .filter(reserve_account::Column::TenantId.eq(tid))
        .one(&state.db)
        .await?;
    let recent = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::TenantId.eq(tid))
        .order_by_desc(ledger_entry::Column::Sequence)
        .limit(RECENT_ENTRIES)
        .all(&state.db)
        .await?;
    let balance = recent.first().map_or(0, |e| e.balance_after_cents);
    let threshold = ledger::threshold(acct.as_ref(), &state.settings);
    Ok(web::Json(Reserve {
        tenant_id: tid,
        balance_cents: balance,
        currency: CURRENCY.into(),
        status: reserve_status(balance, threshold).into(),
        low_balance_threshold_cents: threshold,
        recent_entries: recent.iter().map(entry_view).collect(),
        online_payment: state.payments.is_some(),
    }))
}

fn top_up_view(t: &top_up::Model) -> TopUp {
    TopUp {
        id: t.id,
        amount_cents: t.amount_cents,
        currency: t.currency.clone(),
        status: t.status.clone(),
        checkout_url: t.checkout_url.clone(),
        created_at: t.created_at,
        completed_at: t.completed_at,
    }
}

/// Opens a pending top-up of the caller's reserve (org admins). The reserve is credited
/// when the payment provider confirms it through the webhook. Without a configured
/// provider the top-up stays pending with `checkout_url: null`. Honors `Idempotency-Key`.
#[utoipa::path(
    tag = "billing",
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeats with the same key and body return the first answer")),
    request_body = TopUpRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The pending top-up", body = TopUp),
        (status = 403, description = "Not an org admin", body = tessera_domain::Problem),
        (status = 404, description = "The caller has no tenant (platform staff)", body = tessera_domain::Problem),
        (status = 409, description = "Idempotency-Key reused with another body", body = tessera_domain::Problem),
        (status = 422, description = "Invalid amount", body = tessera_domain::Problem),
        (status = 502, description = "The payment provider failed; nothing was recorded", body = tessera_domain::Problem),
    )
)]
#[post("/api/billing/top-ups")]
pub async fn create_top_up(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    body: Json<TopUpRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(Role::OrgAdmin)?;
    let tid = member_tenant(&auth)?;
    let input = body.into_inner();
    input.validate().map_err(ApiError::validation)?;
    let key = idempotency::from_request(&req, format!("top-up:{tid}"), Some(tid), &input)?;
    if let Some(k) = &key
        && let Some(r) = idempotency::earlier(&state.db, k).await?
    {
        return Ok(replay(r));
    }
    let id = Uuid::now_v7();
    // The provider is called before the transaction: holding a database connection (on
    // SQLite, the only writer) across another service's latency would stall everyone.
    let checkout = match &state.payments {
        Some(p) => {
            let provider_key = key.as_ref().map_or_else(|| id.to_string(), |k| k.derived());
            let session = p
                .open_checkout(&CheckoutRequest {
                    top_up_id: id,
                    tenant_id: tid,
                    amount_cents: input.amount_cents,
                    currency: CURRENCY,
                    idempotency_key: &provider_key,
                })
                .await?;
            Some(session)
        }
        None => None,
    };
    let txn = crate::db::begin(&state.db).await?;
    if let Some(k) = &key
        && let Some(r) = idempotency::claim(&txn, k).await?
    {
        // A concurrent twin won; the session opened above expires unused at the provider.
        txn.commit().await?;
        return Ok(replay(r));
    }
    let row = top_up::ActiveModel {
        id: Set(id),
        tenant_id: Set(tid),
        amount_cents: Set(input.amount_cents),
        currency: Set(CURRENCY.into()),
        status: Set("pending".into()),
        checkout_url: Set(checkout.map(|c| c.url)),
        created_by: Set(Some(auth.user_id)),
        created_at: Set(Utc::now()),
        completed_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let view = top_up_view(&row);
    if let Some(k) = &key {
        idempotency::store(&txn, k, 201, &view).await?;
    }
    txn.commit().await?;
    Ok(HttpResponse::Created().json(view))
}

/// Top-up paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TopUpQuery {
    /// `pending` or `completed`.
    #[param(pattern = r"^(pending|completed)?$")]
    pub status: Option<String>,
    /// The `next_cursor` of the previous slice.
    pub cursor: Option<String>,
    /// Top-ups per slice, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The caller's tenant's top-ups, newest first, with a keyset cursor.
#[utoipa::path(
    tag = "billing",
    params(TopUpQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A slice of the top-ups", body = CursorPage<TopUp>),
        (status = 404, description = "The caller has no tenant", body = tessera_domain::Problem),
        (status = 422, description = "Bad status, cursor or limit", body = tessera_domain::Problem),
    )
)]
#[get("/api/billing/top-ups")]
pub async fn list_top_ups(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<TopUpQuery>,
) -> ApiResult<web::Json<CursorPage<TopUp>>> {
    let tid = member_tenant(&auth)?;
    let mut s = top_up::Entity::find().filter(top_up::Column::TenantId.eq(tid));
    match q.status.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => {}
        Some(v @ ("pending" | "completed")) => s = s.filter(top_up::Column::Status.eq(v)),
        Some(_) => return Err(ApiError::field("status", "must be pending or completed")),
    }
    let (rows, next_cursor) =
        cursor::newest_first(s, q.cursor.as_deref(), q.limit, &state.db).await?;
    Ok(web::Json(CursorPage {
        items: rows.iter().map(top_up_view).collect(),
        next_cursor,
    }))
}

/// What the webhook did.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct WebhookResult {
    /// Always true once the signature verified.
    pub received: bool,
    /// True when this event id was processed before (nothing done again).
    pub duplicate: bool,
    /// The top-up credited by this delivery, if any.
    pub credited_top_up: Option<Uuid>,
}

/// Verifies `Stripe-Signature` (`t=<unix>,v1=<hex HMAC-SHA256 of "t.payload">`) within the
/// tolerance window.
fn verify_signature(
    secret: &str,
    header: &str,
    payload: &[u8],
    now: i64,
) -> Result<(), &'static str> {
    let mut ts = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => ts = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v.to_owned()),
            _ => {}
        }
    }
    let ts = ts.ok_or("the signature header has no timestamp")?;
    if (now - ts).abs() > WEBHOOK_TOLERANCE_SECS {
        return Err("the signature timestamp is outside the tolerance window");
    }
    for sig in sigs {
        let Some(bytes) = hex_decode(&sig) else {
            continue;
        };
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
            .map_err(|_| "bad secret")?;
        mac.update(ts.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        if mac.verify_slice(&bytes).is_ok() {
            return Ok(());
        }
    }
    Err("no signature matches")
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The payment provider's webhook. Verifies the signature and the replay window, records
/// each event id once, and credits a pending top-up named in
/// `data.object.metadata.top_up_id` of a `checkout.session.completed` event exactly once.
#[utoipa::path(
    tag = "billing",
    request_body(content = serde_json::Value, description = "The provider's event", content_type = "application/json"),
    params(("Stripe-Signature" = String, Header, description = "t=<unix time>,v1=<hex HMAC-SHA256>")),
    responses(
        (status = 200, description = "Received", body = WebhookResult),
        (status = 400, description = "Bad or stale signature, or not an event", body = tessera_domain::Problem),
        (status = 503, description = "No webhook secret configured", body = tessera_domain::Problem),
    )
)]
#[post("/api/billing/webhooks/stripe")]
pub async fn receive_stripe_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Bytes,
) -> ApiResult<web::Json<WebhookResult>> {
    let secret = state
        .settings
        .stripe_webhook_secret
        .as_deref()
        .ok_or_else(|| {
            ApiError::client(
                StatusCode::SERVICE_UNAVAILABLE,
                "PAYMENTS_NOT_CONFIGURED",
                "no webhook secret is configured",
            )
        })?;
    let sig = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    verify_signature(secret, sig, &payload, Utc::now().timestamp())
        .map_err(|why| ApiError::client(StatusCode::BAD_REQUEST, "INVALID_SIGNATURE", why))?;
    let event: serde_json::Value = serde_json::from_slice(&payload)
        .map_err(|e| ApiError::client(StatusCode::BAD_REQUEST, "MALFORMED_JSON", e.to_string()))?;
    let id = event["id"]
        .as_str()
        .filter(|s| !s.is_empty() && s.len() <= 255)
        .ok_or_else(|| ApiError::field("id", "is required"))?;
    let kind = event["type"].as_str().unwrap_or("").to_owned();
    let txn = crate::db::begin(&state.db).await?;
    let seen = webhook_event::Entity::insert(webhook_event::ActiveModel {
        id: Set(id.to_owned()),
        provider: Set("stripe".into()),
        kind: Set(kind.clone()),
        received_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing_on([webhook_event::Column::Id])
    .exec(&txn)
    .await?;
    if !matches!(seen, TryInsertResult::Inserted(_)) {
        txn.commit().await?;
        return Ok(web::Json(WebhookResult {
            received: true,
            duplicate: true,
            credited_top_up: None,
        }));
    }
    let mut credited = None;
    let top_up_id = event["data"]["object"]["metadata"]["top_up_id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok());
    if let (true, Some(tid)) = (kind == "checkout.session.completed", top_up_id) {
        let now = Utc::now();
        let claimed = top_up::Entity::update_many()
            .col_expr(top_up::Column::Status, Expr::value("completed"))
            .col_expr(top_up::Column::CompletedAt, Expr::value(now))
            .filter(top_up::Column::Id.eq(tid))
            .filter(top_up::Column::Status.eq("pending"))
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 1 {
            let t = top_up::Entity::find_by_id(tid)
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::Internal("claimed top-up vanished".into()))?;
            let entry = ledger::append(
                &txn,
                t.tenant_id,
                NewEntry {
                    kind: "top_up",
                    amount_cents: t.amount_cents,
                    reason: None,
                    actor_id: None,
                    reference: Some(t.id.to_string()),
                },
            )
            .await?;
            credited = Some((t.id, entry));
        }
    }
    txn.commit().await?;
    if let Some((_, entry)) = &credited {
        state.events.publish(
            "ledger_entry",
            Some(entry.tenant_id),
            serde_json::json!({"entry": entry_view(entry)}),
        );
    }
    let credited = credited.map(|(id, _)| id);
    Ok(web::Json(WebhookResult {
        received: true,
        duplicate: false,
        credited_top_up: credited,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, ts: i64, payload: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{ts}.").as_bytes());
        mac.update(payload);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("t={ts},v1={hex}")
    }

    #[test]
    fn signatures_verify_only_with_the_secret_and_in_time() {
        let body = br#"{"id":"evt_1"}"#;
        let now = 1_800_000_000;
        assert!(verify_signature("whsec", &sign("whsec", now, body), body, now).is_ok());
        assert!(verify_signature("other", &sign("whsec", now, body), body, now).is_err());
        assert!(verify_signature("whsec", &sign("whsec", now - 301, body), body, now).is_err());
        assert!(
            verify_signature(
                "whsec",
                &sign("whsec", now, body),
                br#"{"id":"evt_2"}"#,
                now
            )
            .is_err()
        );
        assert!(verify_signature("whsec", "v1=00", body, now).is_err());
    }

    #[test]
    fn unknown_sorts_are_refused() {
        assert!(
            account_order(Some("-balance"))
                .unwrap()
                .starts_with("b.balance_cents DESC")
        );
        assert!(account_order(Some("password")).is_err());
    }
}
