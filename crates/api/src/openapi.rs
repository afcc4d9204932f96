//! The OpenAPI document: collected from the routes by utoipa-actix-web, so no route can
//! be served without being documented.

use actix_web::App;
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Object, Ref, RefOr, Response, ResponseBuilder, Schema, Type};
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
    finish(doc)
}

/// The media type of problem documents.
const PROBLEM_JSON: &str = crate::error::PROBLEM_JSON;

/// Completes the collected document with what the server does for every operation, so
/// handlers document only their own outcomes:
///
/// - every error body is `application/problem+json` (the handlers' annotations say
///   `body = Problem`, which utoipa renders as `application/json`);
/// - a bearer-secured operation can answer 401 (the `AuthUser` extractor);
/// - an operation with a body can answer 413 (too large); one read by the JSON extractor
///   also 400 (malformed JSON), 415 (not JSON) and 422 (wrong field types), see
///   `extract::json_config`;
/// - an operation with query parameters can answer 422 (unknown or ill-typed parameters);
/// - an operation with path parameters can answer 404 (a malformed id names nothing);
/// - 429 answers carry `Retry-After` (`ApiError::too_many`).
///
/// The server builds its Swagger UI document with this too.
pub fn finish(mut doc: Document) -> Document {
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            complete_operation(op);
        }
    }
    doc
}

/// Operations that read their body as bytes (to check a signature over it), not through
/// the JSON extractor: they never answer 415 and report bad JSON themselves.
const RAW_BODY_OPERATIONS: [&str; 1] = ["receive_stripe_webhook"];

/// Operations answered without the database, so never with 503.
const NO_DATABASE_OPERATIONS: [&str; 1] = ["get_license_public_key"];

fn complete_operation(op: &mut Operation) {
    let params_in = |place: ParameterIn| {
        op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => p.parameter_in == place,
            RefOr::Ref(_) => false,
        })
    };
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_query = params_in(ParameterIn::Query);
    let has_path = params_in(ParameterIn::Path);
    let has_body = op.request_body.is_some();
    let raw_body = op
        .operation_id
        .as_deref()
        .is_some_and(|id| RAW_BODY_OPERATIONS.contains(&id));
    let needs_database = !op
        .operation_id
        .as_deref()
        .is_some_and(|id| NO_DATABASE_OPERATIONS.contains(&id));
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem_response(description));
    };
    if secured {
        add("401", "Not signed in, or the token is not valid");
    }
    if has_body {
        add("413", "The body is larger than the server accepts");
    }
    if has_body && !raw_body {
        add("400", "The body is not valid JSON");
        add("415", "The body is not `application/json`");
        add("422", "Invalid fields");
    }
    if has_query {
        add("422", "Unknown or invalid query parameters");
    }
    if has_path {
        add("404", "No such resource (or a malformed id)");
    }
    if needs_database {
        add("503", "The database is unavailable; retry later");
    }
    for (status, response) in &mut op.responses.responses {
        let RefOr::T(response) = response else {
            continue;
        };
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        response.content = std::mem::take(&mut response.content)
            .into_iter()
            .map(|(media, content)| {
                if media == "application/json" && is_problem(&content) {
                    (PROBLEM_JSON.to_owned(), content)
                } else {
                    (media, content)
                }
            })
            .collect();
        if status == "429" && response.content.contains_key(PROBLEM_JSON) {
            response
                .headers
                .entry("Retry-After".to_owned())
                .or_insert_with(|| {
                    RefOr::T(
                        HeaderBuilder::new()
                            .schema(Some(Object::with_type(Type::Integer)))
                            .description(Some("Seconds to wait before trying again"))
                            .build(),
                    )
                });
        }
    }
}

fn problem_response(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, Content::new(Some(problem_ref())))
        .into()
}

fn problem_ref() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name("Problem"))
}

fn is_problem(content: &RefOr<Content>) -> bool {
    matches!(content, RefOr::T(c) if c.schema == Some(problem_ref()))
}

/// The document as YAML (what `tessera openapi` prints and `openapi.yaml` holds).
///
/// # Errors
/// Serialisation failed.
pub fn to_yaml() -> Result<String, String> {
    document().to_yaml().map_err(|e| e.to_string())
}
