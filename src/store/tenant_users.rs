//! Changes to a tenant's users beyond add/replace/remove: enabling/disabling, and login
//! attempts with their lockout. Every change to a user goes through one of these methods.

use super::{LockPolicy, StoreError, TenantData};

/// What a password login attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginCheck {
    /// Right password, account usable: the failure count is cleared.
    Ok,
    /// Wrong password; `locked` when this failure locked the account.
    WrongPassword { locked: bool },
    /// The account is locked (until the lock lifts on the server clock).
    Locked,
    /// The account is disabled.
    Disabled,
    /// No such user.
    Unknown,
}

impl TenantData {
    /// Enables or disables a user's account.
    pub fn set_user_disabled(&mut self, id: &str, disabled: bool) -> Result<(), StoreError> {
        let u = self
            .user_mut(id)
            .ok_or_else(|| StoreError::UserNotFound(id.to_string()))?;
        u.disabled = disabled;
        Ok(())
    }

    /// Checks `password` for the user `id` at `now` and records the outcome: a lock is checked
    /// first (a locked account stays locked whatever is sent), then the password, then whether
    /// the account is disabled; consecutive wrong passwords lock as `policy` says.
    pub fn check_login(
        &mut self,
        id: &str,
        password: &str,
        now: i64,
        policy: LockPolicy,
    ) -> LoginCheck {
        let Some(u) = self.user_mut(id) else {
            return LoginCheck::Unknown;
        };
        if u.login_lock.is_locked(now) {
            return LoginCheck::Locked;
        }
        if u.password.as_deref() != Some(password) {
            let locked = u.login_lock.fail(now, policy);
            return LoginCheck::WrongPassword { locked };
        }
        u.login_lock.succeed();
        if u.disabled {
            return LoginCheck::Disabled;
        }
        LoginCheck::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::User;

    const P: LockPolicy = LockPolicy {
        max_failures: 2,
        lock_secs: 300,
    };

    fn data() -> TenantData {
        let mut d = TenantData::default();
        d.put_user(User {
            id: "u".into(),
            password: Some("pw".into()),
            ..Default::default()
        });
        d
    }

    #[test]
    fn wrong_passwords_lock_and_the_lock_lifts() {
        let mut d = data();
        assert_eq!(
            d.check_login("u", "x", 0, P),
            LoginCheck::WrongPassword { locked: false }
        );
        assert_eq!(
            d.check_login("u", "x", 1, P),
            LoginCheck::WrongPassword { locked: true }
        );
        assert_eq!(d.check_login("u", "pw", 2, P), LoginCheck::Locked);
        assert_eq!(d.check_login("u", "pw", 301, P), LoginCheck::Ok);
    }

    #[test]
    fn disabled_users_and_removal() {
        let mut d = data();
        d.set_user_disabled("u", true).unwrap();
        assert_eq!(d.check_login("u", "pw", 0, P), LoginCheck::Disabled);
        assert!(d.remove_user("u").is_some());
        assert_eq!(d.check_login("u", "pw", 0, P), LoginCheck::Unknown);
        assert!(d.remove_user("u").is_none());
    }
}
