//! Worklog entries: time a person spent, by day, with the rules the form and the API share.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::problem::FieldError;
use crate::validation::Errors;

/// Longest accepted description.
pub const DESCRIPTION_MAX: usize = 2000;
/// Longest accepted project name.
pub const PROJECT_MAX: usize = 120;
/// Most tags on one entry.
pub const TAGS_MAX: usize = 10;
/// Longest tag.
pub const TAG_MAX: usize = 32;

/// 1..=1440 minutes (one day).
///
/// # Errors
/// A message for people when out of range.
pub fn minutes(value: i32) -> Result<(), String> {
    if (1..=1440).contains(&value) {
        Ok(())
    } else {
        Err("must be between 1 and 1440 minutes".into())
    }
}

/// 1..=2000 characters after trimming.
///
/// # Errors
/// A message for people when blank or too long.
pub fn description(value: &str) -> Result<(), String> {
    crate::validation::name(value, DESCRIPTION_MAX)
}

/// A date from 2000-01-01 up to tomorrow (time zones ahead of UTC).
///
/// # Errors
/// A message for people when the date is implausible.
pub fn work_date(value: NaiveDate, today: NaiveDate) -> Result<(), String> {
    let earliest = NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
    if value < earliest {
        Err("must be in the year 2000 or later".into())
    } else if value > today + chrono::Days::new(1) {
        Err("cannot be in the future".into())
    } else {
        Ok(())
    }
}

/// At most [`PROJECT_MAX`] characters.
///
/// # Errors
/// A message for people when too long.
pub fn project(value: &str) -> Result<(), String> {
    if value.chars().count() > PROJECT_MAX {
        Err(format!("must be at most {PROJECT_MAX} characters"))
    } else {
        Ok(())
    }
}

/// At most [`TAGS_MAX`] tags of 1..=[`TAG_MAX`] characters.
///
/// # Errors
/// A message for people naming the problem.
pub fn tags(value: &[String]) -> Result<(), String> {
    if value.len() > TAGS_MAX {
        return Err(format!("at most {TAGS_MAX} tags"));
    }
    if value
        .iter()
        .any(|t| t.trim().is_empty() || t.chars().count() > TAG_MAX)
    {
        return Err(format!("each tag must be 1 to {TAG_MAX} characters"));
    }
    Ok(())
}

/// A new worklog entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorklogInput {
    /// The day the work was done.
    pub work_date: NaiveDate,
    /// Minutes spent, 1 to 1440.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1440))]
    pub minutes: i32,
    /// What was done, 1 to 2000 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub description: String,
    /// Free-text project name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 120))]
    pub project: Option<String>,
    /// Up to 10 tags.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub tags: Vec<String>,
    /// Whether the time is billable (default true).
    #[serde(default = "yes")]
    pub billable: bool,
}

fn yes() -> bool {
    true
}

impl WorklogInput {
    /// Applies the shared rules.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.check("work_date", work_date(self.work_date, today));
        e.check("minutes", minutes(self.minutes));
        e.check("description", description(&self.description));
        e.check("project", self.project.as_deref().map_or(Ok(()), project));
        e.check("tags", tags(&self.tags));
        e.finish()
    }
}

/// Changes to a worklog entry; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorklogPatch {
    /// The day the work was done.
    pub work_date: Option<NaiveDate>,
    /// Minutes spent, 1 to 1440.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1440))]
    pub minutes: Option<i32>,
    /// What was done.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub description: Option<String>,
    /// Project name; an empty string clears it.
    #[cfg_attr(feature = "openapi", schema(max_length = 120))]
    pub project: Option<String>,
    /// Replaces the tags.
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub tags: Option<Vec<String>>,
    /// Whether the time is billable.
    pub billable: Option<bool>,
}

impl WorklogPatch {
    /// Applies the shared rules to the fields present.
    ///
    /// # Errors
    /// One entry per invalid field.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if let Some(d) = self.work_date {
            e.check("work_date", work_date(d, today));
        }
        if let Some(m) = self.minutes {
            e.check("minutes", minutes(m));
        }
        if let Some(d) = &self.description {
            e.check("description", description(d));
        }
        if let Some(p) = &self.project {
            e.check("project", project(p));
        }
        if let Some(t) = &self.tags {
            e.check("tags", tags(t));
        }
        e.finish()
    }
}

/// A worklog entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Worklog {
    /// The entry's id.
    pub id: Uuid,
    /// Who logged it.
    pub user_id: Uuid,
    /// Their tenant.
    pub tenant_id: Uuid,
    /// The day the work was done.
    pub work_date: NaiveDate,
    /// Minutes spent.
    pub minutes: i32,
    /// What was done.
    pub description: String,
    /// Project name.
    pub project: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether the time is billable.
    pub billable: bool,
    /// When it was logged.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Minutes logged on one day (all of that day's entries matching the filters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyTotal {
    /// The day.
    pub date: NaiveDate,
    /// Total minutes.
    pub minutes: i64,
    /// Number of entries.
    pub entries: i64,
}

/// A slice of the timeline, newest first, with the totals of the days it touches.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorklogPage {
    /// Entries, newest day first.
    pub items: Vec<Worklog>,
    /// Pass as `?cursor=` for the next slice; `null` at the end.
    pub next_cursor: Option<String>,
    /// Totals of every day that appears in `items` (whole days, not just this slice).
    pub daily_totals: Vec<DailyTotal>,
}

/// A recurring entry offered for one-click quick-add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorklogSuggestion {
    /// The recurring description.
    pub description: String,
    /// Its project.
    pub project: Option<String>,
    /// Tags of its latest use.
    pub tags: Vec<String>,
    /// The usual minutes (the most frequent value; ties go to the latest).
    pub minutes: i32,
    /// How often it was logged in the window.
    pub uses: i64,
    /// When it was last logged.
    pub last_used: NaiveDate,
    /// Whether its latest use was billable.
    pub billable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn minutes_are_bounded_by_a_day() {
        assert!(minutes(0).is_err());
        assert!(minutes(1).is_ok());
        assert!(minutes(1440).is_ok());
        assert!(minutes(1441).is_err());
    }

    #[test]
    fn dates_must_be_sane() {
        let today = day(2026, 11, 25);
        assert!(work_date(today, today).is_ok());
        assert!(work_date(day(2026, 11, 26), today).is_ok());
        assert!(work_date(day(2026, 11, 28), today).is_err());
        assert!(work_date(day(1999, 12, 31), today).is_err());
    }

    #[test]
    fn inputs_report_every_bad_field() {
        let input = WorklogInput {
            work_date: day(1990, 1, 1),
            minutes: 0,
            description: " ".into(),
            project: Some("p".repeat(121)),
            tags: vec!["".into()],
            billable: true,
        };
        let fields: Vec<String> = input
            .validate(day(2026, 1, 1))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["work_date", "minutes", "description", "project", "tags"]
        );
    }
}
