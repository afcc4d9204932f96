//! Turns the framework's own failures (bad JSON, bad query or path values, unknown
//! routes, wrong methods, oversized bodies, refused CORS preflights) into problem+json, so
//! no client ever sees text/plain or an empty error body; and bounds how long a request
//! body may take to arrive.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::dev::{Payload, ResourceDef, Service, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::header::{self, CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use futures_util::Stream;
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
/// A fixed path taken by a templated sibling for a method it does not answer (`PATCH
/// /api/worklogs/export.csv` reaching `PATCH /api/worklogs/{id}`) is 405 with `Allow`.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req: &HttpRequest| {
        let allow = req
            .app_data::<web::Data<MethodTable>>()
            .and_then(|m| m.fixed(req.path()))
            .filter(|allow| !allow.split(", ").any(|m| m == req.method().as_str()));
        match allow {
            Some(allow) => {
                let res = method_not_allowed(req.method(), req.path(), allow);
                actix_web::error::InternalError::from_response(err, res).into()
            }
            None => path_error(err).into(),
        }
    })
}

/// 405 problem+json with `Allow`.
pub fn method_not_allowed(method: &Method, path: &str, allow: &str) -> HttpResponse {
    let detail = format!("{method} is not allowed on {path}; use {allow}");
    let mut res = problem_response(
        &problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            detail,
            None,
        ),
        None,
    );
    if let Ok(v) = header::HeaderValue::from_str(allow) {
        res.headers_mut().insert(header::ALLOW, v);
    }
    res
}

fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::Payload(PayloadError::Io(e))
            if e.kind() == std::io::ErrorKind::TimedOut =>
        {
            ApiError::client(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                "the request body did not arrive in time",
            )
        }
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
            // actix-cors answers a refused preflight with a bare 400 of its own.
            StatusCode::BAD_REQUEST if is_preflight(res.request()) => (
                "CORS_REJECTED",
                "this origin, method or header may not call the API from a browser".to_owned(),
            ),
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
        let (req, original) = res.into_parts();
        let mut answer = problem_response(&body, None);
        // Keep what outer layers already said (CORS, Allow, Vary); only the body changes.
        for (name, value) in original.headers() {
            if name != CONTENT_TYPE && name != CONTENT_LENGTH {
                answer.headers_mut().append(name.clone(), value.clone());
            }
        }
        let res = ServiceResponse::new(req, answer).map_into_right_body::<B>();
        Ok(ErrorHandlerResponse::Response(res))
    })
}

fn is_preflight(req: &HttpRequest) -> bool {
    req.method() == Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// Time a request body gets to arrive, before what its received bytes add (see below).
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The slowest body rate that never times out: one more second per this many bytes
/// received (Apache's `mod_reqtimeout` rule), so large bodies on slow links get through
/// while a client dripping a byte now and then is cut off.
const BODY_MIN_RATE_BYTES_PER_SEC: u64 = 500;

/// Middleware: a request body must arrive within [`BODY_TIMEOUT`], extended by one second
/// per 500 bytes received, counted from when the handler starts reading it (a handler that
/// waits for its turn first, like usage ingest, does not spend the client's time).
/// actix's `client_request_timeout` covers only the head, so without this a client that
/// sends a head and then stalls mid-body holds its connection (and a waiting handler)
/// forever. A late body fails its extractor: 408 for JSON.
pub fn limit_body_time<S, B>(mut req: ServiceRequest, srv: &S) -> S::Future
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let payload = req.take_payload();
    if !matches!(payload, Payload::None) {
        let timed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(BodyDeadline {
                inner: payload,
                timer: None,
                expired: false,
            });
        req.set_payload(Payload::from(timed));
    }
    srv.call(req)
}

/// A body stream that fails with `TimedOut` once its deadline passes.
struct BodyDeadline {
    inner: Payload,
    /// Started by the first read.
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    expired: bool,
}

impl Stream for BodyDeadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.expired {
            return Poll::Ready(None);
        }
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(BODY_TIMEOUT)));
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let more =
                    Duration::from_millis(chunk.len() as u64 * 1000 / BODY_MIN_RATE_BYTES_PER_SEC);
                let deadline = timer.deadline() + more;
                timer.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Pending => match timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.expired = true;
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body did not arrive in time",
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
            done => done,
        }
    }
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

    /// The `Allow` value for a path that exists, or `None`. A fixed path wins over a
    /// templated one that also matches (`export.csv` over `{id}`).
    pub fn allowed(&self, path: &str) -> Option<&str> {
        self.fixed(path).or_else(|| {
            self.0
                .iter()
                .find(|(def, _)| def.is_match(path))
                .map(|(_, m)| m.as_str())
        })
    }

    /// The `Allow` value for a documented path without parameters that is exactly `path`.
    pub fn fixed(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _)| {
                def.pattern()
                    .is_some_and(|p| p == path && !p.contains('{') && !def.is_prefix())
            })
            .map(|(_, m)| m.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_paths_win_over_templated_siblings() {
        let table = MethodTable::from_document(&crate::openapi::document());
        assert_eq!(table.fixed("/api/worklogs/export.csv"), Some("GET"));
        assert_eq!(table.allowed("/api/worklogs/export.csv"), Some("GET"));
        assert_eq!(table.fixed("/api/worklogs/{id}"), None);
        assert!(
            table
                .allowed("/api/worklogs/0190c3a4-7b1e-7000-8000-000000000000")
                .is_some_and(|m| m.contains("PATCH"))
        );
    }

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
