//! The router: which page answers which path, and who may see it.

use leptos::prelude::*;
use leptos_router::components::{ProtectedParentRoute, ProtectedRoute, Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, lazy_route, path};

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

/// Declares a route whose page is compiled into its own wasm chunk, fetched the first
/// time someone opens it: the first load then carries only sign-in, the shell (with
/// quick-add) and the dashboard (see docs/BENCHMARKS.md, "SPA size").
macro_rules! split_route {
    ($name:ident => $view:expr) => {
        #[doc = concat!("The lazily loaded route `", stringify!($name), "`.")]
        struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                $view.into_any()
            }
        }
    };
}

split_route!(ResetPassword => view! { <ResetPasswordPage/> });
split_route!(Profile => view! { <ProfilePage/> });
split_route!(Worklog => view! { <WorklogPage/> });
split_route!(WorklogEntry => view! { <WorklogEntryPage/> });
split_route!(Tenants => view! { <TenantsPage/> });
split_route!(TenantDetail => view! { <TenantDetailPage/> });
split_route!(Codes => view! { <CodesPage/> });
split_route!(Devices => view! { <DevicesPage/> });
split_route!(Users => view! { <UsersPage page=Page::Users/> });
split_route!(OrgUsers => view! { <UsersPage page=Page::OrgUsers/> });
split_route!(BillingAdmin => view! { <BillingAdminPage/> });
split_route!(Analytics => view! { <AnalyticsPage/> });
split_route!(Metrics => view! { <MetricsPage/> });
split_route!(LlmPrompts => view! { <LlmPromptsPage/> });
split_route!(LlmProject => view! { <LlmProjectPage/> });
split_route!(Audit => view! { <AuditPage page=Page::AuditLog/> });
split_route!(OrgAudit => view! { <AuditPage page=Page::OrgAuditLog/> });
split_route!(Outbox => view! { <OutboxPage/> });
split_route!(TenantProjects => view! { <TenantProjectsPage/> });
split_route!(TenantProject => view! { <TenantProjectPage/> });
split_route!(TenantCodesDevices => view! { <TenantCodesDevicesPage/> });
split_route!(TenantBilling => view! { <TenantBillingPage/> });

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
                <Route path=Page::ResetPassword view={Lazy::<ResetPassword>::new()}/>
                <ProtectedParentRoute path=path!("") condition=signed_in redirect_path=login view=Shell>
                    <Route path=Page::Dashboard view=DashboardPage/>
                    <Route path=Page::Profile view={Lazy::<Profile>::new()}/>
                    <Route path=Page::Worklog view={Lazy::<Worklog>::new()}/>
                    <Route path=Page::WorklogEntry view={Lazy::<WorklogEntry>::new()}/>
                    <Route path=Page::Tenants view={Lazy::<Tenants>::new()}/>
                    <Route path=Page::TenantDetail view={Lazy::<TenantDetail>::new()}/>
                    <Route path=Page::ActivationCodes view={Lazy::<Codes>::new()}/>
                    <Route path=Page::Devices view={Lazy::<Devices>::new()}/>
                    <Route path=Page::Users view={Lazy::<Users>::new()}/>
                    <Route path=Page::OrgUsers view={Lazy::<OrgUsers>::new()}/>
                    <Route path=Page::PlatformBilling view={Lazy::<BillingAdmin>::new()}/>
                    <Route path=Page::Analytics view={Lazy::<Analytics>::new()}/>
                    <Route path=Page::Metrics view={Lazy::<Metrics>::new()}/>
                    <Route path=Page::LlmPrompts view={Lazy::<LlmPrompts>::new()}/>
                    <Route path=Page::LlmProject view={Lazy::<LlmProject>::new()}/>
                    <Route path=Page::AuditLog view={Lazy::<Audit>::new()}/>
                    <Route path=Page::OrgAuditLog view={Lazy::<OrgAudit>::new()}/>
                    <Route path=Page::Outbox view={Lazy::<Outbox>::new()}/>
                    <Route path=Page::Projects view={Lazy::<TenantProjects>::new()}/>
                    <Route path=Page::TenantProject view={Lazy::<TenantProject>::new()}/>
                    <Route path=Page::CodesDevices view={Lazy::<TenantCodesDevices>::new()}/>
                    <Route path=Page::OrgBilling view={Lazy::<TenantBilling>::new()}/>
                    <Route path=path!("/*any") view=NotFound/>
                </ProtectedParentRoute>
            </Routes>
        </Router>
    }
}
