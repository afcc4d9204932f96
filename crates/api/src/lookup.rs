//! Finding tenants and users by the references clients send.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use tessera_domain::entity::{tenant, user};
use uuid::Uuid;

/// A tenant by slug or id (both are accepted wherever a tenant is named).
///
/// # Errors
/// The query failed.
pub async fn tenant_by_ref(
    conn: &impl ConnectionTrait,
    reference: &str,
) -> Result<Option<tenant::Model>, DbErr> {
    let reference = reference.trim();
    match Uuid::parse_str(reference) {
        Ok(id) => tenant::Entity::find_by_id(id).one(conn).await,
        Err(_) => {
            tenant::Entity::find()
                .filter(tenant::Column::Slug.eq(reference.to_ascii_lowercase()))
                .one(conn)
                .await
        }
    }
}

/// A user by e-mail address or username (both stored lowercase).
///
/// # Errors
/// The query failed.
pub async fn user_by_login(
    conn: &impl ConnectionTrait,
    login: &str,
) -> Result<Option<user::Model>, DbErr> {
    let login = login.trim().to_lowercase();
    let col = if login.contains('@') {
        user::Column::Email
    } else {
        user::Column::Username
    };
    user::Entity::find().filter(col.eq(login)).one(conn).await
}

/// The slugs of these tenants, in one query (list endpoints show each row's tenant slug
/// without a query per row).
///
/// # Errors
/// The query failed.
pub async fn tenant_slugs(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, DbErr> {
    let ids: Vec<Uuid> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = tenant::Entity::find()
        .filter(tenant::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|t| (t.id, t.slug)).collect())
}
