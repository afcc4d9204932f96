use leptos::prelude::*;

/// A small rotating indicator with a label for screen readers.
#[component]
pub fn Spinner(
    /// What is happening, read out to screen readers.
    #[prop(optional, into)]
    label: Option<String>,
) -> impl IntoView {
    let label = label.unwrap_or_else(|| "Loading".into());
    view! { <span class="spinner" role="status" aria-label=label></span> }
}

/// A block-level loading state: a spinner and a visible sentence.
#[component]
pub fn Loading(
    /// The visible text; "Loading…" by default.
    #[prop(optional, into)]
    text: Option<String>,
) -> impl IntoView {
    let text = text.unwrap_or_else(|| "Loading…".into());
    view! {
        <div class="loading" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{text}</span>
        </div>
    }
}

/// A spinner inside a button while its action runs; the button's text says what.
#[component]
pub fn BusySpinner(
    /// Whether the action is running.
    #[prop(into)]
    when: Signal<bool>,
) -> impl IntoView {
    move || {
        when.get()
            .then(|| view! { <span class="spinner" aria-hidden="true"></span> })
    }
}
