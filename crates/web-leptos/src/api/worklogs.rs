//! Time tracking calls (`/api/worklogs*`): the timeline, single entries, quick-add
//! suggestions and the CSV export.

use std::fmt::Display;

use chrono::NaiveDate;
use gloo_net::http::Method;
use tessera_domain::worklog::{
    Worklog, WorklogInput, WorklogPage, WorklogPatch, WorklogSuggestion,
};
use uuid::Uuid;

use super::query::query_string;
use super::{ApiError, Call, authorised, json};

/// Entries per timeline slice: about two working weeks of a typical day's entries.
pub const PAGE_SIZE: u32 = 50;

/// The timeline's filters, as the person set them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorklogFilter {
    /// First day, inclusive.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<NaiveDate>,
    /// Only this project (the server matches it case-insensitively).
    pub project: String,
    /// Words in the description.
    pub search: String,
    /// Another person's entries (org admins, within their organisation); `None`: one's own.
    pub user: Option<Uuid>,
}

/// One slice of the caller's timeline, newest first, with the totals of its days.
///
/// # Errors
/// 422 for an inverted range or a bad cursor; see [`authorised`].
pub async fn list(filter: WorklogFilter, cursor: Option<String>) -> Result<WorklogPage, ApiError> {
    let query = query_string([
        ("from", filter.from.map(|d| d.to_string())),
        ("to", filter.to.map(|d| d.to_string())),
        ("project", Some(filter.project)),
        ("search", Some(filter.search)),
        ("user", filter.user.map(|u| u.to_string())),
        ("cursor", cursor),
        ("limit", Some(PAGE_SIZE.to_string())),
    ]);
    json(authorised(&Call::get(format!("/api/worklogs{query}"))).await?).await
}

/// The caller's recurring entries, best first, for one-click quick-add.
///
/// # Errors
/// See [`authorised`].
pub async fn suggestions() -> Result<Vec<WorklogSuggestion>, ApiError> {
    json(authorised(&Call::get("/api/worklogs/suggestions")).await?).await
}

/// Logs time.
///
/// # Errors
/// 422 with field errors; see [`authorised`].
pub async fn create(input: WorklogInput) -> Result<Worklog, ApiError> {
    json(authorised(&Call::post("/api/worklogs", &input)).await?).await
}

/// One entry.
///
/// # Errors
/// 404 `WORKLOG_NOT_FOUND` for an entry the caller may not see.
pub async fn get(id: impl Display) -> Result<Worklog, ApiError> {
    json(authorised(&Call::get(format!("/api/worklogs/{id}"))).await?).await
}

/// Changes one of the caller's entries.
///
/// # Errors
/// 404 for someone else's entry, 422 with field errors.
pub async fn update(id: impl Display, patch: WorklogPatch) -> Result<Worklog, ApiError> {
    let call = Call::new(Method::PATCH, format!("/api/worklogs/{id}")).json(&patch);
    json(authorised(&call).await?).await
}

/// Deletes one of the caller's entries.
///
/// # Errors
/// 404 for someone else's (or an already deleted) entry.
pub async fn delete(id: impl Display) -> Result<(), ApiError> {
    authorised(&Call::new(Method::DELETE, format!("/api/worklogs/{id}"))).await?;
    Ok(())
}

/// The caller's entries from `from` to `to` (inclusive) as CSV text.
///
/// The export needs the bearer token, so it cannot be a plain link: the page fetches it
/// here and hands the text to the browser as a download.
///
/// # Errors
/// 422 for an inverted range or one longer than a year.
pub async fn export_csv(
    from: NaiveDate,
    to: NaiveDate,
    user: Option<Uuid>,
) -> Result<String, ApiError> {
    let query = query_string([
        ("from", Some(from.to_string())),
        ("to", Some(to.to_string())),
        ("user", user.map(|u| u.to_string())),
    ]);
    let call = Call::get(format!("/api/worklogs/export.csv{query}"));
    authorised(&call)
        .await?
        .text()
        .await
        .map_err(|e| ApiError::Network(format!("The export could not be read: {e}")))
}
