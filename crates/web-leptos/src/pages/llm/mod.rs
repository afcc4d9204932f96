//! Staff: the LLM configuration — the system prompt with its history, the projects of
//! every tenant, and one project's prompt and agent prompts.

mod project;
mod projects;
mod system;

use leptos::prelude::*;
use tessera_domain::llm::ProjectStatus;

pub use project::LlmProjectPage;

use super::restricted::Restricted;

use crate::components::PageHeader;
use crate::page::Page;
pub(crate) use crate::pages::login::{failure_alert, failure_text};

/// Staff: the system prompt editor and its versions, then the projects table
/// (`Page::LlmPrompts`).
#[component]
pub fn LlmPromptsPage() -> impl IntoView {
    let page = Page::LlmPrompts;
    view! {
        <PageHeader title=page.title() crumbs=page.crumbs()/>
        <Restricted page=page>
            <system::SystemPromptSection/>
            <projects::ProjectsSection/>
        </Restricted>
    }
}

/// `active` → `Active`, for select options and badges.
pub(crate) fn status_label(s: ProjectStatus) -> &'static str {
    match s {
        ProjectStatus::Active => "Active",
        ProjectStatus::Paused => "Paused",
        ProjectStatus::Completed => "Completed",
    }
}

/// The stored form back to the enum; `None` for "all" (an empty value).
pub(crate) fn parse_status(value: &str) -> Option<ProjectStatus> {
    [
        ProjectStatus::Active,
        ProjectStatus::Paused,
        ProjectStatus::Completed,
    ]
    .into_iter()
    .find(|s| s.as_str() == value)
}

/// `(value, label)` of every status, for drop-downs.
pub(crate) fn status_options() -> Vec<(String, String)> {
    [
        ProjectStatus::Active,
        ProjectStatus::Paused,
        ProjectStatus::Completed,
    ]
    .into_iter()
    .map(|s| (s.as_str().to_owned(), status_label(s).to_owned()))
    .collect()
}

pub(crate) use crate::format::moment;

/// Long prompts are shown by their start in lists; the editor shows them whole.
pub(crate) fn preview(text: &str, keep: usize) -> String {
    let text = text.trim();
    if text.chars().count() > keep {
        format!("{}…", text.chars().take(keep).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_previews_cut_long_text() {
        for (value, _) in status_options() {
            assert_eq!(
                parse_status(&value).map(|s| s.as_str()),
                Some(value.as_str())
            );
        }
        assert_eq!(parse_status(""), None);
        assert_eq!(preview("  abc ", 5), "abc");
        assert_eq!(preview("abcdef", 3), "abc…");
    }
}
