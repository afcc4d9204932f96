use leptos::prelude::*;

/// How serious an [`Alert`] is; picks its colour and whether screen readers interrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertKind {
    /// Neutral information.
    #[default]
    Info,
    /// Something worked.
    Success,
    /// Something needs attention but nothing failed.
    Warning,
    /// Something failed.
    Error,
}

impl AlertKind {
    fn class(self) -> &'static str {
        match self {
            AlertKind::Info => "alert alert-info",
            AlertKind::Success => "alert alert-success",
            AlertKind::Warning => "alert alert-warning",
            AlertKind::Error => "alert alert-error",
        }
    }
}

/// A message box in the flow of the page (`.alert .alert-{kind}`).
#[component]
pub fn Alert(
    /// Colour and urgency; `Info` by default.
    #[prop(optional)]
    kind: AlertKind,
    /// An optional bold first line.
    #[prop(optional, into)]
    title: Option<String>,
    /// The message.
    children: Children,
) -> impl IntoView {
    // Errors and warnings interrupt a screen reader; the rest waits its turn.
    let role = if matches!(kind, AlertKind::Error | AlertKind::Warning) {
        "alert"
    } else {
        "status"
    };
    view! {
        <div class=kind.class() role=role>
            {title.map(|t| view! { <p class="alert-title">{t}</p> })}
            <div class="alert-body">{children()}</div>
        </div>
    }
}

/// The fallback of an `ErrorBoundary`: every caught error as an error alert, so a
/// failed load is always visible on the page and not only in the console.
#[component]
pub fn ErrorList(
    /// The boundary's errors.
    errors: ArcRwSignal<Errors>,
) -> impl IntoView {
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, e)| view! { <p>{e.to_string()}</p> })
            .collect_view()
    };
    view! {
        <Alert kind=AlertKind::Error title="This could not be loaded">
            {messages}
        </Alert>
    }
}
