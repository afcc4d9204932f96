//! Metrics: user activity by day, stored snapshots, job runs claimed once per period, and
//! alert thresholds.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum UserActivity {
    Table,
    UserId,
    Day,
    TenantId,
}

#[derive(DeriveIden, Clone)]
enum MetricSnapshots {
    Table,
    Id,
    Period,
    Body,
    ComputedAt,
}

#[derive(DeriveIden, Clone)]
enum JobRuns {
    Table,
    Id,
    Job,
    Slot,
    StartedAt,
    FinishedAt,
    Ok,
    Error,
    Runner,
}

#[derive(DeriveIden, Clone)]
enum MetricThresholds {
    Table,
    Id,
    Metric,
    Operator,
    Value,
    Severity,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(UserActivity::Table)
                .col(uuid(UserActivity::UserId))
                .col(date(UserActivity::Day))
                .col(uuid_null(UserActivity::TenantId))
                .primary_key(
                    Index::create()
                        .col(UserActivity::UserId)
                        .col(UserActivity::Day),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(UserActivity::Table, &[UserActivity::Day], false))
            .await?;
        m.create_index(index(UserActivity::Table, &[UserActivity::TenantId], false))
            .await?;

        m.create_table(
            Table::create()
                .table(MetricSnapshots::Table)
                .col(uuid(MetricSnapshots::Id).primary_key())
                .col(string(MetricSnapshots::Period))
                .col(json(MetricSnapshots::Body))
                .col(timestamp_with_time_zone(MetricSnapshots::ComputedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            MetricSnapshots::Table,
            &[MetricSnapshots::Period, MetricSnapshots::ComputedAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(JobRuns::Table)
                .col(uuid(JobRuns::Id).primary_key())
                .col(string(JobRuns::Job))
                .col(big_integer(JobRuns::Slot))
                .col(timestamp_with_time_zone(JobRuns::StartedAt))
                .col(timestamp_with_time_zone_null(JobRuns::FinishedAt))
                .col(boolean_null(JobRuns::Ok))
                .col(text_null(JobRuns::Error))
                .col(string(JobRuns::Runner))
                .to_owned(),
        )
        .await?;
        // Several replicas race to insert the same (job, slot): exactly one wins the period.
        m.create_index(index(JobRuns::Table, &[JobRuns::Job, JobRuns::Slot], true))
            .await?;

        m.create_table(
            Table::create()
                .table(MetricThresholds::Table)
                .col(uuid(MetricThresholds::Id).primary_key())
                .col(string(MetricThresholds::Metric))
                .col(string(MetricThresholds::Operator))
                .col(double(MetricThresholds::Value))
                .col(string(MetricThresholds::Severity))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            MetricThresholds::Table.into_iden(),
            JobRuns::Table.into_iden(),
            MetricSnapshots::Table.into_iden(),
            UserActivity::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
