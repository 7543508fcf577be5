//! The checker drops to its user with no capabilities before it talks to anyone.

mod common;

use common::Checkerd;

fn field<'a>(status: &'a str, name: &str) -> &'a str {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(':')))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {name} in /proc status"))
}

#[test]
fn runs_as_nobody_without_any_capability_and_with_no_new_privs() {
    let c = Checkerd::spawn();
    let nobody = nix::unistd::User::from_name("nobody")
        .expect("user database")
        .expect("user nobody");
    let s = c.proc_status();
    let uid = nobody.uid.as_raw().to_string();
    let uids: Vec<&str> = field(&s, "Uid").split_whitespace().collect();
    assert_eq!(
        uids,
        vec![uid.as_str(); 4],
        "real, effective, saved, fs uid"
    );
    for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        assert_eq!(field(&s, set), "0000000000000000", "{set}");
    }
    assert_eq!(field(&s, "NoNewPrivs"), "1");
    assert_eq!(field(&s, "Groups"), "", "no supplementary groups");
}

#[test]
fn unknown_user_exits_77() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigil-checkerd"))
        .args([
            "--ipc-fd",
            "3",
            "--user",
            "no-such-user-vigil-test",
            "--supervisor-pid",
            &std::process::id().to_string(),
            "--log-console",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(77));
}
