//! /proc/PID/status: the credential and capability lines, parsed into a struct.
//!
//! Field formats are those of proc(5) and fs/proc/array.c: `Uid:`/`Gid:` carry
//! real, effective, saved and filesystem ids; `Cap*:` a 16-digit hex mask;
//! `NoNewPrivs:` 0 or 1; `Seccomp:` 0 (off), 1 (strict) or 2 (filter).

use crate::capmask::CapMask;
use nix::unistd::Pid;
use std::fmt;
use std::io;
use std::path::PathBuf;

/// The seccomp mode of a process (`Seccomp:` line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeccompMode {
    /// SECCOMP_MODE_DISABLED (0).
    Disabled,
    /// SECCOMP_MODE_STRICT (1).
    Strict,
    /// SECCOMP_MODE_FILTER (2).
    Filter,
}

impl fmt::Display for SeccompMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SeccompMode::Disabled => "disabled",
            SeccompMode::Strict => "strict",
            SeccompMode::Filter => "filter",
        })
    }
}

/// The privilege-related content of /proc/PID/status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcStatus {
    /// Real, effective, saved set and filesystem uid.
    pub uid: [u32; 4],
    /// Real, effective, saved set and filesystem gid.
    pub gid: [u32; 4],
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// Number of threads in the process.
    pub threads: u32,
    /// Inheritable capabilities.
    pub cap_inh: CapMask,
    /// Permitted capabilities.
    pub cap_prm: CapMask,
    /// Effective capabilities.
    pub cap_eff: CapMask,
    /// Bounding set.
    pub cap_bnd: CapMask,
    /// Ambient capabilities.
    pub cap_amb: CapMask,
    /// Whether PR_SET_NO_NEW_PRIVS is set.
    pub no_new_privs: bool,
    /// Seccomp mode.
    pub seccomp: SeccompMode,
}

/// Why a status file could not be read or understood.
#[derive(Debug)]
pub enum StatusError {
    /// The file could not be read (the process may be gone).
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// A required line is absent.
    Missing(&'static str),
    /// A line has a value that does not parse.
    Invalid {
        /// The field name.
        field: &'static str,
        /// The value as found.
        value: String,
    },
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusError::Read { path, source } => {
                write!(f, "cannot read {}: {source}", path.display())
            }
            StatusError::Missing(field) => write!(f, "process status has no {field}: line"),
            StatusError::Invalid { field, value } => {
                write!(f, "process status has an invalid {field}: line: {value:?}")
            }
        }
    }
}

impl std::error::Error for StatusError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StatusError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads and parses /proc/PID/status.
pub fn read(pid: Pid) -> Result<ProcStatus, StatusError> {
    read_path(PathBuf::from(format!("/proc/{pid}/status")))
}

/// Reads and parses /proc/self/status.
pub fn read_self() -> Result<ProcStatus, StatusError> {
    read_path(PathBuf::from("/proc/self/status"))
}

fn read_path(path: PathBuf) -> Result<ProcStatus, StatusError> {
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text),
        Err(source) => Err(StatusError::Read { path, source }),
    }
}

/// Parses the text of a status file.
pub fn parse(text: &str) -> Result<ProcStatus, StatusError> {
    let field = |name: &'static str| -> Result<&str, StatusError> {
        text.lines()
            .find_map(|line| {
                let (key, value) = line.split_once(':')?;
                (key == name).then_some(value.trim())
            })
            .ok_or(StatusError::Missing(name))
    };
    let invalid = |field: &'static str, value: &str| StatusError::Invalid {
        field,
        value: value.to_string(),
    };
    let ids = |name: &'static str| -> Result<[u32; 4], StatusError> {
        let value = field(name)?;
        let parsed: Vec<u32> = value
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| invalid(name, value))?;
        parsed.try_into().map_err(|_| invalid(name, value))
    };
    let mask = |name: &'static str| -> Result<CapMask, StatusError> {
        let value = field(name)?;
        CapMask::parse_hex(value).ok_or_else(|| invalid(name, value))
    };
    let number = |name: &'static str| -> Result<u32, StatusError> {
        let value = field(name)?;
        value.parse().map_err(|_| invalid(name, value))
    };

    let groups_value = field("Groups")?;
    let groups = groups_value
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| invalid("Groups", groups_value))?;
    let no_new_privs = match number("NoNewPrivs")? {
        0 => false,
        1 => true,
        _ => return Err(invalid("NoNewPrivs", field("NoNewPrivs")?)),
    };
    let seccomp = match number("Seccomp")? {
        0 => SeccompMode::Disabled,
        1 => SeccompMode::Strict,
        2 => SeccompMode::Filter,
        _ => return Err(invalid("Seccomp", field("Seccomp")?)),
    };
    Ok(ProcStatus {
        uid: ids("Uid")?,
        gid: ids("Gid")?,
        groups,
        threads: number("Threads")?,
        cap_inh: mask("CapInh")?,
        cap_prm: mask("CapPrm")?,
        cap_eff: mask("CapEff")?,
        cap_bnd: mask("CapBnd")?,
        cap_amb: mask("CapAmb")?,
        no_new_privs,
        seccomp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Taken from a real vrrpd-like process (Linux 6.x), abridged.
    const DROPPED: &str = "Name:\tvigil-vrrpd\nUmask:\t0022\nState:\tS (sleeping)\n\
        Tgid:\t4242\nPid:\t4242\nPPid:\t1\nUid:\t65534\t65534\t65534\t65534\n\
        Gid:\t65534\t65534\t65534\t65534\nFDSize:\t64\nGroups:\t\nThreads:\t1\n\
        SigQ:\t0/95368\nCapInh:\t0000000000000000\nCapPrm:\t0000000000003000\n\
        CapEff:\t0000000000003000\nCapBnd:\t0000000000003000\nCapAmb:\t0000000000000000\n\
        NoNewPrivs:\t1\nSeccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tthread vulnerable\n";

    #[test]
    fn parses_a_dropped_process() {
        let s = parse(DROPPED).unwrap();
        assert_eq!(s.uid, [65534; 4]);
        assert_eq!(s.gid, [65534; 4]);
        assert!(s.groups.is_empty());
        assert_eq!(s.threads, 1);
        assert_eq!(s.cap_inh, CapMask::EMPTY);
        assert_eq!(s.cap_prm, CapMask(0x3000));
        assert_eq!(s.cap_eff, CapMask(0x3000));
        assert_eq!(s.cap_bnd, CapMask(0x3000));
        assert_eq!(s.cap_amb, CapMask::EMPTY);
        assert!(s.no_new_privs);
        assert_eq!(s.seccomp, SeccompMode::Disabled);
    }

    #[test]
    fn seccomp_filters_line_is_not_taken_for_seccomp() {
        // "Seccomp_filters:" shares the prefix; keys must match whole.
        let text = DROPPED.replace(
            "Seccomp:\t0\nSeccomp_filters:\t0",
            "Seccomp_filters:\t2\nSeccomp:\t2",
        );
        assert_eq!(parse(&text).unwrap().seccomp, SeccompMode::Filter);
    }

    #[test]
    fn reads_groups() {
        let text = DROPPED.replace("Groups:\t\n", "Groups:\t4 27 100 \n");
        assert_eq!(parse(&text).unwrap().groups, vec![4, 27, 100]);
    }

    #[test]
    fn a_missing_field_is_named() {
        let text = DROPPED.replace("NoNewPrivs:\t1\n", "");
        assert!(matches!(
            parse(&text),
            Err(StatusError::Missing("NoNewPrivs"))
        ));
    }

    #[test]
    fn invalid_values_are_refused() {
        for (from, to, field) in [
            (
                "Uid:\t65534\t65534\t65534\t65534",
                "Uid:\t65534\t65534\t65534",
                "Uid",
            ),
            ("Gid:\t65534\t65534\t65534\t65534", "Gid:\t1 2 3 x", "Gid"),
            ("CapEff:\t0000000000003000", "CapEff:\tzz", "CapEff"),
            ("NoNewPrivs:\t1", "NoNewPrivs:\t7", "NoNewPrivs"),
            ("Seccomp:\t0\n", "Seccomp:\t3\n", "Seccomp"),
            ("Groups:\t\n", "Groups:\t-1\n", "Groups"),
        ] {
            let text = DROPPED.replace(from, to);
            match parse(&text) {
                Err(StatusError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn reads_own_status_for_real() {
        let s = read_self().unwrap();
        assert_eq!(s.uid[0], nix::unistd::getuid().as_raw());
        assert!(s.threads >= 1);
    }

    #[test]
    fn a_gone_process_is_a_read_error() {
        // Pid numbers stop below 2^22 on Linux (pid_max limit).
        let err = read(Pid::from_raw(i32::MAX)).unwrap_err();
        assert!(matches!(err, StatusError::Read { .. }), "{err}");
    }
}
