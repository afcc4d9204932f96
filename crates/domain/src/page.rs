//! Pagination envelopes and parameters.

use serde::{Deserialize, Serialize};

/// Largest accepted `per_page`/`limit`.
pub const MAX_PER_PAGE: u64 = 200;
/// `per_page` when none is given.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// Largest accepted `page`: keeps every offset far inside the databases' 64-bit signed
/// range (200 million rows at the largest `per_page`).
pub const MAX_PAGE: u64 = 1_000_000;

/// A page of an admin table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paged<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// The 1-based page number.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
    /// Rows matching the filters across all pages.
    pub total: u64,
}

/// A slice of a high-volume feed with a keyset cursor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CursorPage<T> {
    /// The rows of this slice, newest first.
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next slice; `null` at the end.
    pub next_cursor: Option<String>,
}
