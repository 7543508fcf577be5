//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use vigil_config::Config;
use vigil_ipc::frame::{Event, Session};
use vigil_ipc::Direction;

/// Sends `msg` from a fresh `Tx` session to a fresh receiving session after the
/// handshake, and returns what the receiver decoded.
pub fn through<Tx, Rx>(msg: &Tx, fds: usize) -> Tx
where
    Tx: Direction,
    Rx: Direction,
{
    let tx = Session::<Tx, Rx>::new(10);
    let mut rx = Session::<Rx, Tx>::new(20);
    match rx.receive(&tx.hello().unwrap(), 0).unwrap() {
        Event::Established(h) => {
            assert_eq!(h.role, Tx::FROM);
            assert_eq!(h.pid, 10);
        }
        other => panic!("expected the handshake, got {other:?}"),
    }
    let bytes = tx.encode(msg, fds).unwrap();
    assert!(bytes.len() <= vigil_ipc::MAX_MESSAGE_SIZE);
    match rx.receive(&bytes, fds).unwrap() {
        Event::Message(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// The repository's root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Loads a configuration from text; panics on errors.
pub fn config(text: &str) -> Config {
    let loaded = vigil_config::load_str(
        Path::new("test.conf"),
        text,
        &vigil_config::Options::default(),
    );
    assert!(
        loaded.is_valid(),
        "test configuration invalid: {:?}",
        loaded.diags
    );
    loaded.config
}

/// A configuration with one of most things, for validation tests.
pub const SAMPLE: &str = r#"
global_defs {
    router_id test
    enable_script_security
    script_user nobody
}
vrrp_script chk_a {
    script "/bin/true"
}
vrrp_script chk_b {
    script "/bin/false"
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
    notify_master "/bin/echo group master"
}
vrrp_sync_group G2 {
    group {
        VI_3
        VI_4
    }
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.0.2.10/24
    }
    track_script {
        chk_a
    }
    notify_master "/bin/echo master"
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority 90
    virtual_ipaddress {
        192.0.2.11/24
    }
    notify "/bin/echo any"
}
vrrp_instance VI_3 {
    interface eth0
    virtual_router_id 53
    virtual_ipaddress {
        192.0.2.12/24
    }
}
vrrp_instance VI_4 {
    interface eth0
    virtual_router_id 54
    virtual_ipaddress {
        192.0.2.13/24
    }
}
virtual_server 192.0.2.100 80 {
    lvs_sched rr
    lvs_method NAT
    protocol TCP
    quorum_up "/bin/echo up"
    sorry_server 198.51.100.99 80
    real_server 198.51.100.1 80 {
        weight 1
        notify_up "/bin/echo rs up"
        TCP_CHECK {
            connect_timeout 3
            bind_port 700
        }
        MISC_CHECK {
            misc_path "/bin/true"
        }
        PING_CHECK {
        }
    }
    real_server 198.51.100.2 80 {
        weight 2
        HTTP_GET {
            url {
                path /
            }
        }
    }
}
virtual_server 192.0.2.101 443 {
    lvs_sched rr
    lvs_method DR
    protocol TCP
    real_server 198.51.100.3 443 {
        TCP_CHECK {
        }
    }
}
"#;
