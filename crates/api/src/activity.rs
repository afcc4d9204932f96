//! Recording who was active on which day (for DAU/WAU/MAU): one insert per user and day
//! per process, off the request path.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use tessera_domain::entity::user_activity;
use uuid::Uuid;

/// Remembers which (user, day) pairs this process already wrote.
#[derive(Default)]
pub struct ActivityRecorder {
    seen: Mutex<HashSet<(Uuid, NaiveDate)>>,
}

impl ActivityRecorder {
    /// Notes an authenticated request; the first of the day is written in the background.
    pub fn touch(&self, db: &DatabaseConnection, user_id: Uuid, tenant_id: Option<Uuid>) {
        let day = Utc::now().date_naive();
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if !seen.insert((user_id, day)) {
                return;
            }
            // Yesterday's entries are no longer needed to deduplicate.
            seen.retain(|(_, d)| *d >= day);
        }
        let db = db.clone();
        tokio::spawn(async move {
            let row = user_activity::ActiveModel {
                user_id: Set(user_id),
                day: Set(day),
                tenant_id: Set(tenant_id),
            };
            let done = user_activity::Entity::insert(row)
                .on_conflict_do_nothing_on([
                    user_activity::Column::UserId,
                    user_activity::Column::Day,
                ])
                .exec(&db)
                .await;
            if let Err(e) = done {
                tracing::warn!(error = %e, "recording user activity failed");
            }
        });
    }
}
