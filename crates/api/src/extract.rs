//! Turns the framework's own failures (bad JSON, bad query or path values, unknown
//! routes, wrong methods, oversized bodies) into problem+json, so no client ever sees
//! text/plain or an empty error body.

use actix_web::dev::{ResourceDef, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpRequest, web};
use tessera_domain::FieldError;

use crate::error::{ApiError, PROBLEM_JSON, problem, problem_response};

/// JSON body settings: size limit and problem+json errors.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req: &HttpRequest| json_error(err).into())
}

/// Query string errors as 422 problem+json.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req: &HttpRequest| query_error(err).into())
}

/// Path parameter errors as 404 problem+json: a malformed id names nothing that exists.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req: &HttpRequest| path_error(err).into())
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("the request body is larger than {limit} bytes"),
        ),
        JsonPayloadError::ContentType => ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the body as application/json",
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::validation(vec![serde_field_error(&e.to_string())])
        }
        JsonPayloadError::Deserialize(e) => ApiError::client(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            format!("the body is not valid JSON: {e}"),
        ),
        other => ApiError::client(StatusCode::BAD_REQUEST, "BAD_REQUEST", other.to_string()),
    }
}

fn query_error(err: QueryPayloadError) -> ApiError {
    let QueryPayloadError::Deserialize(e) = err else {
        return ApiError::client(StatusCode::BAD_REQUEST, "INVALID_QUERY", err.to_string());
    };
    let mut fe = serde_field_error(&e.to_string());
    if fe.field == "body" {
        fe.field = "query".into();
    }
    ApiError::validation(vec![fe])
}

fn path_error(err: PathError) -> ApiError {
    ApiError::not_found("NOT_FOUND", format!("no such resource ({err})"))
}

/// Names the offending field from a serde message where it says which one.
fn serde_field_error(msg: &str) -> FieldError {
    let quoted = msg.split('`').nth(1).map(str::to_owned);
    let field = if msg.starts_with("missing field") || msg.starts_with("unknown field") {
        quoted.clone()
    } else {
        None
    };
    let message = msg.split(" at line ").next().unwrap_or(msg).to_owned();
    FieldError::new(field.unwrap_or_else(|| "body".into()), message)
}

/// Rewrites any error response that is not already problem+json (routing 404s, 405s,
/// framework errors) into one, keeping its status.
pub fn problem_fallback<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_problem = res
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(PROBLEM_JSON));
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (code, detail) = match status {
            StatusCode::NOT_FOUND => (
                "NOT_FOUND",
                format!("no route for {}", res.request().path()),
            ),
            StatusCode::METHOD_NOT_ALLOWED => (
                "METHOD_NOT_ALLOWED",
                format!(
                    "{} is not allowed on {}",
                    res.request().method(),
                    res.request().path()
                ),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "PAYLOAD_TOO_LARGE",
                "the request body is too large".to_owned(),
            ),
            s if s.is_server_error() => (
                "INTERNAL_ERROR",
                "Something went wrong on our side; it has been logged.".into(),
            ),
            s => (
                "BAD_REQUEST",
                s.canonical_reason().unwrap_or("bad request").to_owned(),
            ),
        };
        let body = problem(status, code, detail, None);
        let (req, _) = res.into_parts();
        let res =
            ServiceResponse::new(req, problem_response(&body, None)).map_into_right_body::<B>();
        Ok(ErrorHandlerResponse::Response(res))
    })
}

/// Which methods each documented path answers, so an unmatched method on a known path
/// gets 405 with `Allow` instead of actix's 404 (its method guards make the route not match).
pub struct MethodTable(Vec<(ResourceDef, String)>);

impl MethodTable {
    /// Built once at start from the OpenAPI document.
    pub fn from_document(doc: &utoipa::openapi::OpenApi) -> Self {
        let rows = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let item = serde_json::to_value(item).unwrap_or_default();
                let methods: Vec<String> = ["get", "put", "post", "delete", "patch"]
                    .iter()
                    .filter(|m| item.get(**m).is_some())
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                (ResourceDef::new(path.as_str()), methods.join(", "))
            })
            .collect();
        Self(rows)
    }

    /// The `Allow` value for a path that exists, or `None`.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, m)| m.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_missing_and_unknown_fields() {
        assert_eq!(
            serde_field_error("missing field `email` at line 1 column 2").field,
            "email"
        );
        assert_eq!(
            serde_field_error("unknown field `emial`, expected one of").field,
            "emial"
        );
        let fe =
            serde_field_error("invalid type: integer `1`, expected a string at line 1 column 9");
        assert_eq!(fe.field, "body");
        assert_eq!(fe.message, "invalid type: integer `1`, expected a string");
    }
}
