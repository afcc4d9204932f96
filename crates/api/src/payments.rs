//! The payment provider: opening a hosted checkout page for a top-up (Stripe's Checkout
//! Sessions API). Crediting happens later, when the provider's signed webhook arrives.

use std::time::Duration;

use serde::Deserialize;
use uuid::Uuid;

use crate::config::Settings;
use crate::error::ApiError;

/// How long a checkout request may take before the top-up is refused (nothing is written).
const TIMEOUT: Duration = Duration::from_secs(10);
/// The stable code of every provider failure.
const FAILED: &str = "PAYMENT_PROVIDER_FAILED";

/// A configured provider; built once at start.
#[derive(Debug, Clone)]
pub struct PaymentProvider {
    client: reqwest::Client,
    api_base: String,
    secret_key: String,
    public_url: String,
}

/// What a top-up needs from the provider.
pub struct CheckoutRequest<'a> {
    /// Our top-up, named in the session's metadata so the webhook can find it.
    pub top_up_id: Uuid,
    /// The paying tenant.
    pub tenant_id: Uuid,
    /// Amount in cents.
    pub amount_cents: i64,
    /// ISO 4217 currency, lowercase for the provider.
    pub currency: &'a str,
    /// Makes retries of one request open one session, not several.
    pub idempotency_key: &'a str,
}

/// The provider's hosted payment page.
#[derive(Debug, Deserialize)]
pub struct CheckoutSession {
    /// The provider's session id.
    pub id: String,
    /// Where the payer goes.
    pub url: String,
}

/// Makes ring the process's TLS backend (reqwest is built without one); any HTTP client
/// in the process needs it, and a second call changes nothing.
pub fn install_tls_backend() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl PaymentProvider {
    /// The provider when `TESSERA_STRIPE_SECRET_KEY` is set, else `None`.
    ///
    /// # Errors
    /// The TLS client could not be built.
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, reqwest::Error> {
        let Some(secret_key) = settings.stripe_secret_key.clone() else {
            return Ok(None);
        };
        install_tls_backend();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("tessera/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Some(PaymentProvider {
            client,
            api_base: settings.stripe_api_base.clone(),
            secret_key,
            public_url: settings.public_url.clone(),
        }))
    }

    /// Opens a Checkout Session for one top-up.
    ///
    /// # Errors
    /// 502 `PAYMENT_PROVIDER_FAILED` when the provider cannot be reached or refuses.
    pub async fn open_checkout(
        &self,
        req: &CheckoutRequest<'_>,
    ) -> Result<CheckoutSession, ApiError> {
        let fail = |cause: String| ApiError::Upstream {
            code: FAILED,
            cause,
        };
        let back = format!("{}/org/billing?top_up={}", self.public_url, req.top_up_id);
        let form = [
            ("mode", "payment".to_owned()),
            ("client_reference_id", req.top_up_id.to_string()),
            ("success_url", format!("{back}&checkout=done")),
            ("cancel_url", format!("{back}&checkout=cancelled")),
            ("line_items[0][quantity]", "1".to_owned()),
            (
                "line_items[0][price_data][currency]",
                req.currency.to_ascii_lowercase(),
            ),
            (
                "line_items[0][price_data][unit_amount]",
                req.amount_cents.to_string(),
            ),
            (
                "line_items[0][price_data][product_data][name]",
                "Tessera prepaid reserve".to_owned(),
            ),
            ("metadata[top_up_id]", req.top_up_id.to_string()),
            ("metadata[tenant_id]", req.tenant_id.to_string()),
        ];
        let res = self
            .client
            .post(format!("{}/v1/checkout/sessions", self.api_base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", req.idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        let status = res.status();
        if !status.is_success() {
            let body = res.text().await.unwrap_or_default();
            return Err(fail(format!(
                "{status}: {}",
                body.chars().take(500).collect::<String>()
            )));
        }
        let session: CheckoutSession = res.json().await.map_err(|e| fail(e.to_string()))?;
        if !session.url.starts_with("https://") && !session.url.starts_with("http://") {
            return Err(fail(format!("not a URL: {}", session.url)));
        }
        Ok(session)
    }
}
