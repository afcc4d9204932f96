use leptos::prelude::*;
use tessera_domain::code::IssuedCode;

use super::day;
use crate::components::{Alert, AlertKind, CopyButton, download};

/// Freshly generated activation codes in plaintext, shown this once: one copy button per
/// code, "Copy all", and a download as a `.txt` file (one code per line).
#[component]
pub(super) fn IssuedCodes(
    /// The codes from the creation answer.
    codes: Vec<IssuedCode>,
    /// Their tenant's slug, for the file name.
    #[prop(into)]
    tenant_slug: String,
) -> impl IntoView {
    let all: String = codes.iter().map(|c| format!("{}\n", c.code)).collect();
    let file_name = format!("tessera-codes-{tenant_slug}-{}.txt", codes.len());
    let download_error = RwSignal::new(None::<String>);
    let download = {
        let all = all.clone();
        move |_| {
            download_error.set(
                download(
                    &file_name,
                    "text/plain;charset=utf-8",
                    &all,
                    "The browser could not create the file. Copy the codes instead.",
                )
                .err(),
            )
        }
    };
    let rows = codes
        .into_iter()
        .map(|c| {
            let details = [
                c.label.clone().filter(|l| !l.trim().is_empty()),
                Some(if c.max_uses == 1 {
                    "single use".to_owned()
                } else {
                    format!("{} uses", c.max_uses)
                }),
                Some(match c.expires_at {
                    Some(at) => format!("expires {}", day(at)),
                    None => "never expires".to_owned(),
                }),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            let aria = format!("Copy code {}", c.code);
            view! {
                <li class="issued-code">
                    <code class="generated-code">{c.code.clone()}</code>
                    <span class="issued-code-details">{details}</span>
                    <CopyButton text=c.code class="copy-code" aria_label=aria/>
                </li>
            }
        })
        .collect_view();
    view! {
        <Alert kind=AlertKind::Warning title="Copy these codes now">
            "They are shown only this once: Tessera keeps only a hash of each code and cannot show them again."
        </Alert>
        <ul class="issued-codes" id="issued-codes">{rows}</ul>
        <div class="issued-codes-actions">
            <CopyButton text=all label="Copy all" id="copy-all-codes"/>
            <button type="button" class="btn btn-secondary btn-sm" id="download-codes" on:click=download>
                "Download .txt"
            </button>
        </div>
        {move || download_error.get().map(|e| view! { <Alert kind=AlertKind::Error>{e}</Alert> })}
    }
}
