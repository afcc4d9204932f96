//! The users page's dialogs: edit, deactivate/activate, reset password, new user.
//!
//! Each form is built afresh whenever its dialog opens (the modal re-creates its body),
//! so it always starts from the chosen person's current values and no stale errors.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::users::{
    AdminUser, CreateUserRequest, ResetPasswordRequest, UpdateUserRequest,
};
use tessera_domain::{FieldError, Role, validation};
use uuid::Uuid;

use super::Viewer;
use crate::api::{self, ApiError};
use crate::components::{
    Alert, AlertKind, ConfirmDialog, Field, FormActions, Modal, SelectField, TargetModal, TextField,
};
use crate::forms::FormErrors;
use crate::pages::login::{failure_alert, failure_text, server_field_errors};

/// `(value, label)` options for a role select.
fn role_options(roles: Vec<Role>) -> Signal<Vec<(String, String)>> {
    Signal::stored(
        roles
            .into_iter()
            .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
            .collect(),
    )
}

/// The edit dialog's values as typed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EditValues {
    pub name: String,
    pub role: String,
    pub notes: String,
    pub active: bool,
    pub tenant: String,
}

/// Only what changed, so an unchanged role or tenant is never sent (the server refuses
/// even a no-op role change on oneself) and the audit trail shows the real change.
pub(crate) fn changes(original: &AdminUser, v: &EditValues, staff: bool) -> UpdateUserRequest {
    let role = Role::parse(&v.role).unwrap_or(original.role);
    let tenant = v.tenant.trim();
    let moves_tenant = staff
        && !role.is_staff()
        && !tenant.is_empty()
        && Some(tenant) != original.tenant_slug.as_deref();
    UpdateUserRequest {
        name: (v.name.trim() != original.name).then(|| v.name.trim().to_owned()),
        role: (role != original.role).then_some(role),
        active: (v.active != (original.status == "active")).then_some(v.active),
        notes: (v.notes.trim() != original.notes.as_deref().unwrap_or_default().trim())
            .then(|| v.notes.trim().to_owned()),
        tenant: moves_tenant.then(|| tenant.to_owned()),
    }
}

fn is_empty(r: &UpdateUserRequest) -> bool {
    r.name.is_none()
        && r.role.is_none()
        && r.active.is_none()
        && r.notes.is_none()
        && r.tenant.is_none()
}

/// Edit a person's name, role, notes, status and (staff) tenant.
#[component]
pub fn EditUserDialog(
    /// The person being edited; `Some` opens the dialog, `None` closes it.
    target: RwSignal<Option<AdminUser>>,
    /// Who is editing: limits the roles offered.
    viewer: Viewer,
    /// Called after a successful save, to reload the table.
    on_saved: Callback<()>,
) -> impl IntoView {
    let staff = viewer.role.is_staff();
    let save = Action::new_local(move |(id, request): &(Uuid, UpdateUserRequest)| {
        let (id, request) = (*id, request.clone());
        async move {
            let user = api::users::update(id, request).await?;
            target.set(None);
            on_saved.run(());
            Ok::<_, ApiError>(user)
        }
    });
    let pending = save.pending();
    let close = Callback::new(move |()| target.set(None));
    let body = move || {
        let Some(user) = target.get_untracked() else {
            return ().into_any();
        };
        save.value().set(None);
        let is_self = viewer.id == Some(user.id);
        let name = RwSignal::new(user.name.clone());
        let role = RwSignal::new(user.role.as_str().to_owned());
        let notes = RwSignal::new(user.notes.clone().unwrap_or_default());
        let active = RwSignal::new(user.status == "active");
        let tenant = RwSignal::new(user.tenant_slug.clone().unwrap_or_default());
        let request = move || {
            let values = EditValues {
                name: name.get(),
                role: role.get(),
                notes: notes.get(),
                active: active.get(),
                tenant: tenant.get(),
            };
            changes(&user, &values, staff)
        };
        let form = FormErrors::new(
            {
                let request = request.clone();
                move || request().validate()
            },
            server_field_errors(save),
        );
        let user_id = target
            .with_untracked(|u| u.as_ref().map(|u| u.id))
            .unwrap_or_default();
        let on_submit = {
            let request = request.clone();
            move |ev: SubmitEvent| {
                ev.prevent_default();
                if !form.submit() {
                    return;
                }
                let request = request();
                if is_empty(&request) {
                    target.set(None);
                } else {
                    save.dispatch((user_id, request));
                }
            }
        };
        let notes_error = form.error("notes");
        let tenant_shown = move || staff && Role::parse(&role.get()).is_some_and(|r| !r.is_staff());
        view! {
            {failure_alert(save)}
            <form class="form" id="edit-user-form" on:submit=on_submit novalidate>
                <TextField id="edit-user-name" label="Name" value=name error=form.error("name") on_blur=form.touch("name")/>
                <SelectField
                    id="edit-user-role"
                    label="Role"
                    value=role
                    options=role_options(viewer.assignable_roles())
                    error=form.error("role")
                    disabled=is_self
                    hint=if is_self { "Nobody changes their own role." } else { "Only roles up to your own are offered." }
                />
                <Show when=tenant_shown>
                    <TextField
                        id="edit-user-tenant"
                        label="Tenant"
                        value=tenant
                        error=form.error("tenant")
                        hint="The organisation's slug. Moving someone ends their sessions."
                    />
                </Show>
                <Field id="edit-user-notes" label="Notes" error=notes_error hint="Only admins see these notes.">
                    <textarea
                        class="textarea"
                        id="edit-user-notes"
                        name="edit-user-notes"
                        rows="4"
                        maxlength=tessera_domain::users::NOTES_MAX.to_string()
                        bind:value=notes
                        on:blur={
                            let touch = form.touch("notes");
                            move |_| touch.run(())
                        }
                    ></textarea>
                </Field>
                <label class="checkbox">
                    <input type="checkbox" id="edit-user-active" bind:checked=active disabled=is_self/>
                    <span>"Active: may sign in"</span>
                </label>
                <FormActions on_cancel=close id="edit-user-save" pending=pending label="Save" busy="Saving…"/>
            </form>
        }
        .into_any()
    };
    view! {
        <TargetModal target=target title=|u| format!("Edit {}", u.name)>
            {untrack(body)}
        </TargetModal>
    }
}

/// Deactivate (`#confirm-deactivate`) or activate (`#confirm-activate`) a person, after
/// saying what that does.
#[component]
pub fn SetActiveDialog(
    /// The person; their current status decides which question is asked.
    target: RwSignal<Option<AdminUser>>,
    /// Called after the change, to reload the table.
    on_saved: Callback<()>,
) -> impl IntoView {
    let set_active = Action::new_local(move |(id, active): &(Uuid, bool)| {
        let request = UpdateUserRequest {
            active: Some(*active),
            ..UpdateUserRequest::default()
        };
        let id = *id;
        async move {
            api::users::update(id, request).await?;
            target.set(None);
            on_saved.run(());
            Ok::<_, ApiError>(())
        }
    });
    let is_active = move || target.with(|u| u.as_ref().map(|u| u.status == "active"));
    let name = move || target.with(|u| u.as_ref().map(|u| u.name.clone()).unwrap_or_default());
    let error = failure_text(set_active);
    let close = move |()| {
        set_active.value().set(None);
        target.set(None);
    };
    let confirm = move |active: bool| {
        if let Some(id) = target.with_untracked(|u| u.as_ref().map(|u| u.id)) {
            set_active.dispatch((id, active));
        }
    };
    view! {
        <ConfirmDialog
            open=Signal::derive(move || is_active() == Some(true))
            on_close=close
            title=Signal::derive(move || format!("Deactivate {}?", name()))
            confirm_label="Deactivate"
            confirm_id="confirm-deactivate"
            pending=set_active.pending()
            error=error
            on_confirm=move |()| confirm(false)
        >
            <p>
                <strong>{name}</strong>
                " can no longer sign in, and every session they have ends now. Their data and history stay, and you can activate them again at any time."
            </p>
        </ConfirmDialog>
        <ConfirmDialog
            open=Signal::derive(move || is_active() == Some(false))
            on_close=close
            title=Signal::derive(move || format!("Activate {}?", name()))
            confirm_label="Activate"
            confirm_id="confirm-activate"
            pending=set_active.pending()
            error=error
            on_confirm=move |()| confirm(true)
        >
            <p><strong>{name}</strong> " can sign in again with their existing password."</p>
        </ConfirmDialog>
    }
}

/// Reset a person's password: mail them a one-time link (the default: nobody else
/// learns the password), or set one now.
#[component]
pub fn ResetPasswordDialog(
    /// The person; `Some` opens the dialog.
    target: RwSignal<Option<AdminUser>>,
) -> impl IntoView {
    let reset = Action::new_local(move |(id, request): &(Uuid, ResetPasswordRequest)| {
        let (id, request) = (*id, request.clone());
        async move { api::users::reset_password(id, request).await }
    });
    let pending = reset.pending();
    let close = Callback::new(move |()| target.set(None));
    let body = move || {
        let Some(user) = target.get_untracked() else {
            return ().into_any();
        };
        reset.value().set(None);
        let set_now = RwSignal::new(false);
        let password = RwSignal::new(String::new());
        let rules = move || {
            if !set_now.get() {
                return Ok(());
            }
            validation::password(&password.get()).map_err(|m| vec![FieldError::new("password", m)])
        };
        let form = FormErrors::new(rules, server_field_errors(reset));
        let id = user.id;
        let on_submit = move |ev: SubmitEvent| {
            ev.prevent_default();
            if form.submit() {
                let password = set_now.get_untracked().then(|| password.get_untracked());
                reset.dispatch((id, ResetPasswordRequest { password }));
            }
        };
        let (email, name) = (user.email.clone(), user.name.clone());
        let done = move || {
            reset.value().with(|r| match r {
                Some(Ok(outcome)) => Some(if outcome.outcome == "link_sent" {
                    format!("A one-time link is on its way to {email}. It works once, for one hour; their sessions have ended.")
                } else {
                    format!("The new password is set and {name}'s sessions have ended. Tell them through a channel you trust.")
                }),
                _ => None,
            })
        };
        let done_for_show = done.clone();
        view! {
            <Show
                when=move || done_for_show().is_none()
                fallback={
                    let done = done.clone();
                    move || {
                        let text = done();
                        view! {
                        <Alert kind=AlertKind::Success title="Done">
                            <p id="reset-password-result">{text}</p>
                        </Alert>
                        <div class="form-actions">
                            <button type="button" class="btn btn-primary" id="reset-password-done" on:click=move |_| target.set(None)>
                                "Close"
                            </button>
                        </div>
                        }
                    }
                }
            >
                {failure_alert(reset)}
                <form class="form" id="reset-password-form" on:submit=on_submit novalidate>
                    <fieldset class="choice-group">
                        <legend class="field-label">"How?"</legend>
                        <label class="radio">
                            <input type="radio" name="reset-mode" id="reset-mode-link"
                                prop:checked=move || !set_now.get() on:change=move |_| set_now.set(false)/>
                            <span>"E-mail a one-time link to " <strong>{user.email.clone()}</strong></span>
                        </label>
                        <label class="radio">
                            <input type="radio" name="reset-mode" id="reset-mode-set"
                                prop:checked=move || set_now.get() on:change=move |_| set_now.set(true)/>
                            <span>"Set a new password now"</span>
                        </label>
                    </fieldset>
                    <Show when=move || set_now.get()>
                        <TextField
                            id="reset-password-input"
                            label="New password"
                            input_type="password"
                            autocomplete="new-password"
                            value=password
                            error=form.error("password")
                            on_blur=form.touch("password")
                            hint="At least 10 characters."
                        />
                    </Show>
                    <p class="text-muted text-sm">"Either way, their current sessions end."</p>
                    <FormActions
                        on_cancel=close
                        id="reset-password-submit"
                        pending=pending
                        label=Signal::derive(move || if set_now.get() { "Set password" } else { "Send link" })
                        busy="Working…"
                    />
                </form>
            </Show>
        }
        .into_any()
    };
    view! {
        <TargetModal target=target title=|u| format!("Reset {}'s password", u.name)>
            {untrack(body)}
        </TargetModal>
    }
}

/// The new-user form's values as typed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewValues {
    pub name: String,
    pub email: String,
    pub username: String,
    pub password: String,
    pub role: String,
    pub tenant: String,
}

/// The create request, and the rules it must pass: the shared `validate()`, plus the
/// server's tenant rule for staff (a member role needs a tenant; org admins' new users
/// always join their own tenant, so they never name one).
///
/// # Errors
/// One entry per invalid field.
pub(crate) fn create_request(
    v: &NewValues,
    staff: bool,
) -> (CreateUserRequest, Result<(), Vec<FieldError>>) {
    let role = Role::parse(&v.role).unwrap_or(Role::User);
    let tenant = v.tenant.trim();
    let request = CreateUserRequest {
        email: v.email.trim().to_owned(),
        username: v.username.trim().to_owned(),
        password: v.password.clone(),
        name: v.name.trim().to_owned(),
        role,
        tenant: (staff && !role.is_staff() && !tenant.is_empty()).then(|| tenant.to_owned()),
    };
    let mut errors = request.validate().err().unwrap_or_default();
    if staff && !role.is_staff() && tenant.is_empty() {
        errors.push(FieldError::new(
            "tenant",
            "is required for the user and org admin roles",
        ));
    }
    let verdict = if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    };
    (request, verdict)
}

/// Add a person: name, e-mail, username, first password, role and (staff) tenant.
#[component]
pub fn NewUserDialog(
    /// Whether the dialog is shown.
    open: RwSignal<bool>,
    /// Who is adding: limits the roles offered and whether a tenant is asked for.
    viewer: Viewer,
    /// Called after the user was created, to reload the table.
    on_saved: Callback<()>,
) -> impl IntoView {
    let staff = viewer.role.is_staff();
    let create = Action::new_local(move |request: &CreateUserRequest| {
        let request = request.clone();
        async move {
            let user = api::users::create(request).await?;
            open.set(false);
            on_saved.run(());
            Ok::<_, ApiError>(user)
        }
    });
    let pending = create.pending();
    let close = Callback::new(move |()| open.set(false));
    let body = move || {
        create.value().set(None);
        let values = [(); 6].map(|()| RwSignal::new(String::new()));
        let [name, email, username, password, role, tenant] = values;
        role.set(Role::User.as_str().to_owned());
        let current = move || NewValues {
            name: name.get(),
            email: email.get(),
            username: username.get(),
            password: password.get(),
            role: role.get(),
            tenant: tenant.get(),
        };
        let form = FormErrors::new(
            move || create_request(&current(), staff).1,
            server_field_errors(create),
        );
        let on_submit = move |ev: SubmitEvent| {
            ev.prevent_default();
            if form.submit() {
                create.dispatch(create_request(&current(), staff).0);
            }
        };
        let tenant_shown = move || staff && Role::parse(&role.get()).is_some_and(|r| !r.is_staff());
        view! {
            {failure_alert(create)}
            <form class="form" id="new-user-form" on:submit=on_submit novalidate>
                <TextField id="new-user-name" label="Name" value=name error=form.error("name") on_blur=form.touch("name") autocomplete="off"/>
                <div class="form-row">
                    <TextField id="new-user-email" label="E-mail" input_type="email" value=email
                        error=form.error("email") on_blur=form.touch("email") autocomplete="off"/>
                    <TextField id="new-user-username" label="Username" value=username
                        error=form.error("username") on_blur=form.touch("username") autocomplete="off"
                        hint="Lowercase letters, digits, . _ -"/>
                </div>
                <TextField id="new-user-password" label="First password" input_type="password" value=password
                    error=form.error("password") on_blur=form.touch("password") autocomplete="new-password"
                    hint="At least 10 characters. They can change it later."/>
                <div class="form-row">
                    <SelectField id="new-user-role" label="Role" value=role
                        options=role_options(viewer.assignable_roles()) error=form.error("role")/>
                    <Show when=tenant_shown>
                        <TextField id="new-user-tenant" label="Tenant" value=tenant
                            error=form.error("tenant") on_blur=form.touch("tenant") hint="The organisation's slug."/>
                    </Show>
                </div>
                <FormActions on_cancel=close id="new-user-submit" pending=pending label="Create user" busy="Creating…"/>
            </form>
        }
    };
    view! {
        <Modal open=open on_close=close title="New user">
            {untrack(body)}
        </Modal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> AdminUser {
        AdminUser {
            id: Uuid::nil(),
            email: "ada@acme.test".into(),
            username: "ada".into(),
            name: "Ada".into(),
            role: Role::User,
            status: "active".into(),
            tenant_id: None,
            tenant_slug: Some("acme".into()),
            notes: None,
            last_login_at: None,
            created_at: chrono::DateTime::default(),
        }
    }

    fn values(u: &AdminUser) -> EditValues {
        EditValues {
            name: u.name.clone(),
            role: u.role.as_str().into(),
            notes: String::new(),
            active: true,
            tenant: "acme".into(),
        }
    }

    #[test]
    fn only_changes_are_sent() {
        let u = ada();
        assert!(is_empty(&changes(&u, &values(&u), true)));
        let mut v = values(&u);
        v.notes = " VIP ".into();
        v.active = false;
        let r = changes(&u, &v, true);
        assert_eq!(
            (r.notes.as_deref(), r.active, r.role, r.name),
            (Some("VIP"), Some(false), None, None)
        );
        v.tenant = "globex".into();
        assert_eq!(changes(&u, &v, true).tenant.as_deref(), Some("globex"));
        assert_eq!(
            changes(&u, &v, false).tenant,
            None,
            "org admins never move people"
        );
    }

    #[test]
    fn staff_must_name_a_tenant_for_member_roles() {
        let v = NewValues {
            name: "Cy".into(),
            email: "cy@acme.test".into(),
            username: "cyd".into(),
            password: "correct-horse-2".into(),
            role: "user".into(),
            tenant: " ".into(),
        };
        let fields = |r: Result<(), Vec<FieldError>>| {
            r.err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(create_request(&v, true).1), ["tenant"]);
        assert!(create_request(&v, false).1.is_ok());
        let admin = NewValues {
            role: "admin".into(),
            ..v
        };
        let (request, verdict) = create_request(&admin, true);
        assert!(verdict.is_ok());
        assert_eq!(request.tenant, None);
    }
}
