//! Projects and prompts: code-activated tenant projects, isolation, prompt history and
//! composition.

use serde_json::{Value, json};
use tessera_tests::*;

on_both_databases!(
    a_single_use_code_activates_exactly_one_project_under_twenty_tries,
    the_plan_project_quota_holds_and_deleting_frees_a_slot,
    projects_follow_their_lifecycle,
    tenant_a_cannot_see_or_change_tenant_b_projects_or_prompts,
    version_history_restores_an_older_system_prompt_exactly,
    a_missing_prompt_is_a_clear_problem_never_a_fallback,
    staff_manage_projects_and_agent_prompts_with_an_audit_trail,
);

fn activation(code: &str, name: &str) -> Value {
    json!({"activation_code": code, "name": name, "description": "d", "prompt": "Be helpful about Acme."})
}

async fn a_single_use_code_activates_exactly_one_project_under_twenty_tries(b: Backend) {
    let app = spawn_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let code = app.one_code(&admin.access_token, "acme", 1).await;
    let bodies: Vec<Value> = (0..20)
        .map(|i| activation(&code, &format!("P{i}")))
        .collect();
    let tries = bodies
        .iter()
        .map(|b| app.post("/api/tenant/projects", b, Some(&owner.access_token)));
    let results = futures_util::future::join_all(tries).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        19,
        "{statuses:?}"
    );
    let list: Vec<Value> = json_ok(
        app.get("/api/tenant/projects", Some(&owner.access_token))
            .await,
        200,
    )
    .await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["status"], "active");
    let again = app
        .post(
            "/api/tenant/projects",
            &activation(&code, "late"),
            Some(&owner.access_token),
        )
        .await;
    assert_problem(again, 409, "CODE_EXHAUSTED").await;
}

async fn the_plan_project_quota_holds_and_deleting_frees_a_slot(b: Backend) {
    let app = spawn_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    let admin = app.admin_tokens().await;
    // The free plan allows 3 projects; a code with plenty of uses must not exceed it.
    let code = app.one_code(&admin.access_token, "acme", 10).await;
    let bodies: Vec<Value> = (0..8)
        .map(|i| activation(&code, &format!("P{i}")))
        .collect();
    let tries = bodies
        .iter()
        .map(|b| app.post("/api/tenant/projects", b, Some(tok)));
    let results = futures_util::future::join_all(tries).await;
    let created: Vec<Value> = {
        let mut v = Vec::new();
        for r in results {
            if r.status().as_u16() == 201 {
                v.push(r.json().await.unwrap());
            } else {
                assert_problem(r, 409, "PROJECT_QUOTA_EXCEEDED").await;
            }
        }
        v
    };
    assert_eq!(created.len(), 3);
    let id = created[0]["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/api/tenant/projects/{id}"), tok)
            .await
            .status()
            .as_u16(),
        204
    );
    json_ok::<Value>(
        app.post(
            "/api/tenant/projects",
            &activation(&code, "again"),
            Some(tok),
        )
        .await,
        201,
    )
    .await;
    let list: Vec<Value> = json_ok(app.get("/api/tenant/projects", Some(tok)).await, 200).await;
    assert_eq!(list.len(), 3);

    // Staff-made projects of the tenant count against the same quota, so a staff delete
    // frees exactly the slot its project took and the quota never goes over.
    let staff = admin.access_token.as_str();
    let for_acme = json!({"name": "Staff bot", "tenant": "acme"});
    assert_problem(
        app.post("/admin/api/llm/projects", &for_acme, Some(staff))
            .await,
        409,
        "PROJECT_QUOTA_EXCEEDED",
    )
    .await;
    let id = list[0]["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/admin/api/llm/projects/{id}"), staff)
            .await
            .status()
            .as_u16(),
        204
    );
    json_ok::<Value>(
        app.post("/admin/api/llm/projects", &for_acme, Some(staff))
            .await,
        201,
    )
    .await;
    assert_problem(
        app.post(
            "/api/tenant/projects",
            &activation(&code, "over"),
            Some(tok),
        )
        .await,
        409,
        "PROJECT_QUOTA_EXCEEDED",
    )
    .await;
    // A platform project belongs to no tenant and counts against nothing.
    json_ok::<Value>(
        app.post(
            "/admin/api/llm/projects",
            &json!({"name": "Internal"}),
            Some(staff),
        )
        .await,
        201,
    )
    .await;
    let list: Vec<Value> = json_ok(app.get("/api/tenant/projects", Some(tok)).await, 200).await;
    assert_eq!(list.len(), 3);
}

async fn projects_follow_their_lifecycle(b: Backend) {
    let app = spawn_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let tok = owner.access_token.as_str();
    let admin = app.admin_tokens().await;
    let code = app.one_code(&admin.access_token, "acme", 1).await;
    let p: Value = json_ok(
        app.post(
            "/api/tenant/projects",
            &activation(&code, "Chatbot"),
            Some(tok),
        )
        .await,
        201,
    )
    .await;
    assert!(p["started_at"].is_string());
    assert!(p["completed_at"].is_null());
    let path = format!("/api/tenant/projects/{}", p["id"].as_str().unwrap());
    let paused: Value = json_ok(
        app.patch(
            &path,
            &json!({"status": "paused", "prompt": "New prompt"}),
            tok,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (paused["status"].as_str(), paused["prompt"].as_str()),
        (Some("paused"), Some("New prompt"))
    );
    let done: Value = json_ok(
        app.post(&format!("{path}/complete"), &json!({}), Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(done["status"], "completed");
    assert!(done["completed_at"].is_string());
    assert_problem(
        app.patch(&path, &json!({"status": "active"}), tok).await,
        409,
        "PROJECT_COMPLETED",
    )
    .await;
    assert_problem(
        app.patch(&path, &json!({"name": " "}), tok).await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let bad = app
        .post(
            "/api/tenant/projects",
            &activation("not-a-code", "x"),
            Some(tok),
        )
        .await;
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
    let unknown = app
        .post(
            "/api/tenant/projects",
            &activation("2345-6789-ABCD-EFGH", "x"),
            Some(tok),
        )
        .await;
    assert_problem(unknown, 404, "CODE_NOT_FOUND").await;
    assert_eq!(
        app.delete(&path, tok).await.status().as_u16(),
        204,
        "the org admin deletes the completed project"
    );

    // Each of the org admin's changes is in the audit trail, with the tenant, oldest
    // last; refused attempts wrote nothing.
    let trail = app.audit(&admin.access_token, "action=llm.project").await;
    let actions: Vec<(&str, &str)> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["tenant_id"].as_str().unwrap(),
            )
        })
        .collect();
    let tenant = p["tenant_id"].as_str().unwrap();
    assert_eq!(
        actions,
        [
            ("llm.project.delete", tenant),
            ("llm.project.complete", tenant),
            ("llm.project.update", tenant),
            ("llm.project.activate", tenant),
        ]
    );
}

async fn tenant_a_cannot_see_or_change_tenant_b_projects_or_prompts(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("acme", "ada@acme.test", "ada").await;
    let bee = app.register("globex", "bob@globex.test", "bob").await;
    let admin = app.admin_tokens().await;
    let code_a = app.one_code(&admin.access_token, "acme", 1).await;
    let code_b = app.one_code(&admin.access_token, "globex", 1).await;
    let pa: Value = json_ok(
        app.post(
            "/api/tenant/projects",
            &activation(&code_a, "A"),
            Some(&a.access_token),
        )
        .await,
        201,
    )
    .await;
    // B cannot redeem A's code either.
    let res = app
        .post(
            "/api/tenant/projects",
            &activation(&code_a, "steal"),
            Some(&bee.access_token),
        )
        .await;
    assert_problem(res, 404, "CODE_NOT_FOUND").await;
    json_ok::<Value>(
        app.post(
            "/api/tenant/projects",
            &activation(&code_b, "B"),
            Some(&bee.access_token),
        )
        .await,
        201,
    )
    .await;
    let id = pa["id"].as_str().unwrap();
    let put = app
        .client
        .put(format!(
            "{}/admin/api/llm/projects/{id}/agents/planner",
            app.address
        ))
        .bearer_auth(&admin.access_token)
        .json(&json!({"content": "Plan carefully."}))
        .send()
        .await
        .unwrap();
    json_ok::<Value>(put, 200).await;
    let tok = bee.access_token.as_str();
    let path = format!("/api/tenant/projects/{id}");
    assert_problem(app.get(&path, Some(tok)).await, 404, "PROJECT_NOT_FOUND").await;
    assert_problem(
        app.patch(&path, &json!({"name": "mine"}), tok).await,
        404,
        "PROJECT_NOT_FOUND",
    )
    .await;
    assert_problem(app.delete(&path, tok).await, 404, "PROJECT_NOT_FOUND").await;
    assert_problem(
        app.post(&format!("{path}/complete"), &json!({}), Some(tok))
            .await,
        404,
        "PROJECT_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.get(&format!("{path}/agents"), Some(tok)).await,
        404,
        "PROJECT_NOT_FOUND",
    )
    .await;
    assert_problem(
        app.get(&format!("{path}/agents/planner/prompt"), Some(tok))
            .await,
        404,
        "PROJECT_NOT_FOUND",
    )
    .await;
    let mine: Vec<Value> = json_ok(app.get("/api/tenant/projects", Some(tok)).await, 200).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["name"], "B");
    // Tenants never reach the staff endpoints.
    assert_problem(
        app.get("/admin/api/llm/projects", Some(tok)).await,
        403,
        "FORBIDDEN",
    )
    .await;
    let still: Value = json_ok(app.get(&path, Some(&a.access_token)).await, 200).await;
    assert_eq!(still["name"], "A");
}

async fn version_history_restores_an_older_system_prompt_exactly(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    assert_problem(
        app.get("/admin/api/llm/system-prompt", Some(tok)).await,
        404,
        "PROMPT_NOT_CONFIGURED",
    )
    .await;
    let first = "You are Tessera's assistant.\n  Keep answers short — and exact: ünïcödé 👍";
    for content in [first, "Second version", "Third version"] {
        let res = app
            .client
            .put(format!("{}/admin/api/llm/system-prompt", app.address))
            .bearer_auth(tok)
            .json(&json!({"content": content}))
            .send()
            .await
            .unwrap();
        json_ok::<Value>(res, 200).await;
    }
    let versions: Vec<Value> = json_ok(
        app.get("/admin/api/llm/system-prompt/versions", Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(
        versions
            .iter()
            .map(|v| v["version"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert_eq!(versions[2]["updated_by_email"], ADMIN_EMAIL);
    let restored: Value = json_ok(
        app.post(
            "/admin/api/llm/system-prompt/versions/1/restore",
            &json!({}),
            Some(tok),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(restored["version"], 4);
    assert_eq!(restored["content"], first.trim());
    let current: Value = json_ok(
        app.get("/admin/api/llm/system-prompt", Some(tok)).await,
        200,
    )
    .await;
    assert_eq!(current["content"], first.trim());
    assert_problem(
        app.post(
            "/admin/api/llm/system-prompt/versions/99/restore",
            &json!({}),
            Some(tok),
        )
        .await,
        404,
        "VERSION_NOT_FOUND",
    )
    .await;
    let empty = app
        .client
        .put(format!("{}/admin/api/llm/system-prompt", app.address))
        .bearer_auth(tok)
        .json(&json!({"content": " "}))
        .send()
        .await
        .unwrap();
    assert_problem(empty, 422, "VALIDATION_FAILED").await;
    let trail = app.audit(tok, "action=llm").await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 4);
}

async fn a_missing_prompt_is_a_clear_problem_never_a_fallback(b: Backend) {
    let app = spawn_app(b).await;
    let owner = app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let code = app.one_code(&admin.access_token, "acme", 1).await;
    let p: Value = json_ok(
        app.post(
            "/api/tenant/projects",
            &activation(&code, "Bot"),
            Some(&owner.access_token),
        )
        .await,
        201,
    )
    .await;
    let prompt_path = format!(
        "/api/tenant/projects/{}/agents/planner/prompt",
        p["id"].as_str().unwrap()
    );
    let p1 = assert_problem(
        app.get(&prompt_path, Some(&owner.access_token)).await,
        409,
        "PROMPT_NOT_CONFIGURED",
    )
    .await;
    assert!(p1.detail.contains("system prompt"));
    let put = |path: String, content: &'static str| {
        app.client
            .put(format!("{}{path}", app.address))
            .bearer_auth(&admin.access_token)
            .json(&json!({"content": content}))
            .send()
    };
    json_ok::<Value>(
        put("/admin/api/llm/system-prompt".into(), "System.")
            .await
            .unwrap(),
        200,
    )
    .await;
    let p2 = assert_problem(
        app.get(&prompt_path, Some(&owner.access_token)).await,
        409,
        "PROMPT_NOT_CONFIGURED",
    )
    .await;
    assert!(p2.detail.contains("planner"));
    let agent_path = format!(
        "/admin/api/llm/projects/{}/agents/planner",
        p["id"].as_str().unwrap()
    );
    json_ok::<Value>(put(agent_path, "Plan.").await.unwrap(), 200).await;
    let composed: Value =
        json_ok(app.get(&prompt_path, Some(&owner.access_token)).await, 200).await;
    assert_eq!(
        composed["composed"],
        "System.\n\nBe helpful about Acme.\n\nPlan."
    );
    assert_eq!(composed["system_version"], 1);
}

async fn staff_manage_projects_and_agent_prompts_with_an_audit_trail(b: Backend) {
    let app = spawn_app(b).await;
    app.register("acme", "ada@acme.test", "ada").await;
    let admin = app.admin_tokens().await;
    let tok = admin.access_token.as_str();
    let platform: Value = json_ok(
        app.post(
            "/admin/api/llm/projects",
            &json!({"name": "Internal", "prompt": "p"}),
            Some(tok),
        )
        .await,
        201,
    )
    .await;
    assert!(platform["tenant_id"].is_null());
    let owned: Value = json_ok(
        app.post(
            "/admin/api/llm/projects",
            &json!({"name": "Acme bot", "tenant": "acme"}),
            Some(tok),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(owned["tenant_slug"], "acme");
    let page: Value = json_ok(
        app.get("/admin/api/llm/projects?tenant=platform", Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(page["total"], 1);
    let page: Value = json_ok(
        app.get("/admin/api/llm/projects?search=BOT&sort=name", Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(page["items"][0]["name"], "Acme bot");
    assert_problem(
        app.get("/admin/api/llm/projects?sort=prompt", Some(tok))
            .await,
        422,
        "VALIDATION_FAILED",
    )
    .await;
    let id = owned["id"].as_str().unwrap();
    for agent in ["planner", "writer"] {
        let res = app
            .client
            .put(format!(
                "{}/admin/api/llm/projects/{id}/agents/{agent}",
                app.address
            ))
            .bearer_auth(tok)
            .json(&json!({"content": format!("{agent} prompt")}))
            .send()
            .await
            .unwrap();
        json_ok::<Value>(res, 200).await;
    }
    let bad = app
        .client
        .put(format!(
            "{}/admin/api/llm/projects/{id}/agents/Bad%20Type",
            app.address
        ))
        .bearer_auth(tok)
        .json(&json!({"content": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(bad, 422, "VALIDATION_FAILED").await;
    let agents: Vec<Value> = json_ok(
        app.get(&format!("/admin/api/llm/projects/{id}/agents"), Some(tok))
            .await,
        200,
    )
    .await;
    assert_eq!(agents.len(), 2);
    let impact = app.deletion_impact(tok, "acme").await;
    assert_eq!((impact.projects, impact.agent_prompts), (1, 2));
    assert_eq!(
        app.delete(&format!("/admin/api/llm/projects/{id}/agents/writer"), tok)
            .await
            .status()
            .as_u16(),
        204
    );
    assert_problem(
        app.get(
            &format!("/admin/api/llm/projects/{id}/agents/writer"),
            Some(tok),
        )
        .await,
        404,
        "AGENT_PROMPT_NOT_FOUND",
    )
    .await;
    assert_eq!(
        app.delete(&format!("/admin/api/llm/projects/{id}"), tok)
            .await
            .status()
            .as_u16(),
        204
    );
    assert_problem(
        app.get(&format!("/admin/api/llm/projects/{id}"), Some(tok))
            .await,
        404,
        "PROJECT_NOT_FOUND",
    )
    .await;
    let trail = app.audit(tok, "action=llm.project").await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 3);
}
