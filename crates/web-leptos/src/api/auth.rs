//! Sign-in, session and profile calls (`/api/auth/*`).

use tessera_domain::auth::{
    LoginRequest, MeResponse, OtpRequest, OtpVerifyRequest, RefreshRequest, TokenResponse,
};

use super::{ApiError, Call, authorised, json, public};
use crate::session;

/// Signs in with a login and password and keeps the session.
///
/// # Errors
/// 401 `INVALID_CREDENTIALS`, 429 `RATE_LIMITED`/`ACCOUNT_LOCKED`, 422 with field errors.
pub async fn login(request: LoginRequest) -> Result<TokenResponse, ApiError> {
    let tokens: TokenResponse =
        json(public(&Call::post("/api/auth/login", &request)).await?).await?;
    session::save(&tokens);
    Ok(tokens)
}

/// Asks for a one-time code by e-mail. The server answers 202 whether or not the
/// account exists, so success says nothing about the address.
///
/// # Errors
/// 422 with field errors, 429 when rate-limited.
pub async fn request_otp(request: OtpRequest) -> Result<(), ApiError> {
    public(&Call::post("/api/auth/otp/request", &request)).await?;
    Ok(())
}

/// Exchanges a one-time code for a session and keeps it.
///
/// # Errors
/// 401 `INVALID_OTP`, 429 when rate-limited, 422 with field errors.
pub async fn verify_otp(request: OtpVerifyRequest) -> Result<TokenResponse, ApiError> {
    let tokens: TokenResponse =
        json(public(&Call::post("/api/auth/otp/verify", &request)).await?).await?;
    session::save(&tokens);
    Ok(tokens)
}

/// Signs out: revokes the refresh token's family on the server and forgets the session.
///
/// The local session is cleared even when the server cannot be told, so a person can
/// always leave a shared computer signed out.
///
/// # Errors
/// The server's refusal or a network error; the session is gone either way.
pub async fn logout() -> Result<(), ApiError> {
    let result = match session::refresh_token() {
        Some(refresh_token) => public(&Call::post(
            "/api/auth/logout",
            &RefreshRequest { refresh_token },
        ))
        .await
        .map(drop),
        None => Ok(()),
    };
    session::clear();
    result
}

/// The signed-in user and their tenant; also refreshes the stored user record.
///
/// # Errors
/// See [`authorised`](super::authorised).
pub async fn me() -> Result<MeResponse, ApiError> {
    let me: MeResponse = json(authorised(&Call::get("/api/auth/me")).await?).await?;
    session::save_user(&me.user);
    Ok(me)
}
