//! Typed settings read once at start from `TESSERA_*` and `DATABASE_URL`.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the server runs: development generates missing secrets, production refuses to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Local use: safe defaults, generated secrets.
    Development,
    /// Every secret must be configured.
    Production,
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A `TESSERA_*` variable that no setting reads: almost always a typo.
    #[error("unknown setting {0}; see the configuration table in README.md")]
    Unknown(String),
    /// A value that does not parse.
    #[error("{key}: {message}")]
    Invalid {
        /// The variable's name.
        key: String,
        /// Why it was refused.
        message: String,
    },
}

/// Every setting, with its documented default.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `TESSERA_ENV`: `development` (default) or `production`.
    pub env: Environment,
    /// `TESSERA_BIND`: listen address (default `127.0.0.1:8080`).
    pub bind: String,
    /// `DATABASE_URL`: `sqlite://...` (default `sqlite://tessera.db?mode=rwc`) or `postgres://...`.
    pub database_url: String,
    /// `TESSERA_DB_MAX_CONNECTIONS`: PostgreSQL pool size (default 10; SQLite always uses one
    /// writer). Size it to what the database's cores can run at once; with several replicas,
    /// keep replicas × pool size below PostgreSQL's `max_connections` (docs/SCALING.md).
    pub db_max_connections: u32,
    /// `TESSERA_JWT_SECRET`: HS256 key for access tokens (generated and stored in development).
    pub jwt_secret: Option<String>,
    /// `TESSERA_HMAC_KEY`: key for hashing tokens, codes and OTPs (generated and stored in development).
    pub hmac_key: Option<String>,
    /// `TESSERA_LICENSE_SIGNING_KEY`: Ed25519 seed that signs device licenses, base64url of
    /// 32 bytes (generated and stored in development; required in production).
    pub license_signing_key: Option<String>,
    /// `TESSERA_LICENSE_TTL_DAYS`: lifetime of a device license; re-activation renews it (default 30).
    pub license_ttl_days: i64,
    /// `TESSERA_ACCESS_TOKEN_TTL_SECS`: access token lifetime (default 900).
    pub access_token_ttl_secs: i64,
    /// `TESSERA_REFRESH_TOKEN_TTL_DAYS`: refresh token lifetime (default 30).
    pub refresh_token_ttl_days: i64,
    /// `TESSERA_LOGIN_RATE_LIMIT`: login and OTP attempts per IP per minute (default 30).
    pub login_rate_limit: u32,
    /// `TESSERA_ACTIVATE_RATE_LIMIT`: activation attempts per IP per minute (default 60).
    pub activate_rate_limit: u32,
    /// `TESSERA_METRICS_INTERVAL_SECS`: metrics job period (default 300).
    pub metrics_interval_secs: u64,
    /// `TESSERA_LIVE_FEED_PING_SECS`: how long the live feed's PostgreSQL listener waits
    /// without a notification before it checks its connection (default 30).
    pub live_feed_ping_secs: u64,
    /// `TESSERA_BOOTSTRAP_ADMIN_EMAIL`: e-mail of the first super admin.
    pub bootstrap_admin_email: Option<String>,
    /// `TESSERA_BOOTSTRAP_ADMIN_PASSWORD`: password of the first super admin.
    pub bootstrap_admin_password: Option<String>,
    /// `TESSERA_CORS_ORIGINS`: comma-separated origins allowed to call the API from a browser.
    pub cors_origins: Vec<String>,
    /// `TESSERA_STATIC_DIR`: a built SPA (`dist/`) to serve at `/` (default: none).
    pub static_dir: Option<PathBuf>,
    /// `TESSERA_MAX_BODY_BYTES`: largest accepted JSON body (default 1 MiB).
    pub max_body_bytes: usize,
    /// `TESSERA_LOG`: log filter (default `info`).
    pub log: String,
    /// `TESSERA_LOW_BALANCE_CENTS`: global low-balance threshold of reserves (default 1000).
    pub low_balance_cents: i64,
    /// `TESSERA_STRIPE_SECRET_KEY`: payment provider API key; without it top-ups stay pending with no checkout URL.
    pub stripe_secret_key: Option<String>,
    /// `TESSERA_STRIPE_WEBHOOK_SECRET`: verifies `Stripe-Signature` on provider webhooks.
    pub stripe_webhook_secret: Option<String>,
    /// `TESSERA_STRIPE_API_BASE`: the provider's API root (default `https://api.stripe.com`).
    pub stripe_api_base: String,
    /// `TESSERA_PUBLIC_URL`: where people reach the SPA, for links in mail and payment
    /// return pages (default `http://127.0.0.1:8080`).
    pub public_url: String,
    /// `TESSERA_SMTP_URL`: the SMTP server that delivers the outbox, e.g.
    /// `smtp://user:pass@host:587?tls=required` or `smtps://host:465` (default: none, mail
    /// stays in the outbox). Holds credentials: never logged.
    pub smtp_url: Option<String>,
    /// `TESSERA_SMTP_CA_FILE`: PEM certificates trusted for the SMTP server besides the
    /// system's roots, for a relay certified by a private CA (TLS URLs only; default none).
    pub smtp_ca_file: Option<PathBuf>,
    /// `TESSERA_MAIL_FROM`: the sender of every message (default `Tessera <no-reply@tessera.local>`).
    pub mail_from: String,
    /// `TESSERA_MAIL_RETRY_SECS`: the first retry delay after a failed delivery; each
    /// further failure doubles it, up to an hour (default 30).
    pub mail_retry_secs: u64,
}

const KNOWN: &[&str] = &[
    "TESSERA_ENV",
    "TESSERA_BIND",
    "TESSERA_DB_MAX_CONNECTIONS",
    "TESSERA_JWT_SECRET",
    "TESSERA_HMAC_KEY",
    "TESSERA_LICENSE_SIGNING_KEY",
    "TESSERA_LICENSE_TTL_DAYS",
    "TESSERA_ACCESS_TOKEN_TTL_SECS",
    "TESSERA_REFRESH_TOKEN_TTL_DAYS",
    "TESSERA_LOGIN_RATE_LIMIT",
    "TESSERA_ACTIVATE_RATE_LIMIT",
    "TESSERA_METRICS_INTERVAL_SECS",
    "TESSERA_LIVE_FEED_PING_SECS",
    "TESSERA_BOOTSTRAP_ADMIN_EMAIL",
    "TESSERA_BOOTSTRAP_ADMIN_PASSWORD",
    "TESSERA_CORS_ORIGINS",
    "TESSERA_STATIC_DIR",
    "TESSERA_MAX_BODY_BYTES",
    "TESSERA_LOG",
    "TESSERA_LOW_BALANCE_CENTS",
    "TESSERA_STRIPE_SECRET_KEY",
    "TESSERA_STRIPE_WEBHOOK_SECRET",
    "TESSERA_STRIPE_API_BASE",
    "TESSERA_PUBLIC_URL",
    "TESSERA_SMTP_URL",
    "TESSERA_SMTP_CA_FILE",
    "TESSERA_MAIL_FROM",
    "TESSERA_MAIL_RETRY_SECS",
    // Read by the test harness, not the server.
    "TESSERA_TEST_DATABASE_URL",
];

impl Settings {
    /// Reads the process environment.
    ///
    /// # Errors
    /// An unknown `TESSERA_*` variable or a value that does not parse.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars())
    }

    /// Reads settings from name/value pairs (the environment, or a test's overrides).
    ///
    /// # Errors
    /// An unknown `TESSERA_*` variable or a value that does not parse.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars: BTreeMap<String, String> = vars
            .into_iter()
            .filter(|(k, _)| k.starts_with("TESSERA_") || k == "DATABASE_URL")
            .collect();
        if let Some(k) = vars
            .keys()
            .find(|k| k.starts_with("TESSERA_") && !KNOWN.contains(&k.as_str()))
        {
            return Err(ConfigError::Unknown(k.clone()));
        }
        let text = |k: &str| {
            vars.get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let env = match text("TESSERA_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(invalid(
                    "TESSERA_ENV",
                    format!("expected development or production, got {other}"),
                ));
            }
        };
        Ok(Settings {
            env,
            bind: text("TESSERA_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url: text("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://tessera.db?mode=rwc".into()),
            db_max_connections: number(&vars, "TESSERA_DB_MAX_CONNECTIONS", 10)?,
            jwt_secret: text("TESSERA_JWT_SECRET"),
            hmac_key: text("TESSERA_HMAC_KEY"),
            license_signing_key: text("TESSERA_LICENSE_SIGNING_KEY"),
            license_ttl_days: positive(&vars, "TESSERA_LICENSE_TTL_DAYS", 30)?,
            access_token_ttl_secs: number(&vars, "TESSERA_ACCESS_TOKEN_TTL_SECS", 900)?,
            refresh_token_ttl_days: number(&vars, "TESSERA_REFRESH_TOKEN_TTL_DAYS", 30)?,
            login_rate_limit: number(&vars, "TESSERA_LOGIN_RATE_LIMIT", 30)?,
            activate_rate_limit: number(&vars, "TESSERA_ACTIVATE_RATE_LIMIT", 60)?,
            metrics_interval_secs: number(&vars, "TESSERA_METRICS_INTERVAL_SECS", 300)?,
            live_feed_ping_secs: positive(&vars, "TESSERA_LIVE_FEED_PING_SECS", 30)?.unsigned_abs(),
            bootstrap_admin_email: text("TESSERA_BOOTSTRAP_ADMIN_EMAIL"),
            bootstrap_admin_password: text("TESSERA_BOOTSTRAP_ADMIN_PASSWORD"),
            cors_origins: text("TESSERA_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            static_dir: text("TESSERA_STATIC_DIR").map(PathBuf::from),
            max_body_bytes: number(&vars, "TESSERA_MAX_BODY_BYTES", 1024 * 1024)?,
            log: text("TESSERA_LOG").unwrap_or_else(|| "info".into()),
            low_balance_cents: number(&vars, "TESSERA_LOW_BALANCE_CENTS", 1000)?,
            stripe_secret_key: text("TESSERA_STRIPE_SECRET_KEY"),
            stripe_webhook_secret: text("TESSERA_STRIPE_WEBHOOK_SECRET"),
            stripe_api_base: url(&vars, "TESSERA_STRIPE_API_BASE", "https://api.stripe.com")?,
            public_url: url(&vars, "TESSERA_PUBLIC_URL", "http://127.0.0.1:8080")?,
            smtp_url: smtp_url(text("TESSERA_SMTP_URL"))?,
            smtp_ca_file: text("TESSERA_SMTP_CA_FILE").map(PathBuf::from),
            mail_from: text("TESSERA_MAIL_FROM")
                .unwrap_or_else(|| "Tessera <no-reply@tessera.local>".into()),
            mail_retry_secs: positive(&vars, "TESSERA_MAIL_RETRY_SECS", 30)? as u64,
        })
    }

    /// True when missing secrets must stop the server instead of being generated.
    pub fn is_production(&self) -> bool {
        self.env == Environment::Production
    }
}

fn invalid(key: &str, message: String) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message,
    }
}

/// An http(s) URL without its trailing slash, so paths can be appended.
fn url(vars: &BTreeMap<String, String>, key: &str, default: &str) -> Result<String, ConfigError> {
    let v = vars
        .get(key)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .unwrap_or(default);
    if !(v.starts_with("http://") || v.starts_with("https://")) {
        return Err(invalid(key, format!("expected an http(s) URL, got {v}")));
    }
    Ok(v.trim_end_matches('/').to_owned())
}

/// An `smtp://` or `smtps://` URL. The value is never echoed: it may hold a password.
fn smtp_url(v: Option<String>) -> Result<Option<String>, ConfigError> {
    match v {
        Some(v) if !(v.starts_with("smtp://") || v.starts_with("smtps://")) => Err(invalid(
            "TESSERA_SMTP_URL",
            "expected an smtp:// or smtps:// URL".into(),
        )),
        v => Ok(v),
    }
}

fn number<T: std::str::FromStr>(
    vars: &BTreeMap<String, String>,
    key: &str,
    default: T,
) -> Result<T, ConfigError> {
    match vars.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| invalid(key, format!("expected a number, got {v:?}"))),
    }
}

/// A number that must be at least 1 (a lifetime of zero days would issue dead licenses).
fn positive(vars: &BTreeMap<String, String>, key: &str, default: i64) -> Result<i64, ConfigError> {
    let n = number(vars, key, default)?;
    if n < 1 {
        return Err(invalid(key, format!("must be at least 1, got {n}")));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn defaults_are_safe_for_local_use() {
        let s = Settings::from_vars(vars(&[])).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert!(s.database_url.starts_with("sqlite://"));
        assert_eq!(s.env, Environment::Development);
        assert_eq!(s.access_token_ttl_secs, 900);
        assert_eq!(s.db_max_connections, 10);
    }

    #[test]
    fn unknown_tessera_keys_are_refused() {
        let err = Settings::from_vars(vars(&[("TESSERA_BINDD", "x")])).unwrap_err();
        assert!(matches!(err, ConfigError::Unknown(k) if k == "TESSERA_BINDD"));
    }

    #[test]
    fn numbers_must_parse() {
        assert!(Settings::from_vars(vars(&[("TESSERA_LOGIN_RATE_LIMIT", "many")])).is_err());
        let s = Settings::from_vars(vars(&[("TESSERA_LOGIN_RATE_LIMIT", "5")])).unwrap();
        assert_eq!(s.login_rate_limit, 5);
    }

    #[test]
    fn license_lifetime_defaults_to_30_days_and_must_be_positive() {
        let s = Settings::from_vars(vars(&[])).unwrap();
        assert_eq!(s.license_ttl_days, 30);
        assert!(s.license_signing_key.is_none());
        assert!(Settings::from_vars(vars(&[("TESSERA_LICENSE_TTL_DAYS", "0")])).is_err());
        let s = Settings::from_vars(vars(&[("TESSERA_LICENSE_TTL_DAYS", "7")])).unwrap();
        assert_eq!(s.license_ttl_days, 7);
    }

    #[test]
    fn cors_origins_are_split_on_commas() {
        let s = Settings::from_vars(vars(&[(
            "TESSERA_CORS_ORIGINS",
            "http://a.test, http://b.test",
        )]))
        .unwrap();
        assert_eq!(s.cors_origins, vec!["http://a.test", "http://b.test"]);
    }

    #[test]
    fn smtp_is_off_by_default_and_its_url_is_not_echoed() {
        let s = Settings::from_vars(vars(&[])).unwrap();
        assert!(s.smtp_url.is_none());
        assert_eq!(s.mail_from, "Tessera <no-reply@tessera.local>");
        assert_eq!(s.mail_retry_secs, 30);
        let err = Settings::from_vars(vars(&[("TESSERA_SMTP_URL", "http://u:hunter2@x")]))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        let s = Settings::from_vars(vars(&[("TESSERA_SMTP_URL", "smtps://u:p@mail.test:465")]))
            .unwrap();
        assert_eq!(s.smtp_url.as_deref(), Some("smtps://u:p@mail.test:465"));
        assert!(Settings::from_vars(vars(&[("TESSERA_MAIL_RETRY_SECS", "0")])).is_err());
    }

    #[test]
    fn urls_must_be_http_and_lose_their_trailing_slash() {
        let s = Settings::from_vars(vars(&[("TESSERA_PUBLIC_URL", "https://app.test/")])).unwrap();
        assert_eq!(s.public_url, "https://app.test");
        assert!(Settings::from_vars(vars(&[("TESSERA_STRIPE_API_BASE", "ftp://x")])).is_err());
    }
}
