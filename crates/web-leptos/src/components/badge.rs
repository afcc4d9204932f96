use leptos::prelude::*;
use tessera_domain::Role;

/// The colour family of a [`Badge`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    /// Grey: inactive or unremarkable.
    #[default]
    Neutral,
    /// The brand colour.
    Brand,
    /// Green: healthy, active.
    Success,
    /// Amber: needs attention soon.
    Warning,
    /// Red: blocked, failed, revoked.
    Danger,
    /// Blue: informational, in progress.
    Info,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Neutral => "badge badge-neutral",
            Tone::Brand => "badge badge-brand",
            Tone::Success => "badge badge-success",
            Tone::Warning => "badge badge-warning",
            Tone::Danger => "badge badge-danger",
            Tone::Info => "badge badge-info",
        }
    }
}

/// A small coloured label.
#[component]
pub fn Badge(
    /// Colour family; neutral by default.
    #[prop(optional)]
    tone: Tone,
    /// The label.
    children: Children,
) -> impl IntoView {
    view! { <span class=tone.class()>{children()}</span> }
}

/// A user's role as a badge: "Super admin", "Admin", "Org admin" or "User".
#[component]
pub fn RoleBadge(
    /// The role to show.
    #[prop(into)]
    role: Signal<Role>,
) -> impl IntoView {
    view! {
        <span
            class=move || format!("badge badge-role badge-role-{}", role.get().as_str())
            data-role=move || role.get().as_str()
        >
            {move || role.get().label()}
        </span>
    }
}

/// A lifecycle status (`active`, `suspended`, `trialing`, ...) as a badge whose colour
/// follows what the status means for the person reading it.
#[component]
pub fn StatusBadge(
    /// The status as the API spells it.
    #[prop(into)]
    status: Signal<String>,
) -> impl IntoView {
    let tone = move || {
        status.with(|s| match s.as_str() {
            "active" | "ok" | "paid" | "completed" | "valid" => Tone::Success,
            "trialing" | "pending" | "processing" => Tone::Info,
            "past_due" | "expired" | "warning" | "exhausted" => Tone::Warning,
            "suspended" | "revoked" | "failed" | "critical" | "canceled" | "cancelled" => {
                Tone::Danger
            }
            _ => Tone::Neutral,
        })
    };
    // "past_due" reads as "Past due".
    let label = move || status.with(|s| capitalize(&s.replace('_', " ")));
    view! { <span class=move || tone().class() data-status=status>{label}</span> }
}

/// `free` → `Free`: codes from the API shown as labels.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
