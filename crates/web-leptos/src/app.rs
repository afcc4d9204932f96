//! The router: which page answers which path, and who may see it.

use leptos::prelude::*;
use leptos_router::components::{ProtectedParentRoute, ProtectedRoute, Route, Router, Routes};
use leptos_router::path;

use crate::layout::Shell;
use crate::page::Page;
use crate::pages::{DashboardPage, LoginPage, NotFound, NotYetAvailable, OtpPage, ProfilePage};
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
                <ProtectedParentRoute path=path!("") condition=signed_in redirect_path=login view=Shell>
                    <Route path=Page::Dashboard view=DashboardPage/>
                    <Route path=Page::Profile view=ProfilePage/>
                    <Route path=Page::Worklog view=|| view! { <NotYetAvailable page=Page::Worklog/> }/>
                    <Route path=Page::Tenants view=|| view! { <NotYetAvailable page=Page::Tenants/> }/>
                    <Route path=Page::ActivationCodes view=|| view! { <NotYetAvailable page=Page::ActivationCodes/> }/>
                    <Route path=Page::Devices view=|| view! { <NotYetAvailable page=Page::Devices/> }/>
                    <Route path=Page::Users view=|| view! { <NotYetAvailable page=Page::Users/> }/>
                    <Route path=Page::PlatformBilling view=|| view! { <NotYetAvailable page=Page::PlatformBilling/> }/>
                    <Route path=Page::Analytics view=|| view! { <NotYetAvailable page=Page::Analytics/> }/>
                    <Route path=Page::Metrics view=|| view! { <NotYetAvailable page=Page::Metrics/> }/>
                    <Route path=Page::LlmPrompts view=|| view! { <NotYetAvailable page=Page::LlmPrompts/> }/>
                    <Route path=Page::AuditLog view=|| view! { <NotYetAvailable page=Page::AuditLog/> }/>
                    <Route path=Page::Projects view=|| view! { <NotYetAvailable page=Page::Projects/> }/>
                    <Route path=Page::CodesDevices view=|| view! { <NotYetAvailable page=Page::CodesDevices/> }/>
                    <Route path=Page::OrgBilling view=|| view! { <NotYetAvailable page=Page::OrgBilling/> }/>
                    <Route path=path!("/*any") view=NotFound/>
                </ProtectedParentRoute>
            </Routes>
        </Router>
    }
}
