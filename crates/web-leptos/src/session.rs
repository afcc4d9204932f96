//! The signed-in session: tokens and user in `localStorage`, mirrored into a signal.
//!
//! `localStorage` is the source of truth, read on every use rather than cached, because
//! another tab may have rotated the refresh token: a stale copy presented again would
//! count as reuse and revoke the whole session.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use tessera_domain::auth::{TokenResponse, UserView};

const ACCESS_TOKEN: &str = "tessera.access_token";
const REFRESH_TOKEN: &str = "tessera.refresh_token";
const USER: &str = "tessera.user";

type Listener = Box<dyn Fn(Option<UserView>)>;

thread_local! {
    /// Stands in for `localStorage` when the browser refuses it (some private modes),
    /// so signing in still works for the life of the tab.
    static MEMORY: RefCell<HashMap<&'static str, String>> = RefCell::new(HashMap::new());
    /// Told about every change so the UI follows sign-in, rotation and sign-out.
    static LISTENER: RefCell<Option<Listener>> = const { RefCell::new(None) };
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn read(key: &'static str) -> Option<String> {
    match storage() {
        Some(s) => s.get_item(key).ok().flatten(),
        None => MEMORY.with(|m| m.borrow().get(key).cloned()),
    }
}

fn write(key: &'static str, value: &str) {
    let stored = storage().is_some_and(|s| s.set_item(key, value).is_ok());
    if !stored {
        MEMORY.with(|m| m.borrow_mut().insert(key, value.to_owned()));
    }
}

fn remove(key: &'static str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
    MEMORY.with(|m| m.borrow_mut().remove(key));
}

fn notify(user: Option<UserView>) {
    LISTENER.with(|l| {
        if let Some(listener) = l.borrow().as_ref() {
            listener(user);
        }
    });
}

/// The current access token, if signed in.
pub fn access_token() -> Option<String> {
    read(ACCESS_TOKEN)
}

/// The current single-use refresh token, if signed in.
pub fn refresh_token() -> Option<String> {
    read(REFRESH_TOKEN)
}

/// The signed-in user as last stored; `None` when signed out or the entry is unreadable.
pub fn stored_user() -> Option<UserView> {
    let user = serde_json::from_str(&read(USER)?).ok()?;
    // A user without tokens cannot call anything: treat it as signed out.
    access_token().and(refresh_token()).and(Some(user))
}

/// Keeps a freshly issued token pair and its user.
pub fn save(tokens: &TokenResponse) {
    write(ACCESS_TOKEN, &tokens.access_token);
    write(REFRESH_TOKEN, &tokens.refresh_token);
    save_user(&tokens.user);
}

/// Replaces the stored user, e.g. with a fresher copy from `/api/auth/me`.
pub fn save_user(user: &UserView) {
    if let Ok(json) = serde_json::to_string(user) {
        write(USER, &json);
    }
    notify(Some(user.clone()));
}

/// Forgets the session; the route guard then sends the person to the sign-in page.
pub fn clear() {
    remove(ACCESS_TOKEN);
    remove(REFRESH_TOKEN);
    remove(USER);
    notify(None);
}

/// The signed-in person for components; provided once by the app.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// The signed-in user, `None` when signed out.
    pub user: RwSignal<Option<UserView>>,
    /// Whether someone is signed in. A memo so that a refreshed user record does not
    /// re-run the route guard and remount every page.
    pub signed_in: Memo<bool>,
}

impl Session {
    /// Creates the session from storage, keeps it in step with storage, and provides it.
    pub fn provide() -> Session {
        let user = RwSignal::new(stored_user());
        // Only a real change is written, so re-reading the same user from /me is free.
        LISTENER.with(|l| {
            *l.borrow_mut() = Some(Box::new(move |u| {
                if user.with_untracked(|current| *current != u) {
                    user.set(u);
                }
            }))
        });
        // Another tab signing in or out changes storage; follow it here too.
        let handle = window_event_listener(leptos::ev::storage, move |ev| {
            if ev.key().is_none_or(|k| k == USER || k == ACCESS_TOKEN) {
                user.set(stored_user());
            }
        });
        on_cleanup(move || handle.remove());
        let signed_in = Memo::new(move |_| user.with(Option::is_some));
        let session = Session { user, signed_in };
        provide_context(session);
        session
    }

    /// The session provided by the app.
    ///
    /// # Panics
    /// When called outside the app, which is a programming error.
    pub fn get() -> Session {
        expect_context::<Session>()
    }
}
