//! Building and running the server: database, keys, start-up data, routes, middleware.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_files::{Files, NamedFile};
use actix_web::dev::Server;
use actix_web::http::{StatusCode, header};
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, Responder, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::JwtKeys;
use crate::auth::tokens::TokenHasher;
use crate::bootstrap::{self, CreatedAdmin};
use crate::caching::{cache_control, is_api_path};
use crate::config::Settings;
use crate::error::{ApiError, problem, problem_response};
use crate::extract::{
    MethodTable, json_config, limit_body_time, method_not_allowed, path_config, problem_fallback,
    query_config,
};
use crate::openapi::ApiDoc;
use crate::payments::PaymentProvider;
use crate::rate_limit::RateLimiter;
use crate::state::AppState;
use crate::{db, license, lookup, routes, secrets};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A key was missing or could not be stored.
    #[error(transparent)]
    Secret(#[from] secrets::SecretError),
    /// Start-up data could not be written.
    #[error("start-up data: {0}")]
    Bootstrap(#[from] ApiError),
    /// The address could not be bound.
    #[error("cannot listen on {0}")]
    Bind(String, #[source] std::io::Error),
    /// `TESSERA_SMTP_URL` or `TESSERA_MAIL_FROM` is unusable.
    #[error("mail: {0}")]
    Mail(String),
    /// The payment provider's HTTPS client could not be built.
    #[error("payment provider client: {0}")]
    Payments(#[from] reqwest::Error),
}

/// A built server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    /// The first super admin, when this start created one (the password is shown once).
    pub created_admin: Option<CreatedAdmin>,
    /// The state shared by the handlers.
    pub state: AppState,
    /// On PostgreSQL, the live feed's relay to the other replicas (started with the server).
    relay: Option<crate::events::Relay>,
    /// The SMTP sender of the outbox, when `TESSERA_SMTP_URL` is set (started with the server).
    mail: Option<crate::mail_delivery::Delivery>,
}

impl Application {
    /// Connects, migrates, loads keys, ensures start-up data and binds the listener.
    ///
    /// # Errors
    /// See [`StartupError`].
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db = db::connect(&settings.database_url, settings.db_max_connections).await?;
        db::migrate(&db).await?;
        let prod = settings.is_production();
        let jwt = secrets::load_or_create(
            &db,
            "jwt",
            "TESSERA_JWT_SECRET",
            settings.jwt_secret.as_deref(),
            prod,
        )
        .await?;
        let hmac = secrets::load_or_create(
            &db,
            "hmac",
            "TESSERA_HMAC_KEY",
            settings.hmac_key.as_deref(),
            prod,
        )
        .await?;
        let license = license::load(&db, &settings).await?;
        let mail =
            crate::mail_delivery::Delivery::from_settings(&settings).map_err(StartupError::Mail)?;
        let created_admin = bootstrap::run(&db, &settings).await?;
        let system_tenant_id = lookup::tenant_by_ref(&db, tessera_domain::plan::SYSTEM_TENANT)
            .await?
            .map(|t| t.id)
            .ok_or_else(|| ApiError::Internal("the system tenant is missing".into()))?;
        let state = AppState {
            db,
            jwt: Arc::new(JwtKeys::new(&jwt, settings.access_token_ttl_secs)),
            hasher: Arc::new(TokenHasher::new(hmac)),
            limiter: Arc::new(RateLimiter::default()),
            license: Arc::new(license),
            system_tenant_id,
            telemetry: Arc::default(),
            events: Arc::default(),
            activity: Arc::default(),
            snapshots: Arc::default(),
            mail_queued: Arc::default(),
            payments: PaymentProvider::from_settings(&settings)?.map(Arc::new),
            usage_permits: Arc::new(tokio::sync::Semaphore::new(db::pool_size(
                &settings.database_url,
                settings.db_max_connections,
            ) as usize)),
            settings: Arc::new(settings),
        };
        // Listening before the port is bound: a replica that answers its health check
        // already receives the other replicas' live events.
        let relay = match state.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => Some(
                crate::events::Relay::connect(
                    state.events.clone(),
                    state.db.get_postgres_connection_pool().clone(),
                    &state.settings.database_url,
                    Duration::from_secs(state.settings.live_feed_ping_secs),
                )
                .await,
            ),
            _ => None,
        };
        let bind = state.settings.bind.clone();
        let listener = TcpListener::bind(&bind).map_err(|e| StartupError::Bind(bind.clone(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartupError::Bind(bind.clone(), e))?
            .port();
        let server = server(listener, state.clone()).map_err(|e| StartupError::Bind(bind, e))?;
        Ok(Self {
            port,
            server,
            created_admin,
            state,
            relay,
            mail,
        })
    }

    /// The bound port (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop.
    ///
    /// # Errors
    /// The server failed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        crate::jobs::spawn_metrics_schedule(self.state.clone());
        if let Some(relay) = self.relay {
            relay.spawn();
        }
        if let Some(mail) = self.mail {
            mail.spawn(self.state.clone());
        }
        self.server.await
    }
}

fn server(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    let data = web::Data::new(state.clone());
    let settings = state.settings.clone();
    let methods = web::Data::new(MethodTable::from_document(&crate::openapi::document()));
    let server = HttpServer::new(move || {
        let (app, api) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(routes::configure)
            .split_for_parts();
        let static_dir = settings.static_dir.clone();
        app.app_data(data.clone())
            .app_data(methods.clone())
            .app_data(json_config(settings.max_body_bytes))
            .app_data(query_config())
            .app_data(path_config())
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .url("/api-docs/openapi.json", crate::openapi::finish(api)),
            )
            .configure(move |cfg| {
                if let Some(dir) = static_dir {
                    cfg.service(
                        Files::new("/", dir)
                            .index_file("index.html")
                            .default_handler(web::to(fallback)),
                    );
                }
            })
            .default_service(web::to(fallback))
            .wrap_fn(limit_body_time)
            .wrap(cors(&settings.cors_origins))
            // Outside CORS, so a refused preflight is problem+json too.
            .wrap(problem_fallback())
            .wrap(security_headers())
            .wrap_fn(cache_control)
            // Outermost, so it sees every answer as the client does.
            .wrap_fn(measure)
    })
    // actix's defaults, stated: a client gets 5 s to send its request head (then 408 and
    // the connection closes) and an idle keep-alive connection is closed after 5 s, so
    // slow or silent clients cannot pile up connections. Bodies: `limit_body_time`.
    .client_request_timeout(Duration::from_secs(5))
    .keep_alive(Duration::from_secs(5))
    .listen(listener)?
    .run();
    Ok(server)
}

/// Unknown API paths are problem+json 404s (405 when only the method is wrong); any other
/// path is the SPA's (client-side routing).
async fn fallback(
    req: HttpRequest,
    state: web::Data<AppState>,
    methods: web::Data<MethodTable>,
) -> HttpResponse {
    let path = req.path();
    if let Some(allow) = methods.allowed(path) {
        return method_not_allowed(req.method(), path, allow);
    }
    if let (false, Some(dir)) = (is_api_path(path), state.settings.static_dir.as_ref())
        && let Ok(index) = NamedFile::open(dir.join("index.html"))
    {
        return index.respond_to(&req).map_into_boxed_body();
    }
    problem_response(
        &problem(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("no route for {path}"),
            None,
        ),
        None,
    )
}

/// Records each request's route pattern, status and time in the server's telemetry.
fn measure<S, B>(
    req: actix_web::dev::ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>>
+ use<S, B>
where
    S: actix_web::dev::Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
{
    let started = std::time::Instant::now();
    let telemetry = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.telemetry.clone());
    let method = req.method().to_string();
    let fut = srv.call(req);
    async move {
        let res = fut.await?;
        if let Some(t) = telemetry {
            let route = res
                .request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".into());
            t.record(&method, &route, res.status().as_u16(), started.elapsed());
        }
        Ok(res)
    }
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .allowed_header("Idempotency-Key")
        .expose_headers([header::RETRY_AFTER])
        .max_age(3600);
    for o in origins {
        cors = cors.allowed_origin(o);
    }
    cors
}

fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
}
