//! Test support: start the real server on port 0 against a fresh database, and typed
//! helpers for each API call.

use std::sync::Arc;

use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tessera_api::{Application, Settings};
use tessera_domain::Problem;
use tessera_domain::auth::TokenResponse;
use uuid::Uuid;

pub mod billing;
pub mod browser;
pub mod licensing;
pub mod people;
pub mod process;
pub mod smtp;

/// A local port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The bootstrap super admin every test server starts with.
pub const ADMIN_EMAIL: &str = "admin@tessera.test";
/// Their password.
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh database on the PostgreSQL server at this URL.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL when `TESSERA_TEST_DATABASE_URL` is set.
    pub fn postgres() -> Option<Backend> {
        std::env::var("TESSERA_TEST_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty())
            .map(Backend::Postgres)
    }
}

/// Generates a `sqlite` and a `postgres` test for each named `async fn(Backend)`.
/// The PostgreSQL variant runs when `TESSERA_TEST_DATABASE_URL` is set (CI sets it).
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::Backend::postgres() {
                    Some(b) => super::$name(b).await,
                    None => eprintln!("PostgreSQL variant not run: TESSERA_TEST_DATABASE_URL is not set"),
                }
            }
        }
    )*};
}

/// A database made for one test and removed after it.
struct TestDb {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    async fn create(backend: &Backend) -> TestDb {
        let id = Uuid::new_v4().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("tessera-test-{id}.db"));
                TestDb {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres(admin_url) => {
                let name = format!("t_{id}");
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .expect("connect to TESSERA_TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                TestDb {
                    url: format!("{base}/{name}"),
                    cleanup: Cleanup::Postgres {
                        admin_url: admin_url.clone(),
                        name,
                    },
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; a fresh thread gets its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let admin = Database::connect(url.as_str()).await.ok()?;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await
                            .ok()?;
                        admin.close().await.ok()
                    })
                })
                .join();
            }
        }
    }
}

/// A running server and a client for it.
#[derive(Clone)]
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The server's port.
    pub port: u16,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The database URL the server uses.
    pub database_url: String,
    _db: Arc<TestDb>,
}

/// Starts a server with the default test settings.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// Starts a server with some settings overridden (`("TESSERA_LOGIN_RATE_LIMIT", "3")`).
pub async fn spawn_app_with(backend: Backend, overrides: &[(&str, &str)]) -> TestApp {
    let db = Arc::new(TestDb::create(&backend).await);
    start(db, overrides).await
}

/// Starts a server on `db` with the test settings and `overrides`.
async fn start(db: Arc<TestDb>, overrides: &[(&str, &str)]) -> TestApp {
    let mut vars: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), db.url.clone()),
        ("TESSERA_BIND".into(), "127.0.0.1:0".into()),
        ("TESSERA_BOOTSTRAP_ADMIN_EMAIL".into(), ADMIN_EMAIL.into()),
        (
            "TESSERA_BOOTSTRAP_ADMIN_PASSWORD".into(),
            ADMIN_PASSWORD.into(),
        ),
        ("TESSERA_LOGIN_RATE_LIMIT".into(), "10000".into()),
        ("TESSERA_ACTIVATE_RATE_LIMIT".into(), "10000".into()),
        ("TESSERA_DB_MAX_CONNECTIONS".into(), "8".into()),
        ("TESSERA_LOG".into(), "warn".into()),
    ];
    for (k, v) in overrides {
        vars.retain(|(name, _)| name != k);
        vars.push(((*k).into(), (*v).into()));
    }
    let settings = Settings::from_vars(vars).expect("test settings");
    let app = Application::build(settings).await.expect("server starts");
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: client(),
        database_url: db.url.clone(),
        _db: db,
    }
}

/// The HTTP client tests use.
fn client() -> reqwest::Client {
    tessera_api::payments::install_tls_backend();
    reqwest::Client::new()
}

impl TestApp {
    /// A second server process on the same database (a replica).
    pub async fn replica(&self, overrides: &[(&str, &str)]) -> TestApp {
        start(self._db.clone(), overrides).await
    }
}

/// An answer read whole, for tests that collect every failure instead of stopping at
/// the first.
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The `Content-Type` header, or empty.
    pub content_type: String,
    /// The body as text.
    pub text: String,
    /// The problem `code`, or empty when the body is not a problem.
    pub code: String,
}

impl Answer {
    /// Reads status, content type and body.
    pub async fn read(res: Response) -> Answer {
        let status = res.status().as_u16();
        let content_type = content_type(&res);
        let text = res.text().await.unwrap_or_default();
        let code = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_owned))
            .unwrap_or_default();
        Answer {
            status,
            content_type,
            text,
            code,
        }
    }

    /// True for problem+json with this status and code.
    pub fn is_problem(&self, status: u16, code: &str) -> bool {
        self.status == status
            && self.code == code
            && self.content_type.starts_with("application/problem+json")
    }
}

fn content_type(res: &Response) -> String {
    res.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Asserts a problem+json answer with this status and code, and returns it.
pub async fn assert_problem(res: Response, status: u16, code: &str) -> Problem {
    assert_eq!(res.status().as_u16(), status, "status for expected {code}");
    let ct = content_type(&res);
    assert!(
        ct.starts_with("application/problem+json"),
        "content-type was {ct:?}"
    );
    let p: Problem = res.json().await.expect("problem body");
    assert_eq!(p.code, code, "problem: {p:?}");
    assert_eq!(p.status, status);
    assert!(!p.detail.is_empty());
    p
}

/// Reads a JSON body after asserting the status.
pub async fn json_ok<T: DeserializeOwned>(res: Response, status: u16) -> T {
    let got = res.status();
    let text = res.text().await.expect("body");
    assert_eq!(got.as_u16(), status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {text}: {e}"))
}

/// A unique suffix for names in one test.
pub fn unique() -> String {
    Uuid::new_v4().simple().to_string()[..8].to_owned()
}

impl TestApp {
    /// `GET` with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut req = self.client.get(format!("{}{path}", self.address));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    /// `POST` a JSON body with an optional bearer token.
    pub async fn post<B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
        token: Option<&str>,
    ) -> Response {
        let mut req = self
            .client
            .post(format!("{}{path}", self.address))
            .json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request")
    }

    /// `POST` raw bytes with a content type.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.client
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// Signs up an organisation; returns its org_admin's tokens.
    pub async fn register(&self, slug: &str, email: &str, username: &str) -> TokenResponse {
        let res = self.register_raw(slug, email, username).await;
        json_ok(res, 201).await
    }

    /// Signs up an organisation and returns the raw answer.
    pub async fn register_raw(&self, slug: &str, email: &str, username: &str) -> Response {
        self.post(
            "/api/auth/register",
            &json!({"organization_name": format!("Org {slug}"), "slug": slug, "email": email,
                    "username": username, "password": "correct-horse-1"}),
            None,
        )
        .await
    }

    /// `POST /api/auth/login`.
    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.post(
            "/api/auth/login",
            &json!({"login": login, "password": password}),
            None,
        )
        .await
    }

    /// Signs in as the bootstrap super admin.
    pub async fn admin_tokens(&self) -> TokenResponse {
        json_ok(self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await, 200).await
    }

    /// `POST /api/auth/refresh`.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post(
            "/api/auth/refresh",
            &json!({"refresh_token": refresh_token}),
            None,
        )
        .await
    }

    /// `POST /api/auth/logout`.
    pub async fn logout(&self, refresh_token: &str) -> Response {
        self.post(
            "/api/auth/logout",
            &json!({"refresh_token": refresh_token}),
            None,
        )
        .await
    }

    /// `GET /api/auth/me`.
    pub async fn me(&self, token: &str) -> Response {
        self.get("/api/auth/me", Some(token)).await
    }

    /// `POST /api/auth/otp/request`.
    pub async fn otp_request(&self, tenant: &str, email: &str) -> Response {
        self.post(
            "/api/auth/otp/request",
            &json!({"tenant": tenant, "email": email}),
            None,
        )
        .await
    }

    /// `POST /api/auth/otp/verify`.
    pub async fn otp_verify(&self, tenant: &str, email: &str, otp: &str) -> Response {
        self.post(
            "/api/auth/otp/verify",
            &json!({"tenant": tenant, "email": email, "otp": otp}),
            None,
        )
        .await
    }

    /// The outbox messages to one address, newest first (as the super admin).
    pub async fn outbox_for(&self, to: &str) -> Vec<Value> {
        let admin = self.admin_tokens().await;
        let page: Value = json_ok(
            self.get(
                &format!("/admin/api/outbox?to={to}"),
                Some(&admin.access_token),
            )
            .await,
            200,
        )
        .await;
        page["items"].as_array().cloned().unwrap_or_default()
    }

    /// The six-digit code in the newest outbox message to `to`.
    pub async fn latest_otp(&self, to: &str) -> String {
        let items = self.outbox_for(to).await;
        let body = items
            .first()
            .and_then(|m| m["body"].as_str())
            .expect("an OTP mail")
            .to_owned();
        body.split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .expect("a six-digit code in the mail")
            .to_owned()
    }
}

/// Shorthand for status comparisons.
pub fn status(res: &Response) -> StatusCode {
    res.status()
}
