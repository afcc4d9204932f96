use leptos::prelude::*;

/// How many pages `total` rows make at `per_page` rows each; at least one, so an empty
/// list still reads "page 1 of 1".
pub fn page_count(total: u64, per_page: u64) -> u64 {
    total.div_ceil(per_page.max(1)).max(1)
}

/// "Showing 51–100 of 230 tenants · Page 2 of 5" with previous and next buttons, under a
/// paged table (`{items, page, per_page, total}` answers).
///
/// It shows the page the server answered and asks for another through `on_page`; the
/// list's resource then loads that page.
#[component]
pub fn Pager(
    /// The 1-based page shown, as the server answered.
    page: u64,
    /// Rows per page, as the server answered.
    per_page: u64,
    /// Rows matching the filters across all pages, as the server answered.
    total: u64,
    /// What the rows are, in the plural: "tenants", "codes".
    #[prop(into)]
    noun: String,
    /// Asked to show another page.
    on_page: Callback<u64>,
) -> impl IntoView {
    let pages = page_count(total, per_page);
    let first = (page.saturating_sub(1)) * per_page + 1;
    let last = (page * per_page).min(total);
    let range = if first > total {
        format!("{total} {noun}")
    } else {
        format!("Showing {first}–{last} of {total} {noun}")
    };
    view! {
        <nav class="pager" aria-label="Pages">
            <span class="pager-range">{range}</span>
            <span class="pager-status">{format!("Page {page} of {pages}")}</span>
            <div class="pager-buttons">
                <button
                    type="button"
                    class="btn btn-secondary btn-sm pager-prev"
                    disabled={page <= 1}
                    on:click=move |_| on_page.run(page.saturating_sub(1).clamp(1, pages))
                >
                    "← Previous"
                </button>
                <button
                    type="button"
                    class="btn btn-secondary btn-sm pager-next"
                    disabled={page >= pages}
                    on:click=move |_| on_page.run((page + 1).min(pages))
                >
                    "Next →"
                </button>
            </div>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::page_count;

    #[test]
    fn pages_round_up_and_never_reach_zero() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_count(3, 0), 3);
    }
}
