//! The arguments keepalived appends to a script, per kind of script.
//!
//! Only the generic `notify` script of a vrrp_instance or vrrp_sync_group and the
//! `*notify_fifo_script`s get extra arguments; every other script (notify_master,
//! notify_backup, notify_fault, notify_stop, notify_deleted, notify_master_rx_lower_pri,
//! notify_up, notify_down, quorum_up, quorum_down, vrrp_script, MISC_CHECK, startup and
//! shutdown scripts) runs with exactly the configured words.

use crate::argv::Argv;
use std::fmt;

/// A VRRP state as keepalived names it in notify arguments (always upper case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotifyState {
    /// "MASTER".
    Master,
    /// "BACKUP".
    Backup,
    /// "FAULT".
    Fault,
    /// "STOP" (instances only, on shutdown).
    Stop,
    /// "DELETED" (instances only, removed by a reload with `notify_deleted`).
    Deleted,
}

impl NotifyState {
    /// The word keepalived passes.
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyState::Master => "MASTER",
            NotifyState::Backup => "BACKUP",
            NotifyState::Fault => "FAULT",
            NotifyState::Stop => "STOP",
            NotifyState::Deleted => "DELETED",
        }
    }
}

impl fmt::Display for NotifyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a script is run, which decides the arguments appended to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptCall<'a> {
    /// Any script that gets no extra argument.
    Plain,
    /// The generic `notify` of a vrrp_instance: `INSTANCE name STATE priority`.
    Instance {
        /// The instance name.
        name: &'a str,
        /// The state entered.
        state: NotifyState,
        /// The effective priority.
        priority: u8,
    },
    /// The generic `notify` of a vrrp_sync_group: `GROUP name STATE 0`.
    Group {
        /// The group name.
        name: &'a str,
        /// The state entered.
        state: NotifyState,
    },
    /// A `notify_fifo_script`, `vrrp_notify_fifo_script` or `lvs_notify_fifo_script`:
    /// the FIFO's path as the last argument.
    Fifo {
        /// The FIFO path.
        path: &'a str,
    },
}

/// The words appended for `call`.
///
/// keepalived vrrp/vrrp_notify.c `notify_script_exec()`: "script {GROUP|INSTANCE} NAME
/// {MASTER|BACKUP|FAULT|STOP} PRIO ... the prio will be indicated as zero for a group";
/// keepalived.conf(5) global_defs: "The FIFO name will be passed to the script as the
/// last parameter" (lib/notify.c `add_script_param()`).
pub fn extra_args(call: ScriptCall<'_>) -> Vec<String> {
    match call {
        ScriptCall::Plain => Vec::new(),
        ScriptCall::Instance {
            name,
            state,
            priority,
        } => vec![
            "INSTANCE".into(),
            name.into(),
            state.as_str().into(),
            priority.to_string(),
        ],
        ScriptCall::Group { name, state } => vec![
            "GROUP".into(),
            name.into(),
            state.as_str().into(),
            "0".into(),
        ],
        ScriptCall::Fifo { path } => vec![path.into()],
    }
}

/// `base` with the arguments for `call` appended.
pub fn with_call_args(base: &Argv, call: ScriptCall<'_>) -> Argv {
    let mut a = base.clone();
    for w in extra_args(call) {
        a.push(w);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::argv::split_command;

    #[test]
    fn instance_notify_appends_four_words_vrrp_notify_c_notify_script_exec() {
        // Observed with keepalived 2.2.7: notify "/tmp/p.sh notify 'n a'" on stop ran
        // /tmp/p.sh notify 'n a' INSTANCE VI_1 STOP 100.
        let base = split_command("/tmp/p.sh notify 'n a'").unwrap();
        let a = with_call_args(
            &base,
            ScriptCall::Instance {
                name: "VI_1",
                state: NotifyState::Stop,
                priority: 100,
            },
        );
        let words: Vec<&[u8]> = a.bytes().iter().map(|w| w.as_slice()).collect();
        assert_eq!(
            words,
            [
                &b"/tmp/p.sh"[..],
                b"notify",
                b"n a",
                b"INSTANCE",
                b"VI_1",
                b"STOP",
                b"100"
            ]
        );
    }

    #[test]
    fn group_notify_priority_is_zero_keepalived_conf5_notify() {
        let e = extra_args(ScriptCall::Group {
            name: "G1",
            state: NotifyState::Master,
        });
        assert_eq!(e, ["GROUP", "G1", "MASTER", "0"]);
    }

    #[test]
    fn states_are_upper_case_keepalived_conf5_notify() {
        let all = [
            (NotifyState::Master, "MASTER"),
            (NotifyState::Backup, "BACKUP"),
            (NotifyState::Fault, "FAULT"),
            (NotifyState::Stop, "STOP"),
            (NotifyState::Deleted, "DELETED"),
        ];
        for (s, w) in all {
            assert_eq!(s.to_string(), w);
        }
        let e = extra_args(ScriptCall::Instance {
            name: "x",
            state: NotifyState::Deleted,
            priority: 0,
        });
        assert_eq!(e, ["INSTANCE", "x", "DELETED", "0"]);
    }

    #[test]
    fn fifo_script_gets_the_fifo_last_add_script_param() {
        let base = split_command("/bin/fifo-reader -v").unwrap();
        let a = with_call_args(
            &base,
            ScriptCall::Fifo {
                path: "/run/k.fifo",
            },
        );
        assert_eq!(a.to_string(), "'/bin/fifo-reader' '-v' '/run/k.fifo'");
    }

    #[test]
    fn other_scripts_get_nothing_appended() {
        let base = split_command("/bin/chk 1").unwrap();
        assert_eq!(with_call_args(&base, ScriptCall::Plain), base);
    }
}
