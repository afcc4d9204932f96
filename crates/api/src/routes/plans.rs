//! Plans: the public price list (`GET /api/plans`) and editing a plan (super admins).

use actix_web::{get, patch, web};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, QueryOrder};
use serde_json::json;
use tessera_domain::Role;
use tessera_domain::entity::plan;
use tessera_domain::plan::{PlanView, UpdatePlanRequest};

use crate::audit::{self, AuditEntry};
use crate::auth::{AuthUser, ClientIp};
use crate::body::Json;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::plan_view;

/// Lists every plan with its monthly price and quotas, cheapest first.
#[utoipa::path(tag = "plans", responses((status = 200, description = "All plans", body = Vec<PlanView>)))]
#[get("/api/plans")]
pub async fn list_plans(state: web::Data<AppState>) -> ApiResult<web::Json<Vec<PlanView>>> {
    let plans = plan::Entity::find()
        .order_by_asc(plan::Column::MonthlyPriceCents)
        .order_by_asc(plan::Column::Code)
        .all(&state.db)
        .await?;
    Ok(web::Json(plans.iter().map(plan_view).collect()))
}

/// Changes a plan's name, price or quotas (super admins). Existing subscription periods keep
/// the price they started at; new periods use the new price. Quota changes apply at once:
/// a lower `device_quota` refuses new activations until a tenant is under it.
#[utoipa::path(
    tag = "plans",
    params(("code" = String, Path, description = "The plan's code, e.g. `pro`")),
    request_body = UpdatePlanRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed plan", body = PlanView),
        (status = 401, description = "Not signed in", body = tessera_domain::Problem),
        (status = 403, description = "Not a super admin", body = tessera_domain::Problem),
        (status = 404, description = "`PLAN_NOT_FOUND`", body = tessera_domain::Problem),
        (status = 422, description = "Invalid fields", body = tessera_domain::Problem),
    )
)]
#[patch("/admin/api/plans/{code}")]
pub async fn update_plan(
    state: web::Data<AppState>,
    auth: AuthUser,
    ip: ClientIp,
    path: web::Path<String>,
    body: Json<UpdatePlanRequest>,
) -> ApiResult<web::Json<PlanView>> {
    auth.require(Role::SuperAdmin)?;
    let req = body.into_inner();
    req.validate().map_err(ApiError::validation)?;
    let txn = crate::db::begin(&state.db).await?;
    let p = plan::Entity::find_by_id(path.into_inner())
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found("PLAN_NOT_FOUND", "no such plan"))?;
    let before = plan_view(&p);
    let mut row = p.clone().into_active_model();
    if let Some(n) = req.name.as_deref().map(str::trim) {
        row.name = Set(n.to_owned());
    }
    // Bounds were validated above, so the narrowing casts cannot truncate.
    if let Some(v) = req.monthly_price_cents {
        row.monthly_price_cents = Set(v);
    }
    if let Some(v) = req.project_quota {
        row.project_quota = Set(v as i32);
    }
    if let Some(v) = req.device_quota {
        row.device_quota = Set(v as i32);
    }
    row.updated_at = Set(Utc::now());
    let p = row.update(&txn).await?;
    let after = plan_view(&p);
    if after != before {
        audit::record(
            &txn,
            AuditEntry {
                actor: Some(&auth),
                action: "plan.update",
                target_type: "plan",
                target_id: Some(p.code.clone()),
                tenant_id: None,
                before: Some(json!(before)),
                after: Some(json!(after)),
                ip: Some(ip),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(web::Json(after))
}
