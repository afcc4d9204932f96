//! When to show a form's inline errors, and which: the shared rules first, then the
//! server's 422 field errors.

use leptos::prelude::*;
use tessera_domain::FieldError;

/// The error state of one form.
///
/// A rule error appears once the person has left the field or tried to submit, not
/// while they are still typing their first character.
#[derive(Debug, Clone, Copy)]
pub struct FormErrors {
    rules: Signal<Vec<FieldError>>,
    server: Signal<Vec<FieldError>>,
    touched: RwSignal<Vec<&'static str>>,
    submitted: RwSignal<bool>,
}

impl FormErrors {
    /// `rules` re-checks the current values (usually `request.validate()`); `server`
    /// holds the field errors of the last refused submission.
    pub fn new(
        rules: impl Fn() -> Result<(), Vec<FieldError>> + Send + Sync + 'static,
        server: impl Fn() -> Vec<FieldError> + Send + Sync + 'static,
    ) -> FormErrors {
        FormErrors {
            rules: Signal::derive(move || rules().err().unwrap_or_default()),
            server: Signal::derive(server),
            touched: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(false),
        }
    }

    /// The error fragment to show under `field`, if any.
    pub fn error(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || {
            let shown = self.submitted.get() || self.touched.with(|t| t.contains(&field));
            let find = |errors: &Vec<FieldError>| {
                errors
                    .iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            };
            shown
                .then(|| self.rules.with(find))
                .flatten()
                .or_else(|| self.server.with(find))
        })
    }

    /// Marks `field` as visited; pass to a field's `on_blur`.
    pub fn touch(self, field: &'static str) -> Callback<()> {
        Callback::new(move |()| {
            if !self.touched.with_untracked(|t| t.contains(&field)) {
                self.touched.update(|t| t.push(field));
            }
        })
    }

    /// Records a submit attempt; `true` when the rules pass and the form may be sent.
    pub fn submit(self) -> bool {
        self.submitted.set(true);
        self.rules.with_untracked(Vec::is_empty)
    }

    /// Starts over, e.g. when a form is shown again for a new step.
    pub fn reset(self) {
        self.touched.set(Vec::new());
        self.submitted.set(false);
    }
}
