//! Every route, wired in one place.

pub mod activation;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod codes;
pub mod dashboard;
pub mod devices;
pub mod health;
pub mod license;
pub mod llm;
pub mod metrics;
pub mod observe;
pub mod outbox;
pub mod plans;
pub mod projects;
pub mod subscriptions;
pub mod tenants;
pub mod usage;
pub mod users;
pub mod worklogs;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route (utoipa-actix-web collects them into the OpenAPI document).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::get_health)
        .service(plans::list_plans)
        .service(auth::register_organization)
        .service(auth::login)
        .service(auth::refresh_tokens)
        .service(auth::logout)
        .service(auth::get_me)
        .service(auth::request_otp)
        .service(auth::verify_otp)
        .service(auth::complete_password_reset)
        .service(outbox::list_outbox)
        // Licensing: tenants, plans, subscriptions, codes, devices, activation, licenses.
        .service(tenants::list_tenants)
        .service(tenants::create_tenant)
        .service(tenants::get_tenant)
        .service(tenants::update_tenant)
        .service(tenants::get_tenant_deletion_impact)
        .service(tenants::delete_tenant)
        .service(subscriptions::list_subscriptions)
        .service(subscriptions::change_subscription)
        .service(plans::update_plan)
        .service(codes::create_activation_codes)
        .service(codes::list_activation_codes)
        .service(codes::revoke_activation_code)
        .service(codes::list_tenant_codes)
        .service(devices::list_devices)
        .service(devices::revoke_device)
        .service(devices::list_tenant_devices)
        .service(devices::revoke_tenant_device)
        .service(activation::activate_device)
        .service(license::get_license_public_key)
        .service(license::validate_license)
        .service(dashboard::get_dashboard)
        // Fixed paths before `{id}` so they are not taken for ids.
        .service(worklogs::list_worklog_suggestions)
        .service(worklogs::export_worklogs)
        .service(worklogs::list_worklogs)
        .service(worklogs::create_worklog)
        .service(worklogs::get_worklog)
        .service(worklogs::update_worklog)
        .service(worklogs::delete_worklog)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::get_user)
        .service(users::update_user)
        .service(users::reset_user_password)
        .service(audit::list_audit_events)
        // Fixed paths before `{tenant}` so they are not taken for tenants.
        .service(billing::get_reserve_summary)
        .service(billing::export_reserve_accounts)
        .service(billing::list_reserve_accounts)
        .service(billing::list_ledger_entries)
        .service(billing::create_adjustment)
        .service(billing::update_reserve_account)
        .service(billing::get_reserve)
        .service(billing::create_top_up)
        .service(billing::list_top_ups)
        .service(billing::receive_stripe_webhook)
        .service(usage::ingest_usage)
        .service(usage::list_usage_rollups)
        .service(usage::list_all_usage_rollups)
        .service(usage::list_usage_events)
        .service(usage::list_all_usage_events)
        .service(llm::get_system_prompt)
        .service(llm::put_system_prompt)
        .service(llm::list_system_prompt_versions)
        .service(llm::restore_system_prompt_version)
        .service(llm::list_llm_projects)
        .service(llm::create_llm_project)
        .service(llm::get_llm_project)
        .service(llm::update_llm_project)
        .service(llm::delete_llm_project)
        .service(llm::list_agent_prompts)
        .service(llm::get_agent_prompt)
        .service(llm::put_agent_prompt)
        .service(llm::delete_agent_prompt)
        .service(projects::activate_tenant_project)
        .service(projects::list_tenant_projects)
        .service(projects::get_tenant_project)
        .service(projects::update_tenant_project)
        .service(projects::complete_tenant_project)
        .service(projects::delete_tenant_project)
        .service(projects::list_tenant_agent_prompts)
        .service(projects::get_composed_prompt)
        .service(observe::get_prometheus_metrics)
        .service(observe::stream_events)
        .service(metrics::get_metrics_summary)
        .service(metrics::recompute_metrics)
        .service(metrics::get_metric_thresholds)
        .service(metrics::put_metric_thresholds)
        .service(analytics::get_analytics);
}
