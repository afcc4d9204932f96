//! Start-up data: the seeded plans, the `system` tenant and the first super admin.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use tessera_domain::Role;
use tessera_domain::entity::{plan, subscription, tenant, user};
use tessera_domain::plan::{SEEDED_PLANS, SYSTEM_PLAN, SYSTEM_TENANT};
use uuid::Uuid;

use crate::auth::password;
use crate::auth::tokens::random_token;
use crate::config::Settings;
use crate::error::ApiError;

/// The first super admin, when this start created one.
pub struct CreatedAdmin {
    /// Their e-mail address (the login).
    pub email: String,
    /// The generated password, when none was configured; shown once.
    pub generated_password: Option<String>,
}

/// Ensures plans, the system tenant and a super admin exist. Safe to run on every start
/// and on several replicas at once.
///
/// # Errors
/// The database failed.
pub async fn run(
    db: &DatabaseConnection,
    settings: &Settings,
) -> Result<Option<CreatedAdmin>, ApiError> {
    let now = Utc::now();
    for (code, name, price, projects, devices) in SEEDED_PLANS {
        let row = plan::ActiveModel {
            code: Set(code.into()),
            name: Set(name.into()),
            monthly_price_cents: Set(price),
            currency: Set("USD".into()),
            project_quota: Set(projects),
            device_quota: Set(devices),
            updated_at: Set(now),
        };
        // Existing plans keep their edited prices and quotas.
        plan::Entity::insert(row)
            .on_conflict_do_nothing_on([plan::Column::Code])
            .exec(db)
            .await?;
    }

    if tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(SYSTEM_TENANT))
        .one(db)
        .await?
        .is_none()
    {
        let id = Uuid::now_v7();
        let inserted = tenant::Entity::insert(tenant::ActiveModel {
            id: Set(id),
            slug: Set(SYSTEM_TENANT.into()),
            name: Set("Tessera platform".into()),
            contact_email: Set(None),
            plan: Set(SYSTEM_PLAN.into()),
            status: Set("active".into()),
            active_devices: Set(0),
            project_count: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict_do_nothing_on([tenant::Column::Slug])
        .exec(db)
        .await?;
        if matches!(inserted, sea_orm::TryInsertResult::Inserted(_)) {
            subscription::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(id),
                plan: Set(SYSTEM_PLAN.into()),
                status: Set("active".into()),
                monthly_price_cents: Set(0),
                started_at: Set(now),
                ended_at: Set(None),
            }
            .insert(db)
            .await?;
        }
    }

    let admins = user::Entity::find()
        .filter(user::Column::Role.eq(Role::SuperAdmin.as_str()))
        .count(db)
        .await?;
    if admins > 0 {
        return Ok(None);
    }
    let email = settings
        .bootstrap_admin_email
        .clone()
        .unwrap_or_else(|| "admin@tessera.local".into())
        .to_lowercase();
    let (plain, generated) = match &settings.bootstrap_admin_password {
        Some(p) => (p.clone(), None),
        None => {
            let p = random_token()[..20].to_owned();
            (p.clone(), Some(p))
        }
    };
    let username = email
        .split('@')
        .next()
        .filter(|u| tessera_domain::validation::username(u).is_ok())
        .unwrap_or("admin");
    let hash = password::hash(plain).await?;
    let row = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(None),
        email: Set(email.clone()),
        username: Set(username.to_owned()),
        name: Set("Platform administrator".into()),
        role: Set(Role::SuperAdmin.as_str().into()),
        password_hash: Set(Some(hash)),
        active: Set(true),
        notes: Set(None),
        failed_logins: Set(0),
        locked_until: Set(None),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    match user::Entity::insert(row)
        .on_conflict_do_nothing_on([user::Column::Email])
        .exec(db)
        .await?
    {
        sea_orm::TryInsertResult::Inserted(_) => Ok(Some(CreatedAdmin {
            email,
            generated_password: generated,
        })),
        _ => Ok(None),
    }
}
