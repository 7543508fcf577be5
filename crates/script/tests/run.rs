//! Running scripts for real (as root): user, environment, timeout, exit codes, output,
//! security refusals, argv exactness. Every file lives in a temporary directory that is
//! removed at the end, also on failure.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vigil_config::model::common::Script;
use vigil_config::model::global::GlobalDefs;
use vigil_script::{
    Outcome, PrepareError, PreparedScript, RealFs, Refusal, ScriptCall, ScriptPolicy, Stream,
    SystemUserDb,
};

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// A temporary directory usable by root scripts: root-owned, mode 0755 (tempfile makes
/// it 0700, which `nobody` cannot enter), under a root-owned /tmp with the sticky bit.
fn tmpdir() -> tempfile::TempDir {
    let d = tempfile::Builder::new()
        .prefix("vigil-script-")
        .tempdir_in("/tmp")
        .unwrap();
    fs::set_permissions(d.path(), fs::Permissions::from_mode(0o755)).unwrap();
    d
}

fn write_script(dir: &Path, name: &str, body: &str, mode: u32) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, body).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
    p
}

fn policy(script_user: Option<&str>, security: bool) -> ScriptPolicy {
    let g = GlobalDefs {
        enable_script_security: security,
        script_user: script_user.map(|u| vigil_config::model::global::ScriptUser {
            user: u.into(),
            group: None,
        }),
        ..GlobalDefs::default()
    };
    ScriptPolicy::new(&g, &SystemUserDb, &ScriptPolicy::current_credentials())
}

fn script(command: &str, user: Option<&str>) -> Script {
    Script {
        command: command.into(),
        user: user.map(Into::into),
        group: None,
    }
}

fn prepare(
    p: &ScriptPolicy,
    command: &str,
    user: Option<&str>,
) -> Result<PreparedScript, PrepareError> {
    p.prepare(&script(command, user), &SystemUserDb, &RealFs)
}

/// Runs to the end and returns (outcome, stdout lines, stderr lines).
fn run(
    s: &PreparedScript,
    call: ScriptCall<'_>,
    timeout: Option<Duration>,
    grace: Option<Duration>,
) -> (Outcome, Vec<String>, Vec<String>) {
    let child = s.spawn(call, timeout, grace).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let o = child
        .run_to_completion(&mut |st, l| match st {
            Stream::Stdout => out.push(l.to_string()),
            Stream::Stderr => err.push(l.to_string()),
        })
        .unwrap();
    (o, out, err)
}

#[test]
fn runs_as_nobody_with_only_its_group() {
    if !is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let d = tmpdir();
    let p = write_script(d.path(), "id.sh", "#!/bin/sh\nid -u\nid -g\nid -G\n", 0o755);
    let s = prepare(&policy(Some("nobody"), true), p.to_str().unwrap(), None).unwrap();
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    let (o, out, _) = run(&s, ScriptCall::Plain, Some(Duration::from_secs(20)), None);
    assert_eq!(o, Outcome::Exited(0));
    let gid = nobody.gid.as_raw().to_string();
    // keepalived set_script_env(): setgroups(1, &gid), so `id -G` is the one group.
    assert_eq!(out, [nobody.uid.as_raw().to_string(), gid.clone(), gid]);
}

#[test]
fn per_script_user_overrides_script_user() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let p = write_script(d.path(), "id.sh", "#!/bin/sh\nid -u\n", 0o755);
    let s = prepare(
        &policy(Some("nobody"), true),
        p.to_str().unwrap(),
        Some("root"),
    )
    .unwrap();
    let (_, out, _) = run(&s, ScriptCall::Plain, Some(Duration::from_secs(20)), None);
    assert_eq!(out, ["0"]);
}

#[test]
fn environment_is_clean_and_stdin_is_dev_null() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let p = write_script(
        d.path(),
        "env.sh",
        "#!/bin/sh\n/usr/bin/env\nreadlink /proc/self/fd/0 >&2\npwd >&2\n",
        0o755,
    );
    let s = prepare(&policy(None, false), p.to_str().unwrap(), None).unwrap();
    let (o, out, err) = run(&s, ScriptCall::Plain, Some(Duration::from_secs(20)), None);
    assert_eq!(o, Outcome::Exited(0));
    // /bin/sh (dash) itself adds PWD; nothing comes from the test's environment.
    let vars: Vec<&str> = out
        .iter()
        .map(|l| l.as_str())
        .filter(|l| !l.starts_with("PWD="))
        .collect();
    assert_eq!(vars, ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]);
    assert_eq!(err, ["/dev/null", "/"]);
}

#[test]
fn exit_codes_and_output_lines_are_reported() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let p = write_script(
        d.path(),
        "out.sh",
        "#!/bin/sh\necho one\necho two >&2\nprintf 'no newline'\nexit \"$1\"\n",
        0o755,
    );
    let pol = policy(None, false);
    for code in [0, 1, 3, 255] {
        let s = prepare(&pol, &format!("{} {code}", p.display()), None).unwrap();
        let (o, out, err) = run(&s, ScriptCall::Plain, Some(Duration::from_secs(20)), None);
        assert_eq!(o, Outcome::Exited(code));
        assert_eq!(o.success(), code == 0);
        assert_eq!(out, ["one", "no newline"]);
        assert_eq!(err, ["two"]);
    }
    // Death by a signal we did not send.
    let k = write_script(
        d.path(),
        "k.sh",
        "#!/bin/sh\nkill -USR1 $$\nsleep 5\n",
        0o755,
    );
    let s = prepare(&pol, k.to_str().unwrap(), None).unwrap();
    let (o, _, _) = run(&s, ScriptCall::Plain, Some(Duration::from_secs(20)), None);
    assert_eq!(
        o,
        Outcome::Signaled(nix::sys::signal::Signal::SIGUSR1 as i32)
    );
}

#[test]
fn timeout_sends_term() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let p = write_script(d.path(), "sleep.sh", "#!/bin/sh\nexec sleep 30\n", 0o755);
    let s = prepare(&policy(None, false), p.to_str().unwrap(), None).unwrap();
    let t0 = Instant::now();
    let (o, _, _) = run(
        &s,
        ScriptCall::Plain,
        Some(Duration::from_millis(500)),
        None,
    );
    let took = t0.elapsed();
    assert_eq!(o, Outcome::TimedOut { signal: 15 });
    assert!(took >= Duration::from_millis(500), "{took:?}");
    // Generous bound for a loaded machine; the script alone would take 30 s.
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn script_ignoring_term_is_killed_after_the_grace() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let marker = d.path().join("ready");
    let p = write_script(
        d.path(),
        "stubborn.sh",
        &format!(
            "#!/bin/sh\ntrap '' TERM\ntouch {}\nwhile :; do sleep 1; done\n",
            marker.display()
        ),
        0o755,
    );
    let s = prepare(&policy(None, false), p.to_str().unwrap(), None).unwrap();
    let t0 = Instant::now();
    let (o, _, _) = run(
        &s,
        ScriptCall::Plain,
        Some(Duration::from_millis(500)),
        Some(Duration::from_millis(500)),
    );
    let took = t0.elapsed();
    assert!(marker.exists(), "the trap was set before the timeout");
    assert_eq!(o, Outcome::TimedOut { signal: 9 });
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(took < Duration::from_secs(15), "{took:?}");
}

#[test]
fn timeout_kills_the_whole_process_group() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let pidfile = d.path().join("bg.pid");
    let p = write_script(
        d.path(),
        "bg.sh",
        &format!(
            "#!/bin/sh\nsleep 30 &\necho $! > {}\nwait\n",
            pidfile.display()
        ),
        0o755,
    );
    let s = prepare(&policy(None, false), p.to_str().unwrap(), None).unwrap();
    let (o, _, _) = run(
        &s,
        ScriptCall::Plain,
        Some(Duration::from_millis(500)),
        None,
    );
    assert!(matches!(o, Outcome::TimedOut { .. }), "{o:?}");
    let pid: i32 = fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The background sleep got the group signal; give the kernel a moment to reap it
    // (it is re-parented), generously.
    let gone = (0..100).any(|_| {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let dead = stat.is_empty() || stat.split(") ").nth(1).is_some_and(|r| r.starts_with('Z'));
        if !dead {
            std::thread::sleep(Duration::from_millis(50));
        }
        dead
    });
    assert!(gone, "background child {pid} survived");
}

#[test]
fn argv_is_exact_and_notify_arguments_are_appended() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let out = d.path().join("argv");
    let p = write_script(
        d.path(),
        "argv.sh",
        &format!(
            "#!/bin/sh\nprintf '%s\\0' \"$0\" \"$@\" > {}\n",
            out.display()
        ),
        0o755,
    );
    let cmd = format!(
        "{} a 'b c' \"d e\" f\\ g x\"y z\"w '' $HOME ; `id` * \\x41\\n",
        p.display()
    );
    let s = prepare(&policy(None, false), &cmd, None).unwrap();
    let (o, _, _) = run(
        &s,
        ScriptCall::Instance {
            name: "VI_1",
            state: vigil_script::NotifyState::Master,
            priority: 100,
        },
        Some(Duration::from_secs(20)),
        None,
    );
    assert_eq!(o, Outcome::Exited(0));
    let got = fs::read(&out).unwrap();
    let words: Vec<&[u8]> = got.split(|&b| b == 0).collect();
    let path = p.to_str().unwrap().as_bytes();
    let want: Vec<&[u8]> = vec![
        path,
        b"a",
        b"b c",
        b"d e",
        b"f g",
        b"xy zw",
        b"",
        b"$HOME",
        b";",
        b"`id`",
        b"*",
        b"A\n",
        b"INSTANCE",
        b"VI_1",
        b"MASTER",
        b"100",
        b"",
    ];
    assert_eq!(words, want);
}

#[test]
fn script_without_shebang_runs_through_the_shell() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let p = write_script(d.path(), "plain", "echo \"plain:$1:$2\"\n", 0o755);
    let s = prepare(
        &policy(None, false),
        &format!("{} 'a b' c", p.display()),
        None,
    )
    .unwrap();
    assert_eq!(s.mode, vigil_script::ExecMode::Shell);
    let (o, out, _) = run(&s, ScriptCall::Plain, Some(Duration::from_secs(20)), None);
    assert_eq!(o, Outcome::Exited(0));
    assert_eq!(out, ["plain:a b:c"]);
}

#[test]
fn root_script_in_world_writable_dir_is_refused() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let open = d.path().join("open");
    fs::create_dir(&open).unwrap();
    fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
    let p = write_script(&open, "chk.sh", "#!/bin/sh\nexit 0\n", 0o755);
    let e = prepare(&policy(Some("root"), true), p.to_str().unwrap(), None).unwrap_err();
    match &e {
        PrepareError::Refused(Refusal::Unsafe(u)) => assert_eq!(u.offending, open),
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains(open.to_str().unwrap()) && msg.contains("writable by everyone"),
        "{msg}"
    );
    // Without enable_script_security it runs, with a warning.
    let s = prepare(&policy(Some("root"), false), p.to_str().unwrap(), None).unwrap();
    assert_eq!(s.warnings.len(), 1);
    // Run as nobody the path does not matter.
    assert!(prepare(&policy(Some("nobody"), true), p.to_str().unwrap(), None).is_ok());
}

#[test]
fn root_script_writable_by_nobody_is_refused() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let p = write_script(d.path(), "chk.sh", "#!/bin/sh\nexit 0\n", 0o755);
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    nix::unistd::chown(&p, Some(nobody.uid), None).unwrap();
    let e = prepare(&policy(Some("root"), true), p.to_str().unwrap(), None).unwrap_err();
    match &e {
        PrepareError::Refused(Refusal::Unsafe(u)) => assert_eq!(u.offending, p),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("not root"), "{e}");
}

#[test]
fn missing_and_unexecutable_scripts_are_refused() {
    if !is_root() {
        return;
    }
    let d = tmpdir();
    let pol = policy(None, false);
    let missing = d.path().join("nope.sh");
    assert!(matches!(
        prepare(&pol, missing.to_str().unwrap(), None),
        Err(PrepareError::Refused(Refusal::NotFound { .. }))
    ));
    assert!(matches!(
        prepare(&pol, "no-such-program-vigil", None),
        Err(PrepareError::Refused(Refusal::NotInPath { .. }))
    ));
    let ro = write_script(d.path(), "ro.sh", "#!/bin/sh\n", 0o644);
    assert!(matches!(
        prepare(&pol, ro.to_str().unwrap(), None),
        Err(PrepareError::Refused(Refusal::NotExecutable { .. }))
    ));
    // Executable by root only: refused for nobody.
    let own = write_script(d.path(), "own.sh", "#!/bin/sh\n", 0o700);
    assert!(matches!(
        prepare(&pol, own.to_str().unwrap(), Some("nobody")),
        Err(PrepareError::Refused(Refusal::NotExecutable { .. }))
    ));
    assert!(matches!(
        prepare(&pol, "", None),
        Err(PrepareError::Split { .. })
    ));
}

#[test]
fn bare_name_found_in_path() {
    if !is_root() {
        return;
    }
    let s = prepare(&policy(None, false), "true x", None).unwrap();
    let prog = s.argv.program().to_str().unwrap().to_string();
    assert!(prog.ends_with("/true") && prog.starts_with('/'), "{prog}");
    assert_eq!(s.warnings.len(), 1);
    let (o, _, _) = run(&s, ScriptCall::Plain, Some(Duration::from_secs(20)), None);
    assert_eq!(o, Outcome::Exited(0));
}

#[test]
fn event_loop_api_reports_pid_and_fds() {
    if !is_root() {
        return;
    }
    let s = prepare(&policy(None, false), "/bin/echo hi", None).unwrap();
    let mut c = s.spawn(ScriptCall::Plain, None, None).unwrap();
    assert!(c.pid() > 0);
    assert!(c.fd(Stream::Stdout).is_some() && c.fd(Stream::Stderr).is_some());
    assert_eq!(c.next_wake(), None);
    let mut lines = Vec::new();
    let t0 = Instant::now();
    let o = loop {
        c.on_readable(Stream::Stdout, &mut |_, l| lines.push(l.to_string()))
            .unwrap();
        if let Some(o) = c.try_reap().unwrap() {
            break o;
        }
        assert!(t0.elapsed() < Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(10));
    };
    c.on_readable(Stream::Stdout, &mut |_, l| lines.push(l.to_string()))
        .unwrap();
    assert_eq!(o, Outcome::Exited(0));
    assert_eq!(lines, ["hi"]);
    // Dropping after the end does not block or signal anything.
    drop(c);
}
