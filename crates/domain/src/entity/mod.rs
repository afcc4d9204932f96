//! sea-orm entities: one module per table (server only).

pub mod audit_event;
pub mod mail_outbox;
pub mod otp_code;
pub mod plan;
pub mod refresh_token;
pub mod server_secret;
pub mod subscription;
pub mod tenant;
pub mod user;
