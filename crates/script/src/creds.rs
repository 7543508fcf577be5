//! Who a script runs as: keepalived's `set_uid_gid()` and `get_default_script_user()`
//! (lib/notify.c).
//!
//! - A script's own `USER [GROUP]` wins; the group defaults to the user's primary group.
//! - Otherwise the global `script_user USER [GROUP]`.
//! - Otherwise `keepalived_script` if that user exists, else the daemon's own user
//!   (root). With `enable_script_security` a missing `keepalived_script` is an error
//!   instead, and every script without its own user is dropped (observed with keepalived
//!   2.2.7: "Unable to set default user keepalived_script for script").
//! - The supplementary groups are exactly the chosen group: keepalived calls
//!   `setgroups(1, &gid)` before `setuid()` (`set_script_env()`).

use std::fmt;
use std::io;
use vigil_config::model::common::Script;
use vigil_config::model::global::ScriptUser;

/// The default script user's name (keepalived.conf(5), SCRIPTS).
pub const DEFAULT_SCRIPT_USER: &str = "keepalived_script";

/// The identity a script runs with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// User name, for messages.
    pub user: String,
    /// User id.
    pub uid: u32,
    /// Group id (also the only supplementary group).
    pub gid: u32,
}

impl Credentials {
    /// The supplementary group list the script gets.
    pub fn groups(&self) -> Vec<u32> {
        vec![self.gid]
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}:{})", self.user, self.uid, self.gid)
    }
}

/// Looking up users and groups (the system databases, or a table in tests).
pub trait UserDb {
    /// A user's uid and primary gid, `None` when there is no such user.
    fn user(&self, name: &str) -> io::Result<Option<(u32, u32)>>;
    /// A group's gid, `None` when there is no such group.
    fn group(&self, name: &str) -> io::Result<Option<u32>>;
}

/// The system's user and group databases (getpwnam_r/getgrnam_r through nix).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemUserDb;

impl UserDb for SystemUserDb {
    fn user(&self, name: &str) -> io::Result<Option<(u32, u32)>> {
        let u = nix::unistd::User::from_name(name).map_err(io::Error::from)?;
        Ok(u.map(|u| (u.uid.as_raw(), u.gid.as_raw())))
    }

    fn group(&self, name: &str) -> io::Result<Option<u32>> {
        let g = nix::unistd::Group::from_name(name).map_err(io::Error::from)?;
        Ok(g.map(|g| g.gid.as_raw()))
    }
}

/// Why a script's user cannot be resolved; keepalived drops the script.
#[derive(Debug)]
pub enum CredError {
    /// No such user.
    NoUser(String),
    /// No such group.
    NoGroup(String),
    /// The user or group database could not be read.
    Lookup {
        /// The name looked up.
        name: String,
        /// The error.
        source: io::Error,
    },
    /// `enable_script_security` without `script_user`, and no `keepalived_script` user.
    NoDefaultUser,
}

impl fmt::Display for CredError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredError::NoUser(u) => write!(f, "script user '{u}' does not exist"),
            CredError::NoGroup(g) => write!(f, "script group '{g}' does not exist"),
            CredError::Lookup { name, source } => {
                write!(f, "unable to resolve script user/group '{name}': {source}")
            }
            CredError::NoDefaultUser => write!(
                f,
                "enable_script_security is set, no script_user is configured and user \
                 '{DEFAULT_SCRIPT_USER}' does not exist: scripts without their own user \
                 cannot run"
            ),
        }
    }
}

impl std::error::Error for CredError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CredError::Lookup { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `USER [GROUP]` to credentials (keepalived `set_uid_gid()`).
pub fn resolve(db: &dyn UserDb, user: &str, group: Option<&str>) -> Result<Credentials, CredError> {
    let lookup = |name: &str, e: io::Error| CredError::Lookup {
        name: name.to_string(),
        source: e,
    };
    let (uid, mut gid) = db
        .user(user)
        .map_err(|e| lookup(user, e))?
        .ok_or_else(|| CredError::NoUser(user.to_string()))?;
    if let Some(g) = group {
        gid = db
            .group(g)
            .map_err(|e| lookup(g, e))?
            .ok_or_else(|| CredError::NoGroup(g.to_string()))?;
    }
    Ok(Credentials {
        user: user.to_string(),
        uid,
        gid,
    })
}

/// The user for scripts that name none (keepalived `get_default_script_user()`);
/// `ours` is the daemon's own identity (root for vigild).
pub fn default_script_user(
    db: &dyn UserDb,
    script_user: Option<&ScriptUser>,
    enable_script_security: bool,
    ours: &Credentials,
) -> Result<Credentials, CredError> {
    if let Some(su) = script_user {
        return resolve(db, &su.user, su.group.as_deref());
    }
    match resolve(db, DEFAULT_SCRIPT_USER, None) {
        Ok(c) => Ok(c),
        Err(CredError::NoUser(_)) if !enable_script_security => Ok(ours.clone()),
        Err(CredError::NoUser(_)) => Err(CredError::NoDefaultUser),
        Err(e) => Err(e),
    }
}

/// The credentials for one script: its own user, else the default (which may have
/// failed; then the script cannot run, as in keepalived `notify_script_init()`).
pub fn for_script(
    db: &dyn UserDb,
    script: &Script,
    default: &Result<Credentials, CredError>,
) -> Result<Credentials, CredError> {
    match (&script.user, default) {
        (Some(u), _) => resolve(db, u, script.group.as_deref()),
        (None, Ok(c)) => Ok(c.clone()),
        (None, Err(CredError::NoUser(u))) => Err(CredError::NoUser(u.clone())),
        (None, Err(CredError::NoGroup(g))) => Err(CredError::NoGroup(g.clone())),
        (None, Err(CredError::Lookup { name, source })) => Err(CredError::Lookup {
            name: name.clone(),
            source: io::Error::new(source.kind(), source.to_string()),
        }),
        (None, Err(CredError::NoDefaultUser)) => Err(CredError::NoDefaultUser),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Db {
        users: HashMap<&'static str, (u32, u32)>,
        groups: HashMap<&'static str, u32>,
    }

    impl UserDb for Db {
        fn user(&self, name: &str) -> io::Result<Option<(u32, u32)>> {
            Ok(self.users.get(name).copied())
        }
        fn group(&self, name: &str) -> io::Result<Option<u32>> {
            Ok(self.groups.get(name).copied())
        }
    }

    fn db(with_default: bool) -> Db {
        let mut users = HashMap::from([("root", (0, 0)), ("nobody", (65534, 65534))]);
        if with_default {
            users.insert(DEFAULT_SCRIPT_USER, (990, 990));
        }
        Db {
            users,
            groups: HashMap::from([("wheel", 10), ("nogroup", 65534)]),
        }
    }

    fn root() -> Credentials {
        Credentials {
            user: "root".into(),
            uid: 0,
            gid: 0,
        }
    }

    fn script(user: Option<&str>, group: Option<&str>) -> Script {
        Script {
            command: "/bin/true".into(),
            user: user.map(Into::into),
            group: group.map(Into::into),
        }
    }

    #[test]
    fn group_defaults_to_primary_set_uid_gid() {
        let c = resolve(&db(false), "nobody", None).unwrap();
        assert_eq!((c.uid, c.gid), (65534, 65534));
        let c = resolve(&db(false), "nobody", Some("wheel")).unwrap();
        assert_eq!((c.uid, c.gid), (65534, 10));
        assert_eq!(c.groups(), [10]);
        assert!(matches!(
            resolve(&db(false), "ghost", None),
            Err(CredError::NoUser(_))
        ));
        assert!(matches!(
            resolve(&db(false), "nobody", Some("ghosts")),
            Err(CredError::NoGroup(_))
        ));
    }

    #[test]
    fn default_is_keepalived_script_else_root_get_default_script_user() {
        let d = default_script_user(&db(true), None, false, &root()).unwrap();
        assert_eq!((d.user.as_str(), d.uid), (DEFAULT_SCRIPT_USER, 990));
        let d = default_script_user(&db(false), None, false, &root()).unwrap();
        assert_eq!(d, root());
    }

    #[test]
    fn script_security_needs_a_default_user_observed_keepalived_2_2_7() {
        let d = default_script_user(&db(false), None, true, &root());
        assert!(matches!(d, Err(CredError::NoDefaultUser)));
        // A script with its own user still runs; one without is dropped.
        assert_eq!(
            for_script(&db(false), &script(Some("nobody"), None), &d)
                .unwrap()
                .uid,
            65534
        );
        assert!(for_script(&db(false), &script(None, None), &d).is_err());
        // script_user given: used, with or without security.
        let su = ScriptUser {
            user: "nobody".into(),
            group: Some("wheel".into()),
        };
        let d = default_script_user(&db(false), Some(&su), true, &root()).unwrap();
        assert_eq!((d.uid, d.gid), (65534, 10));
    }

    #[test]
    fn per_script_user_overrides_the_default() {
        let d = default_script_user(&db(true), None, false, &root());
        let c = for_script(&db(true), &script(Some("root"), Some("wheel")), &d).unwrap();
        assert_eq!((c.uid, c.gid), (0, 10));
        let c = for_script(&db(true), &script(None, None), &d).unwrap();
        assert_eq!(c.uid, 990);
    }

    #[test]
    fn system_db_knows_root_and_nobody() {
        let db = SystemUserDb;
        assert_eq!(db.user("root").unwrap(), Some((0, 0)));
        assert!(db.user("nobody").unwrap().is_some());
        assert_eq!(db.user("no-such-user-vigil").unwrap(), None);
    }
}
