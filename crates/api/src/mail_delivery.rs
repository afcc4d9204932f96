//! SMTP delivery of the mail outbox (the transactional outbox pattern).
//!
//! [`crate::mailer::send`] writes a `mail_outbox` row in the caller's transaction, so a
//! message exists exactly when the change that caused it committed. When
//! `TESSERA_SMTP_URL` is set, the task started here reads the rows that are due (unsent,
//! `next_attempt_at` in the past, fewer than [`MAX_ATTEMPTS`] failures) every few seconds
//! and whenever a handler signals `AppState::mail_queued` after its commit, and sends them.
//!
//! No transaction is held over the network. Each row is first claimed with a conditional
//! UPDATE that moves its `next_attempt_at` a [`LEASE`] ahead only while it is still due and
//! unsent: of several replicas, the one whose UPDATE changed the row sends it, and a
//! replica that dies mid-send leaves the row due again when the lease ends. Then the row
//! gets `sent_at`, or one more `attempts`, the error and an exponentially later
//! `next_attempt_at` (`TESSERA_MAIL_RETRY_SECS`, doubled per failure, at most an hour).
//! After [`MAX_ATTEMPTS`] failures, or a permanent refusal (5xx), the message is `failed`.
//! Delivery is at least once: a crash between the server's 250 and the `sent_at` write
//! sends the message again after the lease.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use tessera_domain::entity::mail_outbox;
use tessera_domain::outbox::MailStatus;

use crate::config::Settings;
use crate::state::AppState;

/// How old an unsent message may be when it is sent: mail queued before SMTP was switched
/// on, or through a long outage, would carry stale codes and links (`expired`).
pub const MAX_AGE: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// Failed attempts after which a message is given up (`failed`).
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a claimed row stays out of the other senders' way; longer than a send can take.
const LEASE: Duration = Duration::from_secs(120);
/// The SMTP conversation's own time limit.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: u64 = 3600;
/// Rows read per query.
const BATCH: u64 = 50;
/// The longest wait between two looks at the table.
const POLL_SECS: u64 = 5;
/// Why `TESSERA_SMTP_URL` was refused; never the URL itself, which may hold a password.
const BAD_URL: &str = "TESSERA_SMTP_URL is not a usable smtp:// or smtps:// URL (see README.md)";

/// The URL's TLS mode, trusting the certificates in `ca_file` besides the system's roots
/// (`TESSERA_SMTP_CA_FILE`). The server's name is still checked against its certificate.
fn tls_trusting(url: &str, ca_file: &Path) -> Result<Tls, String> {
    let url = url::Url::parse(url).map_err(|_| BAD_URL.to_owned())?;
    let host = url.host_str().ok_or(BAD_URL)?.to_owned();
    let mode = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let tls: fn(TlsParameters) -> Tls = match (url.scheme(), mode.as_deref()) {
        ("smtps", _) => Tls::Wrapper,
        ("smtp", Some("required")) => Tls::Required,
        ("smtp", Some("opportunistic")) => Tls::Opportunistic,
        _ => {
            return Err(
                "TESSERA_SMTP_CA_FILE needs a TLS URL: smtps://… or smtp://…?tls=required".into(),
            );
        }
    };
    let pem = std::fs::read(ca_file).map_err(|e| {
        format!(
            "TESSERA_SMTP_CA_FILE {} cannot be read: {e}",
            ca_file.display()
        )
    })?;
    let unusable = |e: &dyn std::fmt::Display| {
        format!("TESSERA_SMTP_CA_FILE holds no usable PEM certificate: {e}")
    };
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unusable(&e))?;
    if certs.is_empty() {
        return Err(unusable(&"no CERTIFICATE block"));
    }
    let mut params = TlsParameters::builder(host);
    for der in certs {
        let ca = Certificate::from_der(der.to_vec()).map_err(|e| unusable(&e))?;
        params = params.add_root_certificate(ca);
    }
    let params = params
        .build()
        .map_err(|e| format!("TLS for SMTP cannot be set up: {e}"))?;
    Ok(tls(params))
}

/// Where a row's delivery stands, as `GET /admin/api/outbox` shows it.
pub fn status(m: &mail_outbox::Model, smtp_configured: bool) -> MailStatus {
    if m.sent_at.is_some() {
        MailStatus::Sent
    } else if m.attempts >= MAX_ATTEMPTS {
        MailStatus::Failed
    } else if smtp_configured && m.created_at < Utc::now() - MAX_AGE {
        MailStatus::Expired
    } else if smtp_configured && m.next_attempt_at.is_some() {
        MailStatus::Queued
    } else {
        MailStatus::OutboxOnly
    }
}

/// The delay before the next attempt after `attempts` failures.
fn backoff(base_secs: u64, attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 30) - 1).unwrap_or(0);
    Duration::from_secs(
        base_secs
            .saturating_mul(2u64.saturating_pow(exp))
            .min(MAX_BACKOFF_SECS),
    )
}

/// The outbox's SMTP sender.
pub struct Delivery {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    retry_secs: u64,
}

impl Delivery {
    /// The sender `TESSERA_SMTP_URL` describes, or `None` when it is unset.
    ///
    /// # Errors
    /// The URL or `TESSERA_MAIL_FROM` is unusable (the message never repeats the URL,
    /// which may hold a password).
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, String> {
        let Some(url) = settings.smtp_url.as_deref() else {
            return Ok(None);
        };
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| format!("TESSERA_MAIL_FROM is not a mail address: {e}"))?;
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| BAD_URL.to_owned())?
            .timeout(Some(SEND_TIMEOUT));
        if let Some(ca_file) = &settings.smtp_ca_file {
            builder = builder.tls(tls_trusting(url, ca_file)?);
        }
        let transport = builder.build();
        Ok(Some(Self {
            transport,
            from,
            retry_secs: settings.mail_retry_secs,
        }))
    }

    /// Runs the sender for the life of the process.
    pub fn spawn(self, state: AppState) {
        tracing::info!("SMTP delivery of the mail outbox started");
        let poll = Duration::from_secs(self.retry_secs.clamp(1, POLL_SECS));
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.deliver_due(&state.db).await {
                    tracing::warn!(error = %e, "mail delivery could not read the outbox");
                }
                tokio::select! {
                    () = state.mail_queued.notified() => {}
                    () = tokio::time::sleep(poll) => {}
                }
            }
        });
    }

    /// Sends every row that is due now; returns how many the server accepted.
    ///
    /// # Errors
    /// The database failed.
    pub async fn deliver_due(&self, db: &DatabaseConnection) -> Result<usize, DbErr> {
        let mut sent = 0;
        loop {
            let now = Utc::now();
            let due = mail_outbox::Entity::find()
                .filter(waiting(now))
                .filter(mail_outbox::Column::NextAttemptAt.lte(now))
                .order_by_asc(mail_outbox::Column::NextAttemptAt)
                .limit(BATCH)
                .all(db)
                .await?;
            let full = due.len() as u64 == BATCH;
            for row in due {
                if claim(db, &row).await? && self.send_one(db, &row).await? {
                    sent += 1;
                }
            }
            // Every row read was sent, rescheduled or taken by another replica.
            if !full {
                return Ok(sent);
            }
        }
    }

    /// Sends one claimed row and records the outcome; true when the server accepted it.
    async fn send_one(
        &self,
        db: &DatabaseConnection,
        row: &mail_outbox::Model,
    ) -> Result<bool, DbErr> {
        let outcome = match self.message(row) {
            Ok(message) => self
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| (e.is_permanent(), e.to_string())),
            Err(e) => Err((true, e)),
        };
        let now = Utc::now();
        let update = mail_outbox::Entity::update_many().filter(mail_outbox::Column::Id.eq(row.id));
        match outcome {
            Ok(()) => {
                update
                    .col_expr(mail_outbox::Column::SentAt, Expr::value(Some(now)))
                    .col_expr(
                        mail_outbox::Column::NextAttemptAt,
                        Expr::value(None::<chrono::DateTime<Utc>>),
                    )
                    .exec(db)
                    .await?;
                tracing::info!(id = %row.id, "mail sent");
                Ok(true)
            }
            Err((permanent, error)) => {
                let attempts = if permanent {
                    MAX_ATTEMPTS
                } else {
                    row.attempts + 1
                };
                let next =
                    (attempts < MAX_ATTEMPTS).then(|| now + backoff(self.retry_secs, attempts));
                let error: String = error.chars().take(500).collect();
                tracing::warn!(id = %row.id, attempts, error, "mail delivery failed");
                update
                    .col_expr(mail_outbox::Column::Attempts, Expr::value(attempts))
                    .col_expr(mail_outbox::Column::LastError, Expr::value(Some(error)))
                    .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(next))
                    .exec(db)
                    .await?;
                Ok(false)
            }
        }
    }

    fn message(&self, row: &mail_outbox::Model) -> Result<Message, String> {
        let to: Mailbox = row
            .to_addr
            .parse()
            .map_err(|e| format!("bad recipient: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(row.body.clone())
            .map_err(|e| e.to_string())
    }
}

/// Rows still to be sent (`queued`): unsent, not given up, not expired, with a next
/// attempt scheduled (now or later).
fn waiting(now: chrono::DateTime<Utc>) -> Condition {
    Condition::all()
        .add(mail_outbox::Column::SentAt.is_null())
        .add(mail_outbox::Column::NextAttemptAt.is_not_null())
        .add(mail_outbox::Column::Attempts.lt(MAX_ATTEMPTS))
        .add(mail_outbox::Column::CreatedAt.gte(now - MAX_AGE))
}

/// How many messages wait for delivery, due or retrying later (the operational figures'
/// queue depth); `None` without SMTP, when mail only stays in the outbox and nothing
/// queues. Read through the partial index on unsent rows, so it costs what the queue
/// holds, not what the outbox ever held.
///
/// # Errors
/// The database failed.
pub async fn queue_depth(
    db: &DatabaseConnection,
    smtp_configured: bool,
) -> Result<Option<i64>, DbErr> {
    if !smtp_configured {
        return Ok(None);
    }
    let n = mail_outbox::Entity::find()
        .filter(waiting(Utc::now()))
        .count(db)
        .await?;
    Ok(Some(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// Takes a due row for one sender: true when this UPDATE moved it out of the others' way.
async fn claim(db: &DatabaseConnection, row: &mail_outbox::Model) -> Result<bool, DbErr> {
    let now = Utc::now();
    let res = mail_outbox::Entity::update_many()
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(Some(now + LEASE)),
        )
        .filter(mail_outbox::Column::Id.eq(row.id))
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::NextAttemptAt.lte(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(30, 1), Duration::from_secs(30));
        assert_eq!(backoff(30, 2), Duration::from_secs(60));
        assert_eq!(backoff(30, 4), Duration::from_secs(240));
        assert_eq!(backoff(30, 20), Duration::from_secs(MAX_BACKOFF_SECS));
        assert_eq!(backoff(u64::MAX, 30), Duration::from_secs(MAX_BACKOFF_SECS));
    }

    #[test]
    fn a_private_ca_needs_a_tls_url_and_a_readable_pem() {
        let missing = Path::new("/nonexistent/ca.pem");
        let plain = tls_trusting("smtp://u:secret@mail.test:25", missing).unwrap_err();
        assert!(plain.contains("needs a TLS URL"), "{plain}");
        assert!(!plain.contains("secret"), "{plain}");
        let unread = tls_trusting("smtps://mail.test:465", missing).unwrap_err();
        assert!(unread.contains("cannot be read"), "{unread}");
        let not_pem = std::env::temp_dir().join(format!("tessera-not-pem-{}", std::process::id()));
        std::fs::write(&not_pem, "not a certificate").unwrap();
        let bad = tls_trusting("smtp://mail.test:587?tls=required", &not_pem).unwrap_err();
        std::fs::remove_file(&not_pem).unwrap();
        assert!(bad.contains("no usable PEM"), "{bad}");
    }
}
