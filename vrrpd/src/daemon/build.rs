//! From the validated configuration model to what the daemon runs: one [`Spec`] per
//! `vrrp_instance`, holding the state machine's [`fsm::Config`] (with keepalived's
//! `global_defs` defaults applied) and the wire and address settings the I/O shell needs.
//! Pure: interface lookups happen in the runtime.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use vigil_config::model::global::GlobalDefs;
use vigil_config::model::ipaddr::{IpAddress, Route, Rule};
use vigil_config::model::vrrp::{self as model, AuthType, OldChecksum, VmacAddress};
use vigil_config::Config;

use crate::auth;
use crate::fsm::{self, InitialState};
use crate::packet::{Family, V3Ipv4Checksum, Version};
use crate::time::Span;

/// The authentication an instance sends and expects (VRRPv2 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// None (always for VRRPv3).
    None,
    /// `auth_type PASS`: the zero-padded 8-byte password.
    Pass([u8; auth::AUTH_DATA_LEN]),
    /// `auth_type AH`: the HMAC key.
    Ah(auth::AhKey),
}

/// One tracked `vrrp_script` of an instance, with the weight that applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptTrack {
    /// The script's index among the `vrrp_script` blocks.
    pub script: u32,
    /// The script's name (names the fault when the weight is 0).
    pub name: String,
    /// The weight (the reference's, else the script's).
    pub weight: i32,
    /// `reverse`.
    pub reverse: bool,
}

/// A `vrrp_sync_group`: instances that change state together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    /// The index of the `vrrp_sync_group` block.
    pub index: u32,
    /// Its name.
    pub name: String,
    /// The indices of its member instances.
    pub members: Vec<u32>,
}

/// One `track_interface` line of an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceTrack {
    /// The interface name.
    pub name: String,
    /// 0: FAULT while down; else the weight (keepalived.conf(5), track_interface).
    pub weight: i32,
    /// `reverse`.
    pub reverse: bool,
}

/// What identifies an instance on the wire; instances with equal keys are the same
/// instance across a reload (the name does not matter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WireKey {
    /// `virtual_router_id`.
    pub vrid: u8,
    /// IPv4 or IPv6.
    pub family: FamilyKey,
    /// `interface`.
    pub interface: String,
    /// `unicast_src_ip` / `mcast_src_ip`.
    pub src: Option<IpAddr>,
    /// `unicast_peer`s, sorted.
    pub peers: Vec<IpAddr>,
    /// The multicast group.
    pub group: IpAddr,
}

/// [`Family`] as a hashable, ordered key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FamilyKey {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

/// `use_vmac`: a macvlan carrying the virtual router MAC (RFC 5798 §7.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VmacSpec {
    /// The macvlan's name (`use_vmac NAME`, else `vrrp.VRID` with `vmac_prefix`).
    pub name: String,
    /// Its MAC: configured, or 00-00-5E-00-01-VRID (IPv4) / 00-00-5E-00-02-VRID (IPv6).
    pub mac: [u8; 6],
    /// `vmac_xmit_base`: adverts are sent and received on the base interface (from its
    /// own MAC); the VMAC keeps the VIPs and their GARPs (keepalived 2.2.7, observed).
    pub xmit_base: bool,
}

/// One instance as the daemon runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The index of the `vrrp_instance` block.
    pub index: u32,
    /// The state machine's settings; `primary_addr` is filled in by the runtime.
    pub fsm: fsm::Config,
    /// `interface`.
    pub interface: String,
    /// The address family.
    pub family: Family,
    /// The protocol version.
    pub version: Version,
    /// `unicast_src_ip` / `mcast_src_ip`.
    pub src_ip: Option<IpAddr>,
    /// The multicast group (`mcast_dst_ip`, `vrrp_mcast_group4/6`).
    pub group: IpAddr,
    /// `unicast_peer` addresses (empty: multicast).
    pub peers: Vec<IpAddr>,
    /// `unicast_peer ... min_ttl N max_ttl M`: the TTL range accepted from each peer.
    pub peer_ttl: Vec<(IpAddr, u8, u8)>,
    /// TTL / hop limit of sent adverts (255; `unicast_ttl` for unicast).
    pub ttl: u8,
    /// `virtual_ipaddress`: added and advertised.
    pub vips: Vec<IpAddress>,
    /// `virtual_ipaddress_excluded`: added, not advertised.
    pub excluded: Vec<IpAddress>,
    /// The advertised addresses (of `vips`), in configuration order.
    pub advertised: Vec<IpAddr>,
    /// Authentication.
    pub auth: Auth,
    /// `check_unicast_src` or the global `vrrp_check_unicast_src`.
    pub check_unicast_src: bool,
    /// `skip_check_adv_addr` or the global `vrrp_skip_check_adv_addr`.
    pub skip_check_adv_addr: bool,
    /// `old_unicast_checksum`: send the multicast group in the v3 pseudo-header.
    pub old_unicast_checksum: bool,
    /// The v3-over-IPv4 checksum form (keepalived 2.2.7: with the pseudo-header).
    pub v3_checksum: V3Ipv4Checksum,
    /// The IPv4 multicast group for the old unicast checksum.
    pub mcast_group4: Ipv4Addr,
    /// Tracked `vrrp_script`s.
    pub scripts: Vec<ScriptTrack>,
    /// `dont_track_primary`: the interface going down is not a fault.
    pub dont_track_primary: bool,
    /// `use_vmac`.
    pub vmac: Option<VmacSpec>,
    /// `track_interface`.
    pub track_interfaces: Vec<InterfaceTrack>,
    /// The `vrrp_sync_group` the instance belongs to.
    pub sync_group: Option<u32>,
    /// `virtual_routes`: added with the VIPs as MASTER.
    pub routes: Vec<Route>,
    /// `virtual_rules`: added with the VIPs as MASTER.
    pub rules: Vec<Rule>,
    /// `kernel_rx_buf_size`: the socket receive buffer.
    pub rcvbuf: Option<usize>,
    /// RFC 5798 §6.1 Accept_Mode off: `no_accept`, or neither `accept` nor `no_accept`
    /// in strict mode (keepalived: `vrrp_strict` / `strict_mode` makes `no_accept` the
    /// default; an explicit `accept` wins). See `daemon::firewall`.
    pub no_accept: bool,
    /// The advert interval field, computed once (see [`Spec::wire_interval`]).
    interval: u16,
}

/// The interval field for the normalised interval of `cfg`.
fn interval_field(cfg: &fsm::Config, version: Version) -> u16 {
    let cfg = cfg.clone().normalised();
    let v = match version {
        Version::V2 => cfg.advert_int.as_micros() / 1_000_000,
        Version::V3 => cfg.advert_int.as_centis(),
    };
    u16::try_from(v).unwrap_or(u16::MAX)
}

impl Spec {
    /// The instance name.
    pub fn name(&self) -> &str {
        &self.fsm.name
    }

    /// True with unicast peers.
    pub fn is_unicast(&self) -> bool {
        !self.peers.is_empty()
    }

    /// The family as a key (no allocation, unlike [`Spec::wire_key`]).
    pub fn family_key(&self) -> FamilyKey {
        match self.family {
            Family::Ipv4 => FamilyKey::V4,
            Family::Ipv6 => FamilyKey::V6,
        }
    }

    /// The IP protocol its adverts travel in: 51 with IPsec AH (RFC 2338 §5.3.6.3,
    /// the raw socket must be opened for it), else VRRP's 112 (RFC 5798 §5.1.1.4).
    pub fn protocol(&self) -> u8 {
        match self.auth {
            Auth::Ah(_) => crate::packet::PROTO_AH,
            _ => crate::packet::PROTO_VRRP,
        }
    }

    /// What identifies the instance on the wire.
    pub fn wire_key(&self) -> WireKey {
        let mut peers = self.peers.clone();
        peers.sort();
        WireKey {
            vrid: self.fsm.vrid,
            family: self.family_key(),
            interface: self.interface.clone(),
            src: self.src_ip,
            peers,
            group: self.group,
        }
    }

    /// Every address the instance adds as MASTER (advertised and excluded).
    pub fn all_addresses(&self) -> impl Iterator<Item = &IpAddress> {
        self.vips.iter().chain(self.excluded.iter())
    }

    /// The interval field of sent adverts: v2 whole seconds (RFC 3768 §5.3.7), v3
    /// centiseconds (RFC 5798 §5.2.7), from the normalised interval.
    pub fn wire_interval(&self) -> u16 {
        self.interval
    }
}

/// Why an instance cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// No `interface` (unicast over a VRF without an interface is not supported).
    NoInterface {
        /// The instance.
        instance: String,
    },
    /// A `track_script` names no `vrrp_script`.
    UnknownScript {
        /// The instance.
        instance: String,
        /// The name.
        script: String,
    },
    /// A `vrrp_sync_group` names no `vrrp_instance`.
    UnknownMember {
        /// The group.
        group: String,
        /// The name.
        instance: String,
    },
    /// Two instances use one VRID on one interface and family (RFC 5798 §7.1 demands
    /// a VRID be unique there).
    DuplicateVrid {
        /// The second instance.
        instance: String,
        /// The first.
        other: String,
        /// The VRID.
        vrid: u8,
        /// The interface.
        interface: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoInterface { instance } => {
                write!(f, "({instance}) no interface specified (not supported)")
            }
            BuildError::UnknownScript { instance, script } => {
                write!(f, "({instance}) track_script {script} not found")
            }
            BuildError::UnknownMember { group, instance } => write!(
                f,
                "vrrp_sync_group {group}: virtual router {instance} specified but not found"
            ),
            BuildError::DuplicateVrid {
                instance,
                other,
                vrid,
                interface,
            } => write!(
                f,
                "({instance}) VRID {vrid} is already used by ({other}) on interface {interface}"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

fn span(t: vigil_config::model::common::Timer) -> Span {
    Span::from_micros(t.micros())
}

/// The specs of every instance of `config`, in configuration order.
pub fn build(config: &Config) -> Result<Vec<Spec>, BuildError> {
    let mut specs: Vec<Spec> = Vec::new();
    for (i, inst) in config.vrrp.instances.iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let spec = build_instance(index, inst, config)?;
        let key = (spec.fsm.vrid, spec.family, spec.interface.clone());
        if let Some(other) = specs
            .iter()
            .find(|s| (s.fsm.vrid, s.family, s.interface.clone()) == key)
        {
            return Err(BuildError::DuplicateVrid {
                instance: spec.name().to_string(),
                other: other.name().to_string(),
                vrid: spec.fsm.vrid,
                interface: spec.interface.clone(),
            });
        }
        specs.push(spec);
    }
    for g in sync_groups(config)? {
        for m in &g.members {
            let Some(s) = specs.iter_mut().find(|s| s.index == *m) else {
                continue;
            };
            s.sync_group = Some(g.index);
            let tracking_weight = config
                .vrrp
                .sync_groups
                .get(g.index as usize)
                .is_some_and(|sg| sg.tracking_weight);
            if !tracking_weight {
                // keepalived: weights of tracked objects are ignored in a sync group
                // (a failure means FAULT) unless `sync_group_tracking_weight`, so that
                // one member's priority change cannot split the group.
                for t in &mut s.scripts {
                    t.weight = 0;
                }
                for t in &mut s.track_interfaces {
                    t.weight = 0;
                }
            }
        }
    }
    Ok(specs)
}

/// The `vrrp_sync_group`s with their members' instance indices.
pub fn sync_groups(config: &Config) -> Result<Vec<GroupSpec>, BuildError> {
    let mut out = Vec::new();
    for (gi, g) in config.vrrp.sync_groups.iter().enumerate() {
        let mut members = Vec::new();
        for name in &g.members {
            let Some(i) = config.vrrp.instances.iter().position(|i| &i.name == name) else {
                return Err(BuildError::UnknownMember {
                    group: g.name.clone(),
                    instance: name.clone(),
                });
            };
            members.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        out.push(GroupSpec {
            index: u32::try_from(gi).unwrap_or(u32::MAX),
            name: g.name.clone(),
            members,
        });
    }
    Ok(out)
}

/// The spec of one instance, with `global_defs` applied.
pub fn build_instance(
    index: u32,
    inst: &model::Instance,
    config: &Config,
) -> Result<Spec, BuildError> {
    let g = &config.global;
    let interface = inst
        .interface
        .clone()
        .ok_or_else(|| BuildError::NoInterface {
            instance: inst.name.clone(),
        })?;
    let family = match inst.family {
        model::Family::V4 => Family::Ipv4,
        model::Family::V6 => Family::Ipv6,
    };
    // keepalived: IPv6 instances always speak VRRPv3 (RFC 5798 §1; v2 is IPv4 only).
    let version = match (family, inst.version.unwrap_or(g.vrrp_version)) {
        (Family::Ipv6, _) | (_, 3) => Version::V3,
        _ => Version::V2,
    };
    let group = match (inst.mcast_dst_ip, family) {
        (Some(a), _) => a,
        (None, Family::Ipv4) => IpAddr::V4(g.vrrp_mcast_group4),
        (None, Family::Ipv6) => IpAddr::V6(g.vrrp_mcast_group6),
    };
    let auth = match (&inst.authentication, version) {
        (Some(a), Version::V2) => {
            let key = auth::key_from_password(a.password.as_bytes());
            match a.auth_type {
                AuthType::Pass => Auth::Pass(key),
                AuthType::Ah => Auth::Ah(key),
            }
        }
        // RFC 5798 §9: VRRPv3 has no authentication; keepalived ignores the block.
        _ => Auth::None,
    };
    let mut scripts = Vec::new();
    for r in &inst.track_scripts {
        let Some((si, s)) = config
            .vrrp
            .scripts
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == r.name)
        else {
            return Err(BuildError::UnknownScript {
                instance: inst.name.clone(),
                script: r.name.clone(),
            });
        };
        scripts.push(ScriptTrack {
            script: u32::try_from(si).unwrap_or(u32::MAX),
            name: s.name.clone(),
            weight: r.weight.unwrap_or(s.weight),
            reverse: r.reverse.unwrap_or(s.weight_reverse),
        });
    }
    let strict = inst.strict_mode.unwrap_or(g.vrrp_strict);
    let fsm = fsm_config(inst, g, strict, version);
    Ok(Spec {
        index,
        no_accept: !inst.accept.unwrap_or(!strict),
        interval: interval_field(&fsm, version),
        rcvbuf: inst
            .kernel_rx_buf_size
            .and_then(|n| usize::try_from(n).ok()),
        fsm,
        interface,
        family,
        version,
        src_ip: inst.src_ip,
        group,
        peers: inst.unicast_peers.iter().map(|p| p.address).collect(),
        peer_ttl: inst
            .unicast_peers
            .iter()
            .map(|p| (p.address, p.min_ttl, p.max_ttl))
            .collect(),
        ttl: if inst.is_unicast() {
            inst.unicast_ttl.unwrap_or(crate::packet::TTL)
        } else {
            crate::packet::TTL
        },
        vips: inst.virtual_ipaddresses.clone(),
        excluded: inst.virtual_ipaddresses_excluded.clone(),
        advertised: inst
            .virtual_ipaddresses
            .iter()
            .map(|a| a.addr.addr)
            .collect(),
        auth,
        check_unicast_src: inst.check_unicast_src || g.vrrp_check_unicast_src,
        skip_check_adv_addr: inst
            .skip_check_adv_addr
            .unwrap_or(g.vrrp_skip_check_adv_addr),
        old_unicast_checksum: inst.old_unicast_checksum == Some(OldChecksum::Use),
        v3_checksum: V3Ipv4Checksum::PseudoHeader,
        mcast_group4: g.vrrp_mcast_group4,
        scripts,
        dont_track_primary: inst.dont_track_primary,
        sync_group: None,
        routes: inst.virtual_routes.clone(),
        rules: inst.virtual_rules.clone(),
        track_interfaces: inst
            .track_interfaces
            .iter()
            .map(|t| InterfaceTrack {
                name: t.interface.clone(),
                weight: t.weight,
                reverse: t.reverse,
            })
            .collect(),
        vmac: inst.use_vmac.as_ref().map(|v| {
            let vrid = inst.virtual_router_id;
            VmacSpec {
                name: inst.vmac_ifname(&g.vmac_prefix).unwrap_or_default(),
                xmit_base: inst.vmac_xmit_base,
                mac: match v.mac {
                    Some(VmacAddress::Full(m)) => m,
                    Some(VmacAddress::Prefix([a, b, c, d, e])) => [a, b, c, d, e, vrid],
                    None => vigil_net::vmac(vrid, family == Family::Ipv6),
                },
            }
        }),
    })
}

/// The state machine's settings: the instance's values, else `global_defs`, else
/// keepalived's defaults (garp_master_delay 5 s, garp_master_repeat 5, refresh 0;
/// keepalived.conf(5), global_defs).
fn fsm_config(
    inst: &model::Instance,
    g: &GlobalDefs,
    strict: bool,
    version: Version,
) -> fsm::Config {
    let mut garp_master_delay = inst
        .garp_master_delay
        .map(span)
        .unwrap_or(span(g.vrrp_garp_master_delay));
    let mut garp_master_repeat = inst.garp_master_repeat.unwrap_or(g.vrrp_garp_master_repeat);
    if g.vrrp_min_garp {
        // keepalived `vrrp_min_garp`: one GARP/NA, no second burst.
        garp_master_delay = Span::ZERO;
        garp_master_repeat = 1;
    }
    let down_timer_adverts = if inst.down_timer_adverts == 3 {
        u8::try_from(g.vrrp_down_timer_adverts).unwrap_or(3)
    } else {
        inst.down_timer_adverts
    };
    fsm::Config {
        name: inst.name.clone(),
        vrid: inst.virtual_router_id,
        version: match version {
            Version::V2 => fsm::Version::V2,
            Version::V3 => fsm::Version::V3,
        },
        priority: inst.priority,
        advert_int: span(inst.advert_int),
        primary_addr: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        initial_state: match inst.state {
            model::InitialState::Backup => InitialState::Backup,
            model::InitialState::Master => InitialState::Master,
        },
        nopreempt: inst.nopreempt,
        preempt_delay: span(inst.preempt_delay),
        down_timer_adverts,
        garp_master_delay,
        garp_master_repeat,
        garp_master_refresh: inst
            .garp_master_refresh
            .map(span)
            .unwrap_or(span(g.vrrp_garp_master_refresh)),
        garp_master_refresh_repeat: inst
            .garp_master_refresh_repeat
            .unwrap_or(g.vrrp_garp_master_refresh_repeat),
        garp_lower_prio_repeat: inst
            .garp_lower_prio_repeat
            .or(g.vrrp_garp_lower_prio_repeat)
            .unwrap_or(garp_master_repeat),
        garp_lower_prio_delay: inst
            .garp_lower_prio_delay
            .or(g.vrrp_garp_lower_prio_delay)
            .map(span)
            .unwrap_or(garp_master_delay),
        // keepalived: `vrrp_strict` implies `lower_prio_no_advert`.
        lower_prio_no_advert: inst
            .lower_prio_no_advert
            .or(g.vrrp_lower_prio_no_advert)
            .unwrap_or(strict),
        higher_prio_send_advert: inst
            .higher_prio_send_advert
            .unwrap_or(g.vrrp_higher_prio_send_advert),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(text: &str) -> Config {
        let loaded = vigil_config::load_str(Path::new("test.conf"), text, &Default::default());
        assert!(
            loaded.is_valid(),
            "{}",
            loaded.diags.render(&loaded.sources)
        );
        loaded.config
    }

    const BASIC: &str = r#"
vrrp_script chk {
    script "/bin/true"
    weight -20
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 0.5
    version 3
    virtual_ipaddress {
        192.0.2.100/24 dev eth0
    }
    virtual_ipaddress_excluded {
        192.0.2.200
    }
    track_script {
        chk
    }
}
"#;

    #[test]
    fn keepalived_garp_defaults_apply() {
        let specs = build(&load(BASIC)).unwrap();
        let s = &specs[0];
        assert_eq!(s.fsm.garp_master_delay, Span::from_secs(5));
        assert_eq!(s.fsm.garp_master_repeat, 5);
        assert_eq!(s.fsm.garp_master_refresh, Span::ZERO);
        assert_eq!(s.fsm.priority, 150);
        assert_eq!(s.version, Version::V3);
        assert_eq!(s.wire_interval(), 50);
        assert_eq!(s.group, IpAddr::V4(Ipv4Addr::new(224, 0, 0, 18)));
        assert_eq!(s.advertised, vec!["192.0.2.100".parse::<IpAddr>().unwrap()]);
        assert_eq!(s.all_addresses().count(), 2);
        assert_eq!(s.scripts[0].weight, -20);
        assert_eq!(s.ttl, 255);
        assert_eq!(s.vmac, None);
    }

    #[test]
    fn rfc5798_7_3_use_vmac_defaults_to_vrrp_vrid_and_the_virtual_router_mac() {
        let text = BASIC.replace("    version 3\n", "    version 3\n    use_vmac\n");
        let s = &build(&load(&text)).unwrap()[0];
        let v = s.vmac.as_ref().unwrap();
        assert_eq!(v.name, "vrrp.51");
        assert_eq!(v.mac, [0, 0, 0x5e, 0, 1, 51]);
        assert!(!v.xmit_base);
        let text = text.replace("    use_vmac\n", "    use_vmac\n    vmac_xmit_base\n");
        let s = &build(&load(&text)).unwrap()[0];
        assert!(s.vmac.as_ref().unwrap().xmit_base);
    }

    #[test]
    fn v2_is_keepalived_s_default_version_and_carries_pass() {
        let text = r#"
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 7
    authentication {
        auth_type PASS
        auth_pass secret1
    }
    virtual_ipaddress {
        192.0.2.7
    }
}
"#;
        let s = &build(&load(text)).unwrap()[0];
        assert_eq!(s.version, Version::V2);
        assert_eq!(s.auth, Auth::Pass(*b"secret1\0"));
        assert_eq!(s.wire_interval(), 1);
    }

    #[test]
    fn rfc5798_7_1_vrid_unique_per_interface_and_family() {
        let text = r#"
vrrp_instance A {
    interface eth0
    virtual_router_id 7
    virtual_ipaddress {
        192.0.2.7
    }
}
vrrp_instance B {
    interface eth0
    virtual_router_id 7
    virtual_ipaddress {
        192.0.2.8
    }
}
"#;
        let loaded = vigil_config::load_str(Path::new("t.conf"), text, &Default::default());
        // The config layer may already refuse this; if it does not, build must.
        if loaded.is_valid() {
            assert!(matches!(
                build(&loaded.config),
                Err(BuildError::DuplicateVrid { vrid: 7, .. })
            ));
        }
    }

    #[test]
    fn wire_key_ignores_the_name_and_peer_order() {
        let mut c = load(BASIC);
        let a = build(&c).unwrap()[0].wire_key();
        c.vrrp.instances[0].name = "renamed".into();
        let b = build(&c).unwrap()[0].wire_key();
        assert_eq!(a, b);
        c.vrrp.instances[0].virtual_router_id = 52;
        assert_ne!(a, build(&c).unwrap()[0].wire_key());
    }
}
