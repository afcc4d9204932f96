//! Worklogs: every signed-in person's own time entries, the timeline with daily totals,
//! quick-add suggestions and CSV export.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use serde::Deserialize;
use tessera_domain::Role;
use tessera_domain::entity::{user, worklog};
use tessera_domain::worklog::{
    DailyTotal, Worklog, WorklogInput, WorklogPage, WorklogPatch, WorklogSuggestion,
};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::body::Json;
use crate::csv::csv_field;
use crate::cursor::{self, DateCursor};
use crate::days;
use crate::error::{ApiError, ApiResult};
use crate::paging;
use crate::state::AppState;

/// Rows read to rank suggestions: the latest entries of the last 90 days.
const SUGGESTION_WINDOW_ROWS: u64 = 1000;
/// Days of history that suggestions draw on.
const SUGGESTION_WINDOW_DAYS: u64 = 90;
/// Rows per CSV export query.
const EXPORT_BATCH: u64 = 1000;

/// The tenant whose rows a caller owns: its own, or the platform's for staff.
fn owner_tenant(state: &AppState, auth: &AuthUser) -> Uuid {
    auth.tenant_id.unwrap_or(state.system_tenant_id)
}

fn view(m: worklog::Model) -> Worklog {
    Worklog {
        id: m.id,
        user_id: m.user_id,
        tenant_id: m.tenant_id,
        work_date: m.work_date,
        minutes: m.minutes,
        description: m.description,
        project: m.project,
        tags: serde_json::from_value(m.tags).unwrap_or_default(),
        billable: m.billable,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn clean_tags(tags: &[String]) -> serde_json::Value {
    let mut out: Vec<String> = Vec::new();
    for t in tags.iter().map(|t| t.trim().to_owned()) {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    serde_json::json!(out)
}

fn clean_project(p: Option<&str>) -> Option<String> {
    p.map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
}

/// Logs time for the caller.
#[utoipa::path(
    tag = "worklogs",
    request_body = WorklogInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new entry", body = Worklog),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[post("/api/worklogs")]
pub async fn create_worklog(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: Json<WorklogInput>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    input
        .validate(Utc::now().date_naive())
        .map_err(ApiError::validation)?;
    let now = Utc::now();
    let row = worklog::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(owner_tenant(&state, &auth)),
        user_id: Set(auth.user_id),
        work_date: Set(input.work_date),
        minutes: Set(input.minutes),
        description: Set(input.description.trim().to_owned()),
        project: Set(clean_project(input.project.as_deref())),
        tags: Set(clean_tags(&input.tags)),
        billable: Set(input.billable),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok(HttpResponse::Created().json(view(row)))
}

/// Timeline filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WorklogQuery {
    /// First day, inclusive (YYYY-MM-DD).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (YYYY-MM-DD).
    pub to: Option<NaiveDate>,
    /// Only this project (case-insensitive exact match).
    pub project: Option<String>,
    /// Case-insensitive substring of the description.
    pub search: Option<String>,
    /// Another person's entries: org admins within their tenant, staff for anyone.
    pub user: Option<Uuid>,
    /// The `next_cursor` of the previous slice.
    pub cursor: Option<String>,
    /// Entries per slice, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// Whose entries a list or export reads: `(tenant, user)`, from the token, widened only
/// for org admins (own tenant) and staff.
async fn subject(state: &AppState, auth: &AuthUser, user: Option<Uuid>) -> ApiResult<(Uuid, Uuid)> {
    let Some(other) = user.filter(|u| *u != auth.user_id) else {
        return Ok((owner_tenant(state, auth), auth.user_id));
    };
    let not_found = || ApiError::not_found("USER_NOT_FOUND", "no such user");
    if auth.role < Role::OrgAdmin {
        return Err(ApiError::forbidden(
            "FORBIDDEN",
            "only org admins may read other people's worklogs",
        ));
    }
    let target = user::Entity::find_by_id(other)
        .one(&state.db)
        .await?
        .ok_or_else(not_found)?;
    let tenant = target.tenant_id.unwrap_or(state.system_tenant_id);
    if !auth.role.is_staff() && Some(tenant) != auth.tenant_id {
        return Err(not_found());
    }
    Ok((tenant, other))
}

fn filtered(q: &WorklogQuery, tenant: Uuid, user_id: Uuid) -> Select<worklog::Entity> {
    let mut s = worklog::Entity::find()
        .filter(worklog::Column::TenantId.eq(tenant))
        .filter(worklog::Column::UserId.eq(user_id));
    if let Some(from) = q.from {
        s = s.filter(worklog::Column::WorkDate.gte(from));
    }
    if let Some(to) = q.to {
        s = s.filter(worklog::Column::WorkDate.lte(to));
    }
    if let Some(p) = q
        .project
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        s = s.filter(
            Expr::expr(Func::lower(Expr::col(worklog::Column::Project))).eq(p.to_lowercase()),
        );
    }
    if let Some(cond) = paging::search(q.search.as_deref(), &[worklog::Column::Description]) {
        s = s.filter(cond);
    }
    s
}

/// Lists the caller's entries, newest day first, with a keyset cursor (each entry appears
/// exactly once however deep you page) and the totals of the days in the slice.
#[utoipa::path(
    tag = "worklogs",
    params(WorklogQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A slice of the timeline", body = WorklogPage),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not allowed to read another person's entries", body = tessera_domain::Problem),
        (status = 404, description = "No such user in the caller's tenant", body = tessera_domain::Problem),
        (status = 422, description = "Bad filter, cursor or limit", body = tessera_domain::Problem),
    )
)]
#[get("/api/worklogs")]
pub async fn list_worklogs(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<WorklogQuery>,
) -> ApiResult<web::Json<WorklogPage>> {
    let limit = cursor::limit(q.limit)?;
    days::ordered(q.from, q.to)?;
    let (tenant, user_id) = subject(&state, &auth, q.user).await?;
    let mut page = filtered(&q, tenant, user_id);
    if let Some(c) = q.cursor.as_deref().filter(|c| !c.is_empty()) {
        let c = DateCursor::decode(c)?;
        page = page.filter(cursor::before(
            (worklog::Column::WorkDate, worklog::Column::Id),
            (c.date, c.id),
        ));
    }
    let mut rows = page
        .order_by_desc(worklog::Column::WorkDate)
        .order_by_desc(worklog::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let next_cursor = cursor::split_page(&mut rows, limit, |r| {
        DateCursor {
            date: r.work_date,
            id: r.id,
        }
        .encode()
    });
    let mut days: Vec<NaiveDate> = rows.iter().map(|r| r.work_date).collect();
    days.dedup();
    let daily_totals = if days.is_empty() {
        Vec::new()
    } else {
        let totals: Vec<(NaiveDate, i64, i64)> = filtered(&q, tenant, user_id)
            .filter(worklog::Column::WorkDate.is_in(days))
            .select_only()
            .column(worklog::Column::WorkDate)
            .column_as(
                Expr::expr(Func::sum(Expr::col(worklog::Column::Minutes))),
                "minutes",
            )
            .column_as(
                Expr::expr(Func::count(Expr::col(worklog::Column::Id))),
                "entries",
            )
            .group_by(worklog::Column::WorkDate)
            .order_by_desc(worklog::Column::WorkDate)
            .into_tuple()
            .all(&state.db)
            .await?;
        totals
            .into_iter()
            .map(|(date, minutes, entries)| DailyTotal {
                date,
                minutes,
                entries,
            })
            .collect()
    };
    Ok(web::Json(WorklogPage {
        items: rows.into_iter().map(view).collect(),
        next_cursor,
        daily_totals,
    }))
}

/// One entry the caller may see: their own, or (org admins) their tenant's.
async fn visible(state: &AppState, auth: &AuthUser, id: Uuid) -> ApiResult<worklog::Model> {
    let row = worklog::Entity::find_by_id(id)
        .filter(worklog::Column::TenantId.eq(owner_tenant(state, auth)))
        .one(&state.db)
        .await?
        .filter(|r| r.user_id == auth.user_id || auth.role >= Role::OrgAdmin);
    row.ok_or_else(|| ApiError::not_found("WORKLOG_NOT_FOUND", "no such worklog entry"))
}

/// One of the caller's own entries (only the author changes or deletes an entry).
async fn own(state: &AppState, auth: &AuthUser, id: Uuid) -> ApiResult<worklog::Model> {
    worklog::Entity::find_by_id(id)
        .filter(worklog::Column::TenantId.eq(owner_tenant(state, auth)))
        .filter(worklog::Column::UserId.eq(auth.user_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("WORKLOG_NOT_FOUND", "no such worklog entry"))
}

/// Reads one entry (the caller's own; org admins also their tenant's).
#[utoipa::path(
    tag = "worklogs",
    params(("id" = Uuid, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The entry", body = Worklog),
        (status = 404, description = "No such entry for the caller", body = tessera_domain::Problem),
    )
)]
#[get("/api/worklogs/{id}")]
pub async fn get_worklog(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Worklog>> {
    Ok(web::Json(view(visible(&state, &auth, *id).await?)))
}

/// Changes one of the caller's entries; absent fields stay as they are.
#[utoipa::path(
    tag = "worklogs",
    params(("id" = Uuid, Path, description = "The entry's id")),
    request_body = WorklogPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed entry", body = Worklog),
        (status = 404, description = "No such entry for the caller", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[patch("/api/worklogs/{id}")]
pub async fn update_worklog(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    body: Json<WorklogPatch>,
) -> ApiResult<web::Json<Worklog>> {
    let p = body.into_inner();
    p.validate(Utc::now().date_naive())
        .map_err(ApiError::validation)?;
    let mut row = own(&state, &auth, *id).await?.into_active_model();
    if let Some(d) = p.work_date {
        row.work_date = Set(d);
    }
    if let Some(m) = p.minutes {
        row.minutes = Set(m);
    }
    if let Some(d) = p.description {
        row.description = Set(d.trim().to_owned());
    }
    if let Some(pr) = p.project {
        row.project = Set(clean_project(Some(&pr)));
    }
    if let Some(t) = p.tags {
        row.tags = Set(clean_tags(&t));
    }
    if let Some(b) = p.billable {
        row.billable = Set(b);
    }
    row.updated_at = Set(Utc::now());
    Ok(web::Json(view(row.update(&state.db).await?)))
}

/// Deletes one of the caller's entries.
#[utoipa::path(
    tag = "worklogs",
    params(("id" = Uuid, Path, description = "The entry's id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such entry for the caller", body = tessera_domain::Problem),
    )
)]
#[delete("/api/worklogs/{id}")]
pub async fn delete_worklog(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let res = worklog::Entity::delete_many()
        .filter(worklog::Column::Id.eq(*id))
        .filter(worklog::Column::TenantId.eq(owner_tenant(&state, &auth)))
        .filter(worklog::Column::UserId.eq(auth.user_id))
        .exec(&state.db)
        .await?;
    if res.rows_affected == 0 {
        return Err(ApiError::not_found(
            "WORKLOG_NOT_FOUND",
            "no such worklog entry",
        ));
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's recurring entries of the last 90 days, ranked by how often and how
/// recently they were logged, with their usual minutes: one click fills the quick-add form.
#[utoipa::path(
    tag = "worklogs",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Up to 10 suggestions, best first", body = Vec<WorklogSuggestion>),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
    )
)]
#[get("/api/worklogs/suggestions")]
pub async fn list_worklog_suggestions(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> ApiResult<web::Json<Vec<WorklogSuggestion>>> {
    let today = Utc::now().date_naive();
    let since = today - chrono::Days::new(SUGGESTION_WINDOW_DAYS);
    let rows = worklog::Entity::find()
        .filter(worklog::Column::TenantId.eq(owner_tenant(&state, &auth)))
        .filter(worklog::Column::UserId.eq(auth.user_id))
        .filter(worklog::Column::WorkDate.gte(since))
        .order_by_desc(worklog::Column::WorkDate)
        .order_by_desc(worklog::Column::Id)
        .limit(SUGGESTION_WINDOW_ROWS)
        .all(&state.db)
        .await?;
    Ok(web::Json(rank_suggestions(rows, today)))
}

/// Groups entries by (description, project) and ranks the groups: uses weighted by recency
/// (an entry counts 1 today, fading to a third after 90 days), ties to the latest.
fn rank_suggestions(rows: Vec<worklog::Model>, today: NaiveDate) -> Vec<WorklogSuggestion> {
    struct Group {
        first: worklog::Model,
        uses: i64,
        score: f64,
        minutes: HashMap<i32, i64>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<(String, Option<String>), usize> = HashMap::new();
    for row in rows {
        let key = (
            row.description.to_lowercase(),
            row.project.as_ref().map(|p| p.to_lowercase()),
        );
        let age = Ord::max((today - row.work_date).num_days(), 0) as f64;
        let weight = 1.0 / (1.0 + age / 45.0);
        let i = *index.entry(key).or_insert_with(|| {
            groups.push(Group {
                first: row.clone(),
                uses: 0,
                score: 0.0,
                minutes: HashMap::new(),
            });
            groups.len() - 1
        });
        let g = &mut groups[i];
        g.uses += 1;
        g.score += weight;
        *g.minutes.entry(row.minutes).or_default() += 1;
    }
    groups.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.first.work_date.cmp(&a.first.work_date))
    });
    groups
        .into_iter()
        .take(10)
        .map(|g| {
            // Rows arrive newest first, so the latest entry's minutes win ties.
            let latest = g.first.minutes;
            let usual = g
                .minutes
                .iter()
                .max_by_key(|(m, n)| (**n, **m == latest))
                .map_or(latest, |(m, _)| *m);
            let m = g.first;
            WorklogSuggestion {
                description: m.description,
                project: m.project,
                tags: serde_json::from_value(m.tags).unwrap_or_default(),
                minutes: usual,
                uses: g.uses,
                last_used: m.work_date,
                billable: m.billable,
            }
        })
        .collect()
}

/// Export range.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// First day, inclusive (YYYY-MM-DD).
    pub from: NaiveDate,
    /// Last day, inclusive (YYYY-MM-DD).
    pub to: NaiveDate,
    /// Another person's entries (org admins within their tenant, staff for anyone).
    pub user: Option<Uuid>,
}

/// The caller's entries in a date range as CSV (date, minutes, hours, project,
/// description, tags, billable), oldest first.
#[utoipa::path(
    tag = "worklogs",
    params(ExportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        (status = 403, description = "Not allowed to read another person's entries", body = tessera_domain::Problem),
        (status = 404, description = "No such user in the caller's tenant", body = tessera_domain::Problem),
        (status = 422, description = "Missing or inverted range", body = tessera_domain::Problem),
    )
)]
#[get("/api/worklogs/export.csv")]
pub async fn export_worklogs(
    state: web::Data<AppState>,
    auth: AuthUser,
    q: web::Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    days::ordered(Some(q.from), Some(q.to))?;
    if (q.to - q.from).num_days() > 366 {
        return Err(ApiError::field("to", "export at most one year at a time"));
    }
    let (tenant, user_id) = subject(&state, &auth, q.user).await?;
    let mut csv = String::from("date,minutes,hours,project,description,tags,billable\n");
    let mut after: Option<(NaiveDate, Uuid)> = None;
    loop {
        let mut s = worklog::Entity::find()
            .filter(worklog::Column::TenantId.eq(tenant))
            .filter(worklog::Column::UserId.eq(user_id))
            .filter(worklog::Column::WorkDate.between(q.from, q.to));
        if let Some((d, id)) = after {
            s = s.filter(cursor::after(
                (worklog::Column::WorkDate, worklog::Column::Id),
                (d, id),
            ));
        }
        let rows = s
            .order_by_asc(worklog::Column::WorkDate)
            .order_by_asc(worklog::Column::Id)
            .limit(EXPORT_BATCH)
            .all(&state.db)
            .await?;
        let done = (rows.len() as u64) < EXPORT_BATCH;
        after = rows.last().map(|r| (r.work_date, r.id));
        for r in rows.into_iter().map(view) {
            csv.push_str(&format!(
                "{},{},{:.2},{},{},{},{}\n",
                r.work_date,
                r.minutes,
                f64::from(r.minutes) / 60.0,
                csv_field(r.project.as_deref().unwrap_or("")),
                csv_field(&r.description),
                csv_field(&r.tags.join(";")),
                r.billable
            ));
        }
        if done {
            break;
        }
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"worklogs-{}-{}.csv\"", q.from, q.to),
        ))
        .body(csv))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(desc: &str, days_ago: u64, minutes: i32, today: NaiveDate) -> worklog::Model {
        worklog::Model {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            user_id: Uuid::nil(),
            work_date: today - chrono::Days::new(days_ago),
            minutes,
            description: desc.into(),
            project: Some("Tessera".into()),
            tags: serde_json::json!(["dev"]),
            billable: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn frequent_recent_entries_rank_first_with_their_usual_minutes() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        // Newest first, as the query returns them.
        let rows = vec![
            entry("Code review", 0, 30, today),
            entry("Standup", 1, 15, today),
            entry("Standup", 2, 15, today),
            entry("Standup", 3, 20, today),
            entry("Planning", 80, 60, today),
            entry("Planning", 81, 60, today),
        ];
        let s = rank_suggestions(rows, today);
        assert_eq!(s[0].description, "Standup");
        assert_eq!(s[0].minutes, 15);
        assert_eq!(s[0].uses, 3);
        assert_eq!(s.len(), 3);
        assert!(
            s.iter().position(|x| x.description == "Code review")
                < s.iter().position(|x| x.description == "Planning")
        );
    }
}
