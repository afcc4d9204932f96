use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Puts `text` on the clipboard.
///
/// # Errors
/// When the browser has no clipboard here (an insecure origin) or refuses the write; the
/// text is for people.
pub async fn copy_to_clipboard(text: &str) -> Result<(), String> {
    let navigator = window().navigator();
    // `navigator.clipboard` is undefined outside secure contexts; calling a method on it
    // would throw through the wasm boundary, so look before touching it.
    let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null())
        .ok_or("This browser does not allow copying here: select the text and copy it by hand.")?
        .unchecked_into::<web_sys::Clipboard>();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(drop)
        .map_err(|_| "The browser refused to copy: select the text and copy it by hand.".into())
}

/// Offers `text` as a file download named `file_name` of type `mime` (a Blob behind an
/// object URL), so nothing leaves the browser.
///
/// # Errors
/// When the browser cannot build the file: `failure`, the text for people.
pub fn download(file_name: &str, mime: &str, text: &str, failure: &str) -> Result<(), String> {
    let build = || -> Result<(), JsValue> {
        let parts = js_sys::Array::of1(&JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let link = document()
            .create_element("a")?
            .unchecked_into::<web_sys::HtmlAnchorElement>();
        link.set_href(&url);
        link.set_download(file_name);
        // Firefox only follows a link that is in the document.
        document().body().ok_or("no body")?.append_child(&link)?;
        link.click();
        link.remove();
        // Revoking at once can cancel the download that just started; the URL only
        // holds memory, so let it go a little later.
        set_timeout(
            move || {
                let _ = web_sys::Url::revoke_object_url(&url);
            },
            Duration::from_secs(30),
        );
        Ok(())
    };
    build().map_err(|e| {
        leptos::logging::warn!("download failed: {e:?}");
        failure.to_owned()
    })
}

/// A button that copies `text` and says for a moment whether that worked.
#[component]
pub fn CopyButton(
    /// What to copy.
    #[prop(into)]
    text: Signal<String>,
    /// The button's text; "Copy" by default.
    #[prop(optional, into)]
    label: Option<String>,
    /// What is copied, for screen readers, e.g. "Copy code ABCD-…".
    #[prop(optional, into)]
    aria_label: Option<String>,
    /// Extra classes (e.g. `copy-code`) and an id for tests and styling.
    #[prop(optional, into)]
    class: Option<String>,
    /// The button's id.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let label = label.unwrap_or_else(|| "Copy".into());
    // None: idle; Some(Ok): copied; Some(Err): the reason it did not work.
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let copy = move |_| {
        let text = text.get_untracked();
        leptos::task::spawn_local(async move {
            let result = copy_to_clipboard(&text).await;
            let copied = result.is_ok();
            let _ = outcome.try_set(Some(result));
            // "Copied" is a moment's feedback; a failure stays until the next try, so
            // the person has time to read how to copy by hand.
            if copied {
                set_timeout(
                    move || {
                        let _ = outcome.try_set(None);
                    },
                    Duration::from_secs(3),
                );
            }
        });
    };
    let class = format!("btn btn-secondary btn-sm {}", class.unwrap_or_default());
    let failure = move || {
        outcome.with(|o| match o {
            Some(Err(reason)) => {
                Some(view! { <span class="copy-error" role="alert">{reason.clone()}</span> })
            }
            _ => None,
        })
    };
    view! {
        <button type="button" class=class id=id aria-label=aria_label on:click=copy>
            {move || match outcome.get() {
                None => label.clone(),
                Some(Ok(())) => "Copied ✓".into(),
                Some(Err(_)) => "Not copied".into(),
            }}
        </button>
        {failure}
    }
}
