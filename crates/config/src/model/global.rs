//! GLOBAL CONFIGURATION (keepalived.conf(5)): `global_defs`, the top-level global
//! keywords (`net_namespace`, `instance`, `child_wait_time`, ...), `linkbeat_interfaces`,
//! `track_group` and the static addresses, routes and rules.
//!
//! Fields hold effective values: keepalived's default when the keyword is absent.
//! `Option` fields are "unset unless given" in keepalived too.

use super::common::{Script, Timer};
use super::ipaddr::{IpAddress, Route, Rule};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// vigil's default control socket.
pub const DEFAULT_CONTROL_SOCKET: &str = "/run/vigil/vigil.ctl";

/// `global_defs` and the top-level global keywords.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalDefs {
    // ----- top level -----
    /// `net_namespace NAME`: the network namespace to run in.
    pub net_namespace: Option<String>,
    /// `net_namespace_ipvs [NAME]`: the namespace for IPVS configuration.
    pub net_namespace_ipvs: Option<IpvsNamespace>,
    /// `instance NAME`: names pid files when several suites share a namespace.
    pub instance: Option<String>,
    /// `use_pid_dir`: pid files in /run/keepalived.
    pub use_pid_dir: bool,
    /// `linkbeat_use_polling`: poll link state (MII/ethtool/ioctl) instead of netlink.
    pub linkbeat_use_polling: bool,
    /// `child_wait_time SECS`: time allowed for children to exit (default 5 s).
    pub child_wait_time: Timer,

    // ----- configuration handling -----
    /// `process_names`, `process_name`, ...: the process names to set.
    pub process_names: ProcessNames,
    /// `startup_script SCRIPT [USER [GROUP]]`: run once before the children start.
    pub startup_script: Option<Script>,
    /// `startup_script_timeout SECS` (1..=1000, default 10).
    pub startup_script_timeout: Timer,
    /// `shutdown_script SCRIPT [USER [GROUP]]`: run once after the children stopped.
    pub shutdown_script: Option<Script>,
    /// `shutdown_script_timeout SECS` (1..=1000, default 10).
    pub shutdown_script_timeout: Timer,

    // ----- notification -----
    /// `notification_email { ADDRESS ... }`: recipients of alert mail.
    pub notification_email: Vec<String>,
    /// `notification_email_from ADDRESS` (default keepalived@HOSTNAME).
    pub notification_email_from: Option<String>,
    /// `smtp_server HOST [PORT]`.
    pub smtp_server: Option<SmtpServer>,
    /// `smtp_helo_name NAME` (default: the host name).
    pub smtp_helo_name: Option<String>,
    /// `smtp_connect_timeout SECS` (1..=4294, default 30).
    pub smtp_connect_timeout: Timer,
    /// `smtp_alert BOOL`: default for every smtp_alert.
    pub smtp_alert: Option<bool>,
    /// `smtp_alert_vrrp BOOL`: default for VRRP smtp_alerts.
    pub smtp_alert_vrrp: Option<bool>,
    /// `smtp_alert_checker BOOL`: default for checker smtp_alerts.
    pub smtp_alert_checker: Option<bool>,
    /// `checker_log_all_failures BOOL`: log every failed check.
    pub checker_log_all_failures: bool,
    /// `no_email_faults`: no mail for FAULT transitions.
    pub no_email_faults: bool,
    /// `router_id NAME` (default: the host name).
    pub router_id: Option<String>,
    /// `rs_init_notifies`: notify for real servers at startup.
    pub rs_init_notifies: bool,
    /// `no_checker_emails`: mail only when a real server is added or removed.
    pub no_checker_emails: bool,

    // ----- VRRP -----
    /// `vrrp_mcast_group4` (default 224.0.0.18).
    pub vrrp_mcast_group4: Ipv4Addr,
    /// `vrrp_mcast_group6` (default ff02::12).
    pub vrrp_mcast_group6: Ipv6Addr,
    /// `default_interface` for static addresses (default eth0).
    pub default_interface: String,
    /// `vrrp_garp_master_delay SECS` (0..=4294, default 5; 0: no second burst).
    pub vrrp_garp_master_delay: Timer,
    /// `vrrp_garp_master_repeat N` (>= 1, default 5).
    pub vrrp_garp_master_repeat: u32,
    /// `vrrp_garp_lower_prio_delay SECS` (0..=4294); `vrrp_garp_master_delay` when absent.
    pub vrrp_garp_lower_prio_delay: Option<Timer>,
    /// `vrrp_garp_lower_prio_repeat N` (>= 0); `vrrp_garp_master_repeat` when absent.
    pub vrrp_garp_lower_prio_repeat: Option<u32>,
    /// `vrrp_garp_master_refresh SECS` (whole seconds; 0, the default: no refresh).
    pub vrrp_garp_master_refresh: Timer,
    /// `vrrp_garp_master_refresh_repeat N` (>= 1, default 1).
    pub vrrp_garp_master_refresh_repeat: u32,
    /// `vrrp_garp_interval SECS`: delay between gratuitous ARPs (default 0).
    pub vrrp_garp_interval: Timer,
    /// `vrrp_gna_interval SECS`: delay between unsolicited NAs (default 0).
    pub vrrp_gna_interval: Timer,
    /// `vrrp_min_garp [BOOL]`: one GARP/NA, no second burst.
    pub vrrp_min_garp: bool,
    /// `vrrp_garp_extra_if [all] SECS` (1..=86400), deprecated `vrrp_vmac_garp_intvl`.
    pub vrrp_garp_extra_if: Option<GarpExtraIf>,
    /// `vrrp_down_timer_adverts N` (1..=100, default 3).
    pub vrrp_down_timer_adverts: u32,
    /// `vrrp_lower_prio_no_advert [BOOL]`; false unless `vrrp_strict` when absent.
    pub vrrp_lower_prio_no_advert: Option<bool>,
    /// `vrrp_higher_prio_send_advert [BOOL]`.
    pub vrrp_higher_prio_send_advert: bool,
    /// `vrrp_version 2|3` (default 2).
    pub vrrp_version: u8,
    /// `vrrp_check_unicast_src`: unicast adverts must come from a configured peer.
    pub vrrp_check_unicast_src: bool,
    /// `vrrp_skip_check_adv_addr`: skip address checks for the same master.
    pub vrrp_skip_check_adv_addr: bool,
    /// `vrrp_strict`: strict RFC compliance.
    pub vrrp_strict: bool,
    /// `vrrp_notify_priority_changes BOOL`: priority changes on notify FIFOs.
    pub vrrp_notify_priority_changes: bool,
    /// `vrrp_startup_delay SECS` (0.001..=4294.967295).
    pub vrrp_startup_delay: Option<Timer>,
    /// `log_unknown_vrids`: log adverts for VRIDs not configured on the interface.
    pub log_unknown_vrids: bool,
    /// `vmac_prefix STRING` (default "vrrp").
    pub vmac_prefix: String,
    /// `vmac_addr_prefix STRING`; `vmac_prefix` when absent.
    pub vmac_addr_prefix: Option<String>,
    /// `disable_local_igmp`.
    pub disable_local_igmp: bool,
    /// `dynamic_interfaces [allow_if_changes]`.
    pub dynamic_interfaces: DynamicInterfaces,
    /// `fifo_write_vrrp_states_on_reload`.
    pub fifo_write_vrrp_states_on_reload: bool,
    /// `vrrp_rx_bufs_policy MTU|ADVERT|NUMBER` (default: the system's).
    pub vrrp_rx_bufs_policy: Option<RxBufsPolicy>,
    /// `vrrp_rx_bufs_multiplier N` (>= 1, default 3).
    pub vrrp_rx_bufs_multiplier: u32,

    // ----- firewall (nftables) -----
    /// `nftables [TABLE]`: the table for VRRP (bare keyword: "keepalived").
    pub nftables: Option<String>,
    /// `nftables_priority N` (default -1).
    pub nftables_priority: i32,
    /// `nftables_counters`.
    pub nftables_counters: bool,
    /// `nftables_ifindex`.
    pub nftables_ifindex: bool,
    /// `nftables_ipvs [TABLE]`: the table for IPVS fwmarks (bare keyword:
    /// "keepalived_ipvs").
    pub nftables_ipvs: Option<String>,
    /// `nftables_ipvs_priority N`.
    pub nftables_ipvs_priority: Option<i32>,
    /// `nftables_ipvs_start_fwmark N` (>= 1, default 1000).
    pub nftables_ipvs_start_fwmark: u32,

    // ----- LVS -----
    /// `lvs_sync_daemon INTERFACE [[inst] INSTANCE] [id N] [maxlen N] [port N] [ttl N]
    /// [group ADDR]`.
    pub lvs_sync_daemon: Option<LvsSyncDaemon>,
    /// `lvs_timeouts [tcp SECS] [tcpfin SECS] [udp SECS]`.
    pub lvs_timeouts: Option<LvsTimeouts>,
    /// `lvs_flush`: flush IPVS at startup.
    pub lvs_flush: bool,
    /// `lvs_flush_on_stop [VS]` (alias `lvs_flush_onstop`).
    pub lvs_flush_on_stop: Option<FlushOnStop>,

    // ----- processes -----
    /// VRRP process tuning (`vrrp_priority`, `vrrp_no_swap`, ...).
    pub vrrp_process: ProcessTuning,
    /// Checker process tuning (`checker_priority`, ...).
    pub checker_process: ProcessTuning,
    /// BFD process tuning (`bfd_priority`, ...).
    pub bfd_process: ProcessTuning,
    /// `max_auto_priority [N]` (-1..=99, default 0: none; bare keyword: 99).
    pub max_auto_priority: i32,
    /// `min_auto_priority_delay USECS` (1..=10000000, default 1000000).
    pub min_auto_priority_delay: u32,
    /// Netlink and process-monitor receive buffers.
    pub rcv_bufs: RcvBufs,
    /// `umask NUMBER|BITS` (at most 0777; default 022).
    pub umask: u32,

    // ----- scripts and notify FIFOs -----
    /// `script_user USER [GROUP]` (default keepalived_script if it exists, else root).
    pub script_user: Option<ScriptUser>,
    /// `enable_script_security`.
    pub enable_script_security: bool,
    /// `notify_fifo FIFO [USER [GROUP]]`.
    pub notify_fifo: Option<Fifo>,
    /// `notify_fifo_script SCRIPT [USER [GROUP]]`.
    pub notify_fifo_script: Option<Script>,
    /// `vrrp_notify_fifo FIFO [USER [GROUP]]`.
    pub vrrp_notify_fifo: Option<Fifo>,
    /// `vrrp_notify_fifo_script SCRIPT [USER [GROUP]]`.
    pub vrrp_notify_fifo_script: Option<Script>,
    /// `lvs_notify_fifo FIFO [USER [GROUP]]`.
    pub lvs_notify_fifo: Option<Fifo>,
    /// `lvs_notify_fifo_script SCRIPT [USER [GROUP]]`.
    pub lvs_notify_fifo_script: Option<Script>,

    // ----- reload and files -----
    /// `random_seed N`: seed for `${_RANDOM}`.
    pub random_seed: Option<u32>,
    /// `include_check [OPTIONS]`: which include problems are errors.
    pub include_check: Option<IncludeCheck>,
    /// `reload_time_file PATH`: schedule reloads from a file.
    pub reload_time_file: Option<String>,
    /// `reload_repeat`: keep the reload time file.
    pub reload_repeat: bool,
    /// `reload_file [PATH]`: a file present while the configuration is read.
    pub reload_file: Option<ReloadFile>,

    // ----- vigil extensions (keepalived has no such keywords) -----
    /// `vrrp_user NAME` (vigil): the unprivileged user the VRRP child runs as.
    pub vrrp_user: Option<String>,
    /// `checker_user NAME` (vigil): the unprivileged user the checker child runs as.
    pub checker_user: Option<String>,
    /// `control_socket PATH` (vigil): the control socket (default /run/vigil/vigil.ctl).
    pub control_socket: String,
}

impl Default for GlobalDefs {
    fn default() -> Self {
        GlobalDefs {
            net_namespace: None,
            net_namespace_ipvs: None,
            instance: None,
            use_pid_dir: false,
            linkbeat_use_polling: false,
            child_wait_time: Timer::secs(5),
            process_names: ProcessNames::default(),
            startup_script: None,
            startup_script_timeout: Timer::secs(10),
            shutdown_script: None,
            shutdown_script_timeout: Timer::secs(10),
            notification_email: Vec::new(),
            notification_email_from: None,
            smtp_server: None,
            smtp_helo_name: None,
            smtp_connect_timeout: Timer::secs(30),
            smtp_alert: None,
            smtp_alert_vrrp: None,
            smtp_alert_checker: None,
            checker_log_all_failures: false,
            no_email_faults: false,
            router_id: None,
            rs_init_notifies: false,
            no_checker_emails: false,
            vrrp_mcast_group4: Ipv4Addr::new(224, 0, 0, 18),
            vrrp_mcast_group6: Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12),
            default_interface: "eth0".into(),
            vrrp_garp_master_delay: Timer::secs(5),
            vrrp_garp_master_repeat: 5,
            vrrp_garp_lower_prio_delay: None,
            vrrp_garp_lower_prio_repeat: None,
            vrrp_garp_master_refresh: Timer(0),
            vrrp_garp_master_refresh_repeat: 1,
            vrrp_garp_interval: Timer(0),
            vrrp_gna_interval: Timer(0),
            vrrp_min_garp: false,
            vrrp_garp_extra_if: None,
            vrrp_down_timer_adverts: 3,
            vrrp_lower_prio_no_advert: None,
            vrrp_higher_prio_send_advert: false,
            vrrp_version: 2,
            vrrp_check_unicast_src: false,
            vrrp_skip_check_adv_addr: false,
            vrrp_strict: false,
            vrrp_notify_priority_changes: false,
            vrrp_startup_delay: None,
            log_unknown_vrids: false,
            vmac_prefix: "vrrp".into(),
            vmac_addr_prefix: None,
            disable_local_igmp: false,
            dynamic_interfaces: DynamicInterfaces::Off,
            fifo_write_vrrp_states_on_reload: false,
            vrrp_rx_bufs_policy: None,
            vrrp_rx_bufs_multiplier: 3,
            nftables: None,
            nftables_priority: -1,
            nftables_counters: false,
            nftables_ifindex: false,
            nftables_ipvs: None,
            nftables_ipvs_priority: None,
            nftables_ipvs_start_fwmark: 1000,
            lvs_sync_daemon: None,
            lvs_timeouts: None,
            lvs_flush: false,
            lvs_flush_on_stop: None,
            vrrp_process: ProcessTuning::default(),
            checker_process: ProcessTuning::default(),
            bfd_process: ProcessTuning::default(),
            max_auto_priority: 0,
            min_auto_priority_delay: 1_000_000,
            rcv_bufs: RcvBufs::default(),
            umask: 0o022,
            script_user: None,
            enable_script_security: false,
            notify_fifo: None,
            notify_fifo_script: None,
            vrrp_notify_fifo: None,
            vrrp_notify_fifo_script: None,
            lvs_notify_fifo: None,
            lvs_notify_fifo_script: None,
            random_seed: None,
            include_check: None,
            reload_time_file: None,
            reload_repeat: false,
            reload_file: None,
            vrrp_user: None,
            checker_user: None,
            control_socket: DEFAULT_CONTROL_SOCKET.into(),
        }
    }
}

impl GlobalDefs {
    /// The effective `vrrp_garp_lower_prio_delay`.
    pub fn garp_lower_prio_delay(&self) -> Timer {
        self.vrrp_garp_lower_prio_delay
            .unwrap_or(self.vrrp_garp_master_delay)
    }

    /// The effective `vrrp_garp_lower_prio_repeat`.
    pub fn garp_lower_prio_repeat(&self) -> u32 {
        self.vrrp_garp_lower_prio_repeat
            .unwrap_or(self.vrrp_garp_master_repeat)
    }

    /// The effective `vrrp_lower_prio_no_advert` (true under `vrrp_strict`).
    pub fn lower_prio_no_advert(&self) -> bool {
        self.vrrp_lower_prio_no_advert.unwrap_or(self.vrrp_strict)
    }
}

/// `net_namespace_ipvs [NAME]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IpvsNamespace {
    /// No name: the default namespace.
    Default,
    /// A named namespace.
    Named(String),
}

/// Process names (`process_names`, `process_name`, `vrrp_process_name`,
/// `checker_process_name`, `bfd_process_name`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProcessNames {
    /// `process_names`: set the default names.
    pub defaults: bool,
    /// `process_name NAME`: the parent.
    pub parent: Option<String>,
    /// `vrrp_process_name NAME`.
    pub vrrp: Option<String>,
    /// `checker_process_name NAME` (alias `lvs_process_name`).
    pub checker: Option<String>,
    /// `bfd_process_name NAME`.
    pub bfd: Option<String>,
}

/// `smtp_server HOST [PORT]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpServer {
    /// An IP address or a host name.
    pub host: SmtpHost,
    /// The port (default 25).
    pub port: u16,
}

/// The host of an SMTP server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SmtpHost {
    /// An address.
    Ip(IpAddr),
    /// A host name, resolved when mail is sent.
    Name(String),
}

/// `vrrp_garp_extra_if [all] SECS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GarpExtraIf {
    /// The refresh interval (1..=86400 s).
    pub interval: Timer,
    /// `all`: every interface of the instance, not only VMACs.
    pub all: bool,
}

/// `dynamic_interfaces [allow_if_changes]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DynamicInterfaces {
    /// Not given.
    Off,
    /// `dynamic_interfaces`.
    On,
    /// `dynamic_interfaces allow_if_changes`.
    AllowIfChanges,
}

/// `vrrp_rx_bufs_policy MTU|ADVERT|NUMBER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RxBufsPolicy {
    /// Interface MTU times the multiplier.
    Mtu,
    /// Advert size times the multiplier.
    Advert,
    /// A fixed size in bytes.
    Size(u32),
}

/// `lvs_sync_daemon`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LvsSyncDaemon {
    /// The interface the sync daemon binds to.
    pub interface: String,
    /// The VRRP instance whose state it follows (`[inst] NAME`).
    pub instance: Option<String>,
    /// `id` (0..=255; the instance's VRID by default).
    pub syncid: Option<u8>,
    /// `maxlen` (1..=65507).
    pub maxlen: Option<u16>,
    /// `port` (1..=65535; 8848 by default).
    pub port: Option<u16>,
    /// `ttl` (1..=255).
    pub ttl: Option<u8>,
    /// `group`: multicast group (224.0.0.81 by default).
    pub group: Option<IpAddr>,
}

/// `lvs_timeouts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LvsTimeouts {
    /// `tcp SECS`.
    pub tcp: Option<u32>,
    /// `tcpfin SECS`.
    pub tcpfin: Option<u32>,
    /// `udp SECS`.
    pub udp: Option<u32>,
}

/// `lvs_flush_on_stop [VS]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlushOnStop {
    /// Flush everything.
    All,
    /// `VS`: remove each virtual server, leaving real servers to the kernel.
    VirtualServers,
}

/// Scheduling of one child process (`vrrp_*`, `checker_*`, `bfd_*` keywords).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessTuning {
    /// `*_priority` nice value (-20..=19, default 0).
    pub priority: i8,
    /// `*_no_swap`: lock the process in memory.
    pub no_swap: bool,
    /// `*_cpu_affinity CPU...`.
    pub cpu_affinity: Vec<u16>,
    /// `*_rt_priority` (1..=99): real-time scheduling.
    pub rt_priority: Option<u8>,
    /// `*_rlimit_rttime` microseconds (>= 1, default 10000).
    pub rlimit_rttime: u32,
}

impl Default for ProcessTuning {
    fn default() -> Self {
        ProcessTuning {
            priority: 0,
            no_swap: false,
            cpu_affinity: Vec::new(),
            rt_priority: None,
            rlimit_rttime: 10_000,
        }
    }
}

/// A receive buffer setting: `*_rcv_bufs BYTES` and `*_rcv_bufs_force BOOL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RcvBuf {
    /// The size in bytes (the system default when absent).
    pub size: Option<u32>,
    /// Use SO_RCVBUFFORCE.
    pub force: bool,
}

/// Netlink and process-monitor receive buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RcvBufs {
    /// `vrrp_netlink_cmd_rcv_bufs`.
    pub vrrp_netlink_cmd: RcvBuf,
    /// `vrrp_netlink_monitor_rcv_bufs`.
    pub vrrp_netlink_monitor: RcvBuf,
    /// `lvs_netlink_cmd_rcv_bufs`.
    pub lvs_netlink_cmd: RcvBuf,
    /// `lvs_netlink_monitor_rcv_bufs`.
    pub lvs_netlink_monitor: RcvBuf,
    /// `process_monitor_rcv_bufs`.
    pub process_monitor: RcvBuf,
}

/// `script_user USER [GROUP]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptUser {
    /// The user.
    pub user: String,
    /// The group (the user's primary group when absent).
    pub group: Option<String>,
}

/// A notify FIFO: `FIFO [USER [GROUP]]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fifo {
    /// The FIFO's path.
    pub path: String,
    /// Owner.
    pub user: Option<String>,
    /// Group.
    pub group: Option<String>,
}

/// `include_check` levels, after applying `+`/`-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IncludeCheck {
    /// `readable`: a match must be a readable file.
    pub readable: bool,
    /// `match`: something must match (unless wildcards).
    pub matched: bool,
    /// `wildcard_match`: something must match even with wildcards.
    pub wildcard_match: bool,
    /// `brace_match`: each brace alternative must match.
    pub brace_match: bool,
}

/// `reload_file [PATH]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReloadFile {
    /// No path: keepalived.reload in the pid directory.
    Default,
    /// A path.
    Path(String),
}

/// `linkbeat_interfaces { IFNAME [MII|ETHTOOL|IOCTL] ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkbeatInterface {
    /// The interface.
    pub name: String,
    /// The preferred polling method.
    pub method: Option<LinkbeatMethod>,
}

/// A link polling method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkbeatMethod {
    /// `MII`.
    Mii,
    /// `ETHTOOL`.
    Ethtool,
    /// `IOCTL`.
    Ioctl,
}

/// `track_group NAME { group { INSTANCE ... } }`: instances that track static
/// addresses, routes and rules naming this group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackGroup {
    /// The group's name.
    pub name: String,
    /// The VRRP instances in the group.
    pub instances: Vec<String>,
}

/// Static addresses, routes and rules, link polling and track groups.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Statics {
    /// `static_ipaddress { ... }`.
    pub addresses: Vec<IpAddress>,
    /// `static_routes { ... }`.
    pub routes: Vec<Route>,
    /// `static_rules { ... }`.
    pub rules: Vec<Rule>,
    /// `linkbeat_interfaces { ... }`.
    pub linkbeat_interfaces: Vec<LinkbeatInterface>,
    /// `track_group NAME { ... }` blocks.
    pub track_groups: Vec<TrackGroup>,
}
