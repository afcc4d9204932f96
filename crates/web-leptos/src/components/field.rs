use leptos::prelude::*;

/// A labelled form control with a hint and an inline error.
///
/// The error is a rule's message fragment (e.g. "is required", as the shared rules in
/// `tessera_domain::validation` and the server's 422 `errors[]` phrase them); it is
/// shown after the label, so "E-mail" + "is required" reads "E-mail is required".
#[component]
pub fn Field(
    /// The id of the control inside; the label points at it.
    #[prop(into)]
    id: String,
    /// The label.
    #[prop(into)]
    label: String,
    /// The current error fragment, if any; the field turns red while it is set.
    #[prop(optional, into)]
    error: MaybeProp<String>,
    /// Help shown under the control while there is no error.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The control itself.
    children: Children,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let hint = hint.filter(|h| !h.is_empty());
    let message = {
        let label = label.clone();
        move || error.get().map(|fragment| format!("{label} {fragment}"))
    };
    view! {
        <div class="field" class:field-invalid=move || error.with(|e| e.is_some())>
            <label class="field-label" for=id>{label}</label>
            {children()}
            {move || match message() {
                Some(text) => view! { <p class="field-error" id=error_id.clone()>{text}</p> }.into_any(),
                None => hint
                    .clone()
                    .map(|h| view! { <p class="field-hint" id=hint_id.clone()>{h}</p> })
                    .into_any(),
            }}
        </div>
    }
}

/// A single-line text input inside a [`Field`], bound to a signal.
///
/// `id` doubles as the input's `name`, so tests and password managers find it.
#[component]
pub fn TextField(
    /// The input's `id` and `name`.
    #[prop(into)]
    id: String,
    /// The label.
    #[prop(into)]
    label: String,
    /// The value, updated as the person types.
    value: RwSignal<String>,
    /// The current error fragment (see [`Field`]).
    #[prop(optional, into)]
    error: MaybeProp<String>,
    /// Help under the input.
    #[prop(optional, into)]
    hint: Option<String>,
    /// The input `type`; `text` by default.
    #[prop(optional, into)]
    input_type: Option<String>,
    /// The `autocomplete` token, e.g. `username`, `current-password`, `one-time-code`.
    #[prop(optional, into)]
    autocomplete: Option<String>,
    /// The `inputmode`, e.g. `numeric` for codes.
    #[prop(optional, into)]
    inputmode: Option<String>,
    /// Placeholder text.
    #[prop(optional, into)]
    placeholder: Option<String>,
    /// Largest number of characters accepted.
    #[prop(optional)]
    maxlength: Option<u32>,
    /// Focus this input when it appears.
    #[prop(optional)]
    autofocus: bool,
    /// Called when the person leaves the input after typing in it; forms use it to
    /// start showing that field's errors.
    #[prop(optional, into)]
    on_blur: Option<Callback<()>>,
) -> impl IntoView {
    // Merely passing through an empty field (autofocus, then a click on a link) is not
    // a mistake: complaining then would also shift the layout under the pointer.
    let edited = RwSignal::new(false);
    let described_by = {
        let (error_id, hint_id, has_hint) =
            (format!("{id}-error"), format!("{id}-hint"), hint.is_some());
        move || {
            if error.with(|e| e.is_some()) {
                Some(error_id.clone())
            } else {
                has_hint.then(|| hint_id.clone())
            }
        }
    };
    view! {
        <Field id=id.clone() label=label error=error hint=hint.unwrap_or_default()>
            <input
                class="input"
                id=id.clone()
                name=id
                type=input_type.unwrap_or_else(|| "text".into())
                autocomplete=autocomplete
                inputmode=inputmode
                placeholder=placeholder
                maxlength=maxlength
                autofocus=autofocus
                aria-invalid=move || if error.with(|e| e.is_some()) { "true" } else { "false" }
                aria-describedby=described_by
                bind:value=value
                on:input=move |_| edited.set(true)
                on:blur=move |_| {
                    if let Some(cb) = on_blur.filter(|_| edited.get_untracked()) {
                        cb.run(());
                    }
                }
            />
        </Field>
    }
}
