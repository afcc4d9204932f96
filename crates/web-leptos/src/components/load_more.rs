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
    /// Whether the slice holds nothing.
    fn is_empty(&self) -> bool;
}

impl<T> Cursored for CursorPage<T> {
    fn next_cursor(&self) -> Option<String> {
        self.next_cursor.clone()
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl Cursored for WorklogPage {
    fn next_cursor(&self) -> Option<String> {
        self.next_cursor.clone()
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The slices fetched with "Load more" after the first one. The first slice comes
/// through [`MorePages::first`], which starts the list over; a late answer for the list
/// before that is dropped instead of being appended to the new one.
///
/// The [`LoadMore`] button sits outside the loader's transition, beside the list and not
/// in its view: inside it, the button of a list being replaced stayed on screen (after a
/// filter and Clear it said "That is everything." with more to come), and a signal
/// derived in the old view could be read after that view was disposed, which panics.
pub struct MorePages<S: 'static> {
    /// The slices after the first, in order.
    pub more: RwSignal<Vec<S>>,
    generation: StoredValue<u64>,
    /// Fetches the slice at a cursor and appends it.
    pub load: Action<String, Result<(), ApiError>>,
    /// The first slice's cursor.
    first_next: RwSignal<Option<String>>,
    /// Whether the first slice had items: the button shows only under a list.
    listed: RwSignal<bool>,
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
            listed: RwSignal::new(false),
        }
    }

    /// Fetches the first slice with `slice`: drops the loaded slices and any answer
    /// still on its way, then records the new slice's cursor. Call it in the first
    /// slice's resource, so every change of what that resource tracks starts over.
    pub fn first<Fut>(&self, slice: Fut) -> impl Future<Output = Result<S, ApiError>> + use<S, Fut>
    where
        Fut: Future<Output = Result<S, ApiError>>,
    {
        self.generation.update_value(|g| *g += 1);
        self.more.set(Vec::new());
        // The list shown until the new one arrives keeps no button: its cursor is stale.
        self.listed.set(false);
        let (first_next, listed) = (self.first_next, self.listed);
        async move {
            let slice = slice.await?;
            first_next.set(slice.next_cursor());
            listed.set(!slice.is_empty());
            Ok(slice)
        }
    }

    /// The cursor after the last loaded slice, or the first slice's.
    fn next_cursor(&self) -> Option<String> {
        self.more.with(|pages| match pages.last() {
            Some(last) => last.next_cursor(),
            None => self.first_next.get(),
        })
    }
}

impl<T: Clone + Send + Sync + 'static> MorePages<CursorPage<T>> {
    /// Every loaded item: the first slice's `first`, then those loaded since. A closure
    /// over `more`, which the page owns, and not a derived signal, which would belong to
    /// the list's view and could be read after that view is gone.
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

/// Under a list that has items: a failed load's alert, then `<div class=class>` with
/// the "Load more" button (`id`) or, at the end, `<p id=end_id>{end_text}</p>`. Place it
/// after the list's loader, not inside it (see [`MorePages`]).
#[component]
pub fn LoadMore<S: Cursored + Send + Sync + 'static>(
    /// The list's slices.
    pages: MorePages<S>,
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
) -> impl IntoView {
    let load = pages.load;
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
        <Show when=move || pages.listed.get()>
            {failure}
            <div class=class>
                {move || match pages.next_cursor() {
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
        </Show>
    }
}
