//! "Load more" through a cursor: the slices fetched after the first one, and the button.

use leptos::prelude::*;
use tessera_domain::page::CursorPage;
use tessera_domain::worklog::WorklogPage;

use super::{Alert, AlertKind, BusySpinner};
use crate::api::ApiError;

/// A slice of a list that names the cursor of the next one.
pub trait Cursored {
    /// The cursor of the next slice; `None` at the end.
    fn next_cursor(&self) -> Option<String>;
}

impl<T> Cursored for CursorPage<T> {
    fn next_cursor(&self) -> Option<String> {
        self.next_cursor.clone()
    }
}

impl Cursored for WorklogPage {
    fn next_cursor(&self) -> Option<String> {
        self.next_cursor.clone()
    }
}

/// The slices fetched with "Load more" after the first one. The first slice's resource
/// calls [`MorePages::restart`]; a late answer for the list before that is dropped
/// instead of being appended to the new one.
pub struct MorePages<S: 'static> {
    /// The slices after the first, in order.
    pub more: RwSignal<Vec<S>>,
    generation: StoredValue<u64>,
    /// Fetches the slice at a cursor and appends it.
    pub load: Action<String, Result<(), ApiError>>,
    /// The first slice's cursor, for a button kept outside the list's view
    /// ([`MorePages::first_arrived`]).
    first_next: RwSignal<Option<String>>,
}

impl<S: 'static> Clone for MorePages<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: 'static> Copy for MorePages<S> {}

impl<S: Cursored + Send + Sync + 'static> MorePages<S> {
    /// Loads further slices with `fetch(cursor)`.
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(String) -> Fut + 'static,
        Fut: Future<Output = Result<S, ApiError>> + 'static,
    {
        let more = RwSignal::new(Vec::<S>::new());
        let generation = StoredValue::new(0u64);
        let load = Action::new_local(move |cursor: &String| {
            let (slice, started) = (fetch(cursor.clone()), generation.get_value());
            async move {
                let slice = slice.await?;
                if generation.get_value() == started {
                    more.update(|m| m.push(slice));
                }
                Ok(())
            }
        });
        Self {
            more,
            generation,
            load,
            first_next: RwSignal::new(None),
        }
    }

    /// Records a new first slice, for [`MorePages::next_cursor`].
    pub fn first_arrived(&self, first: &S) {
        self.first_next.set(first.next_cursor());
    }

    /// The cursor after the last loaded slice, or the first slice's as recorded by
    /// [`MorePages::first_arrived`]. For a "Load more" outside the loader's transition:
    /// inside it, the button of a list being replaced can stay on screen (after a filter
    /// and Clear it said "That is everything." with more to come).
    pub fn next_cursor(&self) -> impl Fn() -> Option<String> + Copy + Send + Sync + use<S> {
        let (more, first_next) = (self.more, self.first_next);
        move || {
            more.with(|pages| match pages.last() {
                Some(last) => last.next_cursor(),
                None => first_next.get(),
            })
        }
    }

    /// Starts the list over: drops the loaded slices and any answer still on its way.
    pub fn restart(&self) {
        self.generation.update_value(|g| *g += 1);
        self.more.set(Vec::new());
    }

    /// The cursor after the last loaded slice, given the first one's.
    ///
    /// A closure over `more`, which the page owns, and not a derived signal: a derived
    /// signal would belong to the list's view, and a new first slice (a filter applied)
    /// replaces that view while the button's pending update still reads it. Reading a
    /// disposed signal panics, and the filter never applied.
    pub fn next(
        &self,
        first: Option<String>,
    ) -> impl Fn() -> Option<String> + Clone + Send + Sync + 'static {
        let more = self.more;
        move || {
            more.with(|pages| match pages.last() {
                Some(last) => last.next_cursor(),
                None => first.clone(),
            })
        }
    }
}

impl<T: Clone + Send + Sync + 'static> MorePages<CursorPage<T>> {
    /// Every loaded item: the first slice's `first`, then those loaded since (a closure,
    /// for the reason given at [`MorePages::next`]).
    pub fn items(&self, first: Vec<T>) -> impl Fn() -> Vec<T> + Clone + Send + Sync + 'static {
        let more = self.more;
        move || {
            more.with(|pages| {
                first
                    .iter()
                    .chain(pages.iter().flat_map(|p| p.items.iter()))
                    .cloned()
                    .collect()
            })
        }
    }
}

/// A failed load's alert, then `<div class=class>` with the "Load more" button (`id`)
/// or, at the end, `<p id=end_id>{end_text}</p>`.
#[component]
pub fn LoadMore(
    /// The wrapper's class, e.g. `timeline-end`.
    class: &'static str,
    /// The button's id.
    id: &'static str,
    /// The button's classes.
    #[prop(default = "btn btn-secondary")]
    button_class: &'static str,
    /// The end line's id.
    end_id: &'static str,
    /// The end line's text.
    #[prop(default = "That is everything.")]
    end_text: &'static str,
    /// The next cursor; `None` at the end ([`MorePages::next`]).
    next: impl Fn() -> Option<String> + Send + Sync + 'static,
    /// Loads the slice at a cursor.
    load: Action<String, Result<(), ApiError>>,
) -> impl IntoView {
    let loading = load.pending();
    let failure = move || {
        load.value()
            .with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().err().map(ToString::to_string))
            })
            .map(|e| view! { <Alert kind=AlertKind::Error>{e}</Alert> })
    };
    view! {
        {failure}
        <div class=class>
            {move || match next() {
                Some(cursor) => view! {
                    <button type="button" id=id class=button_class
                        disabled=move || loading.get()
                        on:click=move |_| { load.dispatch(cursor.clone()); }>
                        <BusySpinner when=loading/>
                        {move || if loading.get() { "Loading…" } else { "Load more" }}
                    </button>
                }
                .into_any(),
                None => view! { <p class="text-muted text-sm" id=end_id>{end_text}</p> }.into_any(),
            }}
        </div>
    }
}
