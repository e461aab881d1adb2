//! Password rules and hashing. argon2id with the crate's defaults (OWASP's
//! recommended 19 MiB, 2 passes, 1 lane); hashes are PHC strings, so the
//! parameters can be raised later without breaking old hashes.
//!
//! The 19 MiB of argon2's working memory is allocated once per thread and
//! reused (`with_blocks`): allocating it per hash made the allocator keep
//! a fresh block per sign-in, and the server's memory climbed by 19 MiB a
//! sign-in up to half a gigabyte (measured). Hashing runs on the few
//! threads of `hashing::HashPool`, so this is a few blocks in all.

use std::cell::RefCell;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

thread_local! {
    /// This thread's argon2 working memory, kept between hashes.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 with `params` on this thread's reused memory.
fn run(params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), argon2::Error> {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        if blocks.len() < params.block_count() {
            blocks.resize(params.block_count(), Block::default());
        }
        argon.hash_password_into_with_memory(
            password,
            salt,
            out,
            &mut blocks[..params.block_count()],
        )
    })
}

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    run(&params, password.as_bytes(), raw_salt, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches `phc` (false for an unreadable hash, or one
/// that is not argon2id).
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(h) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (h.hash, h.salt) else {
        return false;
    };
    if h.algorithm != Algorithm::Argon2id.ident() || h.version != Some(Version::V0x13.into()) {
        return false;
    }
    let Ok(params) = Params::try_from(&h) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(raw_salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if run(&params, password.as_bytes(), raw_salt, &mut out).is_err() {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(&out).is_ok_and(|got| got == expected)
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
    fn hashes_agree_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(verify("correct horse battery", &theirs));
        assert!(!verify("correct horse batterz", &theirs));
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
