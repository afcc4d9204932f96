//! Worklogs: validation, tenant isolation, the keyset timeline, suggestions and export.

use chrono::{Days, Utc};
use serde_json::{Value, json};
use tessera_domain::worklog::{Worklog, WorklogPage, WorklogSuggestion};
use tessera_tests::*;

on_both_databases!(
    an_entry_is_created_read_changed_and_deleted,
    invalid_entries_are_422_per_field_and_write_nothing,
    cursor_paging_over_250_entries_returns_each_once_in_order,
    another_tenants_entry_is_404_on_get_patch_and_delete,
    filters_narrow_the_timeline_and_days_carry_totals,
    org_admins_read_members_entries_and_members_do_not,
    suggestions_rank_recurring_entries_with_usual_minutes,
    csv_export_covers_the_range,
);

fn days_ago(n: u64) -> String {
    (Utc::now().date_naive() - Days::new(n)).to_string()
}

async fn an_entry_is_created_read_changed_and_deleted(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("acme", "ada@acme.test", "ada").await;
    let tok = &t.access_token;
    let w = app.log_work(tok, &days_ago(0), 45, "Write the spec").await;
    assert_eq!(w.minutes, 45);
    assert_eq!(w.tags, ["dev"]);
    assert!(w.billable);
    let got: Worklog = json_ok(
        app.get(&format!("/api/worklogs/{}", w.id), Some(tok)).await,
        200,
    )
    .await;
    assert_eq!(got, w);
    let changed: Worklog = json_ok(
        app.patch(
            &format!("/api/worklogs/{}", w.id),
            &json!({"minutes": 60, "project": ""}),
            tok,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed.minutes, 60);
    assert_eq!(changed.project, None);
    assert_eq!(changed.description, "Write the spec");
    assert_eq!(
        app.delete(&format!("/api/worklogs/{}", w.id), tok)
            .await
            .status()
            .as_u16(),
        204
    );
    assert_problem(
        app.get(&format!("/api/worklogs/{}", w.id), Some(tok)).await,
        404,
        "WORKLOG_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.get("/api/worklogs/not-a-uuid", Some(tok)).await,
        404,
        "NOT_FOUND",
    )
    .await;
}

async fn invalid_entries_are_422_per_field_and_write_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("acme", "ada@acme.test", "ada").await;
    let tok = &t.access_token;
    let bad = json!({"work_date": "1999-01-01", "minutes": 1441, "description": "", "tags": ["x".repeat(40)]});
    let p = assert_problem(
        app.post("/api/worklogs", &bad, Some(tok)).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let fields: Vec<String> = p.errors.unwrap().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["work_date", "minutes", "description", "tags"]);
    let future =
        json!({"work_date": days_ago(0).replace("20", "21"), "minutes": 5, "description": "x"});
    assert_problem(
        app.post("/api/worklogs", &future, Some(tok)).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let zero = json!({"work_date": days_ago(0), "minutes": 0, "description": "x"});
    assert_problem(
        app.post("/api/worklogs", &zero, Some(tok)).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let page: WorklogPage = json_ok(app.worklogs(tok, "").await, 200).await;
    assert!(page.items.is_empty());
    // A bad patch changes nothing either.
    let w = app.log_work(tok, &days_ago(0), 30, "Real work").await;
    let res = app
        .patch(
            &format!("/api/worklogs/{}", w.id),
            &json!({"minutes": 30, "description": " "}),
            tok,
        )
        .await;
    assert_problem(res, 422, "VALIDATION_FAILED").await;
    let again: Worklog = json_ok(
        app.get(&format!("/api/worklogs/{}", w.id), Some(tok)).await,
        200,
    )
    .await;
    assert_eq!(again, w);
}

async fn cursor_paging_over_250_entries_returns_each_once_in_order(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("acme", "ada@acme.test", "ada").await;
    let tok = &t.access_token;
    let mut created = Vec::new();
    for i in 0..250u64 {
        // Several entries share each day, so the id breaks ties within a day.
        created.push(
            app.log_work(tok, &days_ago(i / 7), 10, &format!("Task {i}"))
                .await
                .id,
        );
    }
    let mut seen: Vec<Worklog> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("limit=40&cursor={c}"),
            None => "limit=40".into(),
        };
        let page: WorklogPage = json_ok(app.worklogs(tok, &q).await, 200).await;
        pages += 1;
        seen.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, 7);
    assert_eq!(seen.len(), 250);
    let mut ids: Vec<_> = seen.iter().map(|w| w.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250, "an entry appeared twice");
    assert!(
        seen.windows(2)
            .all(|w| (w[0].work_date, w[0].id) > (w[1].work_date, w[1].id)),
        "not newest first"
    );
    // The newest entry is the last one logged today.
    assert_eq!(seen[0].id, created[6]);
}

async fn another_tenants_entry_is_404_on_get_patch_and_delete(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("acme", "ada@acme.test", "ada").await;
    let other = app.register("globex", "bob@globex.test", "bob").await;
    let w = app
        .log_work(&a.access_token, &days_ago(0), 30, "Private")
        .await;
    let path = format!("/api/worklogs/{}", w.id);
    let tok = &other.access_token;
    assert_problem(app.get(&path, Some(tok)).await, 404, "WORKLOG_NOT_FOUND").await;
    assert_problem(
        app.patch(&path, &json!({"minutes": 1}), tok).await,
        404,
        "WORKLOG_NOT_FOUND",
    )
    .await;
    assert_problem(app.delete(&path, tok).await, 404, "WORKLOG_NOT_FOUND").await;
    // Even the ?user= widening does not cross tenants.
    assert_problem(
        app.worklogs(tok, &format!("user={}", a.user.id)).await,
        404,
        "USER_NOT_FOUND",
    )
    .await;
    let still: Worklog = json_ok(app.get(&path, Some(&a.access_token)).await, 200).await;
    assert_eq!(still.minutes, 30);
}

async fn filters_narrow_the_timeline_and_days_carry_totals(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("acme", "ada@acme.test", "ada").await;
    let tok = &t.access_token;
    app.log_work(tok, &days_ago(0), 30, "Fix the login bug")
        .await;
    app.log_work(tok, &days_ago(0), 15, "Standup").await;
    app.log_work(tok, &days_ago(3), 60, "Planning").await;
    let other = json!({"work_date": days_ago(1), "minutes": 20, "description": "Sales call", "project": "Acme CRM"});
    json_ok::<Worklog>(app.post("/api/worklogs", &other, Some(tok)).await, 201).await;

    let page: WorklogPage = json_ok(app.worklogs(tok, "").await, 200).await;
    assert_eq!(page.items.len(), 4);
    let today = page
        .daily_totals
        .iter()
        .find(|d| d.date.to_string() == days_ago(0))
        .unwrap();
    assert_eq!((today.minutes, today.entries), (45, 2));

    let q = format!("from={}&to={}", days_ago(1), days_ago(0));
    let page: WorklogPage = json_ok(app.worklogs(tok, &q).await, 200).await;
    assert_eq!(page.items.len(), 3);
    let page: WorklogPage = json_ok(app.worklogs(tok, "project=acme%20crm").await, 200).await;
    assert_eq!(page.items.len(), 1);
    let page: WorklogPage = json_ok(app.worklogs(tok, "search=LOGIN").await, 200).await;
    assert_eq!(page.items[0].description, "Fix the login bug");
    assert_eq!(
        page.daily_totals[0].minutes, 30,
        "totals follow the filters"
    );
    let q = format!("from={}&to={}", days_ago(0), days_ago(2));
    assert_problem(app.worklogs(tok, &q).await, 422, "VALIDATION_FAILED").await;
    assert_problem(
        app.worklogs(tok, "from=yesterday").await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
}

async fn org_admins_read_members_entries_and_members_do_not(b: Backend) {
    let app = spawn_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let body = json!({"email": "cy@acme.test", "username": "cyd", "password": "correct-horse-2", "name": "Cy", "role": "user"});
    let member: Value = json_ok(app.create_user(&owner.access_token, &body).await, 201).await;
    let m: tessera_domain::auth::TokenResponse =
        json_ok(app.login("cyd", "correct-horse-2").await, 200).await;
    app.log_work(&m.access_token, &days_ago(0), 25, "Member work")
        .await;
    let q = format!("user={}", member["id"].as_str().unwrap());
    let page: WorklogPage = json_ok(app.worklogs(&owner.access_token, &q).await, 200).await;
    assert_eq!(page.items.len(), 1);
    let q = format!("user={}", owner.user.id);
    assert_problem(app.worklogs(&m.access_token, &q).await, 403, "FORBIDDEN").await;
}

async fn suggestions_rank_recurring_entries_with_usual_minutes(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("acme", "ada@acme.test", "ada").await;
    let tok = &t.access_token;
    for d in 0..4 {
        app.log_work(tok, &days_ago(d), 15, "Standup").await;
    }
    app.log_work(tok, &days_ago(4), 20, "Standup").await;
    app.log_work(tok, &days_ago(1), 90, "Deep work").await;
    let s: Vec<WorklogSuggestion> =
        json_ok(app.get("/api/worklogs/suggestions", Some(tok)).await, 200).await;
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].description, "Standup");
    assert_eq!(s[0].minutes, 15);
    assert_eq!(s[0].uses, 5);
    assert_eq!(s[0].project.as_deref(), Some("Tessera"));
    assert_eq!(s[1].description, "Deep work");
}

async fn csv_export_covers_the_range(b: Backend) {
    let app = spawn_app(b).await;
    let t = app.register("acme", "ada@acme.test", "ada").await;
    let tok = &t.access_token;
    app.log_work(tok, &days_ago(0), 30, "Today, with a comma")
        .await;
    app.log_work(tok, &days_ago(10), 60, "Long ago").await;
    let res = app
        .get(
            &format!(
                "/api/worklogs/export.csv?from={}&to={}",
                days_ago(2),
                days_ago(0)
            ),
            Some(tok),
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "date,minutes,hours,project,description,tags,billable"
    );
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains("\"Today, with a comma\""));
    assert!(lines[1].contains(",0.50,"));
    let res = app.get("/api/worklogs/export.csv", Some(tok)).await;
    assert_problem(res, 422, "VALIDATION_FAILED").await;
}
