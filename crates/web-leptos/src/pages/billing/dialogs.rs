//! The billing page's dialogs: one account's ledger, a manual adjustment, and the
//! low-balance threshold.
//!
//! Each dialog's body is built afresh whenever it opens (the modal re-creates it), so it
//! starts from the chosen account, with no stale values, errors or Idempotency-Key.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tessera_domain::FieldError;
use tessera_domain::billing::{AccountPatch, AccountRow, AdjustmentRequest, LedgerEntry};
use tessera_domain::page::CursorPage;

use super::{IdempotencyKeys, ReserveStatusBadge, cents_input, kind_label, moment, money};
use super::{parse_cents, signed_money};
use crate::api::ApiError;
use crate::api::billing as api;
use crate::components::{
    EmptyState, Field, FormActions, LoadMore, Loader, MorePages, TargetModal, TextField,
};
use crate::forms::FormErrors;
use crate::pages::login::{failure_alert, server_field_errors};

type Slice = CursorPage<LedgerEntry>;

/// The adjustment as typed, checked by the shared rules (`AdjustmentRequest::validate`)
/// after the amount is read from dollars into cents.
fn adjustment(amount: &str, reason: &str) -> Result<AdjustmentRequest, Vec<FieldError>> {
    let cents = parse_cents(amount);
    let request = AdjustmentRequest {
        // A stand-in while the amount is unreadable, so the reason is still checked.
        amount_cents: *cents.as_ref().unwrap_or(&1),
        reason: reason.trim().to_owned(),
    };
    let mut errors = request.validate().err().unwrap_or_default();
    if let Err(message) = cents {
        errors.retain(|e| e.field != "amount_cents");
        errors.insert(0, FieldError::new("amount_cents", message));
    }
    if errors.is_empty() {
        Ok(request)
    } else {
        Err(errors)
    }
}

/// The threshold as typed: dollars, zero or more (the server's rule; there is no shared one).
fn threshold(text: &str) -> Result<i64, Vec<FieldError>> {
    const FIELD: &str = "low_balance_threshold_cents";
    match parse_cents(text) {
        Ok(c) if c < 0 => Err(vec![FieldError::new(FIELD, "cannot be negative")]),
        Ok(c) => Ok(c),
        Err(message) => Err(vec![FieldError::new(FIELD, message)]),
    }
}

/// One account's ledger, newest first, with "Load more" through the cursor and a way to
/// adjust the balance from here.
#[component]
pub fn LedgerDialog(
    /// The account shown; `Some` opens the dialog, `None` closes it.
    target: RwSignal<Option<AccountRow>>,
    /// Bumped after every adjustment, so an open ledger reloads and shows the new entry.
    version: RwSignal<u64>,
    /// Opens the adjustment dialog (over this one) for an account.
    adjust: RwSignal<Option<AccountRow>>,
) -> impl IntoView {
    let body = move || {
        let Some(account) = target.get_untracked() else {
            return ().into_any();
        };
        let slug = account.tenant_slug.clone();
        let pages = MorePages::new({
            let slug = slug.clone();
            move |cursor| {
                let slug = slug.clone();
                async move { api::ledger(&slug, Some(cursor)).await }
            }
        });
        let first = LocalResource::new(move || {
            version.track();
            let slug = slug.clone();
            pages.first(async move { api::ledger(&slug, None).await })
        });
        view! {
            <p class="billing-ledger-head">
                <code>{account.tenant_slug.clone()}</code>
                " · threshold " {money(account.low_balance_threshold_cents, &account.currency)}
            </p>
            <Loader text="Loading the ledger…">
                {move || Suspend::new(async move {
                    first.await.map(|slice| entries(slice, pages))
                })}
            </Loader>
            <LoadMore pages=pages class="billing-ledger-end" id="ledger-load-more"
                button_class="btn btn-secondary btn-sm" end_id="ledger-end"
                end_text="That is every entry."/>
        }
        .into_any()
    };
    let footer = move || {
        view! {
            <button type="button" class="btn btn-secondary" on:click=move |_| target.set(None)>
                "Close"
            </button>
            <button
                type="button"
                class="btn btn-primary"
                id="ledger-adjust"
                on:click=move |_| adjust.set(target.get_untracked())
            >
                "Adjust balance"
            </button>
        }
    };
    // While the adjustment dialog is open on top, Escape and clicks belong to it.
    let close = Callback::new(move |()| {
        if adjust.with_untracked(Option::is_none) {
            target.set(None);
        }
    });
    view! {
        <TargetModal
            target=target
            title=|a| format!("Ledger of {}", a.tenant_name)
            on_close=close
            wide=true
            footer=footer
        >
            {untrack(body)}
        </TargetModal>
    }
}

/// The entries table (`.ledger-entry` rows) with the balance on top and "Load more".
fn entries(first: Slice, pages: MorePages<Slice>) -> AnyView {
    let Some(newest) = first.items.first().cloned() else {
        return view! {
            <EmptyState title="No entries yet" icon="¤">
                <p>"Top-ups, usage charges and adjustments of this reserve appear here."</p>
            </EmptyState>
        }
        .into_any();
    };
    let all = pages.items(first.items);
    view! {
        <p class="billing-ledger-balance">
            "Balance: " <strong id="ledger-balance">{money(newest.balance_after_cents, &newest.currency)}</strong>
        </p>
        <div class="table-wrap">
            <table class="table table-compact" id="ledger-table">
                <thead>
                    <tr>
                        <th>"Time"</th>
                        <th>"Kind"</th>
                        <th class="num">"Amount"</th>
                        <th class="num">"Balance after"</th>
                        <th>"Reason"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=all key=|e| e.id children=entry_row/>
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One `.ledger-entry`.
fn entry_row(e: LedgerEntry) -> impl IntoView {
    let amount_class = if e.amount_cents < 0 {
        "num billing-debit"
    } else {
        "num billing-credit"
    };
    let why = e.reason.clone().or_else(|| e.reference.clone());
    view! {
        <tr class="ledger-entry" data-kind=e.kind.clone() data-sequence=e.sequence>
            <td class="text-sm billing-nowrap">{moment(e.created_at)}</td>
            <td>{kind_label(&e.kind)}</td>
            <td class=amount_class>{signed_money(e.amount_cents, &e.currency)}</td>
            <td class="num">{money(e.balance_after_cents, &e.currency)}</td>
            <td class="ledger-reason">{why.unwrap_or_else(|| "—".into())}</td>
        </tr>
    }
}

/// A manual credit or debit with a required reason. The amount is read as signed
/// dollars; the dialog's Idempotency-Key makes a double click or a retry one entry.
#[component]
pub fn AdjustDialog(
    /// The account to adjust; `Some` opens the dialog, `None` closes it.
    target: RwSignal<Option<AccountRow>>,
    /// Told about the new entry, to refresh the row, the summary and an open ledger.
    on_done: Callback<(AccountRow, LedgerEntry)>,
) -> impl IntoView {
    let save = Action::new_local(
        move |(account, request, key): &(AccountRow, AdjustmentRequest, String)| {
            let (account, request, key) = (account.clone(), request.clone(), key.clone());
            async move {
                let entry = api::adjust(&account.tenant_slug, &request, &key).await?;
                target.set(None);
                on_done.run((account, entry.clone()));
                Ok::<_, ApiError>(entry)
            }
        },
    );
    let pending = save.pending();
    let cancel = Callback::new(move |()| target.set(None));
    let body = move || {
        let Some(account) = target.get_untracked() else {
            return ().into_any();
        };
        save.value().set(None);
        let amount = RwSignal::new(String::new());
        let reason = RwSignal::new(String::new());
        let keys = IdempotencyKeys::new();
        let form = FormErrors::new(
            move || adjustment(&amount.get(), &reason.get()).map(drop),
            server_field_errors(save),
        );
        let (balance, currency) = (account.balance_cents, account.currency.clone());
        let preview = {
            let currency = currency.clone();
            move || {
                let cents = parse_cents(&amount.get()).ok().filter(|c| *c != 0)?;
                let verb = if cents > 0 { "Credits" } else { "Debits" };
                Some(format!(
                    "{verb} {}: the balance becomes {}.",
                    money(cents.abs(), &currency),
                    money(balance.saturating_add(cents), &currency)
                ))
            }
        };
        let on_submit = move |ev: SubmitEvent| {
            ev.prevent_default();
            if pending.get_untracked() || !form.submit() {
                return;
            }
            if let Ok(request) = adjustment(&amount.get_untracked(), &reason.get_untracked()) {
                let key = keys.key_for(&request);
                save.dispatch((account.clone(), request, key));
            }
        };
        let touch_reason = form.touch("reason");
        view! {
            {failure_alert(save)}
            <p class="billing-adjust-now">
                "Balance now: " <strong>{money(balance, &currency)}</strong>
            </p>
            <form class="form" id="adjust-form" on:submit=on_submit novalidate>
                <TextField
                    id="adjust-amount"
                    label="Amount"
                    value=amount
                    error=form.error("amount_cents")
                    on_blur=form.touch("amount_cents")
                    hint="Dollars with a sign: +50.00 credits the reserve, -12.50 debits it."
                    placeholder="+50.00"
                    inputmode="decimal"
                    autocomplete="off"
                    autofocus=true
                />
                <p class="text-sm text-muted" id="adjust-preview" aria-live="polite">{preview}</p>
                <Field
                    id="adjust-reason"
                    label="Reason"
                    error=form.error("reason")
                    hint="Kept in the ledger and the audit log, with your name."
                >
                    <textarea
                        class="textarea"
                        id="adjust-reason"
                        name="adjust-reason"
                        rows="3"
                        maxlength="500"
                        bind:value=reason
                        on:blur=move |_| touch_reason.run(())
                    ></textarea>
                </Field>
                <FormActions
                    class="billing-form-actions"
                    on_cancel=cancel
                    id="adjust-submit"
                    pending=pending
                    label="Save adjustment"
                    busy="Saving…"
                />
            </form>
        }
        .into_any()
    };
    let status = move || {
        target.with(|t| {
            t.as_ref()
                .map(|a| view! { <ReserveStatusBadge status=a.status.clone()/> })
        })
    };
    // Closing mid-save would hide whether the entry was written.
    let close = Callback::new(move |()| {
        if !pending.get_untracked() {
            target.set(None);
        }
    });
    view! {
        <TargetModal target=target title=|a| format!("Adjust {}", a.tenant_name) on_close=close>
            <div class="billing-dialog-status">{status}</div>
            {untrack(body)}
        </TargetModal>
    }
}

/// The account's own low-balance threshold, or back to the global default.
#[component]
pub fn ThresholdDialog(
    /// The account to change; `Some` opens the dialog, `None` closes it.
    target: RwSignal<Option<AccountRow>>,
    /// Told about the updated account.
    on_done: Callback<AccountRow>,
) -> impl IntoView {
    let save = Action::new_local(move |(slug, patch): &(String, AccountPatch)| {
        let (slug, patch) = (slug.clone(), patch.clone());
        async move {
            let row = api::set_threshold(&slug, &patch).await?;
            target.set(None);
            on_done.run(row.clone());
            Ok::<_, ApiError>(row)
        }
    });
    let pending = save.pending();
    let cancel = Callback::new(move |()| target.set(None));
    let body = move || {
        let Some(account) = target.get_untracked() else {
            return ().into_any();
        };
        save.value().set(None);
        let value = RwSignal::new(cents_input(account.low_balance_threshold_cents));
        let form = FormErrors::new(
            move || threshold(&value.get()).map(drop),
            server_field_errors(save),
        );
        let slug = account.tenant_slug.clone();
        let on_submit = {
            let slug = slug.clone();
            move |ev: SubmitEvent| {
                ev.prevent_default();
                if pending.get_untracked() || !form.submit() {
                    return;
                }
                if let Ok(cents) = threshold(&value.get_untracked()) {
                    let patch = AccountPatch {
                        low_balance_threshold_cents: Some(cents),
                    };
                    save.dispatch((slug.clone(), patch));
                }
            }
        };
        let use_default = move |_| {
            let patch = AccountPatch {
                low_balance_threshold_cents: None,
            };
            save.dispatch((slug.clone(), patch));
        };
        view! {
            {failure_alert(save)}
            <form class="form" id="threshold-form" on:submit=on_submit novalidate>
                <TextField
                    id="threshold-amount"
                    label="Low-balance threshold"
                    value=value
                    error=form.error("low_balance_threshold_cents")
                    on_blur=form.touch("low_balance_threshold_cents")
                    hint="Dollars. Below this the reserve counts as low; below zero it is delinquent."
                    inputmode="decimal"
                    autocomplete="off"
                    autofocus=true
                />
                <FormActions
                    class="billing-form-actions"
                    on_cancel=cancel
                    id="threshold-submit"
                    pending=pending
                    label="Save threshold"
                    busy="Saving…"
                >
                    <button
                        type="button"
                        class="btn btn-ghost"
                        id="threshold-default"
                        disabled=move || pending.get()
                        on:click=use_default
                    >
                        "Use the global default"
                    </button>
                </FormActions>
            </form>
        }
        .into_any()
    };
    view! {
        <TargetModal target=target title=|a| format!("Low-balance threshold of {}", a.tenant_name)>
            {untrack(body)}
        </TargetModal>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn adjustments_use_the_shared_rules_after_reading_dollars() {
        let ok = adjustment("+50.00", " goodwill ").unwrap();
        assert_eq!(ok.amount_cents, 5000);
        assert_eq!(ok.reason, "goodwill");
        assert_eq!(adjustment("-0.5", "fix").unwrap().amount_cents, -50);
        assert_eq!(
            fields(adjustment("0", "fix").unwrap_err()),
            ["amount_cents"]
        );
        assert_eq!(
            fields(adjustment("abc", "").unwrap_err()),
            ["amount_cents", "reason"]
        );
        assert_eq!(fields(adjustment("5", "  ").unwrap_err()), ["reason"]);
    }

    #[test]
    fn thresholds_are_zero_or_more() {
        assert_eq!(threshold("10"), Ok(1000));
        assert_eq!(threshold("0"), Ok(0));
        assert!(threshold("-1").is_err());
        assert!(threshold("").is_err());
    }
}
