//! `usage_events`: usage reported by devices and users, one row per event id and tenant.

use sea_orm::entity::prelude::*;

/// A `usage_events` row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub event_id: String,
    pub device_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub kind: String,
    pub quantity: i64,
    pub tokens: i64,
    pub cost_cents: i64,
    pub duration_ms: Option<i64>,
    pub success: bool,
    pub occurred_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
