//! Staff: the metric alert rules — a table of rules edited in place and saved as a whole
//! (`PUT /api/system/metrics/thresholds` replaces every rule).

use leptos::ev::Event;
use leptos::prelude::*;
use tessera_domain::FieldError;
use tessera_domain::metrics::{THRESHOLD_METRICS, Threshold};

use crate::api::ApiError;
use crate::api::metrics as api;
use crate::components::{Alert, AlertKind, BusySpinner, Loading, capitalize};
use crate::format::short;

/// The label of every figure a rule can watch ([`THRESHOLD_METRICS`], the names the server
/// accepts). Figures that are `null` in a period raise no alert then.
const LABELS: &[(&str, &str)] = &[
    ("mrr_cents", "MRR (cents)"),
    ("arr_cents", "ARR (cents)"),
    ("mrr_start_cents", "MRR at start (cents)"),
    ("paying_customers", "Paying customers"),
    ("new_customers", "New customers"),
    ("customer_churn_rate", "Customer churn"),
    ("gross_revenue_churn_rate", "Gross revenue churn"),
    ("net_revenue_churn_rate", "Net revenue churn"),
    ("arpa_cents", "ARPA (cents)"),
    ("trial_to_paid_conversion_rate", "Trial → paid"),
    ("dau", "DAU"),
    ("wau", "WAU"),
    ("mau", "MAU"),
    ("calls", "LLM calls"),
    ("mean_duration_ms", "LLM mean duration (ms)"),
    ("failure_rate", "LLM failure rate"),
    ("tokens", "LLM tokens"),
    ("cost_cents", "LLM cost (cents)"),
    ("requests_total", "Requests"),
    ("error_rate", "Error rate (5xx)"),
    ("client_error_rate", "Client errors (4xx)"),
    ("p50_ms", "Latency p50 (ms)"),
    ("p95_ms", "Latency p95 (ms)"),
    ("p99_ms", "Latency p99 (ms)"),
    ("sse_clients", "Live feed clients"),
    ("job_runs", "Metrics job runs (24 h)"),
    ("job_failures", "Metrics job failures (24 h)"),
    ("queue_depth", "Queue depth"),
];

const OPERATORS: &[(&str, &str)] = &[("gt", "above (>)"), ("lt", "below (<)")];
const SEVERITIES: &[(&str, &str)] = &[("warning", "Warning"), ("critical", "Critical")];

/// One rule as it is being typed: the value is still text.
#[derive(Debug, Clone, PartialEq)]
struct RuleRow {
    key: u64,
    metric: String,
    operator: String,
    value: String,
    severity: String,
    /// The saved value and its text: sent as saved while the text is unchanged, so a
    /// value the text rounds is not changed by saving the other rules.
    saved: Option<(f64, String)>,
}

impl RuleRow {
    fn new(key: u64, t: &Threshold) -> RuleRow {
        let text = plain(t.value);
        RuleRow {
            key,
            metric: t.metric.clone(),
            operator: t.operator.clone(),
            value: text.clone(),
            severity: t.severity.clone(),
            saved: Some((t.value, text)),
        }
    }

    /// The rule this row stands for, or the shared rule's complaint about it.
    fn rule(&self) -> Result<Threshold, String> {
        let value = match &self.saved {
            Some((v, text)) if *text == self.value => *v,
            // Text that is not a number becomes NaN, so the shared rule words that error too.
            _ => self.value.trim().parse().unwrap_or(f64::NAN),
        };
        let rule = Threshold {
            metric: self.metric.clone(),
            operator: self.operator.clone(),
            value,
            severity: self.severity.clone(),
        };
        rule.validate()?;
        rule.validate_metric().map(|()| rule)
    }
}

/// `v` as a person would type it, without the float printer (see `format::fixed`): up to
/// six decimals, fewer where more would not fit its integer arithmetic.
fn plain(v: f64) -> String {
    let decimals = (0..=6_u32)
        .rev()
        .find(|d| v.abs() * 10_f64.powi(*d as i32) < 9e15)
        .unwrap_or(0);
    short(v, decimals)
}

/// The metric choices of a row: the known figures, plus the row's own metric when a rule
/// saved before names one the server no longer knows (shown, so it can be replaced).
fn metric_options(current: &str) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), "Choose a metric…".to_owned())];
    if !current.is_empty() && !THRESHOLD_METRICS.contains(&current) {
        options.push((current.to_owned(), current.to_owned()));
    }
    options.extend(THRESHOLD_METRICS.iter().map(|m| {
        let label = LABELS
            .iter()
            .find(|(name, _)| name == m)
            .map_or(*m, |(_, label)| *label);
        ((*m).to_owned(), format!("{label} · {m}"))
    }));
    options
}

/// The server's complaint about row `key` after it refused the rows `sent`: it names a
/// rule by its index in the list (`[1]`, or a field of it: `[1].metric`).
fn refused(sent: &[u64], key: u64, errors: &[FieldError]) -> Option<String> {
    let field = format!("[{}]", sent.iter().position(|k| *k == key)?);
    errors
        .iter()
        .find(|e| {
            e.field
                .strip_prefix(&field)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
        .map(|e| e.message.clone())
}

fn owned(options: &[(&str, &str)]) -> Vec<(String, String)> {
    options
        .iter()
        .map(|(v, t)| ((*v).to_owned(), (*t).to_owned()))
        .collect()
}

/// "Alert thresholds": loads the rules, then edits and saves them; `on_saved` is told after
/// a save so the page reloads its alerts.
#[component]
pub(crate) fn ThresholdEditor(
    /// Told after the rules were saved.
    on_saved: Callback<()>,
) -> impl IntoView {
    let loaded = LocalResource::new(api::thresholds);
    view! {
        <section class="card" id="thresholds">
            <h2 class="card-title">"Alert thresholds"</h2>
            <p class="text-muted text-sm">
                "A metric beyond its rule shows under Alerts. Rates are shares (0.05 = 5%), money is in cents. Saving replaces every rule."
            </p>
            // Loaded once and never refetched: a plain read is enough, and smaller than a
            // Suspense boundary in the wasm.
            {move || match loaded.get() {
                None => view! { <Loading text="Loading the rules…"/> }.into_any(),
                Some(Ok(rules)) => view! { <Rules initial=rules on_saved/> }.into_any(),
                Some(Err(e)) => {
                    let text = e.to_string();
                    view! { <Alert kind=AlertKind::Error title="This could not be loaded">{text}</Alert> }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Rules(initial: Vec<Threshold>, on_saved: Callback<()>) -> impl IntoView {
    let next_key = StoredValue::new(0_u64);
    let fresh = move || {
        next_key.update_value(|k| *k += 1);
        next_key.get_value()
    };
    let from = move |rules: &[Threshold]| {
        rules
            .iter()
            .map(|t| RuleRow::new(fresh(), t))
            .collect::<Vec<_>>()
    };
    let rows = RwSignal::new(from(&initial));
    // Rule errors show once a save was tried, then follow the edits.
    let tried = RwSignal::new(false);
    // The server names a bad rule by its index in the list sent: keep which row that was.
    let sent = StoredValue::new(Vec::<u64>::new());
    let save = Action::new_local(move |rules: &Vec<Threshold>| {
        let rules = rules.clone();
        async move {
            let saved = api::save_thresholds(&rules).await?;
            rows.set(from(&saved));
            tried.set(false);
            on_saved.run(());
            Ok::<_, ApiError>(saved.len())
        }
    });
    let error_of = move |key: u64| {
        let row = rows.with(|rs| rs.iter().find(|r| r.key == key).cloned())?;
        if tried.get()
            && let Err(e) = row.rule()
        {
            return Some(e);
        }
        save.value().with(|r| match r {
            Some(Err(e)) => sent.with_value(|s| refused(s, key, e.field_errors())),
            _ => None,
        })
    };
    let on_save = move |_| {
        tried.set(true);
        let checked: Result<Vec<Threshold>, String> =
            rows.with_untracked(|rs| rs.iter().map(RuleRow::rule).collect());
        if let Ok(rules) = checked {
            sent.set_value(rows.with_untracked(|rs| rs.iter().map(|r| r.key).collect()));
            save.dispatch(rules);
        }
    };
    let add = move |_| {
        let row = RuleRow {
            key: fresh(),
            metric: String::new(),
            operator: "gt".into(),
            value: String::new(),
            severity: "warning".into(),
            saved: None,
        };
        rows.update(|rs| rs.push(row));
    };
    let pending = save.pending();

    let row_view = move |row: RuleRow| {
        let key = row.key;
        let read = move |field: fn(&RuleRow) -> &String| {
            move || {
                rows.with(|rs| {
                    rs.iter()
                        .find(|r| r.key == key)
                        .map(|r| field(r).clone())
                        .unwrap_or_default()
                })
            }
        };
        let write = move |field: fn(&mut RuleRow) -> &mut String| {
            move |ev: Event| {
                let v = event_target_value(&ev);
                rows.update(|rs| {
                    if let Some(r) = rs.iter_mut().find(|r| r.key == key) {
                        *field(r) = v;
                    }
                });
            }
        };
        let select = move |class: &'static str,
                           label: &'static str,
                           options: Vec<(String, String)>,
                           get: fn(&RuleRow) -> &String,
                           set: fn(&mut RuleRow) -> &mut String| {
            let current = read(get);
            view! {
                <select class=format!("select {class}") aria-label=label on:change=write(set)>
                    {options
                        .into_iter()
                        .map(|(v, text)| {
                            let is = v.clone();
                            view! { <option value=v prop:selected=move || current() == is>{text}</option> }
                        })
                        .collect_view()}
                </select>
            }
        };
        let error = move || {
            error_of(key).map(|m| {
                view! { <tr><td colspan="5" class="field-error threshold-error">{capitalize(&m)}</td></tr> }
            })
        };
        view! {
            <tr class="threshold-row" data-metric=read(|r| &r.metric)>
                <td>{select("threshold-metric", "Metric", metric_options(&row.metric), |r| &r.metric, |r| &mut r.metric)}</td>
                <td>{select("threshold-operator", "Operator", owned(OPERATORS), |r| &r.operator, |r| &mut r.operator)}</td>
                <td>
                    <input class="input threshold-value" aria-label="Value" inputmode="decimal" autocomplete="off"
                        prop:value=read(|r| &r.value) on:input=write(|r| &mut r.value)/>
                </td>
                <td>{select("threshold-severity", "Severity", owned(SEVERITIES), |r| &r.severity, |r| &mut r.severity)}</td>
                <td class="table-actions">
                    <button type="button" class="btn btn-ghost-danger btn-sm remove-threshold"
                        on:click=move |_| rows.update(|rs| rs.retain(|r| r.key != key))>"Remove"</button>
                </td>
            </tr>
            {error}
        }
    };

    view! {
        <div class="table-wrap">
            <table class="table table-compact" id="threshold-table">
                <thead>
                    <tr><th>"Metric"</th><th>"When"</th><th>"Value"</th><th>"Severity"</th><th><span class="visually-hidden">"Actions"</span></th></tr>
                </thead>
                <tbody>
                    <For each=move || rows.get() key=|r| r.key children=row_view/>
                </tbody>
            </table>
        </div>
        <Show when=move || rows.with(Vec::is_empty)>
            <p class="text-muted" id="thresholds-empty">"No rules: no metric raises an alert."</p>
        </Show>
        <div id="thresholds-result">
            {move || save.value().with(|r| match r {
                Some(Ok(n)) => {
                    let text = format!("Saved {n} rule(s); alerts reloaded.");
                    view! { <Alert kind=AlertKind::Success>{text}</Alert> }.into_any()
                }
                Some(Err(e)) => {
                    let text = e.to_string();
                    view! { <Alert kind=AlertKind::Error title="The rules were not saved">{text}</Alert> }.into_any()
                }
                None => ().into_any(),
            })}
        </div>
        <div class="form-actions">
            <button type="button" class="btn btn-secondary" id="add-threshold" on:click=add>"Add rule"</button>
            <button type="button" class="btn btn-primary" id="save-thresholds" disabled=move || pending.get() on:click=on_save>
                <BusySpinner when=pending/>
                "Save rules"
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metric: &str, operator: &str, value: &str, severity: &str) -> RuleRow {
        RuleRow {
            key: 1,
            metric: metric.into(),
            operator: operator.into(),
            value: value.into(),
            severity: severity.into(),
            saved: None,
        }
    }

    #[test]
    fn a_row_is_checked_by_the_shared_rule() {
        let ok = row("error_rate", "gt", " 0.05 ", "critical")
            .rule()
            .unwrap();
        assert_eq!(ok.value, 0.05);
        assert_eq!(ok.metric, "error_rate");
        assert_eq!(
            row("", "gt", "1", "warning").rule().unwrap_err(),
            "metric is required"
        );
        assert_eq!(
            row("dau", "eq", "1", "warning").rule().unwrap_err(),
            "operator must be gt or lt"
        );
        assert_eq!(
            row("dau", "lt", "1", "info").rule().unwrap_err(),
            "severity must be warning or critical"
        );
        for bad in ["", "abc", "inf", "NaN"] {
            assert_eq!(
                row("dau", "lt", bad, "warning").rule().unwrap_err(),
                "value must be a number",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_saved_rule_round_trips_through_a_row() {
        let t = Threshold {
            metric: "p99_ms".into(),
            operator: "lt".into(),
            value: 250.5,
            severity: "warning".into(),
        };
        assert_eq!(RuleRow::new(7, &t).rule(), Ok(t.clone()));
        // A value the text rounds is kept until the text is edited.
        let tiny = Threshold { value: 1.5e-9, ..t };
        let mut row = RuleRow::new(8, &tiny);
        assert_eq!(row.value, "0");
        assert_eq!(row.rule().map(|r| r.value), Ok(1.5e-9));
        row.value = "0.5".into();
        assert_eq!(row.rule().map(|r| r.value), Ok(0.5));
        assert_eq!(plain(-12.25), "-12.25");
        assert_eq!(plain(3e12), "3000000000000");
        assert_eq!(plain(1e17), "100000000000000000");
    }

    #[test]
    fn a_refusal_lands_on_the_row_it_names() {
        let errors = [FieldError::new("[1]", "metric is required")];
        let sent = [10, 11, 12];
        assert_eq!(
            refused(&sent, 11, &errors).as_deref(),
            Some("metric is required")
        );
        assert_eq!(refused(&sent, 10, &errors), None);
        // A row added after the save was sent is not the one the server meant.
        assert_eq!(refused(&sent, 13, &errors), None);
        let unknown = [FieldError::new("[2].metric", "metric \"x\" is unknown")];
        assert_eq!(
            refused(&sent, 12, &unknown).as_deref(),
            Some("metric \"x\" is unknown")
        );
        let eleventh = [FieldError::new("[11]", "metric is required")];
        assert_eq!(refused(&sent, 11, &eleventh), None);
    }

    #[test]
    fn an_unknown_metric_is_shown_but_refused() {
        let known = metric_options("dau");
        assert_eq!(known.len(), THRESHOLD_METRICS.len() + 1);
        assert_eq!(known[0].0, "");
        let custom = metric_options("custom_figure");
        assert_eq!(custom[1].0, "custom_figure");
        let err = row("custom_figure", "gt", "1", "warning")
            .rule()
            .unwrap_err();
        assert!(err.contains("\"custom_figure\" is unknown"), "{err}");
    }

    #[test]
    fn every_known_metric_has_a_label() {
        for m in THRESHOLD_METRICS {
            assert!(LABELS.iter().any(|(name, _)| name == m), "{m}");
        }
        for (name, _) in LABELS {
            assert!(
                THRESHOLD_METRICS.contains(name),
                "{name} is not a known metric"
            );
        }
    }
}
