use leptos::prelude::*;

use super::Field;

/// A drop-down inside a [`Field`], bound to a signal holding the chosen option's value.
///
/// Options may arrive after the select (e.g. loaded plans): each option's `selected`
/// property follows the signal, so the shown choice and the signal never disagree.
#[component]
pub fn SelectField(
    /// The select's `id` and `name`.
    #[prop(into)]
    id: String,
    /// The label.
    #[prop(into)]
    label: String,
    /// The chosen option's value; empty while nothing is chosen.
    value: RwSignal<String>,
    /// `(value, text)` of every option, in order.
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
    /// A first option with an empty value, e.g. "Choose a plan…"; none by default.
    #[prop(optional, into)]
    placeholder: Option<String>,
    /// The current error fragment (see [`Field`]).
    #[prop(optional, into)]
    error: MaybeProp<String>,
    /// Help under the select.
    #[prop(optional, into)]
    hint: Option<String>,
    /// Whether the select is disabled.
    #[prop(optional, into)]
    disabled: MaybeProp<bool>,
    /// Called when the person leaves the select; forms use it to show its errors.
    #[prop(optional, into)]
    on_blur: Option<Callback<()>>,
) -> impl IntoView {
    let first = placeholder.map(|text| {
        view! { <option value="" prop:selected=move || value.with(String::is_empty)>{text}</option> }
    });
    view! {
        <Field id=id.clone() label=label error=error hint=hint.unwrap_or_default()>
            <select
                class="select"
                id=id.clone()
                name=id
                disabled=move || disabled.get().unwrap_or(false)
                aria-invalid=move || if error.with(|e| e.is_some()) { "true" } else { "false" }
                on:change=move |ev| value.set(event_target_value(&ev))
                on:blur=move |_| {
                    if let Some(cb) = on_blur {
                        cb.run(());
                    }
                }
            >
                {first}
                <For
                    each=move || options.get()
                    key=|(v, t)| (v.clone(), t.clone())
                    children=move |(v, t)| {
                        view! { <option value=v.clone() prop:selected=move || value.with(|x| *x == v)>{t}</option> }
                    }
                />
            </select>
        </Field>
    }
}
