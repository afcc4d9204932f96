//! A trigram index for the staff tenant search on PostgreSQL.
//!
//! `GET /admin/api/tenants?search=` is a case-insensitive substring match on the slug, the
//! name and the contact e-mail address. No B-tree answers `LIKE '%term%'`, so each search
//! read the whole table twice (the count, then the page): 11 ms of database time per query
//! with 10,000 tenants, about 90 searches/s with the database's two cores saturated
//! (docs/BENCHMARKS.md). A `pg_trgm` GIN index over the three columns in one expression
//! finds the candidates in about half a millisecond. The handler matches the same
//! expression (`SEARCH_TEXT` in crates/api/src/routes/tenants.rs): PostgreSQL uses an
//! expression index only for the very same expression, so the two change together. Three
//! per-column indexes were tried first; the planner estimated the `OR` of three matches
//! too high and kept scanning the table.
//!
//! The index is built without GIN's pending list (`fastupdate = off`): tenants are created
//! rarely, and with the list the 10,000 seeded tenants sat unmerged until the next vacuum,
//! which made the index look so expensive that the planner kept scanning the table.
//!
//! `pg_trgm` ships with PostgreSQL and has been a trusted extension since PostgreSQL 13, so
//! the database's owner may create it. Where that is not allowed, the migration leaves the
//! index out with a notice instead of stopping the server: search still works, by scanning.
//! SQLite has no trigram index and needs none at this size: the scan runs in-process.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared(
            "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; \
             EXCEPTION WHEN insufficient_privilege THEN \
             RAISE NOTICE 'pg_trgm is not available: tenant search will scan the table'; END $$",
        )
        .await?;
        let available = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'",
            ))
            .await?
            .is_some();
        if available {
            db.execute_unprepared(
                "CREATE INDEX IF NOT EXISTS idx_tenants_search_trgm ON tenants USING gin \
                 ((LOWER(slug || ' ' || name || ' ' || COALESCE(contact_email, ''))) gin_trgm_ops) \
                 WITH (fastupdate = off)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared("DROP INDEX IF EXISTS idx_tenants_search_trgm")
                .await?;
        }
        // The extension stays: other objects may have come to depend on it.
        Ok(())
    }
}
