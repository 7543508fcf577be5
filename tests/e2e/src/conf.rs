//! keepalived.conf texts for lab nodes, accepted alike by vigild and keepalived.

use std::fmt::Write;

/// The address family of a pair's instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// IPv4 on 192.0.2.0/24.
    V4,
    /// IPv6 on 2001:db8::/64.
    V6,
}

/// One VRRP instance as every node of a lab runs it; nodes differ in priority only.
#[derive(Debug, Clone)]
pub struct PairConf {
    /// VRRP version, 2 or 3.
    pub version: u8,
    /// `advert_int` as keepalived writes it ("1", "0.1").
    pub advert_int: String,
    /// Address family.
    pub family: Family,
    /// `virtual_router_id`.
    pub vrid: u8,
    /// v2 `auth_pass` (PASS authentication, or AH with `auth_ah`) when set.
    pub auth_pass: Option<String>,
    /// `auth_type AH` (IPsec AH, HMAC-MD5-96) instead of PASS.
    pub auth_ah: bool,
    /// Unicast peers instead of multicast.
    pub unicast: bool,
    /// `garp_master_delay` in seconds (keepalived's default is 5).
    pub garp_master_delay: u32,
}

impl Default for PairConf {
    fn default() -> Self {
        PairConf {
            version: 3,
            advert_int: "1".into(),
            family: Family::V4,
            vrid: 51,
            auth_pass: None,
            auth_ah: false,
            unicast: false,
            garp_master_delay: 5,
        }
    }
}

impl PairConf {
    /// The virtual address.
    pub fn vip(&self) -> &'static str {
        match self.family {
            Family::V4 => "192.0.2.100",
            Family::V6 => "2001:db8::100",
        }
    }

    /// Node `n`'s own address (n from 1).
    pub fn node_addr(&self, n: u8) -> String {
        match self.family {
            Family::V4 => format!("192.0.2.{}", 10 + n),
            Family::V6 => format!("2001:db8::{}", 10 + n),
        }
    }

    /// The prefix length of the lab's subnet.
    pub fn prefix_len(&self) -> u8 {
        match self.family {
            Family::V4 => 24,
            Family::V6 => 64,
        }
    }

    /// The advert interval in seconds.
    pub fn advert_secs(&self) -> f64 {
        self.advert_int.parse().unwrap_or(1.0)
    }

    /// RFC 5798 §6.1 Master_Down_Interval for a backup of `priority`, in seconds
    /// (v2: RFC 3768 §6.1, skew independent of the interval).
    pub fn master_down_interval(&self, priority: u8) -> f64 {
        3.0 * self.advert_secs() + self.skew_time(priority)
    }

    /// RFC 5798 §6.1 Skew_Time (RFC 3768 §6.1 for v2), in seconds.
    pub fn skew_time(&self, priority: u8) -> f64 {
        let w = f64::from(256 - u16::from(priority)) / 256.0;
        if self.version == 2 {
            w
        } else {
            w * self.advert_secs()
        }
    }

    /// The configuration of node `n` of `nodes` with this priority.
    pub fn render(&self, name: &str, n: u8, nodes: u8, priority: u8) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "global_defs {{\n    router_id {name}\n}}");
        let _ = writeln!(s, "vrrp_instance VI_1 {{");
        let _ = writeln!(s, "    state BACKUP");
        let _ = writeln!(s, "    interface eth0");
        let _ = writeln!(s, "    virtual_router_id {}", self.vrid);
        let _ = writeln!(s, "    priority {priority}");
        let _ = writeln!(s, "    advert_int {}", self.advert_int);
        let _ = writeln!(s, "    version {}", self.version);
        let _ = writeln!(s, "    garp_master_delay {}", self.garp_master_delay);
        if let Some(pass) = &self.auth_pass {
            let kind = if self.auth_ah { "AH" } else { "PASS" };
            let _ = writeln!(
                s,
                "    authentication {{\n        auth_type {kind}\n        auth_pass {pass}\n    }}"
            );
        }
        if self.unicast {
            let _ = writeln!(s, "    unicast_src_ip {}", self.node_addr(n));
            let _ = writeln!(s, "    unicast_peer {{");
            for peer in (1..=nodes).filter(|&p| p != n) {
                let _ = writeln!(s, "        {}", self.node_addr(peer));
            }
            let _ = writeln!(s, "    }}");
        }
        let _ = writeln!(
            s,
            "    virtual_ipaddress {{\n        {}/{}\n    }}",
            self.vip(),
            self.prefix_len()
        );
        let _ = writeln!(s, "}}");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_down_interval_rfc5798_6_1() {
        let c = PairConf {
            advert_int: "0.1".into(),
            ..PairConf::default()
        };
        assert!((c.master_down_interval(100) - 0.3609375).abs() < 1e-9);
        let v2 = PairConf {
            version: 2,
            ..PairConf::default()
        };
        assert!((v2.master_down_interval(100) - 3.609375).abs() < 1e-9);
    }

    #[test]
    fn unicast_lists_the_other_nodes() {
        let c = PairConf {
            unicast: true,
            ..PairConf::default()
        };
        let text = c.render("lb2", 2, 3, 100);
        assert!(text.contains("unicast_src_ip 192.0.2.12"));
        assert!(text.contains("192.0.2.11") && text.contains("192.0.2.13"));
    }
}
