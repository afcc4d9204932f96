//! Mail the server has queued (the outbox) and, when SMTP is configured, its delivery.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One message in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxItem {
    /// The message's id.
    pub id: Uuid,
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Where its delivery stands.
    pub status: MailStatus,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Failed delivery attempts so far.
    pub attempts: i32,
    /// The latest delivery error, if any.
    pub last_error: Option<String>,
}

/// Where a message's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// SMTP is configured and the message waits for its (next) attempt.
    Queued,
    /// The SMTP server accepted it.
    Sent,
    /// Delivery gave up: the server refused it for good, or every attempt failed.
    Failed,
    /// Never sent and older than a message may be when it goes out (a day): a code or
    /// link in it would be stale, so delivery no longer tries it.
    Expired,
    /// No SMTP server is configured (or it was queued before delivery existed): the
    /// outbox and the server log are the only copies.
    OutboxOnly,
}
