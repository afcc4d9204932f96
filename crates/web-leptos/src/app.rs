//! The router: which page answers which path, and who may see it.

use leptos::prelude::*;
use leptos_router::components::{ProtectedParentRoute, ProtectedRoute, Route, Router, Routes};
use leptos_router::path;

use crate::layout::Shell;
use crate::page::Page;
use crate::pages::{AnalyticsPage, MetricsPage};
use crate::pages::{AuditPage, ResetPasswordPage, UsersPage, WorklogEntryPage, WorklogPage};
use crate::pages::{BillingAdminPage, TenantBillingPage};
use crate::pages::{CodesPage, DevicesPage, TenantDetailPage, TenantsPage};
use crate::pages::{DashboardPage, LoginPage, NotFound, OtpPage, OutboxPage, ProfilePage};
use crate::pages::{LlmProjectPage, LlmPromptsPage, TenantCodesDevicesPage};
use crate::pages::{TenantProjectPage, TenantProjectsPage};
use crate::session::Session;

/// The whole app.
///
/// Sign-in pages are only for signed-out visitors and everything else only for
/// signed-in ones; both guards follow the session, so signing in lands on the
/// dashboard and signing out (or losing the session) lands on the sign-in page.
#[component]
pub fn App() -> impl IntoView {
    let signed_in = Session::provide().signed_in;
    let signed_out = move || Some(!signed_in.get());
    let signed_in = move || Some(signed_in.get());
    let home = || Page::Dashboard.path();
    let login = || Page::Login.path();

    view! {
        <Router>
            <Routes fallback=NotFound>
                <ProtectedRoute path=Page::Login condition=signed_out redirect_path=home view=LoginPage/>
                <ProtectedRoute path=Page::LoginOtp condition=signed_out redirect_path=home view=OtpPage/>
                // Unguarded: a mailed reset link must work whoever is signed in on this browser.
                <Route path=Page::ResetPassword view=ResetPasswordPage/>
                <ProtectedParentRoute path=path!("") condition=signed_in redirect_path=login view=Shell>
                    <Route path=Page::Dashboard view=DashboardPage/>
                    <Route path=Page::Profile view=ProfilePage/>
                    <Route path=Page::Worklog view=WorklogPage/>
                    <Route path=Page::WorklogEntry view=WorklogEntryPage/>
                    <Route path=Page::Tenants view=TenantsPage/>
                    <Route path=Page::TenantDetail view=TenantDetailPage/>
                    <Route path=Page::ActivationCodes view=CodesPage/>
                    <Route path=Page::Devices view=DevicesPage/>
                    <Route path=Page::Users view=|| view! { <UsersPage page=Page::Users/> }/>
                    <Route path=Page::OrgUsers view=|| view! { <UsersPage page=Page::OrgUsers/> }/>
                    <Route path=Page::PlatformBilling view=BillingAdminPage/>
                    <Route path=Page::Analytics view=AnalyticsPage/>
                    <Route path=Page::Metrics view=MetricsPage/>
                    <Route path=Page::LlmPrompts view=LlmPromptsPage/>
                    <Route path=Page::LlmProject view=LlmProjectPage/>
                    <Route path=Page::AuditLog view=|| view! { <AuditPage page=Page::AuditLog/> }/>
                    <Route path=Page::OrgAuditLog view=|| view! { <AuditPage page=Page::OrgAuditLog/> }/>
                    <Route path=Page::Outbox view=OutboxPage/>
                    <Route path=Page::Projects view=TenantProjectsPage/>
                    <Route path=Page::TenantProject view=TenantProjectPage/>
                    <Route path=Page::CodesDevices view=TenantCodesDevicesPage/>
                    <Route path=Page::OrgBilling view=TenantBillingPage/>
                    <Route path=path!("/*any") view=NotFound/>
                </ProtectedParentRoute>
            </Routes>
        </Router>
    }
}
