//! Resolving the account a child runs as: a user name, its uid and primary group.

use nix::errno::Errno;
use nix::unistd::{Gid, Uid, User};
use std::fmt;

/// The user a child runs as when the configuration names none (DESIGN.md).
pub const PREFERRED_USER: &str = "vigil";
/// The user taken when [`PREFERRED_USER`] does not exist on the host.
pub const FALLBACK_USER: &str = "nobody";

/// A resolved, non-root account: the name, its uid and its primary gid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The user name as looked up.
    pub name: String,
    /// The user id.
    pub uid: Uid,
    /// The user's primary group id (from the passwd entry).
    pub gid: Gid,
}

/// Why an account could not be resolved.
#[derive(Debug, PartialEq, Eq)]
pub enum UserError {
    /// The user database could not be read.
    Lookup {
        /// The name looked up.
        name: String,
        /// The error of getpwnam_r.
        errno: Errno,
    },
    /// No such user.
    NoSuchUser(String),
    /// The user, or its primary group, is root: a child must never run as root.
    IsRoot(String),
    /// Neither the preferred nor the fallback user exists.
    NoDefaultUser,
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UserError::Lookup { name, errno } => {
                write!(f, "cannot look up user {name}: {}", errno.desc())
            }
            UserError::NoSuchUser(name) => write!(f, "user {name} does not exist"),
            UserError::IsRoot(name) => write!(
                f,
                "user {name} has uid 0 or primary gid 0; a child must not run as root"
            ),
            UserError::NoDefaultUser => write!(
                f,
                "neither user {PREFERRED_USER} nor user {FALLBACK_USER} exists; name one in the configuration"
            ),
        }
    }
}

impl std::error::Error for UserError {}

/// Looks a user up by name in the system user database (NSS).
pub fn lookup(name: &str) -> Result<Option<Account>, UserError> {
    match User::from_name(name) {
        Ok(Some(u)) => Ok(Some(Account {
            name: u.name,
            uid: u.uid,
            gid: u.gid,
        })),
        Ok(None) => Ok(None),
        Err(errno) => Err(UserError::Lookup {
            name: name.to_string(),
            errno,
        }),
    }
}

/// Resolves a configured user name; the user must exist and must not be root.
pub fn resolve(name: &str) -> Result<Account, UserError> {
    let account = lookup(name)?.ok_or_else(|| UserError::NoSuchUser(name.to_string()))?;
    refuse_root(account)
}

/// Resolves the default user: `vigil` if it exists, else `nobody`.
pub fn resolve_default() -> Result<Account, UserError> {
    choose_default(lookup)
}

/// The default rule, with the lookup passed in so that it can be tested without
/// touching the user database.
pub fn choose_default<F>(mut lookup: F) -> Result<Account, UserError>
where
    F: FnMut(&str) -> Result<Option<Account>, UserError>,
{
    for name in [PREFERRED_USER, FALLBACK_USER] {
        if let Some(account) = lookup(name)? {
            return refuse_root(account);
        }
    }
    Err(UserError::NoDefaultUser)
}

/// Resolves `Some(name)` as configured, `None` by the default rule.
pub fn resolve_configured(name: Option<&str>) -> Result<Account, UserError> {
    match name {
        Some(name) => resolve(name),
        None => resolve_default(),
    }
}

fn refuse_root(account: Account) -> Result<Account, UserError> {
    if account.uid.is_root() || account.gid.as_raw() == 0 {
        return Err(UserError::IsRoot(account.name));
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, id: u32) -> Account {
        Account {
            name: name.to_string(),
            uid: Uid::from_raw(id),
            gid: Gid::from_raw(id),
        }
    }

    #[test]
    fn default_prefers_vigil_when_it_exists() {
        let got = choose_default(|n| Ok(Some(account(n, 990)))).unwrap();
        assert_eq!(got.name, "vigil");
    }

    #[test]
    fn default_falls_back_to_nobody() {
        let got = choose_default(|n| Ok((n == "nobody").then(|| account(n, 65534)))).unwrap();
        assert_eq!(got, account("nobody", 65534));
    }

    #[test]
    fn default_fails_when_neither_exists() {
        assert_eq!(choose_default(|_| Ok(None)), Err(UserError::NoDefaultUser));
    }

    #[test]
    fn default_does_not_hide_a_lookup_error() {
        let err = choose_default(|n| {
            Err(UserError::Lookup {
                name: n.to_string(),
                errno: Errno::EIO,
            })
        })
        .unwrap_err();
        assert!(matches!(err, UserError::Lookup { .. }));
    }

    #[test]
    fn a_root_account_is_refused_even_under_another_name() {
        assert_eq!(
            choose_default(|n| Ok(Some(account(n, 0)))),
            Err(UserError::IsRoot("vigil".to_string()))
        );
        let mut rootgroup = account("vigil", 990);
        rootgroup.gid = Gid::from_raw(0);
        assert!(matches!(refuse_root(rootgroup), Err(UserError::IsRoot(_))));
    }

    #[test]
    fn real_lookup_of_root_is_refused_and_of_a_missing_user_says_so() {
        assert_eq!(resolve("root"), Err(UserError::IsRoot("root".to_string())));
        assert_eq!(
            resolve("vigil-no-such-user-xyz"),
            Err(UserError::NoSuchUser("vigil-no-such-user-xyz".to_string()))
        );
    }
}
