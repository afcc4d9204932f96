//! The OpenAPI document: collected from the routes by utoipa-actix-web, so no route can
//! be served without being documented.

use actix_web::App;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::routes;

/// Document-level metadata; paths and schemas are added by the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tessera API",
        description = "Multi-tenant SaaS operations: tenants and plans, activation codes and devices, \
worklogs, billing reserves, LLM prompts and metrics.\n\n\
Errors are RFC 7807 `application/problem+json` documents with a stable `code`. \
Validation failures are 422 with one `errors` entry per field. \
Admin tables page with `?page=&per_page=` (max 200); feeds use `?cursor=` and return `next_cursor`. \
Times are RFC 3339 UTC, money is integer cents, ids are UUIDs.",
        license(name = "AGPL-3.0-only")
    ),
    modifiers(&BearerAuth),
    components(schemas(
        tessera_domain::Problem,
        tessera_domain::FieldError,
        // The payload of license tokens: not a request or response body, but what devices
        // decode after verifying a license offline.
        tessera_domain::license::LicenseClaims,
        tessera_domain::license::Entitlements,
    )),
    tags(
        (name = "auth", description = "Sign-up, sign-in, sessions and one-time codes"),
        (name = "plans", description = "The price list"),
        (name = "admin", description = "Platform staff operations"),
        (name = "system", description = "Health and operations"),
        (name = "tenants", description = "Tenants, their subscription history and deletion"),
        (name = "codes", description = "Activation codes: generate (plaintext shown once), list, revoke"),
        (name = "devices", description = "Activated devices: list and revoke"),
        (name = "licensing", description = "Public device endpoints: activation, the license key, license validation"),
        (name = "dashboard", description = "The staff dashboard's key figures"),
        (name = "worklogs", description = "Time entries, the timeline, suggestions and export"),
        (name = "users", description = "User management for staff and org admins"),
        (name = "audit", description = "The audit trail of admin changes"),
        (name = "billing", description = "Prepaid reserves: ledger, adjustments, top-ups, provider webhooks"),
        (name = "usage", description = "Usage events and daily rollups"),
        (name = "llm", description = "The system prompt, projects and agent prompts (staff)"),
        (name = "metrics", description = "Executive and operational metrics, thresholds and alerts"),
        (name = "projects", description = "A tenant's own projects, activated with a code"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "license",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "A device license from activation, sent as `License <token>`",
            ))),
        );
    }
}

/// The full document, exactly as `/api-docs/openapi.json` serves it.
pub fn document() -> Document {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    doc
}

/// The document as YAML (what `tessera openapi` prints and `openapi.yaml` holds).
///
/// # Errors
/// Serialisation failed.
pub fn to_yaml() -> Result<String, String> {
    document().to_yaml().map_err(|e| e.to_string())
}
