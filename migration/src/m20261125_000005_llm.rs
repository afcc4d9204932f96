//! LLM configuration: system prompt versions, projects, agent prompts, and the tenants'
//! project counter that guards the plan's project quota.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum SystemPromptVersions {
    Table,
    Id,
    Version,
    Content,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum LlmProjects {
    Table,
    Id,
    TenantId,
    ActivationCodeId,
    Name,
    Description,
    Prompt,
    Status,
    StartedAt,
    CompletedAt,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum AgentPrompts {
    Table,
    Id,
    ProjectId,
    TenantId,
    AgentType,
    Content,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum Tenants {
    Table,
    Id,
    ProjectCount,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SystemPromptVersions::Table)
                .col(uuid(SystemPromptVersions::Id).primary_key())
                .col(integer(SystemPromptVersions::Version))
                .col(text(SystemPromptVersions::Content))
                .col(uuid_null(SystemPromptVersions::CreatedBy))
                .col(timestamp_with_time_zone(SystemPromptVersions::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            SystemPromptVersions::Table,
            &[SystemPromptVersions::Version],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(LlmProjects::Table)
                .col(uuid(LlmProjects::Id).primary_key())
                .col(uuid_null(LlmProjects::TenantId))
                .col(uuid_null(LlmProjects::ActivationCodeId))
                .col(string(LlmProjects::Name))
                .col(text(LlmProjects::Description))
                .col(text(LlmProjects::Prompt))
                .col(string(LlmProjects::Status))
                .col(timestamp_with_time_zone(LlmProjects::StartedAt))
                .col(timestamp_with_time_zone_null(LlmProjects::CompletedAt))
                .col(uuid_null(LlmProjects::CreatedBy))
                .col(timestamp_with_time_zone(LlmProjects::CreatedAt))
                .col(timestamp_with_time_zone(LlmProjects::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(LlmProjects::Table, LlmProjects::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            LlmProjects::Table,
            &[LlmProjects::TenantId, LlmProjects::CreatedAt],
            false,
        ))
        .await?;
        m.create_index(index(LlmProjects::Table, &[LlmProjects::Status], false))
            .await?;

        m.create_table(
            Table::create()
                .table(AgentPrompts::Table)
                .col(uuid(AgentPrompts::Id).primary_key())
                .col(uuid(AgentPrompts::ProjectId))
                .col(uuid_null(AgentPrompts::TenantId))
                .col(string(AgentPrompts::AgentType))
                .col(text(AgentPrompts::Content))
                .col(uuid_null(AgentPrompts::UpdatedBy))
                .col(timestamp_with_time_zone(AgentPrompts::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AgentPrompts::Table, AgentPrompts::ProjectId)
                        .to(LlmProjects::Table, LlmProjects::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            AgentPrompts::Table,
            &[AgentPrompts::ProjectId, AgentPrompts::AgentType],
            true,
        ))
        .await?;
        m.create_index(index(AgentPrompts::Table, &[AgentPrompts::TenantId], false))
            .await?;

        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(integer(Tenants::ProjectCount).default(0))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .drop_column(Tenants::ProjectCount)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(AgentPrompts::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(LlmProjects::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(SystemPromptVersions::Table).to_owned())
            .await
    }
}
