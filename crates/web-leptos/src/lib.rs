//! Tessera's single-page app: Leptos (client-side rendering), built with Trunk.
//!
//! - [`api`]: the typed HTTP client and its one error type.
//! - [`session`]: tokens and the signed-in user.
//! - [`page`]: every page's path, title and navigation place.
//! - [`components`]: the design system's reusable pieces.
//! - [`layout`] and [`pages`]: the app shell and the screens.

pub mod api;
pub mod app;
pub mod components;
pub mod format;
pub mod forms;
pub mod layout;
pub mod page;
pub mod pages;
pub mod session;

/// Replaces the static "Loading Tessera…" screen of `index.html` with the app.
pub fn start() {
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".boot").ok().flatten())
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
