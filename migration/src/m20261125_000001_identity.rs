//! Identity and tenancy: plans, tenants, users, subscriptions, tokens, OTPs, audit, outbox.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Plans {
    Table,
    Code,
    Name,
    MonthlyPriceCents,
    Currency,
    ProjectQuota,
    DeviceQuota,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum Tenants {
    Table,
    Id,
    Slug,
    Name,
    ContactEmail,
    Plan,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum Users {
    Table,
    Id,
    TenantId,
    Email,
    Username,
    Name,
    Role,
    PasswordHash,
    Active,
    Notes,
    FailedLogins,
    LockedUntil,
    LastLoginAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone)]
enum Subscriptions {
    Table,
    Id,
    TenantId,
    Plan,
    Status,
    MonthlyPriceCents,
    StartedAt,
    EndedAt,
}

#[derive(DeriveIden, Clone)]
enum RefreshTokens {
    Table,
    Id,
    UserId,
    TenantId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum OtpCodes {
    Table,
    Id,
    TenantId,
    UserId,
    CodeHash,
    Attempts,
    ExpiresAt,
    ConsumedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum AuditEvents {
    Table,
    Id,
    ActorId,
    Action,
    TargetType,
    TargetId,
    TenantId,
    Before,
    After,
    Ip,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum MailOutbox {
    Table,
    Id,
    TenantId,
    ToAddr,
    Subject,
    Body,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum ServerSecrets {
    Table,
    Name,
    Value,
    CreatedAt,
}

fn fk<F: Iden + 'static, T: Iden + 'static, C: Iden + 'static, D: Iden + 'static>(
    from: F,
    from_col: C,
    to: T,
    to_col: D,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, from_col)
        .to(to, to_col)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Plans::Table)
                .col(string(Plans::Code).primary_key())
                .col(string(Plans::Name))
                .col(big_integer(Plans::MonthlyPriceCents))
                .col(string(Plans::Currency))
                .col(integer(Plans::ProjectQuota))
                .col(integer(Plans::DeviceQuota))
                .col(timestamp_with_time_zone(Plans::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Tenants::Table)
                .col(uuid(Tenants::Id).primary_key())
                .col(string(Tenants::Slug))
                .col(string(Tenants::Name))
                .col(string_null(Tenants::ContactEmail))
                .col(string(Tenants::Plan))
                .col(string(Tenants::Status))
                .col(timestamp_with_time_zone(Tenants::CreatedAt))
                .col(timestamp_with_time_zone(Tenants::UpdatedAt))
                .foreign_key(&mut fk(
                    Tenants::Table,
                    Tenants::Plan,
                    Plans::Table,
                    Plans::Code,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Tenants::Table, &[Tenants::Slug], true))
            .await?;
        m.create_index(index(Tenants::Table, &[Tenants::Plan], false))
            .await?;
        m.create_index(index(Tenants::Table, &[Tenants::CreatedAt], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(uuid(Users::Id).primary_key())
                .col(uuid_null(Users::TenantId))
                .col(string(Users::Email))
                .col(string(Users::Username))
                .col(string(Users::Name))
                .col(string(Users::Role))
                .col(string_null(Users::PasswordHash))
                .col(boolean(Users::Active))
                .col(text_null(Users::Notes))
                .col(integer(Users::FailedLogins).default(0))
                .col(timestamp_with_time_zone_null(Users::LockedUntil))
                .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(&mut fk(
                    Users::Table,
                    Users::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Users::Table, &[Users::Email], true))
            .await?;
        m.create_index(index(Users::Table, &[Users::Username], true))
            .await?;
        m.create_index(index(Users::Table, &[Users::TenantId], false))
            .await?;

        m.create_table(
            Table::create()
                .table(Subscriptions::Table)
                .col(uuid(Subscriptions::Id).primary_key())
                .col(uuid(Subscriptions::TenantId))
                .col(string(Subscriptions::Plan))
                .col(string(Subscriptions::Status))
                .col(big_integer(Subscriptions::MonthlyPriceCents))
                .col(timestamp_with_time_zone(Subscriptions::StartedAt))
                .col(timestamp_with_time_zone_null(Subscriptions::EndedAt))
                .foreign_key(&mut fk(
                    Subscriptions::Table,
                    Subscriptions::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                ))
                .foreign_key(&mut fk(
                    Subscriptions::Table,
                    Subscriptions::Plan,
                    Plans::Table,
                    Plans::Code,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            Subscriptions::Table,
            &[Subscriptions::TenantId, Subscriptions::StartedAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(RefreshTokens::Table)
                .col(uuid(RefreshTokens::Id).primary_key())
                .col(uuid(RefreshTokens::UserId))
                .col(uuid_null(RefreshTokens::TenantId))
                .col(uuid(RefreshTokens::FamilyId))
                .col(string(RefreshTokens::TokenHash))
                .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                .foreign_key(&mut fk(
                    RefreshTokens::Table,
                    RefreshTokens::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            RefreshTokens::Table,
            &[RefreshTokens::TokenHash],
            true,
        ))
        .await?;
        m.create_index(index(
            RefreshTokens::Table,
            &[RefreshTokens::FamilyId],
            false,
        ))
        .await?;
        m.create_index(index(RefreshTokens::Table, &[RefreshTokens::UserId], false))
            .await?;
        m.create_index(index(
            RefreshTokens::Table,
            &[RefreshTokens::TenantId],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(OtpCodes::Table)
                .col(uuid(OtpCodes::Id).primary_key())
                .col(uuid(OtpCodes::TenantId))
                .col(uuid(OtpCodes::UserId))
                .col(string(OtpCodes::CodeHash))
                .col(integer(OtpCodes::Attempts).default(0))
                .col(timestamp_with_time_zone(OtpCodes::ExpiresAt))
                .col(timestamp_with_time_zone_null(OtpCodes::ConsumedAt))
                .col(timestamp_with_time_zone(OtpCodes::CreatedAt))
                .foreign_key(&mut fk(
                    OtpCodes::Table,
                    OtpCodes::UserId,
                    Users::Table,
                    Users::Id,
                ))
                .foreign_key(&mut fk(
                    OtpCodes::Table,
                    OtpCodes::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            OtpCodes::Table,
            &[OtpCodes::UserId, OtpCodes::CreatedAt],
            false,
        ))
        .await?;
        m.create_index(index(OtpCodes::Table, &[OtpCodes::TenantId], false))
            .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(uuid(AuditEvents::Id).primary_key())
                .col(uuid_null(AuditEvents::ActorId))
                .col(string(AuditEvents::Action))
                .col(string(AuditEvents::TargetType))
                .col(string_null(AuditEvents::TargetId))
                .col(uuid_null(AuditEvents::TenantId))
                .col(json_null(AuditEvents::Before))
                .col(json_null(AuditEvents::After))
                .col(string_null(AuditEvents::Ip))
                .col(timestamp_with_time_zone(AuditEvents::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            AuditEvents::Table,
            &[AuditEvents::CreatedAt, AuditEvents::Id],
            false,
        ))
        .await?;
        m.create_index(index(
            AuditEvents::Table,
            &[AuditEvents::TenantId, AuditEvents::CreatedAt],
            false,
        ))
        .await?;
        m.create_index(index(
            AuditEvents::Table,
            &[AuditEvents::ActorId, AuditEvents::CreatedAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(MailOutbox::Table)
                .col(uuid(MailOutbox::Id).primary_key())
                .col(uuid_null(MailOutbox::TenantId))
                .col(string(MailOutbox::ToAddr))
                .col(string(MailOutbox::Subject))
                .col(text(MailOutbox::Body))
                .col(timestamp_with_time_zone(MailOutbox::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            MailOutbox::Table,
            &[MailOutbox::CreatedAt, MailOutbox::Id],
            false,
        ))
        .await?;
        m.create_index(index(
            MailOutbox::Table,
            &[MailOutbox::ToAddr, MailOutbox::CreatedAt],
            false,
        ))
        .await?;
        m.create_index(index(MailOutbox::Table, &[MailOutbox::TenantId], false))
            .await?;

        m.create_table(
            Table::create()
                .table(ServerSecrets::Table)
                .col(string(ServerSecrets::Name).primary_key())
                .col(text(ServerSecrets::Value))
                .col(timestamp_with_time_zone(ServerSecrets::CreatedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ServerSecrets::Table.into_iden(),
            MailOutbox::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            OtpCodes::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            Subscriptions::Table.into_iden(),
            Users::Table.into_iden(),
            Tenants::Table.into_iden(),
            Plans::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
