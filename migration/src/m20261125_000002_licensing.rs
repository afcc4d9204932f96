//! Licensing: activation codes, devices, and the tenant's active-device counter that makes
//! the device quota race-safe.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum Tenants {
    Table,
    Id,
    Status,
    ActiveDevices,
}

#[derive(DeriveIden, Clone)]
enum ActivationCodes {
    Table,
    Id,
    TenantId,
    CodeHash,
    Prefix,
    Label,
    MaxUses,
    UseCount,
    ExpiresAt,
    RevokedAt,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum Devices {
    Table,
    Id,
    TenantId,
    CodeId,
    Fingerprint,
    Name,
    Platform,
    ActivatedAt,
    LastSeenAt,
    RevokedAt,
    LicenseExpiresAt,
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
        // Devices that are activated and not revoked. Activation raises it with a conditional
        // UPDATE (`... WHERE active_devices < quota`), so the quota holds under any
        // concurrency without reading first; revocation lowers it.
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .add_column(integer(Tenants::ActiveDevices).default(0))
                .to_owned(),
        )
        .await?;
        m.create_index(index(Tenants::Table, &[Tenants::Status], false))
            .await?;

        m.create_table(
            Table::create()
                .table(ActivationCodes::Table)
                .col(uuid(ActivationCodes::Id).primary_key())
                .col(uuid(ActivationCodes::TenantId))
                .col(string(ActivationCodes::CodeHash))
                .col(string(ActivationCodes::Prefix))
                .col(string_null(ActivationCodes::Label))
                .col(integer(ActivationCodes::MaxUses))
                .col(integer(ActivationCodes::UseCount).default(0))
                .col(timestamp_with_time_zone_null(ActivationCodes::ExpiresAt))
                .col(timestamp_with_time_zone_null(ActivationCodes::RevokedAt))
                .col(uuid_null(ActivationCodes::CreatedBy))
                .col(timestamp_with_time_zone(ActivationCodes::CreatedAt))
                .foreign_key(&mut fk(
                    ActivationCodes::Table,
                    ActivationCodes::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            ActivationCodes::Table,
            &[ActivationCodes::CodeHash],
            true,
        ))
        .await?;
        m.create_index(index(
            ActivationCodes::Table,
            &[ActivationCodes::TenantId, ActivationCodes::CreatedAt],
            false,
        ))
        .await?;
        m.create_index(index(
            ActivationCodes::Table,
            &[ActivationCodes::CreatedAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Devices::Table)
                .col(uuid(Devices::Id).primary_key())
                .col(uuid(Devices::TenantId))
                .col(uuid(Devices::CodeId))
                .col(string(Devices::Fingerprint))
                .col(string(Devices::Name))
                .col(string(Devices::Platform))
                .col(timestamp_with_time_zone(Devices::ActivatedAt))
                .col(timestamp_with_time_zone_null(Devices::LastSeenAt))
                .col(timestamp_with_time_zone_null(Devices::RevokedAt))
                .col(timestamp_with_time_zone(Devices::LicenseExpiresAt))
                .foreign_key(&mut fk(
                    Devices::Table,
                    Devices::TenantId,
                    Tenants::Table,
                    Tenants::Id,
                ))
                .foreign_key(&mut fk(
                    Devices::Table,
                    Devices::CodeId,
                    ActivationCodes::Table,
                    ActivationCodes::Id,
                ))
                .to_owned(),
        )
        .await?;
        // One device per (code, fingerprint): what makes re-activation idempotent even when
        // the same device activates twice at once.
        m.create_index(index(
            Devices::Table,
            &[Devices::CodeId, Devices::Fingerprint],
            true,
        ))
        .await?;
        m.create_index(index(
            Devices::Table,
            &[Devices::TenantId, Devices::ActivatedAt],
            false,
        ))
        .await?;
        m.create_index(index(Devices::Table, &[Devices::ActivatedAt], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Devices::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ActivationCodes::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_tenants_status")
                .table(Tenants::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenants::Table)
                .drop_column(Tenants::ActiveDevices)
                .to_owned(),
        )
        .await
    }
}
