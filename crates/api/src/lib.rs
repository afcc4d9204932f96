//! Tessera's HTTP API: configuration, start-up, routes, authentication and the OpenAPI contract.

pub mod activation;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod codes;
pub mod config;
pub mod cursor;
pub mod db;
pub mod error;
pub mod events;
pub mod extract;
pub mod idempotency;
pub mod ledger;
pub mod license;
pub mod lookup;
pub mod mailer;
pub mod openapi;
pub mod paging;
pub mod projects;
pub mod rate_limit;
pub mod redeem;
pub mod routes;
pub mod secrets;
pub mod sql;
pub mod startup;
pub mod state;
pub mod subscriptions;
pub mod telemetry;
pub mod tenancy;
pub mod views;

pub use config::Settings;
pub use error::ApiError;
pub use startup::Application;
