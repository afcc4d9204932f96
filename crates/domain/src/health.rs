//! Liveness and readiness.

use serde::{Deserialize, Serialize};

/// The answer of `GET /api/health`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthResponse {
    /// `ok` when the database answers, otherwise `unavailable`.
    pub status: String,
    /// `up` or `down`.
    pub database: String,
    /// The server's version.
    pub version: String,
}
