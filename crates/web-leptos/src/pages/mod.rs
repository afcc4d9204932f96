//! The screens, one module each.

mod dashboard;
mod login;
mod not_found;
mod otp;
mod placeholder;
mod profile;

pub use dashboard::DashboardPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use otp::OtpPage;
pub use placeholder::NotYetAvailable;
pub use profile::ProfilePage;
