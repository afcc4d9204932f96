//! The one error type of the API and its RFC 7807 problem+json rendering.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::{DbErr, RuntimeErr, SqlErr};
use tessera_domain::{FieldError, Problem};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A failure the caller can act on (4xx), with a stable code.
    #[error("{code}: {detail}")]
    Client {
        /// HTTP status.
        status: StatusCode,
        /// Stable UPPER_SNAKE code.
        code: &'static str,
        /// What went wrong, for people.
        detail: String,
        /// Per-field errors for validation failures.
        errors: Option<Vec<FieldError>>,
        /// Seconds for `Retry-After` (429 only).
        retry_after: Option<u64>,
    },
    /// The database could not be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A service we call (the payment provider) failed; the cause is logged, not shown.
    #[error("{code}: {cause}")]
    Upstream {
        /// Stable UPPER_SNAKE code.
        code: &'static str,
        /// What the service answered, for the log.
        cause: String,
    },
    /// Anything else: logged, answered with a body that reveals nothing.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Shorthand for handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A 4xx failure with a stable code.
    pub fn client(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Client {
            status,
            code,
            detail: detail.into(),
            errors: None,
            retry_after: None,
        }
    }

    /// 422 with one entry per invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{} {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::Client {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "VALIDATION_FAILED",
            detail,
            errors: Some(errors),
            retry_after: None,
        }
    }

    /// 422 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    /// 404 with a code naming what was not found.
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::NOT_FOUND, code, detail)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 403: authenticated but not allowed.
    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::FORBIDDEN, code, detail)
    }

    /// 409: conflicts with the current state.
    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::CONFLICT, code, detail)
    }

    /// 429 with `Retry-After`.
    pub fn too_many(code: &'static str, detail: impl Into<String>, retry_after: u64) -> Self {
        ApiError::Client {
            status: StatusCode::TOO_MANY_REQUESTS,
            code,
            detail: detail.into(),
            errors: None,
            retry_after: Some(retry_after.max(1)),
        }
    }

    /// The stable code this error answers with.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Client { code, .. } => code,
            ApiError::Unavailable(_) => "DATABASE_UNAVAILABLE",
            ApiError::Upstream { code, .. } => code,
            ApiError::Internal(_) => "INTERNAL_ERROR",
        }
    }

    fn to_problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, errors) = match self {
            ApiError::Client { detail, errors, .. } => (detail.clone(), errors.clone()),
            ApiError::Unavailable(_) => (
                "The database is not answering; try again shortly.".into(),
                None,
            ),
            ApiError::Upstream { .. } => (
                "A service we depend on did not answer as expected; nothing was changed. Try again shortly.".into(),
                None,
            ),
            ApiError::Internal(_) => (
                "Something went wrong on our side; it has been logged.".into(),
                None,
            ),
        };
        problem(status, self.code(), detail, errors)
    }
}

/// Builds a problem document for `status` and `code`.
pub fn problem(
    status: StatusCode,
    code: &str,
    detail: String,
    errors: Option<Vec<FieldError>>,
) -> Problem {
    Problem {
        kind: format!("/problems/{}", code.to_ascii_lowercase().replace('_', "-")),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        code: code.to_owned(),
        errors,
    }
}

/// Renders a problem document as a response.
pub fn problem_response(p: &Problem, retry_after: Option<u64>) -> HttpResponse {
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
    if let Some(secs) = retry_after {
        res.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    res.body(serde_json::to_string(p).unwrap_or_default())
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Client { status, .. } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            ApiError::Upstream { code, cause } => tracing::warn!(%code, %cause, "upstream failed"),
            ApiError::Client { .. } => {}
        }
        let retry = match self {
            ApiError::Client { retry_after, .. } => *retry_after,
            ApiError::Unavailable(_) => Some(5),
            ApiError::Upstream { .. } | ApiError::Internal(_) => None,
        };
        problem_response(&self.to_problem(), retry)
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(msg)) = err.sql_err() {
            return ApiError::conflict(
                "CONFLICT",
                format!(
                    "a record with the same unique value exists ({})",
                    constraint_hint(&msg)
                ),
            );
        }
        if sqlstate(&err).as_deref() == Some(PG_CHARACTER_NOT_IN_REPERTOIRE) {
            // The database does not say which value it was: name the input as a whole.
            return ApiError::validation(vec![FieldError::new(
                "input",
                "text must not contain NUL (U+0000) characters",
            )]);
        }
        match &err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => ApiError::Unavailable(err.to_string()),
            DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e))
                if is_connection_error(&e.to_string()) =>
            {
                ApiError::Unavailable(err.to_string())
            }
            _ => ApiError::Internal(err.to_string()),
        }
    }
}

/// PostgreSQL's SQLSTATE for text it cannot store: NUL characters (SQLite stores them).
const PG_CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";

/// The SQLSTATE of a database's refusal, when it gave one.
fn sqlstate(err: &DbErr) -> Option<String> {
    match err {
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned()),
        _ => None,
    }
}

fn is_connection_error(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    [
        "connection refused",
        "pool timed out",
        "broken pipe",
        "connection reset",
        "io error",
        "closed",
    ]
    .iter()
    .any(|s| m.contains(s))
}

/// Names the constraint without leaking values.
fn constraint_hint(msg: &str) -> String {
    msg.split_whitespace()
        .find(|w| w.contains("idx_") || w.contains('.'))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '_' && c != '.')
                .to_owned()
        })
        .unwrap_or_else(|| "unique constraint".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_are_422_with_fields() {
        let e = ApiError::field("email", "must be a valid e-mail address");
        assert_eq!(e.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        let p = e.to_problem();
        assert_eq!(p.code, "VALIDATION_FAILED");
        assert_eq!(p.errors.unwrap()[0].field, "email");
    }

    #[test]
    fn internal_errors_reveal_nothing() {
        let p = ApiError::Internal("secret table xyz exploded".into()).to_problem();
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("xyz"));
    }

    #[test]
    fn problem_type_is_derived_from_the_code() {
        let p = problem(StatusCode::GONE, "CODE_EXPIRED", "x".into(), None);
        assert_eq!(p.kind, "/problems/code-expired");
        assert_eq!(p.title, "Gone");
    }
}
