//! Usage events sent by devices and users, and their daily rollups.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::problem::FieldError;

/// Most events in one batch.
pub const MAX_BATCH: usize = 1000;

/// One usage event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UsageEventInput {
    /// The sender's unique id for the event (1 to 128 characters); repeats are ignored.
    pub event_id: String,
    /// What happened: `llm_call`, `api_call`, `activation`, ... (lowercase, 1 to 64 characters).
    pub kind: String,
    /// How many units (default 1).
    #[serde(default = "one")]
    pub quantity: i64,
    /// LLM tokens used (default 0).
    #[serde(default)]
    pub tokens: i64,
    /// Cost in cents, debited from the reserve (default 0).
    #[serde(default)]
    pub cost_cents: i64,
    /// Duration in milliseconds.
    #[serde(default)]
    pub duration_ms: Option<i64>,
    /// Whether it succeeded (default true).
    #[serde(default = "yes")]
    pub success: bool,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

fn one() -> i64 {
    1
}

fn yes() -> bool {
    true
}

/// A batch of usage events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UsageBatch {
    /// 1 to 1000 events.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 1000))]
    pub events: Vec<UsageEventInput>,
}

impl UsageBatch {
    /// Applies the shared rules; field names carry the event's index (`events[3].kind`).
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.events.is_empty() || self.events.len() > MAX_BATCH {
            errors.push(FieldError::new(
                "events",
                format!("must hold 1 to {MAX_BATCH} events"),
            ));
        }
        for (i, e) in self.events.iter().enumerate() {
            let mut bad =
                |f: &str, m: &str| errors.push(FieldError::new(format!("events[{i}].{f}"), m));
            if e.event_id.trim().is_empty() || e.event_id.len() > 128 {
                bad("event_id", "must be 1 to 128 characters");
            }
            let kind_ok = !e.kind.is_empty()
                && e.kind.len() <= 64
                && e.kind
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
            if !kind_ok {
                bad(
                    "kind",
                    "must be 1 to 64 lowercase letters, digits, '_' or '.'",
                );
            }
            if e.quantity < 0
                || e.tokens < 0
                || e.cost_cents < 0
                || e.duration_ms.is_some_and(|d| d < 0)
            {
                bad(
                    "quantity",
                    "quantities, tokens, cost and duration cannot be negative",
                );
            }
            if e.cost_cents > 100_000_000 {
                bad("cost_cents", "must be at most 100000000");
            }
            if e.occurred_at > now + chrono::Duration::minutes(5) {
                bad("occurred_at", "cannot be in the future");
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What a batch did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageBatchResult {
    /// Events recorded now.
    pub accepted: i64,
    /// Events already recorded earlier (or twice in this batch), ignored.
    pub duplicates: i64,
    /// Cents debited from the reserve for the accepted events.
    pub charged_cents: i64,
}

/// A recorded usage event, as the feed shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageEvent {
    /// Tessera's id for the event.
    pub id: uuid::Uuid,
    /// The tenant it was counted for.
    pub tenant_id: uuid::Uuid,
    /// The sender's own id for the event.
    pub event_id: String,
    /// What happened (`llm_call`, `api_call`, ...).
    pub kind: String,
    /// How many units.
    pub quantity: i64,
    /// LLM tokens used.
    pub tokens: i64,
    /// What it cost, in cents of `currency`.
    pub cost_cents: i64,
    /// ISO 4217 currency of `cost_cents`: the reserve's, which it was charged to.
    pub currency: String,
    /// How long it took, when the sender said.
    pub duration_ms: Option<i64>,
    /// Whether it succeeded.
    pub success: bool,
    /// When it happened, as the sender said.
    pub occurred_at: DateTime<Utc>,
    /// When Tessera recorded it.
    pub received_at: DateTime<Utc>,
    /// The licensed device that sent it; `null` when a person did.
    pub device_id: Option<uuid::Uuid>,
    /// The signed-in person who sent it; `null` when a device did.
    pub user_id: Option<uuid::Uuid>,
}

/// One day of one kind of usage for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageRollup {
    /// The tenant.
    pub tenant_id: uuid::Uuid,
    /// The day (UTC) the events occurred.
    pub day: NaiveDate,
    /// The kind of event.
    pub kind: String,
    /// Number of events.
    pub events: i64,
    /// Sum of quantities.
    pub quantity: i64,
    /// Sum of tokens.
    pub tokens: i64,
    /// Sum of costs in cents.
    pub cost_cents: i64,
    /// Sum of durations in milliseconds.
    pub duration_ms: i64,
    /// Events that failed.
    pub failures: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, kind: &str) -> UsageEventInput {
        UsageEventInput {
            event_id: id.into(),
            kind: kind.into(),
            quantity: 1,
            tokens: 0,
            cost_cents: 0,
            duration_ms: None,
            success: true,
            occurred_at: Utc::now(),
        }
    }

    #[test]
    fn batches_name_the_bad_event() {
        let b = UsageBatch {
            events: vec![event("a", "llm_call"), event("", "LLM")],
        };
        let errs = b.validate(Utc::now()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["events[1].event_id", "events[1].kind"]);
    }

    #[test]
    fn empty_and_oversized_batches_are_refused() {
        assert!(UsageBatch { events: vec![] }.validate(Utc::now()).is_err());
        let many = (0..1001)
            .map(|i| event(&i.to_string(), "api_call"))
            .collect();
        assert!(UsageBatch { events: many }.validate(Utc::now()).is_err());
    }
}
