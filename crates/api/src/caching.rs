//! `Cache-Control` for every answer that does not choose its own.
//!
//! Without it browsers guess: a file with a `Last-Modified` date may be reused without
//! asking for a tenth of its age, so after a deploy a browser could run last week's
//! `index.html`, or the new main module could meet an old lazily loaded chunk and fail to
//! link. The rules:
//! - API answers carry tokens and tenant data: `no-store` (RFC 6749 §5.1 asks it of token
//!   answers; nothing is gained by keeping the others).
//! - Files whose name carries their content hash (trunk's `name-<hash>.js`,
//!   `name-<hash>_bg.wasm`, `style-<hash>.css`) never change under that name, nor do the
//!   chunk loader and the page chunks in `split-<hash>/` (named by scripts/split-wasm.sh
//!   after the module they were cut from): kept a year, `immutable`, so a return visit
//!   fetches none of them again.
//! - Every other file (`index.html`, the SPA's client-side routes) is revalidated on each
//!   use with its ETag: a deploy is seen at once, and an unchanged file costs a 304.

use std::future::Future;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};

/// Nothing may keep the answer.
const NO_STORE: &str = "no-store";
/// Keep it, but ask the server before each use.
const REVALIDATE: &str = "no-cache";
/// Keep it a year and never ask: the name changes when the content does.
const FOREVER: &str = "public, max-age=31536000, immutable";

/// Paths the API answers (the rest is the SPA and its files).
pub fn is_api_path(path: &str) -> bool {
    ["/api", "/admin/api", "/api-docs", "/docs", "/metrics"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Whether `s` is trunk's content hash: a 64-bit hash in lower-case hex without leading
/// zeros, so up to 16 digits (fewer than 13 only when it starts with three zeros, 1 in
/// 4,096, and such a file is merely revalidated).
fn is_hash(s: &str) -> bool {
    (13..=16).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether a file name ends in trunk's content hash: `-` and the hash, before `_bg` and
/// the extension.
fn content_hashed(name: &str) -> bool {
    let Some((stem, _ext)) = name.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| is_hash(hash))
}

/// Whether `path` names a file that never changes: a content-hashed name at the top, or
/// any file directly in a `split-<hash>/` directory.
fn immutable_path(path: &str) -> bool {
    match path.trim_start_matches('/').split_once('/') {
        None => content_hashed(path.trim_start_matches('/')),
        Some((dir, file)) => {
            dir.strip_prefix("split-").is_some_and(is_hash)
                && !file.is_empty()
                && !file.contains('/')
        }
    }
}

/// The policy for an answer to `path` with `status` and `content_type`.
fn policy(path: &str, status: StatusCode, content_type: Option<&[u8]>) -> &'static str {
    if is_api_path(path) {
        return NO_STORE;
    }
    // A missing hashed file is answered with index.html (client-side routing): that must
    // not be kept a year under the file's name.
    let file = matches!(status, StatusCode::OK | StatusCode::NOT_MODIFIED)
        && !content_type.is_some_and(|ct| ct.starts_with(b"text/html"));
    if file && immutable_path(path) {
        FOREVER
    } else {
        REVALIDATE
    }
}

/// Middleware (`wrap_fn`): adds `Cache-Control` by [`policy`] where the handler set none
/// (the live feed sets its own).
pub fn cache_control<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl Future<Output = Result<ServiceResponse<B>, actix_web::Error>> + use<S, B>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let fut = srv.call(req);
    async move {
        let mut res = fut.await?;
        if !res.headers().contains_key(header::CACHE_CONTROL) {
            let value = policy(
                res.request().path(),
                res.status(),
                res.headers()
                    .get(header::CONTENT_TYPE)
                    .map(HeaderValue::as_bytes),
            );
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        }
        Ok(res)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_names_are_hashed_and_stable_names_are_not() {
        for name in [
            "tessera-web-9f3c2a1b7d4e6f80.js",
            "tessera-web-9f3c2a1b7d4e6f80_bg.wasm",
            "style-1a2b3c4d5e6f708.css",
        ] {
            assert!(content_hashed(name), "{name}");
        }
        for name in [
            "index.html",
            "__wasm_split.js",
            "chunk_12.wasm",
            "split___users_view_8.wasm",
            "favicon.ico",
            "tessera-web-9F3C2A1B7D4E6F80.js",
            "tessera-web-9f3c2a1b.js",
            "tessera-web-9f3c2a1b7d4e6f80",
        ] {
            assert!(!content_hashed(name), "{name}");
        }
    }

    #[test]
    fn the_policy_depends_on_path_status_and_type() {
        let js = Some(&b"text/javascript"[..]);
        let html = Some(&b"text/html; charset=utf-8"[..]);
        let hashed = "/tessera-web-9f3c2a1b7d4e6f80.js";
        assert_eq!(policy("/api/auth/login", StatusCode::OK, None), NO_STORE);
        assert_eq!(policy("/admin/api/tenants", StatusCode::OK, None), NO_STORE);
        assert_eq!(policy(hashed, StatusCode::OK, js), FOREVER);
        assert_eq!(policy(hashed, StatusCode::NOT_MODIFIED, None), FOREVER);
        assert_eq!(policy(hashed, StatusCode::OK, html), REVALIDATE);
        assert_eq!(policy(hashed, StatusCode::NOT_FOUND, None), REVALIDATE);
        assert_eq!(policy("/", StatusCode::OK, html), REVALIDATE);
        assert_eq!(policy("/billing", StatusCode::OK, html), REVALIDATE);
        let chunk = "/split-9f3c2a1b7d4e6f80/chunk_1.wasm";
        assert_eq!(policy(chunk, StatusCode::OK, None), FOREVER);
        assert_eq!(policy(chunk, StatusCode::OK, html), REVALIDATE);
        for path in [
            "/chunk_1.wasm",
            "/split-9f3c2a1b7d4e6f80/",
            "/split-9f3c2a1b7d4e6f80/a/chunk_1.wasm",
            "/split-xyz/chunk_1.wasm",
            "/tenants/9f3c2a1b7d4e6f80.js",
        ] {
            assert_eq!(policy(path, StatusCode::OK, js), REVALIDATE, "{path}");
        }
    }
}
