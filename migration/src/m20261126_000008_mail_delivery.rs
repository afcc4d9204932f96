//! SMTP delivery of the mail outbox (transactional outbox).
//!
//! A message is still written to `mail_outbox` in the transaction that caused it; when
//! `TESSERA_SMTP_URL` is set, a background task reads the committed rows that are due and
//! sends them. `next_attempt_at` is when a row is next due (also the lease a replica takes
//! while it sends), `attempts` and `last_error` record failures, `sent_at` marks delivery.
//! Rows written before this migration keep `next_attempt_at` NULL: they are never sent.
//!
//! The partial index over unsent rows keeps "what is due now" cheap however long the
//! outbox grows (SQLite and PostgreSQL both have partial indexes).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum MailOutbox {
    Table,
    SentAt,
    Attempts,
    LastError,
    NextAttemptAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            timestamp_with_time_zone_null(MailOutbox::SentAt),
            integer(MailOutbox::Attempts).default(0).to_owned(),
            text_null(MailOutbox::LastError),
            timestamp_with_time_zone_null(MailOutbox::NextAttemptAt),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table(MailOutbox::Table)
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_mail_outbox_pending ON mail_outbox (next_attempt_at) \
                 WHERE sent_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS idx_mail_outbox_pending")
            .await?;
        for col in [
            MailOutbox::NextAttemptAt,
            MailOutbox::LastError,
            MailOutbox::Attempts,
            MailOutbox::SentAt,
        ] {
            m.alter_table(
                Table::alter()
                    .table(MailOutbox::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
