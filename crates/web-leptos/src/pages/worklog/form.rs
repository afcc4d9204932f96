//! The worklog form shared by quick-add and the edit page: its values, how they become
//! the shared `WorklogInput` (and its `validate()`), and the fields themselves.

use chrono::NaiveDate;
use leptos::prelude::*;
use tessera_domain::FieldError;
use tessera_domain::worklog::{
    DESCRIPTION_MAX, Worklog, WorklogInput, WorklogPatch, WorklogSuggestion,
};

use crate::components::{Field, TextField};
use crate::forms::FormErrors;

/// Today in the person's own time zone, which is the day they mean by "today".
///
/// chrono's clock has no time source on wasm32, so the browser's `Date` answers.
pub fn today() -> NaiveDate {
    let now = web_sys::js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(
        i32::try_from(now.get_full_year()).unwrap_or(1970),
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}

/// `90` → "1 h 30 min", `45` → "45 min", `120` → "2 h".
pub fn duration_label(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Reads a duration as people type it: `45`, `45m`, `1:30`, `1h30`, `1.5h`, `2h`.
///
/// Kimai and most time trackers accept hours as well as minutes; a person copying
/// "1:30" from a calendar should not have to do the arithmetic.
pub fn parse_duration(text: &str) -> Option<i32> {
    let text: String = text
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let whole = |s: &str| s.parse::<i32>().ok().filter(|n| *n >= 0);
    if let Some((h, m)) = text.split_once(':') {
        let (h, m) = (whole(h)?, whole(m)?);
        return (m < 60).then_some(h * 60 + m);
    }
    if let Some(m) = text.strip_suffix("min").or_else(|| text.strip_suffix('m')) {
        if let Some((h, m)) = m.split_once('h') {
            let (h, m) = (whole(h)?, whole(m)?);
            return (m < 60).then_some(h * 60 + m);
        }
        return whole(m);
    }
    if let Some((h, rest)) = text.split_once('h') {
        if rest.is_empty() {
            let hours = h.replace(',', ".").parse::<f64>().ok()?;
            return (0.0..=24.0)
                .contains(&hours)
                .then(|| (hours * 60.0).round() as i32);
        }
        let (h, m) = (whole(h)?, whole(rest)?);
        return (m < 60).then_some(h * 60 + m);
    }
    whole(&text)
}

/// `"dev, review ,"` → `["dev", "review"]`.
pub fn parse_tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Builds the request from the typed text and applies the server's own rules to it.
///
/// Text that cannot even be read as a date or a duration gets its own message; every
/// other rule is `WorklogInput::validate`, the same function the API runs.
///
/// # Errors
/// One entry per invalid field, named as the API names them.
pub fn to_input(
    date: &str,
    minutes: &str,
    description: &str,
    project: &str,
    tags: &str,
    billable: bool,
    today: NaiveDate,
) -> Result<WorklogInput, Vec<FieldError>> {
    let parsed_date = date.trim().parse::<NaiveDate>().ok();
    let parsed_minutes = parse_duration(minutes);
    let project = project.trim();
    let input = WorklogInput {
        work_date: parsed_date.unwrap_or(today),
        minutes: parsed_minutes.unwrap_or(1),
        description: description.trim().to_owned(),
        project: (!project.is_empty()).then(|| project.to_owned()),
        tags: parse_tags(tags),
        billable,
    };
    let mut errors = Vec::new();
    if parsed_date.is_none() {
        let message = if date.trim().is_empty() {
            "is required"
        } else {
            "must be a date"
        };
        errors.push(FieldError::new("work_date", message));
    }
    if parsed_minutes.is_none() {
        let message = if minutes.trim().is_empty() {
            "is required"
        } else {
            "must be minutes (45) or hours (1:30, 1.5h)"
        };
        errors.push(FieldError::new("minutes", message));
    }
    if let Err(rule_errors) = input.validate(today) {
        // A field that could not be read already has its message; the stand-in value
        // used to check the rest must not add a second, misleading one.
        let fresh: Vec<FieldError> = rule_errors
            .into_iter()
            .filter(|e| !errors.iter().any(|known| known.field == e.field))
            .collect();
        errors.extend(fresh);
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

/// A full replacement of an entry's fields; an empty project clears it.
pub fn to_patch(input: WorklogInput) -> WorklogPatch {
    WorklogPatch {
        work_date: Some(input.work_date),
        minutes: Some(input.minutes),
        description: Some(input.description),
        project: Some(input.project.unwrap_or_default()),
        tags: Some(input.tags),
        billable: Some(input.billable),
    }
}

/// The form's values as typed, one signal per field.
#[derive(Debug, Clone, Copy)]
pub struct Draft {
    /// `YYYY-MM-DD`, as a date input reports it.
    pub date: RwSignal<String>,
    /// A duration as typed (see [`parse_duration`]).
    pub minutes: RwSignal<String>,
    /// What was done.
    pub description: RwSignal<String>,
    /// Free-text project.
    pub project: RwSignal<String>,
    /// Comma-separated tags.
    pub tags: RwSignal<String>,
    /// Whether the time is billable.
    pub billable: RwSignal<bool>,
}

impl Draft {
    /// An empty form for `date`.
    pub fn new(date: NaiveDate) -> Draft {
        Draft {
            date: RwSignal::new(date.to_string()),
            minutes: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            project: RwSignal::new(String::new()),
            tags: RwSignal::new(String::new()),
            billable: RwSignal::new(true),
        }
    }

    /// Copies a suggestion in, keeping the chosen date: a recurring task is logged again
    /// today, not on the day it was last logged.
    pub fn fill_from_suggestion(self, s: &WorklogSuggestion) {
        self.minutes.set(s.minutes.to_string());
        self.description.set(s.description.clone());
        self.project.set(s.project.clone().unwrap_or_default());
        self.tags.set(s.tags.join(", "));
        self.billable.set(s.billable);
    }

    /// Shows an existing entry.
    pub fn fill_from_entry(self, w: &Worklog) {
        self.date.set(w.work_date.to_string());
        self.minutes.set(w.minutes.to_string());
        self.description.set(w.description.clone());
        self.project.set(w.project.clone().unwrap_or_default());
        self.tags.set(w.tags.join(", "));
        self.billable.set(w.billable);
    }

    /// The request the current values make, checked by the shared rules (tracked, so a
    /// [`FormErrors`] re-checks as the person types).
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn input(self, today: NaiveDate) -> Result<WorklogInput, Vec<FieldError>> {
        to_input(
            &self.date.get(),
            &self.minutes.get(),
            &self.description.get(),
            &self.project.get(),
            &self.tags.get(),
            self.billable.get(),
            today,
        )
    }
}

/// The worklog fields, bound to a [`Draft`], with inline errors from `form`.
///
/// The ids (`#worklog-date`, `#worklog-minutes`, `#worklog-description`,
/// `#worklog-project`, `#worklog-tags`, `#worklog-billable`) are stable for tests; only
/// one worklog form is on screen at a time.
#[component]
pub fn WorklogFields(
    /// The values.
    draft: Draft,
    /// When to show which error.
    form: FormErrors,
) -> impl IntoView {
    let description_error = form.error("description");
    let touch_description = form.touch("description");
    let hours = move || {
        parse_duration(&draft.minutes.get())
            .filter(|m| *m >= 60)
            .map(|m| format!("= {}", duration_label(i64::from(m))))
    };
    view! {
        <div class="form-row">
            <TextField
                id="worklog-date"
                label="Date"
                input_type="date"
                value=draft.date
                error=form.error("work_date")
                on_blur=form.touch("work_date")
            />
            <div class="form-col">
                <TextField
                    id="worklog-minutes"
                    label="Time"
                    value=draft.minutes
                    error=form.error("minutes")
                    on_blur=form.touch("minutes")
                    placeholder="45, 1:30 or 1.5h"
                    hint="Minutes, or hours as 1:30 or 1.5h."
                    autocomplete="off"
                />
                <span class="duration-echo" aria-live="polite">{hours}</span>
            </div>
        </div>
        <Field id="worklog-description" label="Description" error=description_error>
            <textarea
                class="textarea"
                id="worklog-description"
                name="worklog-description"
                rows="3"
                maxlength=DESCRIPTION_MAX.to_string()
                aria-invalid=move || if description_error.with(Option::is_some) { "true" } else { "false" }
                bind:value=draft.description
                on:blur=move |_| touch_description.run(())
            ></textarea>
        </Field>
        <div class="form-row">
            <TextField
                id="worklog-project"
                label="Project"
                value=draft.project
                error=form.error("project")
                on_blur=form.touch("project")
                placeholder="Optional"
            />
            <TextField
                id="worklog-tags"
                label="Tags"
                value=draft.tags
                error=form.error("tags")
                on_blur=form.touch("tags")
                placeholder="dev, review"
                hint="Separate tags with commas."
            />
        </div>
        <label class="checkbox">
            <input type="checkbox" id="worklog-billable" bind:checked=draft.billable/>
            <span>"Billable"</span>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("45"), Some(45));
        assert_eq!(parse_duration(" 45 m"), Some(45));
        assert_eq!(parse_duration("1:30"), Some(90));
        assert_eq!(parse_duration("1h30"), Some(90));
        assert_eq!(parse_duration("1h30m"), Some(90));
        assert_eq!(parse_duration("1.5h"), Some(90));
        assert_eq!(parse_duration("2H"), Some(120));
        assert_eq!(parse_duration("1:75"), None);
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn labels_use_hours_and_minutes() {
        assert_eq!(duration_label(45), "45 min");
        assert_eq!(duration_label(120), "2 h");
        assert_eq!(duration_label(95), "1 h 35 min");
    }

    #[test]
    fn unreadable_fields_get_one_message_each() {
        let today = day(2026, 11, 25);
        let errors = to_input("", "soon", " ", "", "", true, today).unwrap_err();
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("work_date", "is required"),
                ("minutes", "must be minutes (45) or hours (1:30, 1.5h)"),
                ("description", "is required"),
            ]
        );
    }

    #[test]
    fn the_servers_rules_apply() {
        let today = day(2026, 11, 25);
        let errors = to_input("2026-12-25", "2000", "x", "", "", true, today).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["work_date", "minutes"]);
        let ok = to_input("2026-11-25", "1:30", " Review ", " ", "a, b,", false, today).unwrap();
        assert_eq!(ok.minutes, 90);
        assert_eq!(ok.description, "Review");
        assert_eq!(ok.project, None);
        assert_eq!(ok.tags, ["a", "b"]);
    }
}
