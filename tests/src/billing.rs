//! Typed helpers for reserves, top-ups, webhooks and usage.

use hmac::{Hmac, KeyInit, Mac};
use reqwest::Response;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::TestApp;

/// The webhook secret billing tests configure.
pub const WEBHOOK_SECRET: &str = "whsec_test_secret";

/// A `Stripe-Signature` header for `payload` at unix time `ts`.
pub fn stripe_signature(secret: &str, ts: i64, payload: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{ts}.{payload}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={ts},v1={hex}")
}

impl TestApp {
    /// `POST .../adjustments`, optionally with an Idempotency-Key.
    pub async fn adjust(
        &self,
        token: &str,
        tenant: &str,
        amount: i64,
        reason: &str,
        key: Option<&str>,
    ) -> Response {
        let mut req = self
            .client
            .post(format!(
                "{}/api/billing/admin/accounts/{tenant}/adjustments",
                self.address
            ))
            .bearer_auth(token)
            .json(&json!({"amount_cents": amount, "reason": reason}));
        if let Some(k) = key {
            req = req.header("Idempotency-Key", k);
        }
        req.send().await.expect("request")
    }

    /// Every ledger entry of a tenant, oldest first (follows the cursor).
    pub async fn whole_ledger(&self, token: &str, tenant: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => {
                    format!("/api/billing/admin/accounts/{tenant}/ledger?limit=200&cursor={c}")
                }
                None => format!("/api/billing/admin/accounts/{tenant}/ledger?limit=200"),
            };
            let page: Value = crate::json_ok(self.get(&path, Some(token)).await, 200).await;
            all.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        all.reverse();
        all
    }

    /// Delivers a webhook with a signature made now (or at `ts`).
    pub async fn webhook(&self, payload: &str, signature: &str) -> Response {
        self.client
            .post(format!("{}/api/billing/webhooks/stripe", self.address))
            .header("content-type", "application/json")
            .header("Stripe-Signature", signature)
            .body(payload.to_owned())
            .send()
            .await
            .expect("request")
    }

    /// `POST /api/usage` with a bearer token.
    pub async fn send_usage(&self, token: &str, events: &Value) -> Response {
        self.post("/api/usage", &json!({"events": events}), Some(token))
            .await
    }
}
