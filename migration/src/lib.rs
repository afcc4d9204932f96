//! Tessera's schema, one migration per step; each runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_identity;
mod m20261125_000002_licensing;
mod m20261125_000003_worklogs;
mod m20261125_000004_billing;
mod m20261125_000005_llm;
mod m20261125_000006_metrics;
mod m20261125_000007_tenant_search;
mod m20261126_000008_mail_delivery;
mod m20261207_000009_recent_job_runs;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_identity::Migration),
            Box::new(m20261125_000002_licensing::Migration),
            Box::new(m20261125_000003_worklogs::Migration),
            Box::new(m20261125_000004_billing::Migration),
            Box::new(m20261125_000005_llm::Migration),
            Box::new(m20261125_000006_metrics::Migration),
            Box::new(m20261125_000007_tenant_search::Migration),
            Box::new(m20261126_000008_mail_delivery::Migration),
            Box::new(m20261207_000009_recent_job_runs::Migration),
        ]
    }
}

/// Creates a (possibly unique) index named `idx_<table>_<cols>`.
pub(crate) fn index<T: Iden + Clone + 'static, C: Iden + Clone + 'static>(
    table: T,
    cols: &[C],
    unique: bool,
) -> IndexCreateStatement {
    let mut name = format!("idx_{}", table.to_string());
    let mut stmt = Index::create();
    for c in cols {
        name.push('_');
        name.push_str(&c.to_string());
        stmt.col(c.clone());
    }
    stmt.name(name).table(table);
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}
