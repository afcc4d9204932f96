//! Input rules shared by the server and the SPA's inline form validation.

use crate::problem::FieldError;

/// Smallest accepted password length.
pub const PASSWORD_MIN: usize = 10;
/// Largest accepted password length (argon2 input is bounded to keep hashing cheap).
pub const PASSWORD_MAX: usize = 128;

/// What [`name`] and [`text`] say about a NUL character.
const NUL_MESSAGE: &str = "must not contain NUL (U+0000) characters";

/// Collects field errors for one request.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    /// Records `message` for `field` when `check` returns an error.
    pub fn check(&mut self, field: &str, result: Result<(), String>) {
        if let Err(message) = result {
            self.0.push(FieldError::new(field, message));
        }
    }

    /// `Ok` when nothing was recorded.
    ///
    /// # Errors
    /// Returns every recorded field error.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// A plausible e-mail address: one `@`, something on each side, a dot in the domain.
///
/// # Errors
/// A message for people when the address is not plausible.
pub fn email(value: &str) -> Result<(), String> {
    let v = value.trim();
    let ok = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(())
    } else {
        Err("must be a valid e-mail address".into())
    }
}

/// 3..=32 characters: lowercase letters, digits, `.`, `_`, `-`; starts with a letter or digit.
///
/// # Errors
/// A message for people when the username breaks the rule.
pub fn username(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if !(3..=32).contains(&len) {
        return Err("must be 3 to 32 characters".into());
    }
    let first_ok = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err("may contain only lowercase letters, digits, '.', '_' and '-', starting with a letter or digit".into())
    }
}

/// Between [`PASSWORD_MIN`] and [`PASSWORD_MAX`] characters.
///
/// # Errors
/// A message for people when the password is too short or too long.
pub fn password(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if len < PASSWORD_MIN {
        Err(format!("must be at least {PASSWORD_MIN} characters"))
    } else if len > PASSWORD_MAX {
        Err(format!("must be at most {PASSWORD_MAX} characters"))
    } else {
        Ok(())
    }
}

/// A tenant slug: 3..=48 characters of lowercase letters, digits and single inner dashes.
///
/// # Errors
/// A message for people when the slug breaks the rule.
pub fn slug(value: &str) -> Result<(), String> {
    let len = value.len();
    if !(3..=48).contains(&len) {
        return Err("must be 3 to 48 characters".into());
    }
    let chars_ok = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !chars_ok || value.starts_with('-') || value.ends_with('-') || value.contains("--") {
        return Err("may contain only lowercase letters, digits and single dashes inside".into());
    }
    Ok(())
}

/// A required display name of 1..=`max` characters after trimming, without NUL characters
/// (PostgreSQL cannot store them).
///
/// # Errors
/// A message for people when the name is blank, too long or holds a NUL.
pub fn name(value: &str, max: usize) -> Result<(), String> {
    let len = value.trim().chars().count();
    if value.contains('\0') {
        Err(NUL_MESSAGE.into())
    } else if len == 0 {
        Err("is required".into())
    } else if len > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(())
    }
}

/// A six-digit one-time code.
///
/// # Errors
/// A message for people when the code is not six digits.
pub fn otp(value: &str) -> Result<(), String> {
    if value.len() == 6 && value.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err("must be 6 digits".into())
    }
}

/// An optional free text of at most `max` characters after trimming (blank is allowed),
/// without NUL characters.
///
/// # Errors
/// A message for people when the text is too long or holds a NUL.
pub fn text(value: &str, max: usize) -> Result<(), String> {
    if value.contains('\0') {
        Err(NUL_MESSAGE.into())
    } else if value.trim().chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else {
        Ok(())
    }
}

/// A whole number between `min` and `max` inclusive.
///
/// # Errors
/// A message for people when the number is out of range.
pub fn range(value: i64, min: i64, max: i64) -> Result<(), String> {
    if value < min || value > max {
        Err(format!("must be between {min} and {max}"))
    } else {
        Ok(())
    }
}

/// A device fingerprint: 1..=256 printable characters after trimming, no control characters.
///
/// # Errors
/// A message for people when the fingerprint is blank, too long or contains control characters.
pub fn fingerprint(value: &str) -> Result<(), String> {
    name(value, 256)?;
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(email("ada@example.com").is_ok());
        assert!(email("ada@example").is_err());
        assert!(email("@example.com").is_err());
        assert!(email("ada@@example.com").is_err());
        assert!(email("a da@example.com").is_err());
        assert!(email("ada@.com").is_err());
    }

    #[test]
    fn usernames_are_lowercase_and_bounded() {
        assert!(username("ada.l_2").is_ok());
        assert!(username("Ada").is_err());
        assert!(username("ab").is_err());
        assert!(username("_ada").is_err());
        assert!(username(&"a".repeat(33)).is_err());
    }

    #[test]
    fn names_and_texts_refuse_nul_characters() {
        assert!(name("Ada\0", 120).is_err());
        assert!(text("a\0b", 2000).is_err());
        assert!(name("Ada", 120).is_ok());
        assert!(text("", 2000).is_ok());
    }

    #[test]
    fn passwords_have_bounds() {
        assert!(password("123456789").is_err());
        assert!(password("1234567890").is_ok());
        assert!(password(&"x".repeat(129)).is_err());
    }

    #[test]
    fn slugs_reject_edges_and_double_dashes() {
        assert!(slug("acme-corp").is_ok());
        assert!(slug("ac").is_err());
        assert!(slug("-acme").is_err());
        assert!(slug("acme-").is_err());
        assert!(slug("ac--me").is_err());
        assert!(slug("Acme").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert!(name("  ", 10).is_err());
        assert!(name("Acme", 10).is_ok());
        assert!(name("Acme Corporation", 10).is_err());
    }

    #[test]
    fn otps_are_six_digits() {
        assert!(otp("123456").is_ok());
        assert!(otp("12345").is_err());
        assert!(otp("12345a").is_err());
    }

    #[test]
    fn texts_ranges_and_fingerprints_are_bounded() {
        assert!(text("", 5).is_ok());
        assert!(text("abcdef", 5).is_err());
        assert!(range(5, 1, 10).is_ok());
        assert!(range(0, 1, 10).is_err());
        assert!(range(11, 1, 10).is_err());
        assert!(fingerprint("a1:b2:c3").is_ok());
        assert!(fingerprint(" ").is_err());
        assert!(fingerprint("a\nb").is_err());
        assert!(fingerprint(&"f".repeat(257)).is_err());
    }
}
