//! `mail_outbox`: every message the mailer queued, readable by super admins and tests, and
//! delivered from here over SMTP when that is configured (crates/api/src/mail_delivery.rs).

use sea_orm::entity::prelude::*;

/// An outbox row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTimeUtc,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTimeUtc>,
    /// Failed delivery attempts.
    pub attempts: i32,
    /// The latest delivery error.
    pub last_error: Option<String>,
    /// When it is next due for delivery (also a sender's lease); NULL: never sent.
    pub next_attempt_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
