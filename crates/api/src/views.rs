//! Entity-to-API conversions: the API never exposes an entity directly.

use chrono::{DateTime, Utc};
use tessera_domain::Role;
use tessera_domain::auth::{TenantSummary, UserView};
use tessera_domain::code::{CodeStatus, CodeView};
use tessera_domain::device::{DeviceStatus, DeviceView};
use tessera_domain::entity::{
    activation_code, device, mail_outbox, plan, subscription, tenant, user,
};
use tessera_domain::outbox::OutboxItem;
use tessera_domain::plan::PlanView;
use tessera_domain::tenant::{SubscriptionStatus, SubscriptionView, TenantStatus, TenantView};

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

/// An outbox message; `smtp` says whether this server delivers mail.
pub fn outbox_item(m: &mail_outbox::Model, smtp: bool) -> OutboxItem {
    OutboxItem {
        status: crate::mail_delivery::status(m, smtp),
        sent_at: m.sent_at,
        attempts: m.attempts,
        last_error: m.last_error.clone(),
        id: m.id,
        to: m.to_addr.clone(),
        subject: m.subject.clone(),
        body: m.body.clone(),
        created_at: m.created_at,
    }
}

/// A tenant as staff see it.
pub fn tenant_view(t: &tenant::Model) -> TenantView {
    TenantView {
        id: t.id,
        slug: t.slug.clone(),
        name: t.name.clone(),
        contact_email: t.contact_email.clone(),
        plan: t.plan.clone(),
        status: TenantStatus::from_stored(&t.status),
        active_devices: t.active_devices,
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}

/// One subscription period.
pub fn subscription_view(s: &subscription::Model) -> SubscriptionView {
    SubscriptionView {
        id: s.id,
        plan: s.plan.clone(),
        // Rows are only written through `subscriptions::change`, which stores valid names.
        status: SubscriptionStatus::parse(&s.status).unwrap_or(SubscriptionStatus::Canceled),
        monthly_price_cents: s.monthly_price_cents,
        started_at: s.started_at,
        ended_at: s.ended_at,
    }
}

/// An activation code as lists show it (status derived at `now`).
pub fn code_view(c: &activation_code::Model, tenant_slug: &str, now: DateTime<Utc>) -> CodeView {
    CodeView {
        id: c.id,
        tenant_id: c.tenant_id,
        tenant_slug: tenant_slug.to_owned(),
        prefix: c.prefix.clone(),
        label: c.label.clone(),
        max_uses: c.max_uses,
        use_count: c.use_count,
        expires_at: c.expires_at,
        revoked_at: c.revoked_at,
        created_by: c.created_by,
        created_at: c.created_at,
        status: CodeStatus::derive(c.revoked_at, c.use_count, c.max_uses, c.expires_at, now),
    }
}

/// A device.
pub fn device_view(d: &device::Model, tenant_slug: &str) -> DeviceView {
    DeviceView {
        id: d.id,
        tenant_id: d.tenant_id,
        tenant_slug: tenant_slug.to_owned(),
        code_id: d.code_id,
        fingerprint: d.fingerprint.clone(),
        name: d.name.clone(),
        platform: d.platform.clone(),
        status: if d.revoked_at.is_some() {
            DeviceStatus::Revoked
        } else {
            DeviceStatus::Active
        },
        activated_at: d.activated_at,
        last_seen_at: d.last_seen_at,
        revoked_at: d.revoked_at,
        license_expires_at: d.license_expires_at,
    }
}
