//! LLM configuration: the platform's system prompt with its history, projects and their
//! per-agent prompts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;
use crate::validation::{self, Errors};

/// Longest accepted prompt.
pub const PROMPT_MAX: usize = 50_000;

/// A prompt: 1 to [`PROMPT_MAX`] characters after trimming.
///
/// # Errors
/// A message for people.
pub fn prompt(value: &str) -> Result<(), String> {
    validation::name(value, PROMPT_MAX)
}

/// An agent type: 1 to 64 lowercase letters, digits, `_` or `-`.
///
/// # Errors
/// A message for people.
pub fn agent_type(value: &str) -> Result<(), String> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err("must be 1 to 64 lowercase letters, digits, '_' or '-'".into())
    }
}

/// A project's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    /// Running.
    Active,
    /// On hold; can be resumed.
    Paused,
    /// Finished; final.
    Completed,
}

impl ProjectStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectStatus::Active => "active",
            ProjectStatus::Paused => "paused",
            ProjectStatus::Completed => "completed",
        }
    }

    /// Parses the stored form (unknown values read as active).
    pub fn from_stored(s: &str) -> Self {
        match s {
            "paused" => ProjectStatus::Paused,
            "completed" => ProjectStatus::Completed,
            _ => ProjectStatus::Active,
        }
    }

    /// Whether a project may move from `self` to `next`: completed is final.
    pub fn may_become(self, next: ProjectStatus) -> bool {
        self == next || self != ProjectStatus::Completed
    }
}

/// The system prompt (its newest version).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemPrompt {
    /// The prompt text.
    pub content: String,
    /// 1, 2, 3 ... every save and restore adds one.
    pub version: i32,
    /// Who saved it.
    pub updated_by: Option<Uuid>,
    /// Their e-mail address.
    pub updated_by_email: Option<String>,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// New prompt text.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromptInput {
    /// The prompt text (1 to 50,000 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50000))]
    pub content: String,
}

impl PromptInput {
    /// Applies the shared rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("content", prompt(&self.content));
        e.finish()
    }
}

/// An LLM project (`llm_project_config`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    /// The project's id.
    pub id: Uuid,
    /// Its tenant (`null`: platform-owned).
    pub tenant_id: Option<Uuid>,
    /// The tenant's slug.
    pub tenant_slug: Option<String>,
    /// The activation code that activated it (tenant projects).
    pub activation_code_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The project prompt.
    pub prompt: String,
    /// `active`, `paused` or `completed`.
    pub status: ProjectStatus,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A project created by staff.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateProjectRequest {
    /// Tenant slug or id; omit for a platform-owned project.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Name (1 to 120 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// Description (up to 2,000 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: String,
    /// The project prompt (may be empty until configured).
    #[serde(default)]
    pub prompt: String,
}

/// A tenant activating a project with one use of an activation code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActivateProjectRequest {
    /// An activation code of the caller's tenant (`XXXX-XXXX-XXXX-XXXX`).
    pub activation_code: String,
    /// Name (1 to 120 characters).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: String,
    /// Description (up to 2,000 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: String,
    /// The project prompt (may be empty until configured).
    #[serde(default)]
    pub prompt: String,
}

fn check_project(e: &mut Errors, name: &str, description: &str, prompt_text: &str) {
    e.check("name", validation::name(name, 120));
    e.check(
        "description",
        if description.chars().count() > 2000 {
            Err("must be at most 2000 characters".into())
        } else {
            Ok(())
        },
    );
    e.check(
        "prompt",
        if prompt_text.chars().count() > PROMPT_MAX {
            Err(format!("must be at most {PROMPT_MAX} characters"))
        } else {
            Ok(())
        },
    );
}

impl CreateProjectRequest {
    /// Applies the shared rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        check_project(&mut e, &self.name, &self.description, &self.prompt);
        e.finish()
    }
}

impl ActivateProjectRequest {
    /// Applies the shared rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check(
            "activation_code",
            crate::code::ActivationCode::parse(&self.activation_code).map(|_| ()),
        );
        check_project(&mut e, &self.name, &self.description, &self.prompt);
        e.finish()
    }
}

/// Changes to a project; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    /// Name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub name: Option<String>,
    /// Description.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: Option<String>,
    /// The project prompt.
    pub prompt: Option<String>,
    /// `active` or `paused` (complete with the complete action, or `completed` here).
    pub status: Option<ProjectStatus>,
}

impl ProjectPatch {
    /// Applies the shared rules to the fields present.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        check_project(
            &mut e,
            self.name.as_deref().unwrap_or("x"),
            self.description.as_deref().unwrap_or(""),
            self.prompt.as_deref().unwrap_or(""),
        );
        e.finish()
    }
}

/// A project's prompt for one agent type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentPrompt {
    /// The agent type, e.g. `planner`.
    pub agent_type: String,
    /// The prompt text.
    pub content: String,
    /// Who saved it.
    pub updated_by: Option<Uuid>,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// Everything an agent runs with: system, project and agent prompts, and their composition.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComposedPrompt {
    /// The system prompt's version used.
    pub system_version: i32,
    /// The system prompt.
    pub system: String,
    /// The project prompt.
    pub project: String,
    /// The agent prompt.
    pub agent: String,
    /// The three joined by blank lines, in that order.
    pub composed: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_projects_stay_completed() {
        assert!(ProjectStatus::Active.may_become(ProjectStatus::Paused));
        assert!(ProjectStatus::Paused.may_become(ProjectStatus::Completed));
        assert!(!ProjectStatus::Completed.may_become(ProjectStatus::Active));
    }

    #[test]
    fn agent_types_are_slugs() {
        assert!(agent_type("planner").is_ok());
        assert!(agent_type("Planner").is_err());
        assert!(agent_type("").is_err());
    }
}
