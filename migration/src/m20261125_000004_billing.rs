//! Billing reserves (accounts, the append-only ledger, top-ups, provider events,
//! idempotency keys) and usage events with their daily rollups.

use sea_orm_migration::{prelude::*, schema::*};

use crate::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone)]
enum ReserveAccounts {
    Table,
    Id,
    TenantId,
    Currency,
    LowBalanceThresholdCents,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum LedgerEntries {
    Table,
    Id,
    TenantId,
    AccountId,
    Sequence,
    Kind,
    AmountCents,
    BalanceAfterCents,
    Currency,
    Reason,
    ActorId,
    Reference,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum IdempotencyKeys {
    Table,
    Id,
    TenantId,
    Scope,
    Key,
    RequestHash,
    Status,
    Response,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum TopUps {
    Table,
    Id,
    TenantId,
    AmountCents,
    Currency,
    Status,
    CheckoutUrl,
    CreatedBy,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden, Clone)]
enum WebhookEvents {
    Table,
    Id,
    Provider,
    Kind,
    ReceivedAt,
}

#[derive(DeriveIden, Clone)]
enum UsageEvents {
    Table,
    Id,
    TenantId,
    EventId,
    DeviceId,
    UserId,
    Kind,
    Quantity,
    Tokens,
    CostCents,
    DurationMs,
    Success,
    OccurredAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone)]
enum UsageRollups {
    Table,
    TenantId,
    Day,
    Kind,
    Events,
    Quantity,
    Tokens,
    CostCents,
    DurationMs,
    Failures,
}

#[derive(DeriveIden, Clone)]
enum Tenants {
    Table,
    Id,
}

fn tenant_fk<T: Iden + 'static, C: Iden + 'static>(table: T, col: C) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Tenants::Table, Tenants::Id)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ReserveAccounts::Table)
                .col(uuid(ReserveAccounts::Id).primary_key())
                .col(uuid(ReserveAccounts::TenantId))
                .col(string(ReserveAccounts::Currency))
                .col(big_integer_null(ReserveAccounts::LowBalanceThresholdCents))
                .col(timestamp_with_time_zone(ReserveAccounts::CreatedAt))
                .foreign_key(&mut tenant_fk(
                    ReserveAccounts::Table,
                    ReserveAccounts::TenantId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            ReserveAccounts::Table,
            &[ReserveAccounts::TenantId],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(LedgerEntries::Table)
                .col(uuid(LedgerEntries::Id).primary_key())
                .col(uuid(LedgerEntries::TenantId))
                .col(uuid(LedgerEntries::AccountId))
                .col(big_integer(LedgerEntries::Sequence))
                .col(string(LedgerEntries::Kind))
                .col(big_integer(LedgerEntries::AmountCents))
                .col(big_integer(LedgerEntries::BalanceAfterCents))
                .col(string(LedgerEntries::Currency))
                .col(text_null(LedgerEntries::Reason))
                .col(uuid_null(LedgerEntries::ActorId))
                .col(string_null(LedgerEntries::Reference))
                .col(timestamp_with_time_zone(LedgerEntries::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(LedgerEntries::Table, LedgerEntries::AccountId)
                        .to(ReserveAccounts::Table, ReserveAccounts::Id),
                )
                .to_owned(),
        )
        .await?;
        // One sequence per tenant's account: two writers can never both append entry n,
        // and the newest entry (the balance) is one index probe away.
        m.create_index(index(
            LedgerEntries::Table,
            &[LedgerEntries::TenantId, LedgerEntries::Sequence],
            true,
        ))
        .await?;
        m.create_index(index(
            LedgerEntries::Table,
            &[LedgerEntries::AccountId],
            false,
        ))
        .await?;
        m.create_index(index(
            LedgerEntries::Table,
            &[
                LedgerEntries::TenantId,
                LedgerEntries::CreatedAt,
                LedgerEntries::Id,
            ],
            false,
        ))
        .await?;
        m.create_index(index(
            LedgerEntries::Table,
            &[LedgerEntries::Kind, LedgerEntries::CreatedAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(uuid(IdempotencyKeys::Id).primary_key())
                .col(uuid_null(IdempotencyKeys::TenantId))
                .col(string(IdempotencyKeys::Scope))
                .col(string(IdempotencyKeys::Key))
                .col(string(IdempotencyKeys::RequestHash))
                .col(integer(IdempotencyKeys::Status))
                .col(json(IdempotencyKeys::Response))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            IdempotencyKeys::Table,
            &[IdempotencyKeys::Scope, IdempotencyKeys::Key],
            true,
        ))
        .await?;
        m.create_index(index(
            IdempotencyKeys::Table,
            &[IdempotencyKeys::TenantId],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(TopUps::Table)
                .col(uuid(TopUps::Id).primary_key())
                .col(uuid(TopUps::TenantId))
                .col(big_integer(TopUps::AmountCents))
                .col(string(TopUps::Currency))
                .col(string(TopUps::Status))
                .col(text_null(TopUps::CheckoutUrl))
                .col(uuid_null(TopUps::CreatedBy))
                .col(timestamp_with_time_zone(TopUps::CreatedAt))
                .col(timestamp_with_time_zone_null(TopUps::CompletedAt))
                .foreign_key(&mut tenant_fk(TopUps::Table, TopUps::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            TopUps::Table,
            &[TopUps::TenantId, TopUps::CreatedAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookEvents::Table)
                .col(string(WebhookEvents::Id).primary_key())
                .col(string(WebhookEvents::Provider))
                .col(string(WebhookEvents::Kind))
                .col(timestamp_with_time_zone(WebhookEvents::ReceivedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(UsageEvents::Table)
                .col(uuid(UsageEvents::Id).primary_key())
                .col(uuid(UsageEvents::TenantId))
                .col(string(UsageEvents::EventId))
                .col(uuid_null(UsageEvents::DeviceId))
                .col(uuid_null(UsageEvents::UserId))
                .col(string(UsageEvents::Kind))
                .col(big_integer(UsageEvents::Quantity))
                .col(big_integer(UsageEvents::Tokens))
                .col(big_integer(UsageEvents::CostCents))
                .col(big_integer_null(UsageEvents::DurationMs))
                .col(boolean(UsageEvents::Success))
                .col(timestamp_with_time_zone(UsageEvents::OccurredAt))
                .col(timestamp_with_time_zone(UsageEvents::CreatedAt))
                .foreign_key(&mut tenant_fk(UsageEvents::Table, UsageEvents::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            UsageEvents::Table,
            &[UsageEvents::TenantId, UsageEvents::EventId],
            true,
        ))
        .await?;
        m.create_index(index(
            UsageEvents::Table,
            &[UsageEvents::TenantId, UsageEvents::OccurredAt],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(UsageRollups::Table)
                .col(uuid(UsageRollups::TenantId))
                .col(date(UsageRollups::Day))
                .col(string(UsageRollups::Kind))
                .col(big_integer(UsageRollups::Events))
                .col(big_integer(UsageRollups::Quantity))
                .col(big_integer(UsageRollups::Tokens))
                .col(big_integer(UsageRollups::CostCents))
                .col(big_integer(UsageRollups::DurationMs))
                .col(big_integer(UsageRollups::Failures))
                .primary_key(
                    Index::create()
                        .col(UsageRollups::TenantId)
                        .col(UsageRollups::Day)
                        .col(UsageRollups::Kind),
                )
                .foreign_key(&mut tenant_fk(UsageRollups::Table, UsageRollups::TenantId))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            UsageRollups::Table,
            &[UsageRollups::Day, UsageRollups::Kind],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            UsageRollups::Table.into_iden(),
            UsageEvents::Table.into_iden(),
            WebhookEvents::Table.into_iden(),
            TopUps::Table.into_iden(),
            IdempotencyKeys::Table.into_iden(),
            LedgerEntries::Table.into_iden(),
            ReserveAccounts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
