//! The frame around every signed-in page: top bar, sidebar and content.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use tessera_domain::auth::MeResponse;

use crate::api::{self, ApiError};
use crate::components::RoleBadge;
use crate::page::Page;
use crate::pages::{QuickAdd, QuickAddButton, provide_quick_add};
use crate::session::Session;

/// The caller and their tenant, loaded once per signed-in visit and shared by the
/// pages that show it (dashboard, profile) instead of each asking again.
#[derive(Clone, Copy)]
pub struct Me(pub LocalResource<Result<MeResponse, ApiError>>);

impl Me {
    /// The resource provided by the [`Shell`].
    ///
    /// # Panics
    /// Outside the shell, which is a programming error.
    pub fn get() -> LocalResource<Result<MeResponse, ApiError>> {
        expect_context::<Me>().0
    }
}

/// The signed-in layout; the matched page renders in its `<Outlet/>`.
#[component]
pub fn Shell() -> impl IntoView {
    provide_context(Me(LocalResource::new(api::auth::me)));
    // Quick-add belongs to the shell, not to a page: its button and shortcut work everywhere.
    provide_quick_add();
    view! {
        <QuickAdd/>
        <div class="app-shell">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <TopBar/>
            <div class="app-body">
                <Sidebar/>
                <main class="app-main" id="main">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}

/// Product name, the signed-in person and the sign-out button.
#[component]
fn TopBar() -> impl IntoView {
    let user = Session::get().user;
    let logout = Action::new_local(|_: &()| api::auth::logout());
    let pending = logout.pending();
    // Signing out always ends the local session, whatever the server answers, and the
    // route guard then shows the sign-in page.
    let name = move || user.with(|u| u.as_ref().map(|u| u.name.clone()).unwrap_or_default());
    let badge = move || user.with(|u| u.as_ref().map(|u| view! { <RoleBadge role=u.role/> }));
    view! {
        <header class="topbar">
            <A href=Page::Dashboard.path() attr:class="topbar-brand">
                <span class="brand-mark" aria-hidden="true">"T"</span>
                <span class="brand-name">"Tessera"</span>
            </A>
            <div class="topbar-user">
                <QuickAddButton/>
                <span class="topbar-user-name" id="current-user-name">{name}</span>
                {badge}
                <button
                    type="button"
                    id="logout"
                    class="btn btn-secondary btn-sm"
                    disabled=move || pending.get()
                    on:click=move |_| {
                        logout.dispatch(());
                    }
                >
                    {move || if pending.get() { "Signing out…" } else { "Sign out" }}
                </button>
            </div>
        </header>
    }
}

/// The navigation: everyone's pages, then the staff or the organisation group.
#[component]
fn Sidebar() -> impl IntoView {
    let user = Session::get().user;
    let role = Memo::new(move |_| user.with(|u| u.as_ref().map(|u| u.role)));
    let groups = move || {
        role.get().map(|role| {
            Page::navigation(role)
                .into_iter()
                .map(|(label, pages)| {
                    let links = pages
                        .into_iter()
                        .map(|page| {
                            view! {
                                <li>
                                    <A
                                        href=page.path()
                                        exact=page == Page::Dashboard
                                        attr:class="nav-link"
                                    >
                                        {page.title()}
                                    </A>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="nav-group">
                            {label.map(|l| view! { <p class="nav-group-label">{l}</p> })}
                            <ul class="nav-list">{links}</ul>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <nav class="sidebar" aria-label="Main navigation">
            {groups}
        </nav>
    }
}
