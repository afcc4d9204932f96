use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::auth::{OtpRequest, OtpVerifyRequest};

use super::login::{AuthCard, failure_alert, server_field_errors};
use crate::api;
use crate::components::{Alert, AlertKind, SubmitButton, TextField};
use crate::forms::FormErrors;
use crate::page::Page;

/// Passwordless sign-in for tenant members: ask for a code by e-mail, then enter it.
///
/// The step follows the request action: once a code has been sent the second form is
/// shown, and "Use a different e-mail" forgets that answer to go back.
#[component]
pub fn OtpPage() -> impl IntoView {
    let tenant = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let otp_request = move || OtpRequest {
        tenant: tenant.get().trim().to_owned(),
        email: email.get().trim().to_owned(),
    };
    let verify_request = move || {
        let OtpRequest { tenant, email } = otp_request();
        OtpVerifyRequest {
            tenant,
            email,
            otp: code.get().trim().to_owned(),
        }
    };

    let send = Action::new_local(|req: &OtpRequest| api::auth::request_otp(req.clone()));
    let verify = Action::new_local(|req: &OtpVerifyRequest| api::auth::verify_otp(req.clone()));
    let sent = move || matches!(send.value().get(), Some(Ok(())));

    let send_form = FormErrors::new(move || otp_request().validate(), server_field_errors(send));
    let verify_form = FormErrors::new(
        move || verify_request().validate(),
        server_field_errors(verify),
    );

    let on_send = move |ev: SubmitEvent| {
        ev.prevent_default();
        if send_form.submit() {
            send.dispatch(otp_request());
        }
    };
    let on_verify = move |ev: SubmitEvent| {
        ev.prevent_default();
        if verify_form.submit() {
            verify.dispatch(verify_request());
        }
    };
    let start_over = move |_| {
        send.value().set(None);
        verify.value().set(None);
        code.set(String::new());
        verify_form.reset();
    };
    let resend = move |_| {
        verify.value().set(None);
        send.dispatch(otp_request());
    };

    let request_step = move || {
        let pending = send.pending();
        view! {
            {failure_alert(send)}
            <form class="form" on:submit=on_send novalidate>
                <TextField
                    id="otp-tenant"
                    label="Organisation"
                    hint="Your organisation's short name, e.g. acme."
                    value=tenant
                    error=send_form.error("tenant")
                    on_blur=send_form.touch("tenant")
                    autocomplete="organization"
                    autofocus=true
                />
                <TextField
                    id="otp-email"
                    label="E-mail"
                    value=email
                    error=send_form.error("email")
                    on_blur=send_form.touch("email")
                    input_type="email"
                    autocomplete="email"
                />
                <SubmitButton id="otp-send" pending=pending label="Send code" busy="Sending…" block=true/>
            </form>
        }
    };

    let verify_step = move || {
        let pending = verify.pending();
        let resending = send.pending();
        view! {
            <Alert kind=AlertKind::Info>
                "If " <strong>{move || email.get()}</strong> " belongs to " <strong>{move || tenant.get()}</strong>
                ", a six-digit code is on its way. It is valid for 10 minutes."
            </Alert>
            {failure_alert(verify)}
            <form class="form" on:submit=on_verify novalidate>
                <TextField
                    id="otp-code"
                    label="Code"
                    value=code
                    error=verify_form.error("otp")
                    on_blur=verify_form.touch("otp")
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    maxlength=6u32
                    placeholder="123456"
                    autofocus=true
                />
                <SubmitButton id="otp-verify" pending=pending label="Sign in" busy="Checking…" block=true/>
            </form>
            <div class="auth-actions">
                <button type="button" class="btn btn-ghost btn-sm" on:click=start_over>"Use a different e-mail"</button>
                <button type="button" id="otp-resend" class="btn btn-ghost btn-sm" disabled=move || resending.get() on:click=resend>
                    {move || if resending.get() { "Sending…" } else { "Send a new code" }}
                </button>
            </div>
        }
    };

    view! {
        <AuthCard title="Sign in with a code" subtitle="We e-mail you a one-time code; no password needed.">
            <Show when=sent fallback=request_step>
                {verify_step}
            </Show>
            <p class="auth-alt">
                "Have a password? " <A href=Page::Login.path()>"Sign in with your password"</A>
            </p>
        </AuthCard>
    }
}
