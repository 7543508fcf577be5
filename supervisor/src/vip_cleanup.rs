//! The VIP rule: when vrrpd dies (anything but a clean exit after `Shutdown`), the
//! supervisor removes every configured virtual address — `virtual_ipaddress` and
//! `virtual_ipaddress_excluded` of every instance — from the kernel *before* the
//! restart delay starts.
//!
//! Why: a vrrpd that died holding MASTER can no longer advertise, so the peer takes
//! over after its master-down interval; if this node kept the addresses, both would
//! answer for them. Removing them at once means a node whose vrrpd is dead never holds
//! a VIP. The restarted vrrpd starts in BACKUP (its state machine's Initialize rules,
//! with the addresses absent) and takes them again only if the election says so. The
//! price is a short gap without the VIP when the dead master had the highest priority
//! and its peer needs its master-down interval to take over; keepalived avoids that gap
//! by respawning its VRRP child before the peer notices, which an unprivileged,
//! separately restarted vrrpd cannot promise.
//!
//! Removing an address that is not there is not an error (vrrpd may have been BACKUP).

use vigil_config::model::ipaddr::IpAddress;
use vigil_config::model::vrrp::Instance;
use vigil_config::Config;
use vigil_net::{vip, NetError, Rtnl};

/// One address to remove, as configured, with the interface it goes on by default.
#[derive(Debug, Clone, PartialEq)]
pub struct Target<'a> {
    /// The instance it belongs to, for log lines.
    pub instance: &'a str,
    /// The address as configured (its own `dev` wins over `default_if`).
    pub addr: &'a IpAddress,
    /// The instance's VMAC when `use_vmac`, else its interface.
    pub default_if: Option<String>,
}

/// The interface an instance's addresses go on when they name none: its VMAC (named
/// as vrrpd names it, `vmac_prefix` included), else its interface.
fn default_interface(i: &Instance, vmac_prefix: &str) -> Option<String> {
    i.vmac_ifname(vmac_prefix).or_else(|| i.interface.clone())
}

/// Every virtual address of every instance of `c` (pure).
pub fn targets(c: &Config) -> Vec<Target<'_>> {
    let mut out = Vec::new();
    for i in &c.vrrp.instances {
        let default_if = default_interface(i, &c.global.vmac_prefix);
        for a in i
            .virtual_ipaddresses
            .iter()
            .chain(&i.virtual_ipaddresses_excluded)
        {
            out.push(Target {
                instance: &i.name,
                addr: a,
                default_if: default_if.clone(),
            });
        }
    }
    out
}

/// Removes every virtual address of `c` from the kernel, logging each failure.
pub fn remove_all(c: &Config) {
    let targets = targets(c);
    if targets.is_empty() {
        return;
    }
    let mut rtnl = match Rtnl::open() {
        Ok(r) => r,
        Err(e) => {
            log::error!("cannot remove the virtual addresses of the dead vrrp child: {e}");
            return;
        }
    };
    let mut failed = 0usize;
    for t in &targets {
        let spec = match vip::addr_spec(&mut rtnl, t.addr, t.default_if.as_deref()) {
            Ok(s) => s,
            // The interface is gone (a VMAC vrrpd never made): so are its addresses.
            Err(NetError::NoSuchInterface { .. }) => continue,
            Err(e) => {
                failed += 1;
                log::error!("({}) cannot remove {}: {e}", t.instance, t.addr.addr);
                continue;
            }
        };
        // Absent is Ok: vrrpd may have been BACKUP.
        if let Err(e) = rtnl.del_address(&spec) {
            failed += 1;
            log::error!("({}) cannot remove {spec}: {e}", t.instance);
        }
    }
    log::warn!(
        "vrrp child died: removed the {} configured virtual address(es) from the kernel \
         ({failed} failed); the restarted vrrpd starts as BACKUP",
        targets.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_config::model::vrrp::Instance;

    #[test]
    fn both_lists_of_every_instance_with_their_interface() {
        let text = "vrrp_instance A {\n interface eth0\n virtual_router_id 1\n priority 100\n \
                    virtual_ipaddress {\n  192.0.2.10/24\n  192.0.2.11/24 dev eth1\n }\n \
                    virtual_ipaddress_excluded {\n  2001:db8::1/64\n }\n}\n";
        let dir = std::env::temp_dir().join(format!("vigil-vip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let f = dir.join("k.conf");
        std::fs::write(&f, text).expect("write");
        let (c, _) = crate::reload::load(&f, "x").expect("valid");
        let _ = std::fs::remove_dir_all(&dir);
        let t = targets(&c);
        let shown: Vec<String> = t
            .iter()
            .map(|t| {
                let dev = t.addr.dev.clone().or(t.default_if.clone());
                format!("{dev:?} {}/{}", t.addr.addr.addr, t.addr.addr.len)
            })
            .collect();
        assert_eq!(
            shown,
            [
                "Some(\"eth0\") 192.0.2.10/24",
                "Some(\"eth1\") 192.0.2.11/24",
                "Some(\"eth0\") 2001:db8::1/64"
            ]
        );
    }

    #[test]
    fn a_vmac_instance_s_addresses_are_on_its_vmac() {
        let mut i = Instance::new("V");
        i.virtual_router_id = 9;
        i.interface = Some("eth0".into());
        i.use_vmac = Some(vigil_config::model::vrrp::Vmac {
            name: None,
            mac: None,
        });
        assert_eq!(default_interface(&i, "vrrp").as_deref(), Some("vrrp.9"));
        // keepalived names it PREFIX.VRID with `vmac_prefix` (checked with 2.2.7).
        assert_eq!(default_interface(&i, "vx").as_deref(), Some("vx.9"));
    }

    #[test]
    fn no_instances_no_targets() {
        let mut c = Config::default();
        assert!(targets(&c).is_empty());
        c.vrrp.instances.push(Box::new(Instance::new("B")));
        assert!(targets(&c).is_empty());
    }
}
