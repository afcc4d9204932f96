//! sea-orm entities: one module per table (server only).

pub mod activation_code;
pub mod agent_prompt;
pub mod audit_event;
pub mod device;
pub mod idempotency_key;
pub mod ledger_entry;
pub mod llm_project;
pub mod mail_outbox;
pub mod otp_code;
pub mod password_reset;
pub mod plan;
pub mod refresh_token;
pub mod reserve_account;
pub mod server_secret;
pub mod subscription;
pub mod system_prompt_version;
pub mod tenant;
pub mod top_up;
pub mod usage_event;
pub mod usage_rollup;
pub mod user;
pub mod webhook_event;
pub mod worklog;
