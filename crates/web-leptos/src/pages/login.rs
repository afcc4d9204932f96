use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::auth::LoginRequest;

use crate::api::{self, ApiError};
use crate::components::{Alert, AlertKind, SubmitButton, TextField};
use crate::forms::FormErrors;
use crate::page::Page;

/// The centred card the sign-in screens share.
#[component]
pub(crate) fn AuthCard(
    /// The card's heading.
    #[prop(into)]
    title: String,
    /// One line under the heading.
    #[prop(into)]
    subtitle: String,
    /// The form and links.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="auth-page">
            <div class="auth-brand">
                <span class="brand-mark" aria-hidden="true">"T"</span>
                <span class="brand-name">"Tessera"</span>
            </div>
            <main class="card auth-card">
                <h1 class="auth-title">{title}</h1>
                <p class="auth-subtitle">{subtitle}</p>
                {children()}
            </main>
        </div>
    }
}

/// The server's refusal of the last attempt, as an error alert.
pub(crate) fn failure_alert<I, T>(action: Action<I, Result<T, ApiError>>) -> impl IntoView
where
    I: 'static,
    T: Send + Sync + 'static,
{
    let text = failure_text(action);
    move || {
        text.get()
            .map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })
    }
}

/// The last failure's text (the server's `detail`), e.g. for a
/// [`ConfirmDialog`](crate::components::ConfirmDialog).
pub(crate) fn failure_text<I, T>(action: Action<I, Result<T, ApiError>>) -> Signal<Option<String>>
where
    I: 'static,
    T: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|r| match r {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    })
}

/// The field errors of the last refused attempt (a 422), for [`FormErrors`].
pub(crate) fn server_field_errors<I, T>(
    action: Action<I, Result<T, ApiError>>,
) -> impl Fn() -> Vec<tessera_domain::FieldError> + Send + Sync + 'static
where
    I: 'static,
    T: Send + Sync + 'static,
{
    move || {
        action.value().with(|r| match r {
            Some(Err(e)) => e.field_errors().to_vec(),
            _ => Vec::new(),
        })
    }
}

/// Sign in with an e-mail address or username and a password.
///
/// A successful sign-in stores the session; the route guard then moves on to the
/// dashboard.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let request = move || LoginRequest {
        login: login.get().trim().to_owned(),
        password: password.get(),
    };

    let submit = Action::new_local(|req: &LoginRequest| api::auth::login(req.clone()));
    let pending = submit.pending();
    let form = FormErrors::new(move || request().validate(), server_field_errors(submit));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            submit.dispatch(request());
        }
    };

    view! {
        <AuthCard title="Sign in" subtitle="Use your e-mail address or username.">
            {failure_alert(submit)}
            <form class="form" on:submit=on_submit novalidate>
                <TextField
                    id="login"
                    label="E-mail or username"
                    value=login
                    error=form.error("login")
                    on_blur=form.touch("login")
                    autocomplete="username"
                    autofocus=true
                />
                <TextField
                    id="password"
                    label="Password"
                    value=password
                    error=form.error("password")
                    on_blur=form.touch("password")
                    input_type="password"
                    autocomplete="current-password"
                />
                <SubmitButton id="login-submit" pending=pending label="Sign in" busy="Signing in…" block=true/>
            </form>
            <p class="auth-alt">
                "Member of an organisation? "
                <A href=Page::LoginOtp.path() attr:id="otp-link">"Sign in with a code"</A>
            </p>
        </AuthCard>
    }
}
