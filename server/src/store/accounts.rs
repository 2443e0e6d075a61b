//! Volunteers and coordinators: creating them, enrolment, revocation, listing.

use super::{format_time, parse_optional_time, parse_time, Store, StoreError, StoreRow};
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Volunteer,
    Coordinator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Coordinator => "coordinator",
        }
    }
}

/// Someone holding a valid token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub role: Role,
    pub name: String,
    /// A volunteer's TPS or scope; a coordinator's scope (None: every TPS).
    pub tps: Option<String>,
    /// When the token stops working (coordinators' desk sessions); None: never.
    pub expires_at: Option<OffsetDateTime>,
}

/// An account as `pantau-server volunteer list` shows it: where its enrolment
/// stands, and how many reports it has filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountListing {
    pub id: i64,
    pub name: String,
    pub tps: Option<String>,
    pub created_at: OffsetDateTime,
    /// None while the one-time code is unused.
    pub enrolled_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub reports: i64,
}

impl Store {
    pub async fn create_volunteer(&self, name: &str, tps: &str, enrolment_code_hash: &str) -> Result<i64, StoreError> {
        Ok(with_pool!(&self.pool, |pool, _Db| {
            sqlx::query_scalar(
            "INSERT INTO accounts (role, name, tps, created_at, enrolment_code_hash) VALUES ('volunteer', $1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(tps)
        .bind(format_time(OffsetDateTime::now_utc()))
        .bind(enrolment_code_hash)
        .fetch_one(pool)
        .await?
        }))
    }

    /// A coordinator for `scope` (a TPS code prefix; None: every TPS), who
    /// signs in to the desk with the one-time code whose hash is given.
    pub async fn create_coordinator(
        &self,
        name: &str,
        scope: Option<&str>,
        sign_in_code_hash: &str,
    ) -> Result<i64, StoreError> {
        Ok(with_pool!(&self.pool, |pool, _Db| {
            sqlx::query_scalar(
            "INSERT INTO accounts (role, name, tps, created_at, enrolment_code_hash) VALUES ('coordinator', $1, $2, $3, $4) RETURNING id",
        )
        .bind(name)
        .bind(scope)
        .bind(format_time(OffsetDateTime::now_utc()))
        .bind(sign_in_code_hash)
        .fetch_one(pool)
        .await?
        }))
    }

    /// Exchanges a one-time enrolment code for a token, atomically: of two
    /// concurrent attempts with the same code, one wins. `attempt_hash` (of
    /// the code and the phone's secret for it) is kept with the account.
    /// A coordinator's sign-in is the same exchange: `expires_at` ends the token.
    pub async fn enrol(
        &self,
        role: Role,
        enrolment_code_hash: &str,
        attempt_hash: Option<&str>,
        token_hash: &str,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<Option<Account>, StoreError> {
        with_pool!(&self.pool, |pool, _Db| {
            let row = sqlx::query(
                "UPDATE accounts SET token_hash = $1, enrolment_code_hash = NULL, enrolled_at = $2, enrolled_with = $3,
                        token_expires_at = $4
                 WHERE enrolment_code_hash = $5 AND role = $6 AND revoked_at IS NULL
                 RETURNING id, role, name, tps, token_expires_at",
            )
            .bind(token_hash)
            .bind(format_time(OffsetDateTime::now_utc()))
            .bind(attempt_hash)
            .bind(expires_at.map(format_time))
            .bind(enrolment_code_hash)
            .bind(role.as_str())
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(account).transpose()
        })
    }

    /// A phone trying again after the answer to its enrolment was lost: the
    /// account enrolled with `attempt_hash` within the retry window gets a new
    /// token (the one never received stops working).
    pub async fn re_enrol(
        &self,
        role: Role,
        attempt_hash: &str,
        token_hash: &str,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<Option<Account>, StoreError> {
        let window = OffsetDateTime::now_utc() - time::Duration::hours(pantau_core::protocol::ENROLMENT_RETRY_HOURS);
        let found = with_pool!(&self.pool, |pool, _Db| {
            let row = sqlx::query(
                "UPDATE accounts SET token_hash = $1, token_expires_at = $2
                 WHERE enrolled_with = $3 AND enrolled_at >= $4 AND role = $5 AND revoked_at IS NULL
                 RETURNING id, role, name, tps, token_expires_at",
            )
            .bind(token_hash)
            .bind(expires_at.map(format_time))
            .bind(attempt_hash)
            .bind(format_time(window))
            .bind(role.as_str())
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(account).transpose()?
        });
        if let Some(account) = &found {
            // The token this replaces may be cached as valid.
            self.tokens.forget_account(account.id);
        }
        Ok(found)
    }

    /// Gives an active coordinator a new one-time sign-in code. Returns
    /// whether there was one.
    pub async fn new_sign_in_code(&self, coordinator_id: i64, code_hash: &str) -> Result<bool, StoreError> {
        let changed = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query(
                "UPDATE accounts SET enrolment_code_hash = $1 WHERE id = $2 AND role = 'coordinator' AND revoked_at IS NULL",
            )
            .bind(code_hash)
            .bind(coordinator_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Revokes an account's token (and any unused enrolment code). Returns
    /// whether an active account was revoked.
    pub async fn revoke(&self, account_id: i64, role: Role) -> Result<bool, StoreError> {
        let changed = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query(
                "UPDATE accounts SET revoked_at = $1, enrolment_code_hash = NULL
                 WHERE id = $2 AND role = $3 AND revoked_at IS NULL",
            )
            .bind(format_time(OffsetDateTime::now_utc()))
            .bind(account_id)
            .bind(role.as_str())
            .execute(pool)
            .await?
            .rows_affected()
        });
        self.tokens.forget_account(account_id);
        Ok(changed == 1)
    }

    /// Ends a coordinator's desk session if `token_hash` is still its token (a
    /// session a newer link opened stays): the token stops working in this
    /// process (within [`super::tokens::TOKEN_CACHE_TTL`] in others) and a
    /// lost-answer retry cannot bring it back; a new sign-in link opens another.
    pub async fn end_session(&self, coordinator_id: i64, token_hash: &str) -> Result<bool, StoreError> {
        let changed = with_pool!(&self.pool, |pool, _Db| {
            sqlx::query(
                "UPDATE accounts SET token_hash = NULL, token_expires_at = NULL, enrolled_with = NULL
                 WHERE id = $1 AND role = 'coordinator' AND token_hash = $2",
            )
            .bind(coordinator_id)
            .bind(token_hash)
            .execute(pool)
            .await?
            .rows_affected()
        });
        self.tokens.forget_account(coordinator_id);
        Ok(changed == 1)
    }

    /// Every account of a role, oldest first, revoked ones included (their
    /// reports are kept, so coordinators still need to know who they were).
    pub async fn accounts(&self, role: Role) -> Result<Vec<AccountListing>, StoreError> {
        with_pool!(&self.pool, |pool, _Db| {
            let rows = sqlx::query(
                "SELECT a.id, a.name, a.tps, a.created_at, a.enrolled_at, a.revoked_at,
                        (SELECT COUNT(*) FROM reports r WHERE r.volunteer_id = a.id) AS reports
                 FROM accounts a WHERE a.role = $1 ORDER BY a.id",
            )
            .bind(role.as_str())
            .fetch_all(pool)
            .await?;
            rows.iter().map(listing).collect()
        })
    }
}

fn listing(row: &impl StoreRow) -> Result<AccountListing, StoreError> {
    Ok(AccountListing {
        id: row.int("id"),
        name: row.text("name"),
        tps: row.optional_text("tps"),
        created_at: parse_time(row, "created_at")?,
        enrolled_at: parse_optional_time(row, "enrolled_at")?,
        revoked_at: parse_optional_time(row, "revoked_at")?,
        reports: row.int("reports"),
    })
}

pub(crate) fn account(row: &impl StoreRow) -> Result<Account, StoreError> {
    let role = match row.text("role").as_str() {
        "volunteer" => Role::Volunteer,
        "coordinator" => Role::Coordinator,
        other => return Err(StoreError::Corrupt(format!("account role {other:?}"))),
    };
    Ok(Account {
        id: row.int("id"),
        role,
        name: row.text("name"),
        tps: row.optional_text("tps"),
        expires_at: parse_optional_time(row, "token_expires_at")?,
    })
}
