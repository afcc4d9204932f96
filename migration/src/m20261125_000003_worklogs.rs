//! Worklogs and password resets.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Worklogs {
    Table,
    Id,
    TenantId,
    UserId,
    WorkDate,
    Minutes,
    Description,
    Project,
    Tags,
    Billable,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum PasswordResets {
    Table,
    Id,
    UserId,
    TenantId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Users {
    Table,
    Id,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Tenants {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Worklogs::Table)
                .col(uuid(Worklogs::Id).primary_key())
                .col(uuid(Worklogs::TenantId))
                .col(uuid(Worklogs::UserId))
                .col(date(Worklogs::WorkDate))
                .col(integer(Worklogs::Minutes))
                .col(text(Worklogs::Description))
                .col(string_null(Worklogs::Project))
                .col(json(Worklogs::Tags))
                .col(boolean(Worklogs::Billable))
                .col(timestamp_with_time_zone(Worklogs::CreatedAt))
                .col(timestamp_with_time_zone(Worklogs::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Worklogs::Table, Worklogs::UserId)
                        .to(Users::Table, Users::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Worklogs::Table, Worklogs::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        // The timeline: one person's entries, newest day first, keyset on (work_date, id).
        m.create_index(index(
            Worklogs::Table,
            &[
                Worklogs::TenantId,
                Worklogs::UserId,
                Worklogs::WorkDate,
                Worklogs::Id,
            ],
            false,
        ))
        .await?;
        m.create_index(index(
            Worklogs::Table,
            &[Worklogs::TenantId, Worklogs::WorkDate],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(PasswordResets::Table)
                .col(uuid(PasswordResets::Id).primary_key())
                .col(uuid(PasswordResets::UserId))
                .col(uuid_null(PasswordResets::TenantId))
                .col(string(PasswordResets::TokenHash))
                .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PasswordResets::Table, PasswordResets::UserId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            PasswordResets::Table,
            &[PasswordResets::TokenHash],
            true,
        ))
        .await?;
        m.create_index(index(
            PasswordResets::Table,
            &[PasswordResets::UserId],
            false,
        ))
        .await?;
        m.create_index(index(
            PasswordResets::Table,
            &[PasswordResets::TenantId],
            false,
        ))
        .await?;
        m.create_index(index(Users::Table, &[Users::CreatedAt], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_users_created_at")
                .table(Users::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(PasswordResets::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Worklogs::Table).to_owned())
            .await
    }
}
