//! Every route, wired in one place.

pub mod auth;
pub mod health;
pub mod outbox;
pub mod plans;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route (utoipa-actix-web collects them into the OpenAPI document).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::get_health)
        .service(plans::list_plans)
        .service(auth::register_organization)
        .service(auth::login)
        .service(auth::refresh_tokens)
        .service(auth::logout)
        .service(auth::get_me)
        .service(auth::request_otp)
        .service(auth::verify_otp)
        .service(outbox::list_outbox);
}
