//! Connecting to SQLite or PostgreSQL and bringing the schema up to date.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// How many connections the pool for `url` holds: `max_connections` on PostgreSQL (at
/// least 1), one on SQLite (see [`connect`]).
pub fn pool_size(url: &str, max_connections: u32) -> u32 {
    if url.starts_with("sqlite:") {
        1
    } else {
        max_connections.max(1)
    }
}

/// Opens the pool. SQLite gets a single connection: one writer at a time is how SQLite
/// works anyway, and it makes every transaction serialisable without busy retries.
///
/// # Errors
/// The database cannot be reached or the URL is malformed.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let sqlite = url.starts_with("sqlite:");
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(pool_size(url, max_connections))
        .min_connections(if sqlite { 1 } else { 2 })
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // Set on every connection the pool opens, not once: a connection replaced after
        // its lifetime would otherwise run without foreign keys.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    Database::connect(opts).await
}

/// Starts a write transaction. On SQLite it takes the write lock at `BEGIN` (IMMEDIATE):
/// a deferred transaction that reads and then writes fails at once with `SQLITE_BUSY`
/// when another connection or process wrote in between, where an immediate one waits
/// its turn (`busy_timeout`). PostgreSQL ignores the mode.
///
/// # Errors
/// The database is unavailable or stayed locked past the busy timeout.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    })
    .await
}

/// Applies pending migrations.
///
/// # Errors
/// A migration failed.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// True when the database answers a trivial query.
pub async fn is_up(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}
