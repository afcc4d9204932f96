//! Every black-box test in one binary: one link instead of one per area, which keeps
//! the build fast and the target directory small.

mod billing;
mod browser;
mod browser_billing;
mod browser_licensing;
mod browser_metrics;
mod browser_outbox;
mod browser_portal;
mod browser_staff;
mod browser_worklog;
mod errors;
mod faults;
mod hardening;
mod identity;
mod isolation;
mod licensing;
mod mail;
mod metrics;
mod observability;
mod openapi;
mod projects;
mod replicas;
mod tenants;
mod usage_feed;
mod users;
mod worklogs;
