//! Finding tenants and users by the references clients send.

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
