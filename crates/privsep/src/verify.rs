//! Checking a child's privileges from outside: what /proc says against what its
//! role allows. The supervisor kills a child for any difference (DESIGN.md).

use crate::capmask::CapMask;
use crate::role::Role;
use crate::status::{self, ProcStatus, SeccompMode, StatusError};
use crate::user::Account;
use nix::unistd::Pid;
use std::fmt;

/// What a dropped child's status must show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// All four uids (real, effective, saved, filesystem).
    pub uid: u32,
    /// All four gids.
    pub gid: u32,
    /// Permitted, effective and bounding sets, exactly.
    pub caps: CapMask,
    /// The seccomp mode, when the child is meant to install a filter; `None`
    /// leaves it unchecked.
    pub seccomp: Option<SeccompMode>,
}

impl Expected {
    /// The expectation for `role` running as `account`: no supplementary groups,
    /// inheritable and ambient empty, no_new_privs set.
    pub fn for_role(account: &Account, role: Role) -> Expected {
        Expected {
            uid: account.uid.as_raw(),
            gid: account.gid.as_raw(),
            caps: role.mask(),
            seccomp: None,
        }
    }
}

/// Which capability set a difference is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapSetName {
    /// CapInh.
    Inheritable,
    /// CapPrm.
    Permitted,
    /// CapEff.
    Effective,
    /// CapBnd.
    Bounding,
    /// CapAmb.
    Ambient,
}

impl fmt::Display for CapSetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CapSetName::Inheritable => "inheritable",
            CapSetName::Permitted => "permitted",
            CapSetName::Effective => "effective",
            CapSetName::Bounding => "bounding",
            CapSetName::Ambient => "ambient",
        })
    }
}

/// One way in which a child's privileges differ from its role's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// Some uid (real, effective, saved or filesystem) is not the expected one.
    Uid {
        /// The expected uid.
        expected: u32,
        /// Real, effective, saved and filesystem uid found.
        actual: [u32; 4],
    },
    /// Some gid is not the expected one.
    Gid {
        /// The expected gid.
        expected: u32,
        /// Real, effective, saved and filesystem gid found.
        actual: [u32; 4],
    },
    /// The child has supplementary groups.
    Groups(Vec<u32>),
    /// A capability set is not exactly the expected one.
    Caps {
        /// Which set.
        set: CapSetName,
        /// The expected set.
        expected: CapMask,
        /// The set found.
        actual: CapMask,
    },
    /// no_new_privs is not set.
    NoNewPrivs,
    /// The seccomp mode is not the expected one.
    Seccomp {
        /// The expected mode.
        expected: SeccompMode,
        /// The mode found.
        actual: SeccompMode,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::Uid { expected, actual } => {
                write!(
                    f,
                    "uid should be {expected}, is {actual:?} (real, effective, saved, fs)"
                )
            }
            Difference::Gid { expected, actual } => {
                write!(
                    f,
                    "gid should be {expected}, is {actual:?} (real, effective, saved, fs)"
                )
            }
            Difference::Groups(groups) => {
                write!(f, "should have no supplementary groups, has {groups:?}")
            }
            Difference::Caps {
                set,
                expected,
                actual,
            } => {
                write!(f, "{set} capabilities should be {expected}, are {actual}")?;
                let extra = actual.minus(*expected);
                if !extra.is_empty() {
                    write!(f, " (more than allowed: {extra})")?;
                }
                Ok(())
            }
            Difference::NoNewPrivs => f.write_str("no_new_privs is not set"),
            Difference::Seccomp { expected, actual } => {
                write!(f, "seccomp should be {expected}, is {actual}")
            }
        }
    }
}

/// Every difference between a status and an expectation; empty when they agree.
pub fn differences(actual: &ProcStatus, expected: &Expected) -> Vec<Difference> {
    let mut out = Vec::new();
    if actual.uid.iter().any(|&u| u != expected.uid) {
        out.push(Difference::Uid {
            expected: expected.uid,
            actual: actual.uid,
        });
    }
    if actual.gid.iter().any(|&g| g != expected.gid) {
        out.push(Difference::Gid {
            expected: expected.gid,
            actual: actual.gid,
        });
    }
    if !actual.groups.is_empty() {
        out.push(Difference::Groups(actual.groups.clone()));
    }
    let sets = [
        (CapSetName::Inheritable, actual.cap_inh, CapMask::EMPTY),
        (CapSetName::Permitted, actual.cap_prm, expected.caps),
        (CapSetName::Effective, actual.cap_eff, expected.caps),
        (CapSetName::Bounding, actual.cap_bnd, expected.caps),
        (CapSetName::Ambient, actual.cap_amb, CapMask::EMPTY),
    ];
    for (set, found, wanted) in sets {
        if found != wanted {
            out.push(Difference::Caps {
                set,
                expected: wanted,
                actual: found,
            });
        }
    }
    if !actual.no_new_privs {
        out.push(Difference::NoNewPrivs);
    }
    if let Some(wanted) = expected.seccomp {
        if actual.seccomp != wanted {
            out.push(Difference::Seccomp {
                expected: wanted,
                actual: actual.seccomp,
            });
        }
    }
    out
}

/// Why a process failed verification.
#[derive(Debug)]
pub enum VerifyError {
    /// Its status could not be read.
    Status(StatusError),
    /// Its privileges differ from the expectation (every difference listed).
    Mismatch(Vec<Difference>),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Status(e) => write!(f, "cannot check privileges: {e}"),
            VerifyError::Mismatch(diffs) => {
                f.write_str("privileges differ from the role's: ")?;
                for (i, d) in diffs.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{d}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for VerifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            VerifyError::Status(e) => Some(e),
            VerifyError::Mismatch(_) => None,
        }
    }
}

/// Reads /proc/PID/status and checks it against `expected`.
pub fn verify_pid(pid: Pid, expected: &Expected) -> Result<(), VerifyError> {
    let status = status::read(pid).map_err(VerifyError::Status)?;
    check(&status, expected)
}

/// Checks a parsed status against `expected`.
pub fn check(status: &ProcStatus, expected: &Expected) -> Result<(), VerifyError> {
    let diffs = differences(status, expected);
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(VerifyError::Mismatch(diffs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped(caps: CapMask) -> ProcStatus {
        ProcStatus {
            uid: [65534; 4],
            gid: [65534; 4],
            groups: vec![],
            threads: 1,
            cap_inh: CapMask::EMPTY,
            cap_prm: caps,
            cap_eff: caps,
            cap_bnd: caps,
            cap_amb: CapMask::EMPTY,
            no_new_privs: true,
            seccomp: SeccompMode::Disabled,
        }
    }

    fn expected(role: Role) -> Expected {
        Expected {
            uid: 65534,
            gid: 65534,
            caps: role.mask(),
            seccomp: None,
        }
    }

    #[test]
    fn a_correctly_dropped_child_passes() {
        for role in Role::ALL {
            assert_eq!(differences(&dropped(role.mask()), &expected(role)), vec![]);
        }
    }

    #[test]
    fn a_root_child_with_full_caps_shows_every_difference() {
        let full = CapMask(0x1ff_ffff_ffff);
        let mut s = dropped(full);
        s.uid = [0; 4];
        s.gid = [0; 4];
        s.groups = vec![0];
        s.cap_inh = full;
        s.cap_amb = CapMask(0x3000);
        s.no_new_privs = false;
        let diffs = differences(&s, &expected(Role::Checkerd));
        assert_eq!(diffs.len(), 9, "{diffs:?}");
        let text = VerifyError::Mismatch(diffs).to_string();
        assert!(text.contains("uid should be 65534"), "{text}");
        assert!(text.contains("no_new_privs is not set"), "{text}");
        assert!(text.contains("more than allowed: CAP_CHOWN"), "{text}");
    }

    #[test]
    fn only_the_saved_uid_left_as_root_is_caught() {
        // A setuid() that kept the saved uid 0 could regain root: all four count.
        let mut s = dropped(Role::Vrrpd.mask());
        s.uid = [65534, 65534, 0, 65534];
        assert_eq!(
            differences(&s, &expected(Role::Vrrpd)),
            vec![Difference::Uid {
                expected: 65534,
                actual: [65534, 65534, 0, 65534]
            }]
        );
    }

    #[test]
    fn fewer_caps_than_the_role_is_also_a_difference() {
        // A vrrpd without CAP_NET_ADMIN would fail later in confusing ways.
        let s = dropped(CapMask::of(&[caps::Capability::CAP_NET_RAW]));
        let diffs = differences(&s, &expected(Role::Vrrpd));
        assert_eq!(diffs.len(), 3);
        assert!(!diffs[0].to_string().contains("more than allowed"));
    }

    #[test]
    fn seccomp_is_checked_only_when_expected() {
        let s = dropped(CapMask::EMPTY);
        let mut e = expected(Role::Checkerd);
        assert!(differences(&s, &e).is_empty());
        e.seccomp = Some(SeccompMode::Filter);
        assert_eq!(
            differences(&s, &e),
            vec![Difference::Seccomp {
                expected: SeccompMode::Filter,
                actual: SeccompMode::Disabled
            }]
        );
    }
}
