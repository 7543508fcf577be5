//! Per-interface IP sysctls under /proc/sys/net/{ipv4,ipv6}/conf/IF/KEY.
//!
//! /proc/sys/net shows the network namespace of the calling thread, and writing these
//! files needs CAP_NET_ADMIN in that namespace (which vrrpd keeps), not root.

use crate::error::{errno_of, NetError};
use crate::link;
use std::io::Write;

/// Which protocol's configuration tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// /proc/sys/net/ipv4/conf.
    V4,
    /// /proc/sys/net/ipv6/conf.
    V6,
}

/// The file of one interface setting; the name and key are checked so that nothing
/// outside the conf tree can be named ("all" and "default" are accepted).
pub fn path(family: Family, ifname: &str, key: &str) -> Result<String, NetError> {
    link::check_name(ifname).map_err(|reason| NetError::Invalid {
        object: format!("interface {ifname:?}"),
        reason,
    })?;
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(NetError::Invalid {
            object: format!("sysctl key {key:?}"),
            reason: "a key is made of a-z, 0-9 and _".into(),
        });
    }
    let tree = match family {
        Family::V4 => "ipv4",
        Family::V6 => "ipv6",
    };
    Ok(format!("/proc/sys/net/{tree}/conf/{ifname}/{key}"))
}

/// Writes `value` to /proc/sys/net/{ipv4,ipv6}/conf/IFNAME/KEY.
pub fn set_interface(family: Family, ifname: &str, key: &str, value: &str) -> Result<(), NetError> {
    let path = path(family, ifname, key)?;
    if value.contains('\n') {
        return Err(NetError::Invalid {
            object: format!("value {value:?} for {path}"),
            reason: "one line only".into(),
        });
    }
    let err = |e: std::io::Error| NetError::Sysctl {
        path: path.clone(),
        op: "writing",
        errno: errno_of(&e),
    };
    // One write(2) of the whole value: sysctl handlers parse per write.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(err)?;
    f.write_all(format!("{value}\n").as_bytes()).map_err(err)?;
    Ok(())
}

/// Reads /proc/sys/net/{ipv4,ipv6}/conf/IFNAME/KEY, without the trailing newline.
pub fn get_interface(family: Family, ifname: &str, key: &str) -> Result<String, NetError> {
    let path = path(family, ifname, key)?;
    std::fs::read_to_string(&path)
        .map(|s| s.trim_end().to_string())
        .map_err(|e| NetError::Sysctl {
            path,
            op: "reading",
            errno: errno_of(&e),
        })
}

/// Whether IPv6 forwarding is on for the interface: an unsolicited NA then carries the
/// Router flag (RFC 4861 §4.4), as keepalived's get_ipv6_forwarding decides it.
pub fn ipv6_forwarding(ifname: &str) -> Result<bool, NetError> {
    Ok(get_interface(Family::V6, ifname, "forwarding")? != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_confined_to_the_conf_tree() {
        assert_eq!(
            path(Family::V4, "vrrp.7", "arp_ignore").expect("ok"),
            "/proc/sys/net/ipv4/conf/vrrp.7/arp_ignore"
        );
        assert_eq!(
            path(Family::V6, "all", "forwarding").expect("ok"),
            "/proc/sys/net/ipv6/conf/all/forwarding"
        );
        for (i, k) in [
            ("..", "x"),
            ("a/b", "x"),
            ("eth0", "../../../kernel/x"),
            ("eth0", ""),
            ("eth0", "Arp"),
        ] {
            assert!(path(Family::V4, i, k).is_err(), "{i} {k}");
        }
    }
}
