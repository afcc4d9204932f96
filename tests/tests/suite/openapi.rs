//! The committed `openapi.yaml` is exactly what the code generates, and what the server serves.

use serde_json::Value;
use tessera_tests::*;

#[test]
fn committed_openapi_yaml_matches_the_code() {
    let generated = tessera_api::openapi::to_yaml().expect("render YAML");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let diff = similar::TextDiff::from_lines(&committed, &generated);
        let shown: String = diff
            .unified_diff()
            .context_radius(2)
            .header("openapi.yaml (committed)", "generated from the code")
            .to_string()
            .lines()
            .take(200)
            .collect::<Vec<_>>()
            .join("\n");
        panic!(
            "openapi.yaml is out of date. Regenerate it with\n  cargo run -q -p tessera-api -- openapi > openapi.yaml\n\n{shown}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_serves_the_same_document_and_swagger_ui() {
    let app = spawn_app(Backend::Sqlite).await;
    let served: Value = json_ok(app.get("/api-docs/openapi.json", None).await, 200).await;
    let expected = serde_json::to_value(tessera_api::openapi::document()).unwrap();
    assert_eq!(served, expected);
    assert!(served["paths"]["/api/auth/login"]["post"].is_object());
    assert_eq!(
        served["paths"]["/api/auth/login"]["post"]["operationId"],
        "login"
    );
    let ui = app.get("/docs/", None).await;
    assert_eq!(ui.status().as_u16(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));
}

#[test]
fn every_operation_has_an_id_a_tag_and_a_description() {
    let doc = serde_json::to_value(tessera_api::openapi::document()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["operationId"].is_string(),
                "{method} {path} has no operationId"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has no tag"
            );
            let text = op["summary"]
                .as_str()
                .or(op["description"].as_str())
                .unwrap_or("");
            assert!(!text.is_empty(), "{method} {path} is undocumented");
        }
    }
}

#[test]
fn errors_are_documented_as_problem_json_with_the_framework_answers() {
    let doc = serde_json::to_value(tessera_api::openapi::document()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                let Some(content) = response["content"].as_object() else {
                    continue;
                };
                let problem_as_json = content
                    .get("application/json")
                    .is_some_and(|c| c["schema"]["$ref"] == "#/components/schemas/Problem");
                assert!(
                    !(status.starts_with(['4', '5']) && problem_as_json),
                    "{method} {path} documents its {status} as application/json, not problem+json"
                );
            }
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            assert!(
                !secured || responses.contains_key("401"),
                "{method} {path} is secured but documents no 401"
            );
            if op.get("requestBody").is_some() {
                assert!(
                    responses.contains_key("413"),
                    "{method} {path} takes a body but documents no 413"
                );
            }
        }
    }
}
