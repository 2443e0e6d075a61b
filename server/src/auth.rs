//! Bearer tokens and enrolment codes. Both are random secrets shown once; the
//! database keeps only their SHA-256 (a fast hash is enough for 128+ bits of
//! randomness: there is nothing to brute-force).

use sha2::{Digest, Sha256};

/// Letters and digits that cannot be confused when read aloud or from a QR
/// caption (no 0/O, 1/I/L, U).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 12 characters of 30 symbols: about 59 bits, used once, rate-limited.
const CODE_LENGTH: usize = 12;

pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.trim().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A new bearer token: 256 random bits, hex, with a prefix that makes a leaked
/// token easy to recognise in a paste or a scan.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    format!("pantau_{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// A one-time enrolment code, grouped in fours for reading: `ABCD-EFGH-JKMN`.
pub fn new_enrolment_code() -> String {
    let mut bytes = [0u8; CODE_LENGTH];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    let chars: Vec<char> = bytes.iter().map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// How long a coordinator's desk session lasts: an election day and the count
/// that follows, so a laptop left signed in stops working on its own.
pub const DESK_SESSION: time::Duration = time::Duration::hours(36);

pub use pantau_core::protocol::normalise_code;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_readable_and_normalise_back() {
        let code = new_enrolment_code();
        assert_eq!(code.len(), CODE_LENGTH + CODE_LENGTH / 4 - 1, "{code}");
        assert!(normalise_code(&code).bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_eq!(normalise_code(" abcd-efgh jkmn "), "ABCDEFGHJKMN");
        assert_ne!(new_enrolment_code(), new_enrolment_code());
    }

    #[test]
    fn tokens_are_long_random_and_only_their_hash_is_kept() {
        let token = new_token();
        assert_eq!(token.len(), "pantau_".len() + 64);
        assert_ne!(token, new_token());
        let hash = hash_secret(&token);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&token[7..]));
        assert_eq!(hash, hash_secret(&format!(" {token}\n")));
    }
}
