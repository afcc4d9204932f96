//! An index for "job runs of the last 24 hours".
//!
//! The operational summary used to count every `job_runs` row of the metrics job on each
//! request: one row per period (288 a day at the default five minutes), so the count grew
//! for ever, and one failed run kept a `job_failures` alert firing for ever. The summary
//! now counts the runs started in the last 24 hours, and this index bounds that to one
//! range of about a day's rows however long the history grows. Manual runs take negative
//! slots (see crates/api/src/jobs.rs), so the range is on `started_at`, not on `slot`.

use sea_orm_migration::prelude::*;

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum JobRuns {
    Table,
    Job,
    StartedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            JobRuns::Table,
            &[JobRuns::Job, JobRuns::StartedAt],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_job_runs_job_started_at")
                .table(JobRuns::Table)
                .to_owned(),
        )
        .await
    }
}
