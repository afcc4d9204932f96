//! The screens, one module each.

mod analytics;
mod audit;
mod billing;
mod charts;
mod dashboard;
mod licensing;
mod live_feed;
mod llm;
mod login;
mod metrics;
mod not_found;
mod otp;
mod outbox;
mod placeholder;
mod portal;
mod profile;
mod reset_password;
mod restricted;
mod thresholds;
mod users;
mod worklog;

pub use analytics::AnalyticsPage;
pub use audit::AuditPage;
pub use billing::{BillingAdminPage, TenantBillingPage};
pub use dashboard::DashboardPage;
pub use licensing::{CodesPage, DevicesPage, StaffKpis, TenantDetailPage, TenantsPage};
pub use live_feed::LiveFeed;
pub use llm::{LlmProjectPage, LlmPromptsPage};
pub use login::LoginPage;
pub use metrics::MetricsPage;
pub use not_found::NotFound;
pub use otp::OtpPage;
pub use outbox::OutboxPage;
pub use placeholder::NotYetAvailable;
pub use portal::{PortalHome, TenantCodesDevicesPage, TenantProjectPage, TenantProjectsPage};
pub use profile::ProfilePage;
pub use reset_password::ResetPasswordPage;
pub use users::UsersPage;
pub use worklog::{
    QuickAdd, QuickAddButton, QuickAddState, WorklogEntryPage, WorklogPage, provide_quick_add,
};

/// The route's `:id` as a UUID; `None` when the address holds something else.
pub(crate) fn id_param() -> leptos::prelude::Memo<Option<uuid::Uuid>> {
    use leptos::prelude::*;
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|s| uuid::Uuid::parse_str(&s).ok())
    })
}
