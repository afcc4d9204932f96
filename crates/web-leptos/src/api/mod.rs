//! A typed client for the Tessera API.
//!
//! Public calls go out as they are; authorised calls carry the access token and, when
//! the server answers 401, rotate the token pair once and retry once. Every non-2xx
//! answer goes through [`check`], so every failure reaches the UI as one [`ApiError`]
//! whose text is the server's `detail`.

pub mod audit;
pub mod auth;
pub mod billing;
pub mod licensing;
pub mod llm;
pub mod metrics;
pub mod outbox;
pub mod portal;
pub mod query;
pub mod users;
pub mod worklogs;

use std::cell::RefCell;
use std::fmt;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use gloo_net::http::{Method, Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tessera_domain::auth::{RefreshRequest, TokenResponse};
use tessera_domain::{FieldError, Problem};

use crate::session;

/// Any failed call: the server's problem document, or no usable answer at all.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error (`application/problem+json`, or a stand-in
    /// built from the status when something in between answered instead).
    Problem(Problem),
    /// No answer, or an answer this client could not read; the text is for people.
    Network(String),
}

impl ApiError {
    /// The problem document, when the server answered.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem(p) => Some(p),
            ApiError::Network(_) => None,
        }
    }

    /// The stable machine code, e.g. `INVALID_CREDENTIALS`.
    pub fn code(&self) -> Option<&str> {
        self.problem().map(|p| p.code.as_str())
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.problem().map(|p| p.status)
    }

    /// Per-field errors of a 422, to show under the matching inputs.
    pub fn field_errors(&self) -> &[FieldError] {
        self.problem()
            .and_then(|p| p.errors.as_deref())
            .unwrap_or_default()
    }

    fn session_ended() -> ApiError {
        ApiError::Problem(problem(
            401,
            "SESSION_ENDED",
            "Your session has ended. Please sign in again.",
        ))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Problem(p) if p.detail.trim().is_empty() => f.write_str(&sentence(&p.title)),
            ApiError::Problem(p) => f.write_str(&sentence(&p.detail)),
            ApiError::Network(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for ApiError {}

/// The server writes details in lower case for logs; people read sentences.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

fn problem(status: u16, code: &str, detail: &str) -> Problem {
    Problem {
        kind: "about:blank".into(),
        title: detail.into(),
        status,
        detail: detail.into(),
        code: code.into(),
        errors: None,
    }
}

/// A request to the API, kept as data so it can be sent again after a token rotation.
#[derive(Debug, Clone)]
pub struct Call {
    method: Method,
    path: String,
    body: Option<Result<String, String>>,
    /// Extra headers, e.g. `Idempotency-Key`; kept so a re-sent call carries them too.
    headers: Vec<(&'static str, String)>,
}

impl Call {
    /// A request without a body.
    pub fn new(method: Method, path: impl Into<String>) -> Call {
        Call {
            method,
            path: path.into(),
            body: None,
            headers: Vec::new(),
        }
    }

    /// Adds a header, e.g. `Idempotency-Key`.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Call {
        self.headers.push((name, value.into()));
        self
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Call {
        Call::new(Method::GET, path)
    }

    /// `POST path` with a JSON body.
    pub fn post(path: impl Into<String>, body: &impl Serialize) -> Call {
        Call::new(Method::POST, path).json(body)
    }

    /// Sets a JSON body.
    pub fn json(mut self, body: &impl Serialize) -> Call {
        self.body = Some(serde_json::to_string(body).map_err(|e| e.to_string()));
        self
    }

    // Native clippy only: `ApiError` is larger there than on wasm32; it is not hot.
    #[allow(clippy::result_large_err)]
    fn request(&self, bearer: Option<&str>) -> Result<Request, ApiError> {
        let mut builder = RequestBuilder::new(&self.path)
            .method(self.method.clone())
            .header("Accept", "application/json, application/problem+json");
        if let Some(token) = bearer {
            builder = builder.header("Authorization", &format!("Bearer {token}"));
        }
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let built = match &self.body {
            None => builder.build(),
            Some(Ok(json)) => builder
                .header("Content-Type", "application/json")
                .body(json.clone()),
            Some(Err(reason)) => return Err(unreadable("request body", reason)),
        };
        built.map_err(|e| unreadable("request", &e.to_string()))
    }
}

fn unreachable_server(reason: &str) -> ApiError {
    leptos::logging::warn!("API request failed: {reason}");
    ApiError::Network(
        "Could not reach the Tessera server. Check your connection and try again.".into(),
    )
}

fn unreadable(what: &str, reason: &str) -> ApiError {
    leptos::logging::warn!("could not handle the {what}: {reason}");
    ApiError::Network(
        "The app and the server did not understand each other. Reload the page; if it keeps happening, please report it."
            .into(),
    )
}

async fn send(call: &Call, bearer: Option<&str>) -> Result<Response, ApiError> {
    call.request(bearer)?
        .send()
        .await
        .map_err(|e| unreachable_server(&e.to_string()))
}

/// Turns any non-2xx answer into an [`ApiError`]; the one place that reads error bodies.
///
/// A body that is not a problem document (a proxy's HTML page, an empty 502) still
/// becomes a problem, built from the status, so callers need not care who answered.
///
/// # Errors
/// The problem the server (or whatever answered in its place) reported.
pub async fn check(response: Response) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let parsed = serde_json::from_str::<Problem>(&body).ok();
    Err(ApiError::Problem(parsed.unwrap_or_else(|| {
        let detail = match status {
            502..=504 => {
                "The Tessera server is not answering right now. Try again in a moment.".to_owned()
            }
            _ => format!("The server answered with status {status}."),
        };
        problem(status, &format!("HTTP_{status}"), &detail)
    })))
}

/// Reads a successful answer's JSON body.
///
/// # Errors
/// A network error when the body is not the expected shape.
pub async fn json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    response
        .json::<T>()
        .await
        .map_err(|e| unreadable("answer", &e.to_string()))
}

/// Sends a call that needs no sign-in.
///
/// # Errors
/// See [`check`]; also a network error when the server cannot be reached.
pub async fn public(call: &Call) -> Result<Response, ApiError> {
    check(send(call, None).await?).await
}

/// Sends a call as the signed-in user, rotating the token pair once on a 401.
///
/// # Errors
/// See [`check`]. When the session cannot be renewed it is cleared, which sends the
/// person to the sign-in page, and the error says the session has ended.
pub async fn authorised(call: &Call) -> Result<Response, ApiError> {
    let Some(token) = session::access_token() else {
        session::clear();
        return Err(ApiError::session_ended());
    };
    let first = send(call, Some(&token)).await?;
    if first.status() != 401 {
        return check(first).await;
    }
    renew_after(&token).await?;
    let token = session::access_token().ok_or_else(ApiError::session_ended)?;
    check(send(call, Some(&token)).await?).await
}

type Renewal = Shared<LocalBoxFuture<'static, Result<(), ApiError>>>;

thread_local! {
    /// The rotation in progress, shared by every request that hits a 401 meanwhile.
    /// Refresh tokens are single-use: two parallel rotations would present the same
    /// token twice, and the server would revoke the whole session as stolen.
    static RENEWAL: RefCell<Option<Renewal>> = const { RefCell::new(None) };
}

/// Makes sure the token pair is newer than `stale`, rotating it at most once at a time.
async fn renew_after(stale: &str) -> Result<(), ApiError> {
    match session::access_token() {
        None => return Err(ApiError::session_ended()),
        // Another request (or tab) rotated while ours was in flight: just retry.
        Some(current) if current != stale => return Ok(()),
        Some(_) => {}
    }
    let renewal = RENEWAL.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| rotate().boxed_local().shared())
            .clone()
    });
    renewal.await
}

async fn rotate() -> Result<(), ApiError> {
    let result: Result<(), ApiError> = async {
        let refresh_token = session::refresh_token().ok_or_else(ApiError::session_ended)?;
        let call = Call::post("/api/auth/refresh", &RefreshRequest { refresh_token });
        let tokens: TokenResponse = json(public(&call).await?).await?;
        session::save(&tokens);
        Ok(())
    }
    .await;
    // Cleared here, exactly once, rather than by the waiters: a waiter clearing late
    // could drop a newer rotation and let a second one start beside it.
    RENEWAL.with(|slot| slot.borrow_mut().take());
    // A refused refresh token will never work again; a network failure or a rate limit
    // might, so keep the session for those.
    if let Err(e) = &result
        && e.status().is_some_and(|s| s < 500 && s != 429)
    {
        session::clear();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_sentences() {
        assert_eq!(
            sentence("the login or password is wrong"),
            "The login or password is wrong."
        );
        assert_eq!(sentence("Done!"), "Done!");
        assert_eq!(sentence("  "), "");
    }

    #[test]
    fn the_error_text_is_the_problem_detail() {
        let e = ApiError::Problem(problem(401, "INVALID_OTP", "the code is wrong"));
        assert_eq!(e.to_string(), "The code is wrong.");
        assert_eq!(e.code(), Some("INVALID_OTP"));
    }
}
