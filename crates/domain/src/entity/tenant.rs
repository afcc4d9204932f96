//! `tenants`: the organisations that buy Tessera.

use sea_orm::entity::prelude::*;

/// A tenant row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub contact_email: Option<String>,
    pub plan: String,
    pub status: String,
    /// Devices activated and not revoked; guards the plan's device quota atomically.
    pub active_devices: i32,
    /// Projects that exist; guards the plan's project quota atomically.
    pub project_count: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
