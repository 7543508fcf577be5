//! A diagnostic probe: exercises vigil-net with whatever privileges it was started
//! with, and reports. The integration tests run it as `nobody` with exactly
//! CAP_NET_RAW + CAP_NET_ADMIN (vrrpd's privileges), inside a test namespace that has
//! a veth `v0`.
//!
//! `vigil-net-probe full`: everything vrrpd does must work; exits 0.
//! `vigil-net-probe no-admin`: changes must fail with EPERM; exits 0 if they do.
//! `vigil-net-probe ro-proc`: with /proc/sys read-only, VMAC settings still apply.

use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use vigil_net::{gratuitous_arp, vmac, AddrSpec, Announcer, MacvlanMode, Monitor, NetError, Rtnl};

fn full() -> Result<(), NetError> {
    let mut r = Rtnl::open()?;
    let _monitor = Monitor::open()?;
    let parent = r.ifindex("v0")?;
    r.set_link_up(parent, true)?;
    let idx = r.add_macvlan("vrrp.9", parent, vmac(9, false), MacvlanMode::Private)?;
    // IPv4 settings over netlink, IPv6 off through /proc/sys: both as vrrpd does.
    vigil_net::vmac::apply_vmac(&mut r, idx)?;
    vigil_net::vmac::disable_ipv6("vrrp.9")?;
    let saved = vigil_net::vmac::apply_parent(&mut r, parent)?;
    r.set_link_up(idx, true)?;
    let spec = AddrSpec::new(idx, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9)), 24);
    r.add_address(&spec)?;
    let mut ann = Announcer::open(idx)?;
    ann.send(&gratuitous_arp(vmac(9, false), Ipv4Addr::new(192, 0, 2, 9)))?;
    r.del_address(&spec)?;
    vigil_net::vmac::restore_parent(&mut r, &saved)?;
    r.del_link(idx)?;
    Ok(())
}

/// With /proc/sys read-only: the IPv4 VMAC settings still go through (netlink), a
/// sysctl write fails with EROFS, named.
fn ro_proc() -> Result<(), String> {
    let mut r = Rtnl::open().map_err(|e| e.to_string())?;
    let parent = r.ifindex("v0").map_err(|e| e.to_string())?;
    let idx = r
        .add_macvlan("vrrp.9", parent, vmac(9, false), MacvlanMode::Private)
        .map_err(|e| e.to_string())?;
    vigil_net::vmac::apply_vmac(&mut r, idx).map_err(|e| e.to_string())?;
    match vigil_net::vmac::disable_ipv6("vrrp.9") {
        Err(e) if e.errno() == Some(nix::errno::Errno::EROFS) => {
            println!("sysctl refused as expected: {e}");
            Ok(())
        }
        other => Err(format!("expected EROFS, got {other:?}")),
    }
}

fn no_admin() -> Result<(), String> {
    let mut r = Rtnl::open().map_err(|e| e.to_string())?;
    let parent = r.ifindex("v0").map_err(|e| e.to_string())?;
    let spec = AddrSpec::new(parent, IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9)), 24);
    match r.add_address(&spec) {
        Err(e) if e.errno() == Some(nix::errno::Errno::EPERM) => {
            println!("refused as expected: {e}");
            Ok(())
        }
        other => Err(format!("expected EPERM, got {other:?}")),
    }
}

fn main() -> ExitCode {
    let mode = std::env::args().nth(1).unwrap_or_default();
    let uid = nix::unistd::geteuid();
    let result = match mode.as_str() {
        "full" => full().map_err(|e| e.to_string()),
        "no-admin" => no_admin(),
        "ro-proc" => ro_proc(),
        _ => Err("usage: vigil-net-probe full|no-admin|ro-proc".into()),
    };
    match result {
        Ok(()) => {
            println!("ok (euid {uid})");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("failed (euid {uid}): {e}");
            ExitCode::FAILURE
        }
    }
}
