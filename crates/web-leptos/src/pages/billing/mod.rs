//! Billing reserves: the staff page (summary, accounts, ledger, adjustments, threshold,
//! CSV export) and the organisation's own reserve page (balance, entries, top-up, usage).
//!
//! The pieces both share live here: money read and written from integer cents, the
//! reserve status badge, today's date, Idempotency-Keys and the audience guard.

mod admin;
mod dialogs;
mod tenant;
mod usage_events;

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use serde::Serialize;
use web_sys::js_sys;

pub use admin::BillingAdminPage;
pub use tenant::TenantBillingPage;
pub(crate) use usage_events::UsageEventList;

use crate::components::{Alert, AlertKind};
use crate::page::Page;
use crate::session::Session;

/// `123456` → `1,234.56 USD`; `-500` → `-5.00 USD`. Integer arithmetic only: money is
/// cents in the API, and floats would round it.
pub(crate) fn money(cents: i64, currency: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{} {currency}", unsigned_amount(cents.unsigned_abs()))
}

/// Like [`money`], with `+` in front of credits, for ledger amounts.
pub(crate) fn signed_money(cents: i64, currency: &str) -> String {
    if cents > 0 {
        format!("+{}", money(cents, currency))
    } else {
        money(cents, currency)
    }
}

/// `123456` → `1,234.56`.
fn unsigned_amount(cents: u64) -> String {
    let whole = (cents / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped}.{:02}", cents % 100)
}

/// Reads an amount of dollars as people type it (`50`, `+50.00`, `-12.5`, `$1,000`) into
/// cents, without going through a float.
///
/// # Errors
/// A message fragment for the field's label ("Amount is required").
pub(crate) fn parse_cents(text: &str) -> Result<i64, String> {
    const SHAPE: &str = "must be dollars with at most two decimals, like 50.00";
    let text = text.trim();
    if text.is_empty() {
        return Err("is required".into());
    }
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.trim_start();
    let rest: String = rest.strip_prefix('$').unwrap_or(rest).replace(',', "");
    let (whole, fraction) = rest.split_once('.').unwrap_or((&rest, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty())
        || !digits(whole)
        || !digits(fraction)
        || fraction.len() > 2
    {
        return Err(SHAPE.into());
    }
    let too_large = || "is too large".to_owned();
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    // "5" after the point is fifty cents, not five.
    let fraction: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let cents = whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(fraction))
        .ok_or_else(too_large)?;
    Ok(if negative { -cents } else { cents })
}

/// `5000` → `50.00`: how a stored amount is put back into an input.
pub(crate) fn cents_input(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// `top_up` → "Top-up": ledger entry kinds as people read them.
pub(crate) fn kind_label(kind: &str) -> String {
    match kind {
        "top_up" => "Top-up".into(),
        "usage_charge" => "Usage charge".into(),
        "adjustment" => "Adjustment".into(),
        "refund" => "Refund".into(),
        other => crate::components::capitalize(&other.replace('_', " ")),
    }
}

pub(crate) use crate::format::moment;

/// Today in UTC: the server counts days (spend, usage rollups) in UTC, so a range picked
/// here must mean the same days. chrono has no clock on wasm32; the browser's `Date` does.
pub(crate) fn today_utc() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(
        i32::try_from(now.get_utc_full_year()).unwrap_or(1970),
        now.get_utc_month() + 1,
        now.get_utc_date(),
    )
    .unwrap_or_default()
}

/// The first day of `day`'s month.
pub(crate) fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// A reserve's status as a badge: active green, low balance amber, delinquent red.
///
/// The shared `StatusBadge` does not know the billing statuses, and these colours carry
/// the meaning staff scan the table for.
#[component]
pub fn ReserveStatusBadge(
    /// `active`, `low_balance` or `delinquent`, as the API spells it.
    #[prop(into)]
    status: String,
    /// An id for the badge (e.g. `reserve-status`).
    #[prop(optional, into)]
    id: Option<String>,
    /// Extra classes (e.g. `account-status`).
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let (tone, label) = match status.as_str() {
        "active" => ("badge-success", "Active".to_owned()),
        "low_balance" => ("badge-warning", "Low balance".to_owned()),
        "delinquent" => ("badge-danger", "Delinquent".to_owned()),
        other => ("badge-neutral", crate::components::capitalize(other)),
    };
    let class = format!("badge {tone} {}", class.unwrap_or_default());
    view! { <span class=class id=id data-status=status>{label}</span> }
}

/// Idempotency-Keys for one form: the same request sent again (a double click, a retry
/// after a lost answer) reuses its key, so the server answers with the first result; a
/// changed request gets a fresh key, since it is a new intention and reusing the old key
/// would be refused as `IDEMPOTENCY_KEY_REUSED`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdempotencyKeys(StoredValue<Option<(String, String)>>);

impl IdempotencyKeys {
    /// No key yet.
    pub(crate) fn new() -> IdempotencyKeys {
        IdempotencyKeys(StoredValue::new(None))
    }

    /// The key for `request`: the last one if the request is unchanged, else a new one.
    pub(crate) fn key_for(self, request: &impl Serialize) -> String {
        let body = serde_json::to_string(request).unwrap_or_default();
        if let Some((last, key)) = self.0.get_value()
            && last == body
        {
            return key;
        }
        let key = new_key();
        self.0.set_value(Some((body, key.clone())));
        key
    }

    /// Forgets the key after success, so the same amount again is a second request.
    pub(crate) fn forget(self) {
        self.0.set_value(None);
    }
}

/// A random key. Uniqueness is all it needs (the server scopes keys per tenant and
/// endpoint), so the browser's `Math.random` with the time is enough.
fn new_key() -> String {
    let part = || (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
    format!(
        "spa-{:x}-{:x}{:x}",
        js_sys::Date::now() as u64,
        part(),
        part()
    )
}

/// Offers `text` as a CSV file named `file_name`: the export needs the bearer token, so
/// it cannot be a plain link.
///
/// # Errors
/// When the browser cannot build the file; the text is for people.
pub(crate) fn download_csv(file_name: &str, text: &str) -> Result<(), String> {
    crate::components::download(
        file_name,
        "text/csv;charset=utf-8",
        text,
        "The browser could not save the file. Try again, or use another browser.",
    )
}

/// Shows `children` only to people `page` admits; anyone else who typed the address
/// learns the page is not theirs, and no request is made on their behalf.
#[component]
fn Audience(
    /// The page being guarded.
    page: Page,
    /// Who the page is for, e.g. "platform staff".
    audience: &'static str,
    /// The page's content.
    children: ChildrenFn,
) -> impl IntoView {
    let user = Session::get().user;
    let admitted = move || user.with(|u| u.as_ref().is_some_and(|u| page.admits(u.role)));
    view! {
        <Show
            when=admitted
            fallback=move || view! {
                <Alert kind=AlertKind::Warning title="Not available to you">
                    {format!("{} is for {audience} only.", page.title())}
                </Alert>
            }
        >
            {children()}
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_from_cents_with_groups_and_sign() {
        assert_eq!(money(123_456, "USD"), "1,234.56 USD");
        assert_eq!(money(5, "USD"), "0.05 USD");
        assert_eq!(money(-500, "USD"), "-5.00 USD");
        assert_eq!(money(100_000_000, "USD"), "1,000,000.00 USD");
        assert_eq!(signed_money(5000, "USD"), "+50.00 USD");
        assert_eq!(signed_money(-1, "USD"), "-0.01 USD");
        assert_eq!(signed_money(0, "USD"), "0.00 USD");
        assert_eq!(money(i64::MIN, "USD"), "-92,233,720,368,547,758.08 USD");
    }

    #[test]
    fn amounts_parse_to_exact_cents() {
        assert_eq!(parse_cents("50"), Ok(5000));
        assert_eq!(parse_cents("+50.00"), Ok(5000));
        assert_eq!(parse_cents(" -12.5 "), Ok(-1250));
        assert_eq!(parse_cents("$1,000.01"), Ok(100_001));
        assert_eq!(parse_cents("- $3"), Ok(-300));
        assert_eq!(parse_cents(".5"), Ok(50));
        assert_eq!(parse_cents("0.07"), Ok(7));
        // 0.1 + 0.2 style float errors cannot happen: 19.99 is 1999 exactly.
        assert_eq!(parse_cents("19.99"), Ok(1999));
    }

    #[test]
    fn malformed_amounts_are_refused() {
        assert_eq!(parse_cents(""), Err("is required".into()));
        for bad in ["1.234", "abc", "1e3", "--1", ".", "1.2.3", "12,5x"] {
            assert!(parse_cents(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_cents("99999999999999999999"),
            Err("is too large".into())
        );
    }

    #[test]
    fn amounts_go_back_into_inputs() {
        assert_eq!(cents_input(5000), "50.00");
        assert_eq!(cents_input(-1250), "-12.50");
        assert_eq!(parse_cents(&cents_input(123_456)), Ok(123_456));
    }

    #[test]
    fn kinds_and_months_read_naturally() {
        assert_eq!(kind_label("usage_charge"), "Usage charge");
        assert_eq!(kind_label("top_up"), "Top-up");
        assert_eq!(kind_label("chargeback"), "Chargeback");
        let day = NaiveDate::from_ymd_opt(2025, 11, 25).unwrap();
        assert_eq!(first_of_month(day).to_string(), "2025-11-01");
    }
}
