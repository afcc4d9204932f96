//! The audit trail: one row per admin mutation, written in the mutation's transaction.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use tessera_domain::entity::audit_event;
use uuid::Uuid;

use crate::auth::{AuthUser, ClientIp};

/// What changed, by whom, on what.
pub struct AuditEntry<'a> {
    /// Who did it.
    pub actor: Option<&'a AuthUser>,
    /// Dotted verb, e.g. `tenant.update`.
    pub action: &'a str,
    /// The kind of thing changed, e.g. `tenant`.
    pub target_type: &'a str,
    /// Its id or slug.
    pub target_id: Option<String>,
    /// The tenant it belongs to.
    pub tenant_id: Option<Uuid>,
    /// State before (absent for creations).
    pub before: Option<serde_json::Value>,
    /// State after (absent for deletions).
    pub after: Option<serde_json::Value>,
    /// The caller's address.
    pub ip: Option<ClientIp>,
}

/// Writes the entry.
///
/// # Errors
/// The insert failed; the caller's transaction then rolls back with it.
pub async fn record(conn: &impl ConnectionTrait, e: AuditEntry<'_>) -> Result<(), DbErr> {
    audit_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(e.actor.map(|a| a.user_id)),
        action: Set(e.action.to_owned()),
        target_type: Set(e.target_type.to_owned()),
        target_id: Set(e.target_id),
        tenant_id: Set(e.tenant_id),
        before: Set(e.before),
        after: Set(e.after),
        ip: Set(e.ip.map(|ip| ip.0.to_string())),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}
