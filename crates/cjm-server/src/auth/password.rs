//! Password rules and hashing. argon2id with the crate's defaults (OWASP's
//! recommended 19 MiB, 2 passes, 1 lane); hashes are PHC strings, so the
//! parameters can be raised later without breaking old hashes.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 200;

/// The most common passwords (and their usual variants), refused at sign-up
/// and on change: these are the first ones any attacker tries.
const COMMON: &str = include_str!("common_passwords.txt");

/// Why a new password is refused, as a message for the person choosing it.
pub fn check_new(password: &str, email: &str) -> Result<(), String> {
    let len = password.chars().count();
    if len < MIN_PASSWORD_CHARS {
        return Err(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if len > MAX_PASSWORD_CHARS {
        return Err(format!(
            "the password must have at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    let lower = password.to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_lowercase();
    if lower == email.to_lowercase()
        || (!local.is_empty()
            && lower.contains(&local)
            && local.len() >= 4
            && lower.len() - local.len() < 4)
    {
        return Err("the password must not be your email address".into());
    }
    if COMMON.lines().any(|c| c.trim() == lower) {
        return Err("this password is one of the most common ones; choose another".into());
    }
    if lower
        .chars()
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        < 4
    {
        return Err("the password repeats too few characters; choose another".into());
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches `phc` (false for an unreadable hash).
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("correct horse battery", &a));
        assert!(!verify("correct horse batterz", &a));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        let email = "marina@example.com";
        assert!(check_new("short", email).unwrap_err().contains("at least"));
        assert!(
            check_new("password123", email)
                .unwrap_err()
                .contains("common")
        );
        assert!(
            check_new("qwertyuiop", email)
                .unwrap_err()
                .contains("common")
        );
        assert!(check_new("aaaaaaaaaaaa", email).is_err());
        assert!(check_new("marina@example.com", email).is_err());
        assert!(check_new(&"x".repeat(201), email).is_err());
        assert!(check_new("journey maps at dawn", email).is_ok());
        assert!(check_new("Путь клиента 2026", email).is_ok());
    }
}
