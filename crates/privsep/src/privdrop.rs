//! Dropping a freshly exec'd child to its role's user and capabilities, before it
//! reads a byte from IPC or the network (DESIGN.md, "Processes and privileges").
//!
//! The order matters and each step says why where it happens. The process must
//! be single-threaded: capsets, prctl(PR_SET_NO_NEW_PRIVS) and the parent-death
//! signal are per thread, and /proc/PID/status, which the supervisor checks,
//! shows the main thread only.

use crate::role::Role;
use crate::status::{self, StatusError};
use crate::user::Account;
use crate::verify::{self, Expected, VerifyError};
use caps::errors::CapsError;
use caps::{CapSet, Capability};
use nix::errno::Errno;
use nix::sys::prctl;
use nix::sys::signal::Signal;
use nix::unistd::{getppid, setgroups, setresgid, setresuid, Pid};
use std::fmt;

/// What to drop to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DropPlan {
    /// The account to run as (see [`crate::user`]).
    pub account: Account,
    /// The role, which decides the capabilities kept.
    pub role: Role,
    /// The supervisor's pid, for the parent-death race check. `None` takes the
    /// parent at the time of the call, which misses a parent that died before
    /// the child got this far: the supervisor should pass its pid down. The
    /// signal fires when the *thread* that forked the child exits (prctl(2)),
    /// so the supervisor must start children from its main thread.
    pub parent: Option<Pid>,
}

/// The step of the drop that failed, with the system's reason.
#[derive(Debug)]
pub enum DropError {
    /// /proc/self/status could not be read (for the thread count or self-check).
    Status(StatusError),
    /// The process has more than one thread; the drop would cover one of them.
    NotSingleThreaded(u32),
    /// The target account is root.
    TargetIsRoot(String),
    /// PR_CAPBSET_DROP of a capability failed (needs CAP_SETPCAP: run as root).
    BoundingSet(Capability, CapsError),
    /// Clearing the ambient set failed.
    ClearAmbient(CapsError),
    /// Clearing the inheritable set failed.
    ClearInheritable(CapsError),
    /// PR_SET_KEEPCAPS failed.
    KeepCaps(Errno),
    /// setgroups([]) failed.
    SetGroups(Errno),
    /// setresgid failed.
    SetResGid(u32, Errno),
    /// setresuid failed.
    SetResUid(u32, Errno),
    /// Setting the permitted set failed.
    SetPermitted(CapsError),
    /// Setting the effective set failed.
    SetEffective(CapsError),
    /// PR_SET_NO_NEW_PRIVS failed.
    NoNewPrivs(Errno),
    /// PR_SET_PDEATHSIG failed.
    ParentDeathSignal(Errno),
    /// The parent died before the parent-death signal was armed: the caller
    /// must exit, nobody will signal it any more.
    ParentGone {
        /// The parent expected.
        expected: Pid,
        /// The parent now (init or a subreaper).
        now: Pid,
    },
    /// Every step succeeded but /proc/self/status disagrees with the role.
    SelfCheck(VerifyError),
}

impl fmt::Display for DropError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("dropping privileges: ")?;
        match self {
            DropError::Status(e) => write!(f, "{e}"),
            DropError::NotSingleThreaded(n) => {
                write!(
                    f,
                    "process has {n} threads; drop before starting any thread"
                )
            }
            DropError::TargetIsRoot(name) => write!(f, "target user {name} is root"),
            DropError::BoundingSet(cap, e) => {
                write!(f, "removing {cap} from the bounding set: {e}")
            }
            DropError::ClearAmbient(e) => write!(f, "clearing the ambient set: {e}"),
            DropError::ClearInheritable(e) => write!(f, "clearing the inheritable set: {e}"),
            DropError::KeepCaps(e) => write!(f, "prctl(PR_SET_KEEPCAPS): {}", e.desc()),
            DropError::SetGroups(e) => write!(f, "setgroups([]): {}", e.desc()),
            DropError::SetResGid(g, e) => write!(f, "setresgid({g}): {}", e.desc()),
            DropError::SetResUid(u, e) => write!(f, "setresuid({u}): {}", e.desc()),
            DropError::SetPermitted(e) => write!(f, "setting the permitted set: {e}"),
            DropError::SetEffective(e) => write!(f, "setting the effective set: {e}"),
            DropError::NoNewPrivs(e) => write!(f, "prctl(PR_SET_NO_NEW_PRIVS): {}", e.desc()),
            DropError::ParentDeathSignal(e) => write!(f, "prctl(PR_SET_PDEATHSIG): {}", e.desc()),
            DropError::ParentGone { expected, now } => write!(
                f,
                "parent {expected} is gone (parent is now {now}); exiting"
            ),
            DropError::SelfCheck(e) => write!(f, "self-check: {e}"),
        }
    }
}

impl std::error::Error for DropError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DropError::Status(e) => Some(e),
            DropError::BoundingSet(_, e)
            | DropError::ClearAmbient(e)
            | DropError::ClearInheritable(e)
            | DropError::SetPermitted(e)
            | DropError::SetEffective(e) => Some(e),
            DropError::KeepCaps(e)
            | DropError::SetGroups(e)
            | DropError::SetResGid(_, e)
            | DropError::SetResUid(_, e)
            | DropError::NoNewPrivs(e)
            | DropError::ParentDeathSignal(e) => Some(e),
            DropError::SelfCheck(e) => Some(e),
            DropError::NotSingleThreaded(_)
            | DropError::TargetIsRoot(_)
            | DropError::ParentGone { .. } => None,
        }
    }
}

/// Drops the calling process to `plan`, arms SIGTERM on parent death, and checks
/// the result in /proc/self/status. On [`DropError::ParentGone`] (and really on
/// any error) the caller must exit without doing its work.
pub fn drop_privileges(plan: &DropPlan) -> Result<(), DropError> {
    let parent = plan.parent.unwrap_or_else(getppid);
    let account = &plan.account;
    let threads = status::read_self().map_err(DropError::Status)?.threads;
    if threads != 1 {
        return Err(DropError::NotSingleThreaded(threads));
    }
    if account.uid.is_root() || account.gid.as_raw() == 0 {
        return Err(DropError::TargetIsRoot(account.name.clone()));
    }
    let keep = plan.role.capability_set();

    // The bounding set first: PR_CAPBSET_DROP needs CAP_SETPCAP, which goes
    // with the uid change. Only the capabilities this kernel knows can be
    // dropped; the self-check below catches any the `caps` crate cannot name.
    for cap in caps::runtime::thread_all_supported() {
        if !keep.contains(&cap) {
            caps::drop(None, CapSet::Bounding, cap).map_err(|e| DropError::BoundingSet(cap, e))?;
        }
    }
    // Nothing may be inherited across a later execve.
    caps::clear(None, CapSet::Ambient).map_err(DropError::ClearAmbient)?;
    caps::clear(None, CapSet::Inheritable).map_err(DropError::ClearInheritable)?;

    // Without KEEPCAPS, setresuid away from 0 empties the permitted set
    // (capabilities(7), "Effect of user ID changes on capabilities").
    prctl::set_keepcaps(!keep.is_empty()).map_err(DropError::KeepCaps)?;
    // Groups before gid before uid: each later step needs the root the earlier
    // one still has. All three ids of each kind, so the saved id cannot bring
    // root back.
    setgroups(&[]).map_err(DropError::SetGroups)?;
    let gid = account.gid;
    setresgid(gid, gid, gid).map_err(|e| DropError::SetResGid(gid.as_raw(), e))?;
    let uid = account.uid;
    setresuid(uid, uid, uid).map_err(|e| DropError::SetResUid(uid.as_raw(), e))?;
    prctl::set_keepcaps(false).map_err(DropError::KeepCaps)?;

    // The uid change cleared the effective set and kept the permitted one;
    // narrow permitted to the role (a capset may only shrink it), then raise
    // effective to match.
    caps::clear(None, CapSet::Effective).map_err(DropError::SetEffective)?;
    caps::set(None, CapSet::Permitted, &keep).map_err(DropError::SetPermitted)?;
    caps::set(None, CapSet::Effective, &keep).map_err(DropError::SetEffective)?;

    prctl::set_no_new_privs().map_err(DropError::NoNewPrivs)?;

    // After the uid change, not before: the kernel clears the parent-death
    // signal whenever the euid or egid changes (prctl(2), PR_SET_PDEATHSIG).
    prctl::set_pdeathsig(Signal::SIGTERM).map_err(DropError::ParentDeathSignal)?;
    // The usual race: a parent that died before the prctl will never signal.
    let now = getppid();
    if now != parent {
        return Err(DropError::ParentGone {
            expected: parent,
            now,
        });
    }

    let status = status::read_self().map_err(DropError::Status)?;
    verify::check(&status, &Expected::for_role(account, plan.role)).map_err(DropError::SelfCheck)
}
