//! The audit trail (`/admin/api/audit`).

use tessera_domain::audit::AuditEventView;
use tessera_domain::page::CursorPage;

use super::query::query_string;
use super::{ApiError, Call, authorised, json};

/// Events per slice of the trail.
pub const PAGE_SIZE: u32 = 50;

/// The audit log's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor's e-mail address, username or id.
    pub actor: String,
    /// An action or its prefix (`user` matches `user.update`).
    pub action: String,
    /// A tenant's slug or id (staff only).
    pub tenant: String,
}

/// One slice of the trail, newest first.
///
/// # Errors
/// 403 for callers below org admin, 422 for a malformed action or cursor.
pub async fn list(
    filter: AuditFilter,
    cursor: Option<String>,
) -> Result<CursorPage<AuditEventView>, ApiError> {
    let query = query_string([
        ("actor", Some(filter.actor)),
        ("action", Some(filter.action)),
        ("tenant", Some(filter.tenant)),
        ("cursor", cursor),
        ("limit", Some(PAGE_SIZE.to_string())),
    ]);
    json(authorised(&Call::get(format!("/admin/api/audit{query}"))).await?).await
}
