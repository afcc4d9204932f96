//! Entity-to-API conversions: the API never exposes an entity directly.

use tessera_domain::Role;
use tessera_domain::auth::{TenantSummary, UserView};
use tessera_domain::entity::{mail_outbox, plan, tenant, user};
use tessera_domain::outbox::OutboxItem;
use tessera_domain::plan::PlanView;

/// A user as the API shows them.
pub fn user_view(u: &user::Model) -> UserView {
    UserView {
        id: u.id,
        email: u.email.clone(),
        username: u.username.clone(),
        name: u.name.clone(),
        role: Role::parse(&u.role).unwrap_or(Role::User),
        tenant_id: u.tenant_id,
        status: if u.active { "active" } else { "inactive" }.into(),
        created_at: u.created_at,
    }
}

/// A tenant as its members see it.
pub fn tenant_summary(t: &tenant::Model) -> TenantSummary {
    TenantSummary {
        id: t.id,
        slug: t.slug.clone(),
        name: t.name.clone(),
        plan: t.plan.clone(),
        status: t.status.clone(),
    }
}

/// A plan as the API shows it.
pub fn plan_view(p: &plan::Model) -> PlanView {
    PlanView {
        code: p.code.clone(),
        name: p.name.clone(),
        monthly_price_cents: p.monthly_price_cents,
        currency: p.currency.clone(),
        project_quota: p.project_quota,
        device_quota: p.device_quota,
    }
}

/// An outbox message.
pub fn outbox_item(m: &mail_outbox::Model) -> OutboxItem {
    OutboxItem {
        id: m.id,
        to: m.to_addr.clone(),
        subject: m.subject.clone(),
        body: m.body.clone(),
        created_at: m.created_at,
    }
}
