//! The command line the supervisor starts vigil-vrrpd with:
//! `vigil-vrrpd --ipc-fd N --user NAME --supervisor-pid PID [--log-console]
//! [--log-detail] [--log-facility N] [--rlimit-rttime USECS]`.

use std::fmt;

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The inherited SOCK_SEQPACKET descriptor of the supervisor channel.
    pub ipc_fd: i32,
    /// The account to drop to.
    pub user: String,
    /// The supervisor's pid (parent-death race check, Hello).
    pub supervisor_pid: i32,
    /// Log to stderr instead of syslog.
    pub log_console: bool,
    /// Debug lines too.
    pub log_detail: bool,
    /// syslog LOCAL0..LOCAL7.
    pub log_facility: Option<u8>,
    /// `vrrp_rlimit_rttime` (with `vrrp_rt_priority`): set on itself at start.
    pub rlimit_rttime: Option<u32>,
}

/// A command line that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\nusage: vigil-vrrpd --ipc-fd N --user NAME --supervisor-pid PID [--log-console] [--log-detail] [--log-facility N] [--rlimit-rttime USECS]",
            self.0
        )
    }
}

impl std::error::Error for UsageError {}

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Args, UsageError> {
    let mut ipc_fd = None;
    let mut user = None;
    let mut pid = None;
    let mut out = Args {
        ipc_fd: -1,
        user: String::new(),
        supervisor_pid: 0,
        log_console: false,
        log_detail: false,
        log_facility: None,
        rlimit_rttime: None,
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| UsageError(format!("{name} needs a value")))
        };
        match a.as_str() {
            "--ipc-fd" => ipc_fd = Some(number(&value("--ipc-fd")?, "--ipc-fd")?),
            "--user" => user = Some(value("--user")?),
            "--supervisor-pid" => {
                pid = Some(number(&value("--supervisor-pid")?, "--supervisor-pid")?)
            }
            "--log-console" => out.log_console = true,
            "--log-detail" => out.log_detail = true,
            "--log-facility" => {
                let n = number(&value("--log-facility")?, "--log-facility")?;
                out.log_facility = Some(
                    u8::try_from(n)
                        .ok()
                        .filter(|n| *n <= 7)
                        .ok_or_else(|| UsageError(format!("--log-facility {n}: 0..7")))?,
                );
            }
            "--rlimit-rttime" => {
                let n = number(&value("--rlimit-rttime")?, "--rlimit-rttime")?;
                out.rlimit_rttime = Some(
                    u32::try_from(n)
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| UsageError(format!("--rlimit-rttime {n}: >= 1")))?,
                );
            }
            other => return Err(UsageError(format!("unknown argument {other}"))),
        }
    }
    out.ipc_fd = ipc_fd
        .filter(|fd| *fd >= 0)
        .ok_or_else(|| UsageError("--ipc-fd is required".into()))?;
    out.user = user.ok_or_else(|| UsageError("--user is required".into()))?;
    out.supervisor_pid = pid
        .filter(|p| *p > 0)
        .ok_or_else(|| UsageError("--supervisor-pid is required".into()))?;
    Ok(out)
}

fn number(s: &str, name: &str) -> Result<i32, UsageError> {
    s.parse()
        .map_err(|_| UsageError(format!("{name}: not a number: {s}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Args, UsageError> {
        parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn the_supervisor_s_command_line() {
        let a = args("--ipc-fd 3 --user nobody --supervisor-pid 42 --log-console --log-facility 2")
            .unwrap();
        assert_eq!(a.ipc_fd, 3);
        assert_eq!(a.user, "nobody");
        assert_eq!(a.supervisor_pid, 42);
        assert!(a.log_console && !a.log_detail);
        assert_eq!(a.log_facility, Some(2));
        assert!(args("--ipc-fd 3 --user nobody").is_err());
        assert!(args("--ipc-fd 3 --user nobody --supervisor-pid 1 --log-facility 9").is_err());
        assert!(args("--bogus").is_err());
        let rt = args("--ipc-fd 3 --user nobody --supervisor-pid 1 --rlimit-rttime 10000").unwrap();
        assert_eq!(rt.rlimit_rttime, Some(10_000));
        assert!(args("--ipc-fd 3 --user nobody --supervisor-pid 1 --rlimit-rttime 0").is_err());
    }
}
