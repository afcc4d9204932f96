//! The worklog timeline: entries grouped by day with each day's total, filters, keyset
//! "Load more", CSV export, and delete with confirmation. Org admins can also read (not
//! change) the entries of the people in their organisation.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use tessera_domain::Role;
use tessera_domain::worklog::{DailyTotal, Worklog, WorklogPage as Slice};
use uuid::Uuid;

use super::form::{duration_label, today};
use super::quick_add::QuickAddState;
use crate::api::worklogs::WorklogFilter;
use crate::api::{self, ApiError};
use crate::components::{
    Badge, BusySpinner, ConfirmDialog, EmptyState, LoadMore, Loader, MorePages, PageHeader,
    SelectField, TextField, Tone,
};
use crate::page::Page;
use crate::pages::login::failure_alert;
use crate::session::Session;

/// Days exported when no range is chosen: the last month, ending today.
const DEFAULT_EXPORT_DAYS: u64 = 30;

/// A day's date, total and entry versions.
type DayKey = (NaiveDate, Option<i64>, Vec<(Uuid, DateTime<Utc>)>);

/// One day of the timeline.
#[derive(Debug, Clone, PartialEq)]
struct Day {
    date: NaiveDate,
    /// The whole day's total as the server counted it (not only the loaded entries).
    total: Option<DailyTotal>,
    entries: Vec<Worklog>,
}

impl Day {
    /// Changes whenever anything shown for the day changes, so the keyed list re-renders
    /// exactly the days that did.
    fn key(&self) -> DayKey {
        (
            self.date,
            self.total.as_ref().map(|t| t.minutes),
            self.entries.iter().map(|e| (e.id, e.updated_at)).collect(),
        )
    }
}

/// Groups loaded slices into days, newest first. Slices arrive in order and each day's
/// entries are contiguous, so grouping consecutive entries is enough.
fn group_days<'a>(slices: impl IntoIterator<Item = &'a Slice>) -> Vec<Day> {
    let mut totals: HashMap<NaiveDate, DailyTotal> = HashMap::new();
    let mut days: Vec<Day> = Vec::new();
    for slice in slices {
        // A day cut by a slice boundary appears in both slices; the later count is newer.
        totals.extend(slice.daily_totals.iter().map(|t| (t.date, t.clone())));
        for entry in &slice.items {
            match days.last_mut() {
                Some(day) if day.date == entry.work_date => day.entries.push(entry.clone()),
                _ => days.push(Day {
                    date: entry.work_date,
                    total: None,
                    entries: vec![entry.clone()],
                }),
            }
        }
    }
    for day in &mut days {
        day.total = totals.get(&day.date).cloned();
    }
    days
}

/// "Today · Wednesday, 25 November 2026".
fn day_label(date: NaiveDate, today: NaiveDate) -> String {
    let long = crate::format::long_date(date);
    if date == today {
        format!("Today · {long}")
    } else if today.pred_opt() == Some(date) {
        format!("Yesterday · {long}")
    } else {
        long
    }
}

/// The range a CSV export covers: the chosen one, or the last month up to today.
fn export_range(filter: &WorklogFilter, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let to = filter.to.unwrap_or(today);
    let from = filter.from.unwrap_or_else(|| {
        to.checked_sub_days(Days::new(DEFAULT_EXPORT_DAYS))
            .unwrap_or(to)
    });
    (from, to)
}

/// A date input's text as a date; empty means "no limit".
fn parse_day(text: &str) -> Option<NaiveDate> {
    text.trim().parse().ok()
}

/// Everyone's worklog: filters, the day-grouped timeline and the export.
#[component]
pub fn WorklogPage() -> impl IntoView {
    let quick = QuickAddState::get();
    // The filter inputs as typed; `applied` is what the list shows.
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let project = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    // Whose entries: empty for one's own, else another person's id (org admins only).
    let person = RwSignal::new(String::new());
    let applied = RwSignal::new(WorklogFilter::default());
    let reload = RwSignal::new(0u64);
    // Slices fetched with "Load more", after the first one.
    let pages =
        MorePages::new(move |cursor| api::worklogs::list(applied.get_untracked(), Some(cursor)));

    let first = LocalResource::new(move || {
        let filter = applied.get();
        reload.track();
        if let Some(q) = quick {
            q.saved.track();
        }
        pages.first(api::worklogs::list(filter, None))
    });

    let deleting = RwSignal::new(None::<Worklog>);
    let delete = Action::new_local(move |id: &Uuid| {
        let id = *id;
        async move {
            api::worklogs::delete(id).await?;
            deleting.set(None);
            reload.update(|n| *n += 1);
            Ok::<_, ApiError>(())
        }
    });
    let ask_delete = Callback::new(move |entry: Worklog| {
        delete.value().set(None);
        deleting.set(Some(entry));
    });

    let range_error =
        Signal::derive(
            move || match (parse_day(&from.get()), parse_day(&to.get())) {
                (Some(f), Some(t)) if f > t => Some("must not be after the end date".to_owned()),
                _ => None,
            },
        );
    let apply = move |ev: SubmitEvent| {
        ev.prevent_default();
        if range_error.get_untracked().is_some() {
            return;
        }
        applied.set(WorklogFilter {
            from: parse_day(&from.get_untracked()),
            to: parse_day(&to.get_untracked()),
            project: project.get_untracked().trim().to_owned(),
            search: search.get_untracked().trim().to_owned(),
            user: person.with_untracked(|p| p.parse().ok()),
        });
    };
    let clear = move |_| {
        for field in [from, to, project, search, person] {
            field.set(String::new());
        }
        applied.set(WorklogFilter::default());
    };
    let filtered = move || applied.with(|f| *f != WorklogFilter::default());

    let export = Action::new_local(move |_: &()| {
        let (from, to) = export_range(&applied.get_untracked(), today());
        let user = applied.with_untracked(|f| f.user);
        async move {
            let csv = api::worklogs::export_csv(from, to, user).await?;
            crate::components::download(
                &format!("worklog-{from}-{to}.csv"),
                "text/csv;charset=utf-8",
                &csv,
                "The browser could not create the CSV file.",
            )
            .map_err(ApiError::Network)
        }
    });
    let exporting = export.pending();
    let export_note = move || {
        let (from, to) = export_range(&applied.get(), today());
        format!("Exports {from} to {to}")
    };

    let open_quick_add = move |_| {
        if let Some(q) = quick {
            q.show();
        }
    };

    view! {
        <PageHeader title=Page::Worklog.title() crumbs=Page::Worklog.crumbs()>
            <button type="button" id="worklog-export" class="btn btn-secondary"
                title=export_note disabled=move || exporting.get()
                on:click=move |_| { export.dispatch(()); }>
                <BusySpinner when=exporting/>
                {move || if exporting.get() { "Exporting…" } else { "Export CSV" }}
            </button>
            <button type="button" id="worklog-add" class="btn btn-primary" on:click=open_quick_add>
                "+ Log time"
            </button>
        </PageHeader>
        <form class="card filter-bar" id="worklog-filters" on:submit=apply novalidate>
            <TextField id="filter-from" label="From" input_type="date" value=from error=range_error/>
            <TextField id="filter-to" label="To" input_type="date" value=to/>
            <TextField id="filter-project" label="Project" value=project placeholder="Exact name"/>
            <TextField id="filter-search" label="Search" value=search placeholder="Words in the description"/>
            <PersonFilter person=person/>
            <div class="filter-actions">
                <button type="submit" id="filter-apply" class="btn btn-primary">"Apply"</button>
                <button type="button" id="filter-clear" class="btn btn-ghost" on:click=clear>"Clear"</button>
            </div>
        </form>
        <p class="text-muted text-sm export-note">{export_note} " (CSV, for spreadsheets and invoices)."</p>
        {failure_alert(export)}
        <Loader text="Loading your worklog…">
            {move || Suspend::new(async move {
                // Another person's entries are read-only: edit and delete are one's own.
                let actions = applied.with_untracked(|f| f.user.is_none()).then_some(ask_delete);
                first.await.map(|slice| timeline(slice, pages, actions, filtered(), quick))
            })}
        </Loader>
        <LoadMore pages=pages class="timeline-end" id="worklog-load-more" end_id="worklog-end"/>
        <ConfirmDialog
            open=Signal::derive(move || deleting.with(Option::is_some))
            on_close=move |()| deleting.set(None)
            title="Delete this entry?"
            confirm_label="Delete entry"
            confirm_id="confirm-delete"
            pending=delete.pending()
            error=Signal::derive(move || delete.value().with(|r| match r {
                Some(Err(e)) => Some(e.to_string()),
                _ => None,
            }))
            on_confirm=move |()| {
                if let Some(entry) = deleting.get_untracked() {
                    delete.dispatch(entry.id);
                }
            }
        >
            {move || deleting.get().map(|e| view! {
                <p>
                    <strong>{duration_label(i64::from(e.minutes))}</strong>
                    {format!(" on {}: ", e.work_date)}
                    {e.description}
                </p>
                <p class="text-muted">"The entry is removed for good; this cannot be undone."</p>
            })}
        </ConfirmDialog>
    }
}

/// Org admins: whose entries the timeline shows, "Me" or a person of the organisation.
/// Nothing for everyone else, who read only their own.
#[component]
fn PersonFilter(
    /// The chosen person's id; empty for one's own entries.
    person: RwSignal<String>,
) -> impl IntoView {
    let me = Session::get().user.with_untracked(|u| {
        u.as_ref()
            .filter(|u| u.role == Role::OrgAdmin)
            .map(|u| u.id)
    });
    me.map(|me| {
        let people = LocalResource::new(api::users::people);
        let options = Signal::derive(move || {
            let mut options = vec![(String::new(), "Me".to_owned())];
            if let Some(Ok(people)) = people.get() {
                options.extend(
                    people
                        .into_iter()
                        .filter(|p| p.id != me)
                        .map(|p| (p.id.to_string(), format!("{} ({})", p.name, p.email))),
                );
            }
            options
        });
        view! { <SelectField id="filter-user" label="Person" value=person options=options/> }
    })
}

/// The loaded days, or the empty state ("Load more" is the page's).
fn timeline(
    first: Slice,
    pages: MorePages<Slice>,
    ask_delete: Option<Callback<Worklog>>,
    filtered: bool,
    quick: Option<QuickAddState>,
) -> AnyView {
    if first.items.is_empty() {
        return view! {
            <section class="card">
                {if filtered {
                    view! {
                        <EmptyState title="Nothing matches these filters" icon="⌕">
                            <p>"Try a wider date range or fewer words. "</p>
                        </EmptyState>
                    }
                    .into_any()
                } else {
                    view! {
                        <EmptyState title="No time logged yet" icon="◷">
                            <p>"Log what you worked on; press " <kbd class="kbd">"N"</kbd> " on any page to do it in seconds."</p>
                            <button type="button" class="btn btn-primary btn-sm" on:click=move |_| {
                                if let Some(q) = quick {
                                    q.show();
                                }
                            }>"Log time"</button>
                        </EmptyState>
                    }
                    .into_any()
                }}
            </section>
        }
        .into_any();
    }
    let more = pages.more;
    // A closure over `more`, which the page owns, for the reason given at `MorePages::next`.
    let days = move || more.with(|pages| group_days(std::iter::once(&first).chain(pages)));
    let now = today();
    view! {
        <div class="timeline" id="worklog-timeline">
            <For
                each=days
                key=Day::key
                children=move |day| day_view(day, now, ask_delete)
            />
        </div>
    }
    .into_any()
}

/// One day (`.worklog-day[data-date]`): its heading and total, then its entries.
fn day_view(day: Day, today: NaiveDate, ask_delete: Option<Callback<Worklog>>) -> impl IntoView {
    let total = day.total.as_ref().map_or_else(
        || duration_label(day.entries.iter().map(|e| i64::from(e.minutes)).sum()),
        |t| {
            let entries = if t.entries == 1 {
                "1 entry".to_owned()
            } else {
                format!("{} entries", t.entries)
            };
            format!("{} · {entries}", duration_label(t.minutes))
        },
    );
    let entries = day
        .entries
        .into_iter()
        .map(|entry| entry_view(entry, ask_delete))
        .collect_view();
    view! {
        <section class="worklog-day" data-date=day.date.to_string()>
            <header class="day-header">
                <h2 class="day-heading">{day_label(day.date, today)}</h2>
                <span class="day-total">{total}</span>
            </header>
            <ul class="day-entries">{entries}</ul>
        </section>
    }
}

/// One entry (`.worklog-entry[data-id]`), with its edit link and delete button when it
/// is one's own (`ask_delete`).
fn entry_view(entry: Worklog, ask_delete: Option<Callback<Worklog>>) -> impl IntoView {
    let href = Page::worklog_entry(entry.id);
    let tags = entry
        .tags
        .iter()
        .map(|t| view! { <span class="tag">{format!("#{t}")}</span> })
        .collect_view();
    let project = entry
        .project
        .clone()
        .map(|p| view! { <Badge tone=Tone::Brand>{p}</Badge> });
    let billable = (!entry.billable).then(|| view! { <Badge>"Non-billable"</Badge> });
    let label = format!("Delete the entry “{}”", entry.description);
    let id = entry.id.to_string();
    let description = entry.description.clone();
    let minutes = duration_label(i64::from(entry.minutes));
    let actions = ask_delete.map(|ask_delete| {
        view! {
            <div class="worklog-actions">
                <A href=href attr:class="btn btn-ghost btn-sm edit-worklog">"Edit"</A>
                <button
                    type="button"
                    class="btn btn-ghost btn-sm delete-worklog"
                    aria-label=label
                    on:click=move |_| ask_delete.run(entry.clone())
                >
                    "Delete"
                </button>
            </div>
        }
    });
    view! {
        <li class="worklog-entry" data-id=id>
            <span class="worklog-minutes">{minutes}</span>
            <div class="worklog-body">
                <p class="worklog-description">{description}</p>
                <div class="worklog-labels">{project}{billable}{tags}</div>
            </div>
            {actions}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn entry(date: NaiveDate, minutes: i32) -> Worklog {
        Worklog {
            id: Uuid::nil(),
            user_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            work_date: date,
            minutes,
            description: "x".into(),
            project: None,
            tags: vec![],
            billable: true,
            created_at: DateTime::default(),
            updated_at: DateTime::default(),
        }
    }

    #[test]
    fn a_day_cut_by_a_slice_is_one_group_with_the_servers_total() {
        let total = |d, minutes, entries| DailyTotal {
            date: day(d),
            minutes,
            entries,
        };
        let a = Slice {
            items: vec![entry(day(25), 30), entry(day(24), 15)],
            next_cursor: Some("c".into()),
            daily_totals: vec![total(25, 30, 1), total(24, 45, 2)],
        };
        let b = Slice {
            items: vec![entry(day(24), 30), entry(day(20), 60)],
            next_cursor: None,
            daily_totals: vec![total(24, 45, 2), total(20, 60, 1)],
        };
        let days = group_days([&a, &b]);
        let shape: Vec<_> = days
            .iter()
            .map(|d| (d.date, d.entries.len(), d.total.as_ref().map(|t| t.minutes)))
            .collect();
        assert_eq!(
            shape,
            [
                (day(25), 1, Some(30)),
                (day(24), 2, Some(45)),
                (day(20), 1, Some(60))
            ]
        );
    }

    #[test]
    fn exports_default_to_the_last_month() {
        let october_31 = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        assert_eq!(
            export_range(&WorklogFilter::default(), day(30)),
            (october_31, day(30))
        );
        let chosen = WorklogFilter {
            from: Some(day(2)),
            to: Some(day(9)),
            ..WorklogFilter::default()
        };
        assert_eq!(export_range(&chosen, day(30)), (day(2), day(9)));
    }
}
