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

/// One request the stand-in provider received.
#[derive(Debug, Clone)]
pub struct ProviderCall {
    /// Request line path, e.g. `/v1/checkout/sessions`.
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    /// The form body, decoded.
    pub form: Vec<(String, String)>,
}

impl ProviderCall {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of a form field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A stand-in for the payment provider's Checkout Sessions API on a local port (the real
/// one is outside this network): it records each call and answers with a fixed status.
pub struct FakeProvider {
    /// `http://127.0.0.1:port`, for `TESSERA_STRIPE_API_BASE`.
    pub url: String,
    calls: std::sync::Arc<std::sync::Mutex<Vec<ProviderCall>>>,
}

impl FakeProvider {
    /// Starts answering every request with `status`; 2xx answers carry a session.
    pub async fn start(status: u16) -> FakeProvider {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = calls.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let (head_end, length) = loop {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                            let len = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (i + 4, len);
                        }
                    };
                    while buf.len() < head_end + length {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                    let mut lines = head.lines();
                    let path = lines
                        .next()
                        .and_then(|l| l.split_whitespace().nth(1))
                        .unwrap_or("")
                        .to_owned();
                    let headers = lines
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()))
                        .collect();
                    let form = form_urlencoded(&buf[head_end..]);
                    let id = format!("cs_test_{}", seen.lock().unwrap().len() + 1);
                    seen.lock().unwrap().push(ProviderCall {
                        path,
                        headers,
                        form,
                    });
                    let body = if (200..300).contains(&status) {
                        json!({"id": id, "url": format!("https://checkout.test/pay/{id}")})
                    } else {
                        json!({"error": {"type": "api_error", "message": "provider down"}})
                    }
                    .to_string();
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(reply.as_bytes()).await;
                });
            }
        });
        FakeProvider { url, calls }
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<ProviderCall> {
        self.calls.lock().unwrap().clone()
    }
}

fn form_urlencoded(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| -> String {
        let s = s.replace('+', " ");
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
            {
                out.push(b);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}
