//! Query strings for list filters.
//!
//! [`Call`](super::Call) keeps its path as plain text so it can be re-sent after a token
//! rotation; filters typed by people (a search for `a&b`, a project called `R&D`) must be
//! percent-encoded before they join it, or they would split into extra parameters.

/// `?a=1&b=x%20y` from the pairs whose value is non-empty after trimming; `""` when none is.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<String>)>) -> String {
    let parts: Vec<String> = pairs
        .into_iter()
        .filter_map(|(key, value)| {
            let value = value?;
            let value = value.trim();
            (!value.is_empty()).then(|| format!("{}={}", encode(key), encode(value)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_and_blanks_dropped() {
        let q = query_string([
            ("search", Some("R&D café".to_owned())),
            ("project", Some("  ".to_owned())),
            ("cursor", None),
            ("limit", Some("50".to_owned())),
        ]);
        assert_eq!(q, "?search=R%26D%20caf%C3%A9&limit=50");
        assert_eq!(query_string([("a", None)]), "");
    }
}
