use leptos::prelude::*;

/// The value of `?sort=` after clicking `field`'s header: ascending first, then each
/// click flips the direction.
pub fn next_sort(current: &str, field: &str) -> String {
    if current == field {
        format!("-{field}")
    } else {
        field.to_owned()
    }
}

/// A table header that sorts by `field` (`?sort=field` / `?sort=-field`) when clicked,
/// and tells screen readers which way the column is sorted.
#[component]
pub fn SortHeader(
    /// The column's heading.
    label: &'static str,
    /// The API's sort field, e.g. `name`.
    field: &'static str,
    /// The current `?sort=` value.
    #[prop(into)]
    sort: Signal<String>,
    /// Receives the new `?sort=` value.
    on_sort: Callback<String>,
    /// Right-aligned, for amounts.
    #[prop(optional)]
    numeric: bool,
    /// The billing page's look: `billing-sort` classes and `billing-sort-<field>` ids.
    #[prop(optional)]
    billing: bool,
) -> impl IntoView {
    let direction = move || {
        sort.with(|s| {
            if s == field {
                Some(true)
            } else if s.strip_prefix('-') == Some(field) {
                Some(false)
            } else {
                None
            }
        })
    };
    let aria_sort = move || match direction() {
        Some(true) => "ascending",
        Some(false) => "descending",
        None => "none",
    };
    let arrow = move || match direction() {
        Some(true) => "▲",
        Some(false) => "▼",
        None => "↕",
    };
    let (class, prefix) = if billing {
        ("billing-sort", "billing-")
    } else {
        ("sort-button", "")
    };
    view! {
        <th aria-sort=aria_sort class:num=numeric>
            <button
                type="button"
                class=class
                id=format!("{prefix}sort-{field}")
                on:click=move |_| on_sort.run(next_sort(&sort.get_untracked(), field))
            >
                {label}
                <span class=format!("{prefix}sort-arrow") aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}

#[cfg(test)]
mod tests {
    use super::next_sort;

    #[test]
    fn sorting_starts_ascending_and_flips() {
        assert_eq!(next_sort("", "name"), "name");
        assert_eq!(next_sort("name", "name"), "-name");
        assert_eq!(next_sort("-name", "name"), "name");
        assert_eq!(next_sort("-name", "slug"), "slug");
    }
}
