//! `/reset-password?token=…`: completes a reset link that an admin had mailed.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use tessera_domain::users::CompletePasswordReset;
use tessera_domain::{FieldError, validation};

use super::login::{AuthCard, failure_alert, server_field_errors};
use crate::api;
use crate::components::{Alert, AlertKind, SubmitButton, TextField};
use crate::forms::FormErrors;
use crate::page::Page;

/// The shared password rule, plus the confirmation that catches a typo before the
/// link (which works once) is spent on it.
///
/// # Errors
/// One entry per invalid field.
fn check(password: &str, confirm: &str) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Err(m) = validation::password(password) {
        errors.push(FieldError::new("password", m));
    }
    if confirm != password {
        errors.push(FieldError::new(
            "confirm",
            "does not match the new password",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Choose a new password with the token from a mailed link; works signed in or out,
/// because the link, not a session, is the proof.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let submit = Action::new_local(|request: &CompletePasswordReset| {
        api::users::complete_password_reset(request.clone())
    });
    let pending = submit.pending();
    let done = move || matches!(submit.value().get(), Some(Ok(())));
    let form = FormErrors::new(
        move || check(&password.get(), &confirm.get()),
        server_field_errors(submit),
    );
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if form.submit() {
            submit.dispatch(CompletePasswordReset {
                token: token(),
                password: password.get_untracked(),
            });
        }
    };

    let the_form = move || {
        view! {
            {failure_alert(submit)}
            <form class="form" on:submit=on_submit novalidate>
                <TextField
                    id="new-password"
                    label="New password"
                    input_type="password"
                    autocomplete="new-password"
                    value=password
                    error=form.error("password")
                    on_blur=form.touch("password")
                    hint="At least 10 characters."
                    autofocus=true
                />
                <TextField
                    id="confirm-password"
                    label="Repeat it"
                    input_type="password"
                    autocomplete="new-password"
                    value=confirm
                    error=form.error("confirm")
                    on_blur=form.touch("confirm")
                />
                <SubmitButton id="reset-submit" pending=pending label="Set new password" busy="Saving…" block=true/>
            </form>
        }
    };
    let has_token = move || !token().trim().is_empty();
    let incomplete = || {
        view! {
            <Alert kind=AlertKind::Error title="This link is incomplete">
                "Open the link from the e-mail exactly as it arrived, or ask your administrator for a new one."
            </Alert>
        }
    };
    // `Show` keeps the form mounted across a refused attempt, so what was typed and the
    // focus stay where they were.
    let body = move || {
        view! {
            <Show when=has_token fallback=incomplete>
                {the_form()}
            </Show>
        }
    };
    let success = || {
        view! {
            <Alert kind=AlertKind::Success title="Password changed">
                <p id="reset-done">"Sign in with your new password. Sessions on other devices have ended."</p>
            </Alert>
        }
    };
    view! {
        <AuthCard title=Page::ResetPassword.title() subtitle="The link in your e-mail works once, for one hour.">
            <Show when=done fallback=body>
                {success()}
            </Show>
            <p class="auth-alt">
                <A href=Page::Login.path() attr:id="reset-login-link">"Sign in"</A>
            </p>
        </AuthCard>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_must_follow_the_rule_and_match() {
        let fields = |r: Result<(), Vec<FieldError>>| {
            r.err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(check("short", "short")), ["password"]);
        assert_eq!(fields(check("long-enough-1", "long-enough-2")), ["confirm"]);
        assert!(check("long-enough-1", "long-enough-1").is_ok());
    }
}
