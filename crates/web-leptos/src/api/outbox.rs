//! The mail outbox (`/admin/api/outbox`).

use tessera_domain::outbox::OutboxItem;
use tessera_domain::page::CursorPage;

use super::query::query_string;
use super::{ApiError, Call, authorised, json};

/// Messages per slice of the outbox.
pub const PAGE_SIZE: u32 = 50;

/// One slice of the outbox, newest first; `to` (when not empty) keeps the messages to
/// that address only.
///
/// # Errors
/// 403 for callers below super admin, 422 for a malformed cursor.
pub async fn list(to: String, cursor: Option<String>) -> Result<CursorPage<OutboxItem>, ApiError> {
    let query = query_string([
        ("to", Some(to)),
        ("cursor", cursor),
        ("limit", Some(PAGE_SIZE.to_string())),
    ]);
    json(authorised(&Call::get(format!("/admin/api/outbox{query}"))).await?).await
}
