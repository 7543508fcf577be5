//! Running external programs as keepalived 2.2 does: vrrp_script, notify scripts,
//! MISC_CHECK, notify_up/down, quorum_up/down, startup/shutdown and FIFO scripts.
//!
//! Two steps, as in keepalived:
//! - at configuration load, [`ScriptPolicy::prepare`] splits the configured string into
//!   argv ([`argv`]), resolves the user ([`creds`]) and applies `enable_script_security`
//!   ([`security`]); a script that fails is dropped with a message, never run;
//! - at each event, [`PreparedScript::spawn`] starts it with the arguments for the event
//!   ([`notify_args`]), as its user, with a clean environment, stdin on /dev/null, output
//!   captured line by line, and a timeout ([`child`], [`timeout`]).
//!
//! No shell is involved, except for a script file that is not an executable format (no
//! `#!`) and for a redirection-only file test (`"</dev/tcp/..."`), which keepalived hands
//! to `/bin/sh -c` ([`shell`]).
//!
//! Environment: keepalived passes its own environment on to scripts (observed with
//! keepalived 2.2.7: a variable set when starting keepalived reaches the script). vigil
//! gives scripts only `PATH` ([`SCRIPT_PATH`]), so nothing from the supervisor's
//! environment leaks into a script.

// Tests may unwrap (STYLE: never on input from the network, IPC, files or users).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod argv;
pub mod child;
pub mod creds;
pub mod lines;
pub mod notify_args;
pub mod security;
pub mod shell;
mod spawn;
pub mod timeout;

pub use argv::{split_command, Argv, SplitError};
pub use child::{ScriptChild, Stream};
pub use creds::{CredError, Credentials, SystemUserDb, UserDb};
pub use notify_args::{NotifyState, ScriptCall};
pub use security::{ExecMode, FsView, RealFs, Refusal, Warning};
pub use timeout::{Outcome, DEFAULT_GRACE};

use std::fmt;
use std::io;
use std::time::Duration;
use vigil_config::model::common::Script;
use vigil_config::model::global::GlobalDefs;

/// The only environment variable a script gets.
pub const SCRIPT_PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";

/// Why a configured script will not run.
#[derive(Debug)]
pub enum PrepareError {
    /// The string cannot be split into argv.
    Split {
        /// The configured string.
        command: String,
        /// Why.
        error: SplitError,
    },
    /// Its user or group cannot be resolved.
    User {
        /// The configured string.
        command: String,
        /// Why.
        error: CredError,
    },
    /// The security checks refuse it.
    Refused(Refusal),
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrepareError::Split { command, error } => {
                write!(f, "unable to parse script '{command}': {error}")
            }
            PrepareError::User { command, error } => {
                write!(f, "script '{command}' cannot run: {error}")
            }
            PrepareError::Refused(r) => write!(f, "{r}"),
        }
    }
}

impl std::error::Error for PrepareError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PrepareError::Split { error, .. } => Some(error),
            PrepareError::User { error, .. } => Some(error),
            PrepareError::Refused(r) => Some(r),
        }
    }
}

/// The global script settings: the default user and `enable_script_security`.
#[derive(Debug)]
pub struct ScriptPolicy {
    default_user: Result<Credentials, CredError>,
    enforce: bool,
}

impl ScriptPolicy {
    /// From global_defs (`script_user`, `enable_script_security`); `ours` is the
    /// supervisor's own identity (the fallback default user, as in keepalived).
    pub fn new(global: &GlobalDefs, db: &dyn UserDb, ours: &Credentials) -> Self {
        let enforce = global.enable_script_security;
        ScriptPolicy {
            default_user: creds::default_script_user(
                db,
                global.script_user.as_ref(),
                enforce,
                ours,
            ),
            enforce,
        }
    }

    /// The identity of the running process, with its user name when known.
    pub fn current_credentials() -> Credentials {
        let uid = nix::unistd::geteuid();
        let user = nix::unistd::User::from_uid(uid)
            .ok()
            .flatten()
            .map(|u| u.name)
            .unwrap_or_else(|| uid.to_string());
        Credentials {
            user,
            uid: uid.as_raw(),
            gid: nix::unistd::getegid().as_raw(),
        }
    }

    /// The default user, or why there is none.
    pub fn default_user(&self) -> Result<&Credentials, &CredError> {
        self.default_user.as_ref()
    }

    /// Whether `enable_script_security` is on.
    pub fn enforcing(&self) -> bool {
        self.enforce
    }

    /// Splits, resolves and checks one configured script.
    pub fn prepare(
        &self,
        script: &Script,
        db: &dyn UserDb,
        fs: &dyn FsView,
    ) -> Result<PreparedScript, PrepareError> {
        let argv = split_command(&script.command).map_err(|error| PrepareError::Split {
            command: script.command.clone(),
            error,
        })?;
        let creds = creds::for_script(db, script, &self.default_user).map_err(|error| {
            PrepareError::User {
                command: script.command.clone(),
                error,
            }
        })?;
        let checked = security::check_script(fs, &argv, &creds, self.enforce, SCRIPT_PATH)
            .map_err(PrepareError::Refused)?;
        Ok(PreparedScript {
            argv: checked.argv,
            mode: checked.mode,
            creds,
            warnings: checked.warnings,
        })
    }
}

/// A script that passed the checks, ready to run any number of times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedScript {
    /// The argv (the program as found and resolved).
    pub argv: Argv,
    /// Direct exec or through the shell.
    pub mode: ExecMode,
    /// Who it runs as.
    pub creds: Credentials,
    /// Things to log once.
    pub warnings: Vec<Warning>,
}

impl PreparedScript {
    /// The argv and the file to execute for `call`.
    pub fn command_for(&self, call: ScriptCall<'_>) -> (std::ffi::OsString, Argv) {
        let argv = notify_args::with_call_args(&self.argv, call);
        match self.mode {
            ExecMode::Direct => (argv.program().to_os_string(), argv),
            ExecMode::Shell => (shell::SHELL.into(), shell::shell_argv(&argv)),
        }
    }

    /// Starts the script for `call`; `timeout` `None` never times out; the grace
    /// between SIGTERM and SIGKILL is [`DEFAULT_GRACE`] unless given.
    pub fn spawn(
        &self,
        call: ScriptCall<'_>,
        timeout: Option<Duration>,
        grace: Option<Duration>,
    ) -> io::Result<ScriptChild> {
        let (exec, argv) = self.command_for(call);
        let argv = argv.to_os_strings();
        let euid = nix::unistd::geteuid().as_raw();
        let egid = nix::unistd::getegid().as_raw();
        let ids = if euid != 0 && (self.creds.uid, self.creds.gid) == (euid, egid) {
            None
        } else {
            Some((self.creds.uid, self.creds.gid))
        };
        let child = spawn::spawn(&spawn::Spec {
            exec: &exec,
            argv: &argv,
            env: &[("PATH", SCRIPT_PATH)],
            ids,
        })?;
        ScriptChild::new(child, timeout, grace.unwrap_or(DEFAULT_GRACE))
    }
}
