//! Which account a bearer token belongs to, with a short cache so that
//! authenticating a request costs no query.

use super::accounts::account;
use super::{Account, Store, StoreError};

/// How long a token stays trusted without asking the database again. A
/// revocation made by this process takes effect at once; one made by the
/// `pantau-server volunteer revoke` command (another process) within this time.
pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const TOKEN_CACHE_MAX: usize = 100_000;

#[derive(Default)]
pub(crate) struct TokenCache(std::sync::Mutex<std::collections::HashMap<String, (Account, std::time::Instant)>>);

impl TokenCache {
    pub(crate) fn get(&self, token_hash: &str) -> Option<Account> {
        let cache = self.0.lock().expect("token cache lock");
        cache.get(token_hash).filter(|(_, at)| at.elapsed() < TOKEN_CACHE_TTL).map(|(a, _)| a.clone())
    }

    pub(crate) fn put(&self, token_hash: &str, account: &Account) {
        let mut cache = self.0.lock().expect("token cache lock");
        if cache.len() >= TOKEN_CACHE_MAX {
            cache.clear();
        }
        cache.insert(token_hash.to_owned(), (account.clone(), std::time::Instant::now()));
    }

    pub(crate) fn forget_account(&self, account_id: i64) {
        self.0.lock().expect("token cache lock").retain(|_, (a, _)| a.id != account_id);
    }
}

impl Store {
    /// The account a token belongs to, unless revoked. An expired token is
    /// still found: the caller says why it is refused ([`Account::expires_at`]).
    pub async fn account_by_token(&self, token_hash: &str) -> Result<Option<Account>, StoreError> {
        if let Some(account) = self.tokens.get(token_hash) {
            return Ok(Some(account));
        }
        let found = with_pool!(&self.pool, |pool, _Db| {
            let row = sqlx::query(
                "SELECT id, role, name, tps, token_expires_at FROM accounts WHERE token_hash = $1 AND revoked_at IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(account).transpose()?
        });
        if let Some(account) = &found {
            self.tokens.put(token_hash, account);
        }
        Ok(found)
    }
}
