//! One round trip per message kind: encode on the sending side, decode on the receiving
//! side after the handshake, compare.
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE/briefing)

mod common;

use common::through;
use std::net::{IpAddr, Ipv4Addr};
use vigil_config::model::bfd::BfdInstance;
use vigil_config::model::common::Script;
use vigil_config::model::global::{GlobalDefs, Statics};
use vigil_config::model::lvs::{
    RealServer, Service, Ssl, VirtualServer, VirtualServerGroup, VsgEntry,
};
use vigil_config::model::vrrp::{
    GarpGroup, Instance, InterfaceDelay, SyncGroup, TrackFile, TrackProcess, VrrpScript,
};
use vigil_ipc::msg::checker::{
    CheckerRef, IpvsChange, RealServerRef, RealServerStatus, SocketKind,
};
use vigil_ipc::msg::config::{CheckerItem, ConfigMsg, Counts, VrrpItem};
use vigil_ipc::msg::vrrp::{InstanceCounters, InstanceStatus, NotifyEvent, VrrpState};
use vigil_ipc::msg::{Nonce, ScriptOutcome};
use vigil_ipc::{FromChecker, FromVrrp, ToChecker, ToVrrp};

fn to_vrrp(m: ToVrrp) {
    assert_eq!(through::<ToVrrp, FromVrrp>(&m, 0), m);
}
fn from_vrrp(m: FromVrrp) {
    assert_eq!(through::<FromVrrp, ToVrrp>(&m, 0), m);
}
fn to_checker(m: ToChecker) {
    let fds = vigil_ipc::Direction::fd_count(&m);
    assert_eq!(through::<ToChecker, FromChecker>(&m, fds), m);
}
fn from_checker(m: FromChecker) {
    assert_eq!(through::<FromChecker, ToChecker>(&m, 0), m);
}

fn script(cmd: &str) -> Script {
    Script {
        command: cmd.into(),
        user: Some("nobody".into()),
        group: None,
    }
}

fn cref() -> CheckerRef {
    CheckerRef {
        server: RealServerRef { vs: 3, rs: 7 },
        checker: 1,
    }
}

// ----- supervisor -> vrrpd -----

#[test]
fn to_vrrp_config_begin() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Begin { generation: 42 }));
}

#[test]
fn to_vrrp_config_end() {
    to_vrrp(ToVrrp::Config(ConfigMsg::End {
        generation: u64::MAX,
        counts: Counts {
            instances: 10_000,
            vrrp_scripts: 3,
            ..Counts::default()
        },
    }));
}

#[test]
fn to_vrrp_config_fragment() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Fragment {
        last: true,
        bytes: vec![0xa5; 1000],
    }));
}

#[test]
fn to_vrrp_item_global() {
    let g = GlobalDefs {
        router_id: Some("lb1".into()),
        vrrp_strict: true,
        ..GlobalDefs::default()
    };
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::Global(Box::new(
        g,
    )))));
}

#[test]
fn to_vrrp_item_statics() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::Statics(Box::<
        Statics,
    >::default(
    )))));
}

#[test]
fn to_vrrp_item_script() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::Script {
        index: 2,
        script: Box::new(VrrpScript::new("chk", script("/usr/bin/check arg"))),
    })));
}

#[test]
fn to_vrrp_item_track_file() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::TrackFile {
        index: 0,
        file: Box::new(TrackFile {
            name: "tf".into(),
            file: "/run/tf".into(),
            weight: -10,
            weight_reverse: true,
            init: None,
        }),
    })));
}

#[test]
fn to_vrrp_item_track_process() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::TrackProcess {
        index: 1,
        process: Box::new(TrackProcess::new("tp", "haproxy")),
    })));
}

#[test]
fn to_vrrp_item_sync_group() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::SyncGroup {
        index: 0,
        group: Box::new(SyncGroup {
            name: "G".into(),
            members: vec!["VI_1".into(), "VI_2".into()],
            ..SyncGroup::default()
        }),
    })));
}

#[test]
fn to_vrrp_item_garp_group() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::GarpGroup {
        index: 0,
        group: Box::new(GarpGroup {
            interface: Some("eth0".into()),
            ..GarpGroup::default()
        }),
    })));
}

#[test]
fn to_vrrp_item_interface_delay() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::InterfaceDelay {
        index: 0,
        delay: Box::new(InterfaceDelay {
            interface: "eth1".into(),
            down: vigil_config::model::common::Timer::millis(500),
            up: None,
        }),
    })));
}

#[test]
fn to_vrrp_item_instance() {
    let mut i = Instance::new("VI_1");
    i.virtual_router_id = 51;
    i.interface = Some("eth0".into());
    i.notify.master = Some(script("/bin/echo"));
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::Instance {
        index: 9_999,
        instance: Box::new(i),
    })));
}

#[test]
fn to_vrrp_item_bfd() {
    to_vrrp(ToVrrp::Config(ConfigMsg::Item(VrrpItem::Bfd {
        index: 0,
        bfd: Box::new(BfdInstance {
            name: "b".into(),
            neighbor_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            ..BfdInstance::default()
        }),
    })));
}

#[test]
fn to_vrrp_script_result() {
    for outcome in [
        ScriptOutcome::Exited(0),
        ScriptOutcome::Exited(-1),
        ScriptOutcome::Signalled(9),
        ScriptOutcome::TimedOut,
        ScriptOutcome::NotRun,
    ] {
        to_vrrp(ToVrrp::ScriptResult { script: 5, outcome });
    }
}

#[test]
fn to_vrrp_ping() {
    to_vrrp(ToVrrp::Ping(Nonce(0xdead_beef)));
}

#[test]
fn to_vrrp_status_request() {
    to_vrrp(ToVrrp::StatusRequest { request: 3 });
}

#[test]
fn to_vrrp_shutdown() {
    to_vrrp(ToVrrp::Shutdown);
}

// ----- vrrpd -> supervisor -----

#[test]
fn from_vrrp_config_applied() {
    from_vrrp(FromVrrp::ConfigApplied { generation: 7 });
}

#[test]
fn from_vrrp_config_rejected() {
    from_vrrp(FromVrrp::ConfigRejected {
        generation: 7,
        reason: "interface eth9 does not exist".into(),
    });
}

#[test]
fn from_vrrp_pong() {
    from_vrrp(FromVrrp::Pong(Nonce(1)));
}

#[test]
fn from_vrrp_run_notify() {
    for event in [
        NotifyEvent::Master,
        NotifyEvent::Backup,
        NotifyEvent::Fault,
        NotifyEvent::Stop,
        NotifyEvent::Deleted,
        NotifyEvent::MasterRxLowerPri,
    ] {
        from_vrrp(FromVrrp::RunNotify {
            instance: 4,
            event,
            priority: 254,
        });
    }
}

#[test]
fn from_vrrp_run_group_notify() {
    from_vrrp(FromVrrp::RunGroupNotify {
        group: 1,
        event: NotifyEvent::Fault,
    });
}

#[test]
fn from_vrrp_run_script() {
    from_vrrp(FromVrrp::RunScript { script: 0 });
}

#[test]
fn from_vrrp_instance_status() {
    for state in [
        VrrpState::Init,
        VrrpState::Backup,
        VrrpState::Master,
        VrrpState::Fault,
        VrrpState::Stop,
    ] {
        from_vrrp(FromVrrp::InstanceStatus(InstanceStatus {
            instance: 2,
            state,
            priority: 100,
            master: Some("2001:db8::1".parse().unwrap()),
            counters: InstanceCounters {
                adverts_received: u64::MAX,
                auth_failures: 3,
                ..InstanceCounters::default()
            },
        }));
    }
}

#[test]
fn from_vrrp_status_end() {
    from_vrrp(FromVrrp::StatusEnd { request: 3 });
}

// ----- supervisor -> checkerd -----

#[test]
fn to_checker_config_begin_end() {
    to_checker(ToChecker::Config(ConfigMsg::Begin { generation: 1 }));
    to_checker(ToChecker::Config(ConfigMsg::End {
        generation: 1,
        counts: Counts {
            virtual_servers: 2,
            real_servers: 5,
            ..Counts::default()
        },
    }));
}

#[test]
fn to_checker_config_fragment() {
    to_checker(ToChecker::Config(ConfigMsg::Fragment {
        last: false,
        bytes: vec![1, 2, 3],
    }));
}

#[test]
fn to_checker_item_global() {
    to_checker(ToChecker::Config(ConfigMsg::Item(CheckerItem::Global(
        Box::default(),
    ))));
}

#[test]
fn to_checker_item_ssl() {
    to_checker(ToChecker::Config(ConfigMsg::Item(CheckerItem::Ssl(
        Box::new(Ssl {
            password: Some("secret".into()),
            ca: Some("/etc/ssl/ca.pem".into()),
            certificate: None,
            key: None,
        }),
    ))));
}

#[test]
fn to_checker_item_virtual_server_group() {
    to_checker(ToChecker::Config(ConfigMsg::Item(
        CheckerItem::VirtualServerGroup {
            index: 0,
            group: Box::new(VirtualServerGroup {
                name: "g".into(),
                entries: vec![VsgEntry::Fwmark {
                    mark: 7,
                    family: None,
                }],
            }),
        },
    )));
}

#[test]
fn to_checker_item_virtual_server() {
    to_checker(ToChecker::Config(ConfigMsg::Item(
        CheckerItem::VirtualServer {
            index: 1,
            server: Box::new(VirtualServer::new(Service::Fwmark(3))),
        },
    )));
}

#[test]
fn to_checker_item_real_server() {
    let vs = VirtualServer::new(Service::Fwmark(3));
    let rs = RealServer::inheriting(&vs, "198.51.100.1".parse().unwrap(), Some(80));
    to_checker(ToChecker::Config(ConfigMsg::Item(
        CheckerItem::RealServer {
            vs: 1,
            index: 0,
            server: Box::new(rs),
        },
    )));
}

#[test]
fn to_checker_item_bfd() {
    to_checker(ToChecker::Config(ConfigMsg::Item(CheckerItem::Bfd {
        index: 0,
        bfd: Box::default(),
    })));
}

#[test]
fn to_checker_misc_check_result() {
    to_checker(ToChecker::MiscCheckResult {
        target: cref(),
        outcome: ScriptOutcome::Exited(12),
    });
}

#[test]
fn to_checker_socket_carries_one_fd() {
    let m = ToChecker::Socket { request: 9 };
    assert_eq!(vigil_ipc::Direction::fd_count(&m), 1);
    to_checker(m);
}

#[test]
fn to_checker_socket_refused() {
    to_checker(ToChecker::SocketRefused {
        request: 9,
        reason: "EPERM".into(),
    });
}

#[test]
fn to_checker_ping_status_shutdown() {
    to_checker(ToChecker::Ping(Nonce(u64::MAX)));
    to_checker(ToChecker::StatusRequest { request: 0 });
    to_checker(ToChecker::Shutdown);
}

// ----- checkerd -> supervisor -----

#[test]
fn from_checker_config_ack() {
    from_checker(FromChecker::ConfigApplied { generation: 2 });
    from_checker(FromChecker::ConfigRejected {
        generation: 2,
        reason: "no".into(),
    });
}

#[test]
fn from_checker_pong() {
    from_checker(FromChecker::Pong(Nonce(5)));
}

#[test]
fn from_checker_run_misc_check() {
    from_checker(FromChecker::RunMiscCheck { target: cref() });
}

#[test]
fn from_checker_notify_real_server() {
    from_checker(FromChecker::NotifyRealServer {
        server: cref().server,
        up: false,
    });
}

#[test]
fn from_checker_notify_quorum() {
    from_checker(FromChecker::NotifyQuorum { vs: 0, up: true });
}

#[test]
fn from_checker_set_real_server() {
    for change in [
        IpvsChange::Add { weight: 5 },
        IpvsChange::SetWeight { weight: 0 },
        IpvsChange::Remove,
    ] {
        from_checker(FromChecker::SetRealServer {
            server: cref().server,
            change,
        });
    }
}

#[test]
fn from_checker_set_virtual_and_sorry_server() {
    from_checker(FromChecker::SetVirtualServer {
        vs: 1,
        present: true,
    });
    from_checker(FromChecker::SetSorryServer {
        vs: 1,
        present: false,
    });
}

#[test]
fn from_checker_socket_request() {
    from_checker(FromChecker::SocketRequest {
        request: 1,
        kind: SocketKind::IcmpEcho { target: cref() },
    });
    from_checker(FromChecker::SocketRequest {
        request: 2,
        kind: SocketKind::BoundSource { target: cref() },
    });
}

#[test]
fn from_checker_real_server_status() {
    from_checker(FromChecker::RealServerStatus(RealServerStatus {
        server: cref().server,
        healthy: true,
        weight: 10,
        failed_checkers: 0,
        checks_run: 100,
        checks_failed: 1,
    }));
}

#[test]
fn from_checker_status_end() {
    from_checker(FromChecker::StatusEnd { request: 8 });
}

#[test]
fn directions_pair_up() {
    use vigil_ipc::{Direction, Role};
    assert_eq!((ToVrrp::FROM, ToVrrp::TO), (Role::Supervisor, Role::Vrrp));
    assert_eq!(
        (FromVrrp::FROM, FromVrrp::TO),
        (Role::Vrrp, Role::Supervisor)
    );
    assert_eq!(
        (ToChecker::FROM, ToChecker::TO),
        (Role::Supervisor, Role::Checker)
    );
    assert_eq!(
        (FromChecker::FROM, FromChecker::TO),
        (Role::Checker, Role::Supervisor)
    );
}
