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

use std::net::IpAddr;
use vigil_config::model::ipaddr::IpAddress;
use vigil_config::Config;

/// One address to remove: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The instance it belongs to, for log lines.
    pub instance: String,
    /// The interface: the address's own `dev`, else the instance's interface.
    pub interface: Option<String>,
    /// The address.
    pub addr: IpAddr,
    /// Its prefix length.
    pub prefix_len: u8,
}

fn target(instance: &str, default_if: Option<&str>, a: &IpAddress) -> Target {
    Target {
        instance: instance.to_string(),
        interface: a.dev.clone().or_else(|| default_if.map(str::to_string)),
        addr: a.addr.addr,
        prefix_len: a.addr.len,
    }
}

/// Every virtual address of every instance of `c` (pure).
pub fn targets(c: &Config) -> Vec<Target> {
    let mut out = Vec::new();
    for i in &c.vrrp.instances {
        let dflt = i.interface.as_deref();
        for a in i
            .virtual_ipaddresses
            .iter()
            .chain(&i.virtual_ipaddresses_excluded)
        {
            out.push(target(&i.name, dflt, a));
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
    let mut rtnl = match vigil_net::Rtnl::open() {
        Ok(r) => r,
        Err(e) => {
            log::error!("cannot remove the virtual addresses of the dead vrrp child: {e}");
            return;
        }
    };
    let mut removed = 0usize;
    for t in &targets {
        let Some(ifname) = &t.interface else {
            continue;
        };
        let ifindex = match rtnl.ifindex(ifname) {
            Ok(i) => i,
            // The interface is gone: so are its addresses.
            Err(_) => continue,
        };
        let spec = vigil_net::AddrSpec::new(ifindex, t.addr, t.prefix_len);
        match rtnl.del_address(&spec) {
            Ok(()) => removed += 1,
            Err(e) => log::error!(
                "({}) cannot remove {}/{} from {ifname}: {e}",
                t.instance,
                t.addr,
                t.prefix_len
            ),
        }
    }
    log::warn!(
        "vrrp child died: removed the {} configured virtual address(es) from the kernel \
         ({removed} handled); the restarted vrrpd starts as BACKUP",
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
            .map(|t| format!("{:?} {}/{}", t.interface, t.addr, t.prefix_len))
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
    fn no_instances_no_targets() {
        let mut c = Config::default();
        assert!(targets(&c).is_empty());
        c.vrrp.instances.push(Box::new(Instance::new("B")));
        assert!(targets(&c).is_empty());
    }
}
