//! The VRRP part of the configuration (keepalived.conf(5), VRRPD CONFIGURATION, Track
//! files, VRRP track processes, Interface up/down status change debouncing).
//!
//! Options that keepalived takes from `global_defs` when an instance does not set them
//! are `Option`s here; `None` means "the global value".

use crate::model::common::{Script, Timer};
use crate::model::ipaddr::{IpAddress, Route, Rule};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Everything of the VRRP part, in file order within each list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Vrrp {
    /// `vrrp_script` blocks.
    pub scripts: Vec<VrrpScript>,
    /// `track_file` (and the deprecated `vrrp_track_file`) blocks.
    pub track_files: Vec<TrackFile>,
    /// `vrrp_track_process` blocks.
    pub track_processes: Vec<TrackProcess>,
    /// `vrrp_sync_group` blocks.
    pub sync_groups: Vec<SyncGroup>,
    /// `garp_group` blocks.
    pub garp_groups: Vec<GarpGroup>,
    /// `vrrp_instance` blocks.
    pub instances: Vec<Box<Instance>>,
    /// Lines of `interface_up_down_delays` blocks.
    pub interface_up_down_delays: Vec<InterfaceDelay>,
}

/// `vrrp_script NAME { ... }`: a program run periodically whose exit status is tracked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VrrpScript {
    /// The script's name, used by `track_script`.
    pub name: String,
    /// `script` (the command) with the user/group of `user`.
    pub script: Script,
    /// `interval`: time between runs, whole seconds (default 1).
    pub interval: Timer,
    /// `timeout`: time after which a run counts as failed, whole seconds; `None`: the
    /// interval.
    pub timeout: Option<Timer>,
    /// `weight`: priority adjustment, -253..253 (default 0: failure means FAULT).
    pub weight: i32,
    /// `weight ... reverse`: the adjustment applies in the opposite direction.
    pub weight_reverse: bool,
    /// `rise`: successes needed for the OK state (default 1).
    pub rise: u32,
    /// `fall`: failures needed for the KO state (default 1).
    pub fall: u32,
    /// `init_fail`: the script starts in the failed state.
    pub init_fail: bool,
}

impl VrrpScript {
    /// A script with keepalived's defaults.
    pub fn new(name: impl Into<String>, script: Script) -> Self {
        VrrpScript {
            name: name.into(),
            script,
            interval: Timer::secs(1),
            timeout: None,
            weight: 0,
            weight_reverse: false,
            rise: 1,
            fall: 1,
            init_fail: false,
        }
    }
}

/// `track_file NAME { ... }`: a file holding a number that adjusts priorities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackFile {
    /// The name used by `track_file` in instances, sync groups and real servers.
    pub name: String,
    /// `file`: the path of the file to watch.
    pub file: String,
    /// `weight`: multiplier for the value read, -254..254 (default 1).
    pub weight: i32,
    /// `weight ... reverse`.
    pub weight_reverse: bool,
    /// `init_file [VALUE] [overwrite]`: create or initialise the file at startup.
    pub init: Option<TrackFileInit>,
}

/// `init_file [VALUE] [overwrite]` of a track file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackFileInit {
    /// The value written (default 0), -254..254.
    pub value: i32,
    /// `overwrite`: write the value even when the file exists.
    pub overwrite: bool,
}

/// `vrrp_track_process NAME { ... }`: the number of matching running processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackProcess {
    /// The name used by `track_process`.
    pub name: String,
    /// `process`: the process name (or command path when parameters are given).
    pub process: String,
    /// Parameters after the process name in `process`, matched against the command line.
    pub params: Vec<String>,
    /// `param_match`: how parameters are matched.
    pub param_match: ParamMatch,
    /// `weight`: -254..254 (default 0: too few processes means FAULT).
    pub weight: i32,
    /// `weight ... reverse`.
    pub weight_reverse: bool,
    /// `quorum`: the minimum number of processes for success (default 1).
    pub quorum: u32,
    /// `quorum_max`: the maximum number of processes for success; `None`: no limit.
    pub quorum_max: Option<u32>,
    /// `fork_delay` (or `delay`): wait after quorum is gained (0 = none).
    pub fork_delay: Timer,
    /// `terminate_delay` (or `delay`): wait after quorum is lost (0 = none).
    pub terminate_delay: Timer,
    /// `full_command` (implied by parameters or `param_match`): match the whole
    /// command line instead of the process name.
    pub full_command: bool,
}

impl TrackProcess {
    /// A tracked process with keepalived's defaults.
    pub fn new(name: impl Into<String>, process: impl Into<String>) -> Self {
        TrackProcess {
            name: name.into(),
            process: process.into(),
            params: Vec::new(),
            param_match: ParamMatch::None,
            weight: 0,
            weight_reverse: false,
            quorum: 1,
            quorum_max: None,
            fork_delay: Timer(0),
            terminate_delay: Timer(0),
            full_command: false,
        }
    }
}

/// How the parameters of a tracked process are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ParamMatch {
    /// Parameters are not compared (no parameters and no `param_match`).
    #[default]
    None,
    /// All parameters must match exactly (`param_match` alone, or parameters given).
    Exact,
    /// `param_match partial`: the first configured parameters match exactly.
    Partial,
    /// `param_match initial`: as partial, and the last may be longer than configured.
    Initial,
}

/// One tracked interface: `NAME [weight W [reverse]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackInterface {
    /// The interface name.
    pub interface: String,
    /// -253..253; 0 (the default) means "interface down is FAULT".
    pub weight: i32,
    /// `reverse`: adjust in the opposite direction.
    pub reverse: bool,
}

/// One reference to a tracked object (script, file, process, BFD instance):
/// `NAME [weight W [reverse|noreverse]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackRef {
    /// The name of the tracked object.
    pub name: String,
    /// The weight; `None`: the tracked object's own weight.
    pub weight: Option<i32>,
    /// `reverse` / `noreverse`; `None`: the tracked object's own setting.
    pub reverse: Option<bool>,
}

/// Notify scripts shared by instances and sync groups.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Notify {
    /// `notify_master`: run on transition to MASTER.
    pub master: Option<Script>,
    /// `notify_backup`: run on transition to BACKUP.
    pub backup: Option<Script>,
    /// `notify_fault`: run on transition to FAULT.
    pub fault: Option<Script>,
    /// `notify_stop`: run when VRRP stops.
    pub stop: Option<Script>,
    /// `notify`: run on every transition with four extra arguments.
    pub any: Option<Script>,
}

/// `vrrp_sync_group NAME { ... }`: instances that change state together.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SyncGroup {
    /// The group's name.
    pub name: String,
    /// `group { ... }`: names of the member instances.
    pub members: Vec<String>,
    /// `track_interface { ... }`.
    pub track_interfaces: Vec<TrackInterface>,
    /// `track_script { ... }`.
    pub track_scripts: Vec<TrackRef>,
    /// `track_file { ... }`.
    pub track_files: Vec<TrackRef>,
    /// `track_process { ... }`.
    pub track_processes: Vec<TrackRef>,
    /// `track_bfd { ... }`.
    pub track_bfds: Vec<TrackRef>,
    /// `notify_*` and `notify` scripts.
    pub notify: Notify,
    /// `notify_priority_changes`; `None`: not sent.
    pub notify_priority_changes: Option<bool>,
    /// `smtp_alert`; `None`: the global `smtp_alert` / `smtp_alert_vrrp`.
    pub smtp_alert: Option<bool>,
    /// `sync_group_tracking_weight` (or deprecated `global_tracking`): members keep
    /// their own tracking weights.
    pub tracking_weight: bool,
}

/// `garp_group { ... }`: pacing of gratuitous ARPs / unsolicited NAs per interface(s).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GarpGroup {
    /// `garp_interval`: time between gratuitous ARPs.
    pub garp_interval: Option<Timer>,
    /// `gna_interval`: time between unsolicited neighbour advertisements.
    pub gna_interval: Option<Timer>,
    /// `interface`: the single interface the intervals apply to.
    pub interface: Option<String>,
    /// `interfaces { ... }`: interfaces across which the delays are aggregated.
    pub interfaces: Vec<String>,
}

/// One line of `interface_up_down_delays`: `IFNAME DOWN_DELAY [UP_DELAY]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceDelay {
    /// The interface.
    pub interface: String,
    /// Delay before going to FAULT after the interface goes down (0..255 s).
    pub down: Timer,
    /// Delay before leaving FAULT after it comes back up; `None` when not given
    /// (keepalived.conf(5) says "same as the down delay"; keepalived 2.2.7's parser
    /// uses 0).
    pub up: Option<Timer>,
}

/// The address family of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Family {
    /// IPv4.
    #[default]
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// The family of `addr`.
    pub fn of(addr: &IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    /// `IPv4` / `IPv6`.
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// The initial state of an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InitialState {
    /// `state BACKUP` (the default).
    #[default]
    Backup,
    /// `state MASTER`.
    Master,
}

/// The MAC address of `use_vmac`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VmacAddress {
    /// All six octets given.
    Full([u8; 6]),
    /// Five octets given; the last is the virtual router id.
    Prefix([u8; 5]),
}

/// `use_vmac [NAME] [MAC]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Vmac {
    /// The macvlan interface name; `None`: `vrrp.<VRID>`.
    pub name: Option<String>,
    /// The MAC address; `None`: the RFC 5798 virtual router MAC.
    pub mac: Option<VmacAddress>,
}

/// The ipvlan mode flags of `use_ipvlan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IpvlanMode {
    /// `bridge` (the default).
    #[default]
    Bridge,
    /// `private`.
    Private,
    /// `vepa`.
    Vepa,
}

/// `use_ipvlan [NAME] [ADDRESS[/PREFIX]] [bridge|private|vepa]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ipvlan {
    /// The ipvlan interface name; `None`: chosen by the daemon.
    pub name: Option<String>,
    /// The address to put on the ipvlan interface (required for IPv4 instances).
    pub address: Option<IpAddr>,
    /// The prefix length given with the address.
    pub prefix: Option<u8>,
    /// The mode flags.
    pub mode: IpvlanMode,
}

/// One `unicast_peer` line: `ADDRESS [min_ttl N] [max_ttl N]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnicastPeer {
    /// The peer's address.
    pub address: IpAddr,
    /// The lowest TTL / hop limit accepted from this peer (default 0).
    pub min_ttl: u8,
    /// The highest TTL / hop limit accepted from this peer (default 255).
    pub max_ttl: u8,
}

/// `old_unicast_checksum [never]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OldChecksum {
    /// `old_unicast_checksum`: send the pre-1.3.6 VRRPv3 unicast checksum.
    Use,
    /// `old_unicast_checksum never`: never detect old checksums.
    Never,
}

/// `garp_extra_if [all] SECONDS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GarpExtraIf {
    /// `all`: on every interface with a VIP, not only those other than the instance's.
    pub all: bool,
    /// Interval between the periodic GARP/NA messages, 0..86400 s (0 disables).
    pub interval: Timer,
}

/// VRRP authentication (`authentication { auth_type ...; auth_pass ... }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthType {
    /// `PASS`: a simple password.
    Pass,
    /// `AH`: IPsec AH (HMAC-MD5-96).
    Ah,
}

/// `authentication { ... }` with an `auth_type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authentication {
    /// `auth_type`.
    pub auth_type: AuthType,
    /// `auth_pass`: at most 8 characters (empty when not given).
    pub password: String,
}

/// `vrrp_instance NAME { ... }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// The instance's name.
    pub name: String,
    /// `state`: the initial state.
    pub state: InitialState,
    /// `interface`: where VRRP runs; may be omitted with unicast peers.
    pub interface: Option<String>,
    /// `vrf`: the VRF to work in when unicasting without an interface.
    pub vrf: Option<String>,
    /// The address family, decided by the first address configured (IPv4 when none).
    pub family: Family,
    /// `native_ipv6` (deprecated): the instance is IPv6.
    pub native_ipv6: bool,
    /// `use_vmac`.
    pub use_vmac: Option<Vmac>,
    /// `use_vmac_addr`: VMACs for VIP interfaces other than the instance's.
    pub use_vmac_addr: bool,
    /// `vmac_xmit_base`: adverts go through the base interface, not the VMAC.
    pub vmac_xmit_base: bool,
    /// `use_ipvlan`.
    pub use_ipvlan: Option<Ipvlan>,
    /// `dont_track_primary`: ignore faults of the instance's interface.
    pub dont_track_primary: bool,
    /// `track_interface { ... }`.
    pub track_interfaces: Vec<TrackInterface>,
    /// `track_script { ... }`.
    pub track_scripts: Vec<TrackRef>,
    /// `track_file { ... }`.
    pub track_files: Vec<TrackRef>,
    /// `track_process { ... }`.
    pub track_processes: Vec<TrackRef>,
    /// `track_bfd { ... }`.
    pub track_bfds: Vec<TrackRef>,
    /// `mcast_src_ip` / `unicast_src_ip` (one setting in keepalived): the source address.
    pub src_ip: Option<IpAddr>,
    /// `mcast_dst_ip`: a multicast group other than the VRRP one.
    pub mcast_dst_ip: Option<IpAddr>,
    /// `track_src_ip`: FAULT when the source address goes away.
    pub track_src_ip: bool,
    /// `version`: 2 or 3; `None`: the global `vrrp_version` (IPv6 always uses 3).
    pub version: Option<u8>,
    /// `check_unicast_src` (implied by `min_ttl` / `max_ttl`): accept adverts only from
    /// the unicast peers.
    pub check_unicast_src: bool,
    /// `unicast_peer { ... }`: unicast instead of multicast when not empty.
    pub unicast_peers: Vec<UnicastPeer>,
    /// `unicast_fault_no_peer`: with no peers, FAULT instead of multicast.
    pub unicast_fault_no_peer: bool,
    /// `unicast_ttl`: TTL / hop limit of unicast adverts.
    pub unicast_ttl: Option<u8>,
    /// `old_unicast_checksum`.
    pub old_unicast_checksum: Option<OldChecksum>,
    /// `garp_master_delay`: delay of the second GARP burst after becoming MASTER.
    pub garp_master_delay: Option<Timer>,
    /// `garp_master_repeat`: GARPs per burst (at least 1).
    pub garp_master_repeat: Option<u32>,
    /// `garp_lower_prio_delay`: delay of the second burst after a lower priority advert.
    pub garp_lower_prio_delay: Option<Timer>,
    /// `garp_lower_prio_repeat`: GARPs per burst after a lower priority advert.
    pub garp_lower_prio_repeat: Option<u32>,
    /// `garp_master_refresh`: period of repeated GARPs while MASTER (0 = never).
    pub garp_master_refresh: Option<Timer>,
    /// `garp_master_refresh_repeat`: GARPs per refresh (at least 1).
    pub garp_master_refresh_repeat: Option<u32>,
    /// `garp_extra_if` (or deprecated `vmac_garp_intvl`).
    pub garp_extra_if: Option<GarpExtraIf>,
    /// `down_timer_adverts`: adverts missed before the master is down, 1..100 (default 3).
    pub down_timer_adverts: u8,
    /// `lower_prio_no_advert`.
    pub lower_prio_no_advert: Option<bool>,
    /// `higher_prio_send_advert`.
    pub higher_prio_send_advert: Option<bool>,
    /// `virtual_router_id`: 1..255 (required).
    pub virtual_router_id: u8,
    /// `priority`: 1..255; 255 is the address owner. Default 100, but 255 with
    /// `state MASTER` (keepalived 2.2.7 behaviour, shown by `keepalived -d`).
    pub priority: u8,
    /// `advert_int`: 0.01..255 s (default 1 s); whole seconds with VRRPv2.
    pub advert_int: Timer,
    /// `authentication { ... }` (VRRPv2 only).
    pub authentication: Option<Authentication>,
    /// `virtual_ipaddress { ... }`: the VIPs, all of the instance's family.
    pub virtual_ipaddresses: Vec<IpAddress>,
    /// `virtual_ipaddress_excluded { ... }`: addresses not put in adverts.
    pub virtual_ipaddresses_excluded: Vec<IpAddress>,
    /// `promote_secondaries`.
    pub promote_secondaries: bool,
    /// `virtual_routes { ... }`.
    pub virtual_routes: Vec<Route>,
    /// `virtual_rules { ... }`.
    pub virtual_rules: Vec<Rule>,
    /// `accept` (true) / `no_accept` (false); `None`: accept unless strict mode.
    pub accept: Option<bool>,
    /// `nopreempt` (`preempt` clears it).
    pub nopreempt: bool,
    /// `preempt_delay`: 0..1000 s.
    pub preempt_delay: Timer,
    /// `skip_check_adv_addr`; `None`: the global `vrrp_skip_check_adv_addr`.
    pub skip_check_adv_addr: Option<bool>,
    /// `strict_mode`; `None`: the global `vrrp_strict`.
    pub strict_mode: Option<bool>,
    /// `notify_*` and `notify` scripts.
    pub notify: Notify,
    /// `notify_deleted`: send DELETED rather than FAULT when removed by a reload.
    pub notify_deleted: bool,
    /// The script given with `notify_deleted`.
    pub notify_deleted_script: Option<Script>,
    /// `notify_master_rx_lower_pri`: run when a MASTER receives a lower priority advert.
    pub notify_master_rx_lower_pri: Option<Script>,
    /// `notify_priority_changes`.
    pub notify_priority_changes: Option<bool>,
    /// `smtp_alert`; `None`: the global `smtp_alert` / `smtp_alert_vrrp`.
    pub smtp_alert: Option<bool>,
    /// `kernel_rx_buf_size`: socket receive buffer size.
    pub kernel_rx_buf_size: Option<u32>,
}

impl Instance {
    /// The interface of `use_vmac`: the name given, else keepalived's `PREFIX.VRID`
    /// with the global `vmac_prefix` ("vrrp" by default); `None` without `use_vmac`.
    pub fn vmac_ifname(&self, vmac_prefix: &str) -> Option<String> {
        self.use_vmac.as_ref().map(|v| {
            v.name
                .clone()
                .unwrap_or_else(|| format!("{vmac_prefix}.{}", self.virtual_router_id))
        })
    }

    /// An instance with keepalived's defaults (virtual_router_id must still be set).
    pub fn new(name: impl Into<String>) -> Self {
        Instance {
            name: name.into(),
            state: InitialState::Backup,
            interface: None,
            vrf: None,
            family: Family::V4,
            native_ipv6: false,
            use_vmac: None,
            use_vmac_addr: false,
            vmac_xmit_base: false,
            use_ipvlan: None,
            dont_track_primary: false,
            track_interfaces: Vec::new(),
            track_scripts: Vec::new(),
            track_files: Vec::new(),
            track_processes: Vec::new(),
            track_bfds: Vec::new(),
            src_ip: None,
            mcast_dst_ip: None,
            track_src_ip: false,
            version: None,
            check_unicast_src: false,
            unicast_peers: Vec::new(),
            unicast_fault_no_peer: false,
            unicast_ttl: None,
            old_unicast_checksum: None,
            garp_master_delay: None,
            garp_master_repeat: None,
            garp_lower_prio_delay: None,
            garp_lower_prio_repeat: None,
            garp_master_refresh: None,
            garp_master_refresh_repeat: None,
            garp_extra_if: None,
            down_timer_adverts: 3,
            lower_prio_no_advert: None,
            higher_prio_send_advert: None,
            virtual_router_id: 0,
            priority: 100,
            advert_int: Timer::secs(1),
            authentication: None,
            virtual_ipaddresses: Vec::new(),
            virtual_ipaddresses_excluded: Vec::new(),
            promote_secondaries: false,
            virtual_routes: Vec::new(),
            virtual_rules: Vec::new(),
            accept: None,
            nopreempt: false,
            preempt_delay: Timer(0),
            skip_check_adv_addr: None,
            strict_mode: None,
            notify: Notify::default(),
            notify_deleted: false,
            notify_deleted_script: None,
            notify_master_rx_lower_pri: None,
            notify_priority_changes: None,
            smtp_alert: None,
            kernel_rx_buf_size: None,
        }
    }

    /// True when adverts are unicast (peers configured).
    pub fn is_unicast(&self) -> bool {
        !self.unicast_peers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vmac_ifname_is_the_given_name_else_prefix_dot_vrid_as_keepalived() {
        let mut i = Instance::new("V");
        i.virtual_router_id = 9;
        assert_eq!(i.vmac_ifname("vrrp"), None);
        i.use_vmac = Some(Vmac::default());
        assert_eq!(i.vmac_ifname("vrrp").as_deref(), Some("vrrp.9"));
        assert_eq!(i.vmac_ifname("vx").as_deref(), Some("vx.9"));
        i.use_vmac = Some(Vmac {
            name: Some("vmac1".into()),
            mac: None,
        });
        assert_eq!(i.vmac_ifname("vx").as_deref(), Some("vmac1"));
    }
}
