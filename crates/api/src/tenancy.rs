//! What a tenant owns: the one list of tenant-owned tables that both the deletion impact
//! preview and the deletion itself walk, so the preview's counts are exactly what is removed.
//!
//! A feature that adds a tenant-owned table adds one [`Owned`] entry here (in deletion order)
//! and, when the impact preview should show it, maps it to its [`DeletionImpact`] field.

use chrono::Utc;
use sea_orm::sea_query::{Asterisk, Condition, Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, DbErr};
use tessera_domain::tenant::DeletionImpact;
use uuid::Uuid;

/// Which rows of a table belong to the tenant.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// `tenant_id = <tenant>`.
    Tenant,
    /// `tenant_id = <tenant>` or `user_id` is one of the tenant's users (rows that follow a
    /// user, so a user moved between tenants cannot leave a row that blocks deletion).
    TenantOrUsers,
}

/// One tenant-owned table.
pub struct Owned {
    /// The table's name.
    pub table: &'static str,
    /// How its rows are tied to the tenant.
    pub scope: Scope,
    /// The impact field that reports its count, when the preview shows it.
    pub impact: Option<fn(&mut DeletionImpact) -> &mut u64>,
}

/// Every tenant-owned table, children before parents (the order deletion runs in).
/// Audit events and sent mail are records about the tenant, not its data: they are kept.
pub const TENANT_OWNED: &[Owned] = &[
    Owned {
        table: "usage_events",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.usage_events),
    },
    Owned {
        table: "usage_rollups",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.usage_rollups),
    },
    Owned {
        table: "ledger_entries",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.ledger_entries),
    },
    Owned {
        table: "top_ups",
        scope: Scope::Tenant,
        impact: None,
    },
    Owned {
        table: "idempotency_keys",
        scope: Scope::Tenant,
        impact: None,
    },
    Owned {
        table: "reserve_accounts",
        scope: Scope::Tenant,
        impact: None,
    },
    Owned {
        table: "agent_prompts",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.agent_prompts),
    },
    Owned {
        table: "llm_projects",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.projects),
    },
    Owned {
        table: "devices",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.devices),
    },
    Owned {
        table: "activation_codes",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.activation_codes),
    },
    Owned {
        table: "subscriptions",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.subscriptions),
    },
    Owned {
        table: "worklogs",
        scope: Scope::TenantOrUsers,
        impact: Some(|i| &mut i.worklogs),
    },
    Owned {
        table: "user_activity",
        scope: Scope::TenantOrUsers,
        impact: None,
    },
    Owned {
        table: "password_resets",
        scope: Scope::TenantOrUsers,
        impact: None,
    },
    Owned {
        table: "otp_codes",
        scope: Scope::TenantOrUsers,
        impact: None,
    },
    Owned {
        table: "refresh_tokens",
        scope: Scope::TenantOrUsers,
        impact: None,
    },
    Owned {
        table: "users",
        scope: Scope::Tenant,
        impact: Some(|i| &mut i.users),
    },
];

/// The rows of `owned` that belong to the tenant.
fn condition(owned: &Owned, tenant_id: Uuid) -> Condition {
    let by_tenant = Expr::col((owned.table, "tenant_id")).eq(tenant_id);
    match owned.scope {
        Scope::Tenant => Condition::all().add(by_tenant),
        Scope::TenantOrUsers => Condition::any().add(by_tenant).add(
            Expr::col((owned.table, "user_id")).in_subquery(
                Query::select()
                    .column("id")
                    .from("users")
                    .and_where(Expr::col("tenant_id").eq(tenant_id))
                    .to_owned(),
            ),
        ),
    }
}

/// Exact counts of what deleting the tenant removes, in one round trip
/// (`SELECT ... UNION ALL SELECT ...`).
///
/// # Errors
/// The database failed.
pub async fn deletion_impact(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<DeletionImpact, DbErr> {
    let count = |owned: &Owned| -> SelectStatement {
        Query::select()
            .expr_as(Expr::val(owned.table), "t")
            .expr_as(Expr::col(Asterisk).count(), "n")
            .from(owned.table)
            .cond_where(condition(owned, tenant_id))
            .to_owned()
    };
    let mut stmt = count(&TENANT_OWNED[0]);
    for owned in &TENANT_OWNED[1..] {
        stmt.union(UnionType::All, count(owned));
    }
    let rows = conn.query_all(&stmt).await?;
    let mut impact = DeletionImpact::default();
    for row in rows {
        let table: String = row.try_get("", "t")?;
        let n: i64 = row.try_get("", "n")?;
        if let Some(field) = TENANT_OWNED
            .iter()
            .find(|o| o.table == table)
            .and_then(|o| o.impact)
        {
            *field(&mut impact) = u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(impact)
}

/// Revokes the tenant's codes and devices, then deletes every row of [`TENANT_OWNED`] and the
/// tenant itself. Call it inside the caller's transaction: all of it happens or none.
///
/// # Errors
/// The database failed.
pub async fn purge(conn: &impl ConnectionTrait, tenant_id: Uuid) -> Result<(), DbErr> {
    let now = Utc::now();
    // Revocation first, as the product promises: anything that observes the rows inside
    // this transaction (triggers, future event hooks) sees them revoked before they go.
    for table in ["activation_codes", "devices"] {
        let revoke = Query::update()
            .table(table)
            .value("revoked_at", now)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("revoked_at").is_null())
            .to_owned();
        conn.execute(&revoke).await?;
    }
    // Then the tenant row, before its subscriptions and the rest. Together this keeps the
    // lock order every other writer uses (activation: code then tenant; device revocation:
    // device then tenant; plan change: tenant then subscriptions), so a deletion running
    // beside them on PostgreSQL waits instead of deadlocking.
    let lock = Query::update()
        .table("tenants")
        .value("updated_at", now)
        .and_where(Expr::col("id").eq(tenant_id))
        .to_owned();
    conn.execute(&lock).await?;
    for owned in TENANT_OWNED {
        let delete = Query::delete()
            .from_table(owned.table)
            .cond_where(condition(owned, tenant_id))
            .to_owned();
        conn.execute(&delete).await?;
    }
    let delete = Query::delete()
        .from_table("tenants")
        .and_where(Expr::col("id").eq(tenant_id))
        .to_owned();
    conn.execute(&delete).await?;
    Ok(())
}
