//! The mailer: every message goes to the outbox table (readable at `GET /admin/api/outbox`)
//! in the caller's transaction, and is logged for local development. When SMTP is
//! configured, [`crate::mail_delivery`] sends the committed rows; callers wake it with
//! `state.mail_queued.notify_one()` after their commit.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use tessera_domain::entity::mail_outbox;
use uuid::Uuid;

/// Queues a message in the same transaction as the change that caused it.
///
/// # Errors
/// The insert failed.
pub async fn send(
    conn: &impl ConnectionTrait,
    tenant_id: Option<Uuid>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), DbErr> {
    let now = chrono::Utc::now();
    mail_outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        to_addr: Set(to.trim().to_lowercase()),
        subject: Set(subject.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(now),
        sent_at: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        // Due at once; only a server with SMTP configured ever sends it.
        next_attempt_at: Set(Some(now)),
    }
    .insert(conn)
    .await?;
    tracing::info!(to, subject, "mail queued in the outbox");
    Ok(())
}
