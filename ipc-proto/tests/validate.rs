//! The supervisor refuses child requests that name undeclared objects, objects of the
//! wrong kind, or values out of range (DESIGN.md: requests from a child are untrusted
//! input; relayd's parent resolves a child's request against its own configuration).
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE/briefing)

mod common;

use common::{config, SAMPLE};
use vigil_ipc::msg::checker::{
    CheckerRef, IpvsChange, RealServerRef, RealServerStatus, SocketKind,
};
use vigil_ipc::msg::vrrp::{InstanceCounters, InstanceStatus, NotifyEvent, VrrpState};
use vigil_ipc::msg::Nonce;
use vigil_ipc::validate::{from_checker, from_vrrp, Context, Refusal};
use vigil_ipc::{FromChecker, FromVrrp};

fn ctx(c: &vigil_config::Config) -> Context<'_> {
    Context {
        config: c,
        awaiting: Some(5),
    }
}

fn rs(vs: u32, rs: u32) -> RealServerRef {
    RealServerRef { vs, rs }
}

fn ck(vs: u32, r: u32, checker: u32) -> CheckerRef {
    CheckerRef {
        server: rs(vs, r),
        checker,
    }
}

#[test]
fn sample_has_the_shape_the_tests_assume() {
    let c = config(SAMPLE);
    assert_eq!(c.vrrp.instances.len(), 4);
    assert_eq!(c.vrrp.scripts.len(), 2);
    assert_eq!(c.vrrp.sync_groups.len(), 2);
    assert_eq!(c.lvs.virtual_servers.len(), 2);
    assert_eq!(c.lvs.virtual_servers[0].real_servers.len(), 2);
    assert_eq!(c.lvs.virtual_servers[0].real_servers[0].checkers.len(), 3);
}

#[test]
fn vrrp_notify_for_declared_instance_and_script_is_accepted() {
    let c = config(SAMPLE);
    let ok = |instance, event| {
        from_vrrp(
            &FromVrrp::RunNotify {
                instance,
                event,
                priority: 100,
            },
            &ctx(&c),
        )
    };
    assert_eq!(ok(0, NotifyEvent::Master), Ok(()));
    // VI_2 has only the generic `notify`, which runs for every state.
    assert_eq!(ok(1, NotifyEvent::Fault), Ok(()));
    assert_eq!(ok(1, NotifyEvent::Stop), Ok(()));
}

#[test]
fn vrrp_notify_for_undeclared_instance_is_refused() {
    let c = config(SAMPLE);
    let r = from_vrrp(
        &FromVrrp::RunNotify {
            instance: 4,
            event: NotifyEvent::Master,
            priority: 100,
        },
        &ctx(&c),
    );
    assert_eq!(
        r,
        Err(Refusal::NoSuch {
            what: "vrrp_instance".into(),
            index: 4,
            declared: 4
        })
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "no vrrp_instance #4 (4 declared)"
    );
    // u32::MAX must not wrap or panic anywhere.
    assert!(from_vrrp(
        &FromVrrp::RunNotify {
            instance: u32::MAX,
            event: NotifyEvent::Backup,
            priority: 0
        },
        &ctx(&c)
    )
    .is_err());
}

#[test]
fn vrrp_notify_without_configured_script_is_refused() {
    let c = config(SAMPLE);
    // VI_1 has notify_master only.
    let r = from_vrrp(
        &FromVrrp::RunNotify {
            instance: 0,
            event: NotifyEvent::Backup,
            priority: 100,
        },
        &ctx(&c),
    );
    assert_eq!(
        r.unwrap_err().to_string(),
        "vrrp_instance VI_1 has no notify_backup nor notify"
    );
    let r = from_vrrp(
        &FromVrrp::RunNotify {
            instance: 0,
            event: NotifyEvent::MasterRxLowerPri,
            priority: 100,
        },
        &ctx(&c),
    );
    assert!(matches!(
        r,
        Err(Refusal::NoScript {
            script: "notify_master_rx_lower_pri",
            ..
        })
    ));
}

#[test]
fn vrrp_group_notify_is_checked() {
    let c = config(SAMPLE);
    let v = |group, event| from_vrrp(&FromVrrp::RunGroupNotify { group, event }, &ctx(&c));
    assert_eq!(v(0, NotifyEvent::Master), Ok(()));
    assert!(matches!(
        v(1, NotifyEvent::Master),
        Err(Refusal::NoScript { .. })
    ));
    assert!(matches!(
        v(2, NotifyEvent::Master),
        Err(Refusal::NoSuch { .. })
    ));
    // notify_deleted exists for instances only (keepalived.conf(5)).
    assert!(matches!(
        v(0, NotifyEvent::Deleted),
        Err(Refusal::EventNotApplicable { .. })
    ));
}

#[test]
fn vrrp_run_script_index_is_checked() {
    let c = config(SAMPLE);
    assert_eq!(
        from_vrrp(&FromVrrp::RunScript { script: 1 }, &ctx(&c)),
        Ok(())
    );
    assert!(matches!(
        from_vrrp(&FromVrrp::RunScript { script: 2 }, &ctx(&c)),
        Err(Refusal::NoSuch { declared: 2, .. })
    ));
}

#[test]
fn vrrp_status_for_undeclared_instance_is_refused() {
    let c = config(SAMPLE);
    let st = |instance| {
        FromVrrp::InstanceStatus(InstanceStatus {
            instance,
            state: VrrpState::Master,
            priority: 100,
            master: None,
            counters: InstanceCounters::default(),
        })
    };
    assert_eq!(from_vrrp(&st(1), &ctx(&c)), Ok(()));
    assert!(from_vrrp(&st(7), &ctx(&c)).is_err());
}

#[test]
fn acknowledgement_of_unexpected_generation_is_refused() {
    let c = config(SAMPLE);
    assert_eq!(
        from_vrrp(&FromVrrp::ConfigApplied { generation: 5 }, &ctx(&c)),
        Ok(())
    );
    assert_eq!(
        from_vrrp(&FromVrrp::ConfigApplied { generation: 4 }, &ctx(&c)),
        Err(Refusal::UnexpectedGeneration {
            generation: 4,
            awaiting: Some(5)
        })
    );
    let idle = Context {
        config: &c,
        awaiting: None,
    };
    assert!(from_checker(
        &FromChecker::ConfigRejected {
            generation: 5,
            reason: String::new()
        },
        &idle
    )
    .is_err());
    assert_eq!(from_vrrp(&FromVrrp::Pong(Nonce(1)), &idle), Ok(()));
}

#[test]
fn misc_check_must_name_a_misc_check() {
    let c = config(SAMPLE);
    let v = |t| from_checker(&FromChecker::RunMiscCheck { target: t }, &ctx(&c));
    assert_eq!(v(ck(0, 0, 1)), Ok(()));
    let r = v(ck(0, 0, 0));
    assert_eq!(
        r,
        Err(Refusal::WrongCheckerKind {
            target: ck(0, 0, 0),
            expected: "MISC_CHECK",
            found: "TCP_CHECK"
        })
    );
    assert!(matches!(
        v(ck(0, 0, 3)),
        Err(Refusal::NoSuch { declared: 3, .. })
    ));
    assert!(matches!(
        v(ck(0, 2, 0)),
        Err(Refusal::NoSuch { declared: 2, .. })
    ));
    assert!(matches!(
        v(ck(2, 0, 0)),
        Err(Refusal::NoSuch { declared: 2, .. })
    ));
}

#[test]
fn real_server_notify_needs_its_script() {
    let c = config(SAMPLE);
    let v = |server, up| from_checker(&FromChecker::NotifyRealServer { server, up }, &ctx(&c));
    assert_eq!(v(rs(0, 0), true), Ok(()));
    assert_eq!(
        v(rs(0, 0), false).unwrap_err().to_string(),
        "real server #0 of virtual server #0 has no notify_down"
    );
    assert!(matches!(v(rs(1, 1), true), Err(Refusal::NoSuch { .. })));
}

#[test]
fn quorum_notify_needs_its_script() {
    let c = config(SAMPLE);
    let v = |vs, up| from_checker(&FromChecker::NotifyQuorum { vs, up }, &ctx(&c));
    assert_eq!(v(0, true), Ok(()));
    assert!(matches!(
        v(0, false),
        Err(Refusal::NoScript {
            script: "quorum_down",
            ..
        })
    ));
    assert!(matches!(v(1, true), Err(Refusal::NoScript { .. })));
    assert!(matches!(v(5, true), Err(Refusal::NoSuch { .. })));
}

#[test]
fn ipvs_weight_is_range_checked() {
    // IPVS weights are signed 32-bit; keepalived caps weight at INT32_MAX.
    let c = config(SAMPLE);
    let v = |server, change| from_checker(&FromChecker::SetRealServer { server, change }, &ctx(&c));
    assert_eq!(
        v(
            rs(0, 1),
            IpvsChange::Add {
                weight: 0x7fff_ffff
            }
        ),
        Ok(())
    );
    assert_eq!(
        v(
            rs(0, 1),
            IpvsChange::SetWeight {
                weight: 0x8000_0000
            }
        ),
        Err(Refusal::OutOfRange {
            what: "weight",
            value: 0x8000_0000,
            max: 0x7fff_ffff
        })
    );
    assert_eq!(v(rs(1, 0), IpvsChange::Remove), Ok(()));
    assert!(matches!(
        v(rs(1, 1), IpvsChange::Remove),
        Err(Refusal::NoSuch { .. })
    ));
}

#[test]
fn sorry_server_and_virtual_server_changes_are_checked() {
    let c = config(SAMPLE);
    let sorry = |vs| from_checker(&FromChecker::SetSorryServer { vs, present: true }, &ctx(&c));
    assert_eq!(sorry(0), Ok(()));
    assert_eq!(sorry(1), Err(Refusal::NoSorryServer { vs: 1 }));
    let vsc = |vs| {
        from_checker(
            &FromChecker::SetVirtualServer { vs, present: false },
            &ctx(&c),
        )
    };
    assert_eq!(vsc(1), Ok(()));
    assert!(vsc(2).is_err());
}

#[test]
fn socket_requests_must_match_the_declared_checker() {
    let c = config(SAMPLE);
    let req = |kind| from_checker(&FromChecker::SocketRequest { request: 1, kind }, &ctx(&c));
    assert_eq!(
        req(SocketKind::IcmpEcho {
            target: ck(0, 0, 2)
        }),
        Ok(())
    );
    assert!(matches!(
        req(SocketKind::IcmpEcho {
            target: ck(0, 0, 0)
        }),
        Err(Refusal::WrongCheckerKind {
            expected: "PING_CHECK",
            found: "TCP_CHECK",
            ..
        })
    ));
    // TCP_CHECK with bind_port 700: a privileged source.
    assert_eq!(
        req(SocketKind::BoundSource {
            target: ck(0, 0, 0)
        }),
        Ok(())
    );
    // HTTP_GET without bind_port / bind_if: the checker can open that itself.
    assert_eq!(
        req(SocketKind::BoundSource {
            target: ck(0, 1, 0)
        }),
        Err(Refusal::NoPrivilegedSource {
            target: ck(0, 1, 0)
        })
    );
    // MISC_CHECK has no connection at all.
    assert!(req(SocketKind::BoundSource {
        target: ck(0, 0, 1)
    })
    .is_err());
}

#[test]
fn real_server_status_is_checked() {
    let c = config(SAMPLE);
    let st = |server, weight| {
        from_checker(
            &FromChecker::RealServerStatus(RealServerStatus {
                server,
                healthy: true,
                weight,
                failed_checkers: 0,
                checks_run: 0,
                checks_failed: 0,
            }),
            &ctx(&c),
        )
    };
    assert_eq!(st(rs(1, 0), 1), Ok(()));
    assert!(st(rs(1, 1), 1).is_err());
    assert!(st(rs(1, 0), u32::MAX).is_err());
}
