//! Finding tenants and users by the references clients send.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Select};
use tessera_domain::entity::{tenant, user};
use tessera_domain::page::Paged;
use uuid::Uuid;

use crate::paging::{self, Paging, Sort};

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

/// Narrows a staff list to the tenant a `?tenant=` filter names (slug or id); no filter
/// leaves it as it is. `None` when the filter names no tenant: the list is then empty,
/// not an error.
///
/// # Errors
/// The query failed.
pub async fn filter_by_tenant<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    column: E::Column,
    reference: Option<&str>,
) -> Result<Option<Select<E>>, DbErr> {
    let Some(r) = reference.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(Some(select));
    };
    Ok(tenant_by_ref(conn, r)
        .await?
        .map(|t| select.filter(column.eq(t.id))))
}

/// Fetches one page and renders each row with its tenant's slug, looked up for the whole
/// page in one query.
///
/// # Errors
/// The queries failed.
pub async fn page_with_slugs<E, V>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    sort: Sort<E::Column>,
    tie_breaker: E::Column,
    paging: Paging,
    tenant_of: impl Fn(&E::Model) -> Uuid,
    view: impl Fn(&E::Model, &str) -> V,
) -> Result<Paged<V>, DbErr>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let (rows, total) = paging::fetch(conn, select, sort, tie_breaker, paging).await?;
    let slugs = tenant_slugs(conn, rows.iter().map(&tenant_of)).await?;
    let items = rows
        .iter()
        .map(|r| view(r, slugs.get(&tenant_of(r)).map_or("", String::as_str)))
        .collect();
    Ok(paging.wrap(items, total))
}
