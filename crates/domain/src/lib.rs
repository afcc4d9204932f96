//! Tessera's business rules and the request/response types that the API and the SPA share.
//!
//! Everything outside `entity` compiles for wasm32 without sea-orm; the `persistence`
//! feature adds the database entities used by the server.

pub mod audit;
pub mod auth;
pub mod billing;
pub mod code;
pub mod dashboard;
pub mod device;
pub mod health;
pub mod license;
pub mod llm;
pub mod metrics;
pub mod outbox;
pub mod page;
pub mod plan;
pub mod problem;
pub mod role;
pub mod tenant;
pub mod usage;
pub mod users;
pub mod validation;
pub mod worklog;

#[cfg(feature = "persistence")]
pub mod entity;

pub use problem::{FieldError, Problem};
pub use role::Role;
