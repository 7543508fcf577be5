//! What one instance's state machine needs to know from the configuration.
//!
//! This is deliberately smaller than `vigil_config::model::vrrp::Instance`: only what
//! changes protocol decisions. The I/O shell builds it from the validated model (and the
//! global defaults) and keeps sockets, interfaces and addresses to itself.

use crate::time::Span;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The protocol version, which changes the timer arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Version {
    /// VRRPv2 (RFC 3768): whole-second adverts, Skew_Time independent of the interval.
    V2,
    /// VRRPv3 (RFC 5798 / RFC 9568): centisecond adverts, Master_Adver_Interval learnt.
    V3,
}

/// keepalived's `state`: where the instance wants to be after startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum InitialState {
    /// `state BACKUP` (the default).
    #[default]
    Backup,
    /// `state MASTER`: a non-owner waits only one advert interval before taking over.
    Master,
}

/// The protocol settings of one VRRP instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// The instance name used in log lines: `(VI_1) Entering MASTER STATE`.
    pub name: String,
    /// `virtual_router_id`.
    pub vrid: u8,
    /// `version`.
    pub version: Version,
    /// `priority` (1..=255; 255 is the address owner).
    pub priority: u8,
    /// `advert_int`: whole seconds for v2, centiseconds (10 ms and up) for v3.
    pub advert_int: Span,
    /// The local primary address, compared with a sender's on equal priority
    /// (RFC 5798 §6.4.3): `unicast_src_ip`/`mcast_src_ip` or the interface's address.
    pub primary_addr: IpAddr,
    /// `state`.
    pub initial_state: InitialState,
    /// `nopreempt`.
    pub nopreempt: bool,
    /// `preempt_delay`: time after startup, or after first seeing a lower-priority
    /// master, before this instance may preempt it (keepalived semantics).
    pub preempt_delay: Span,
    /// `down_timer_adverts`: adverts missed before the master is declared down (3).
    pub down_timer_adverts: u8,
    /// `garp_master_delay`: delay of the second GARP/NA burst after becoming MASTER
    /// (keepalived default 5 s; zero: no second burst).
    pub garp_master_delay: Span,
    /// `garp_master_repeat`: GARP/NA messages per VIP in each burst (keepalived default 5).
    pub garp_master_repeat: u32,
    /// `garp_master_refresh`: period of GARP/NA refreshes while MASTER (zero: never).
    pub garp_master_refresh: Span,
    /// `garp_master_refresh_repeat`: messages per VIP in each refresh (default 1).
    pub garp_master_refresh_repeat: u32,
    /// `garp_lower_prio_repeat`: GARP/NA burst when a MASTER hears a lower-priority
    /// advert (zero: none).
    pub garp_lower_prio_repeat: u32,
    /// `garp_lower_prio_delay`: delay of the second such burst (zero: none).
    pub garp_lower_prio_delay: Span,
    /// `lower_prio_no_advert`: a MASTER does not answer a lower-priority advert.
    pub lower_prio_no_advert: bool,
    /// `higher_prio_send_advert`: a MASTER answers a higher-priority advert before
    /// stepping down.
    pub higher_prio_send_advert: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            name: String::from("VI_1"),
            vrid: 1,
            version: Version::V3,
            priority: 100,
            advert_int: Span::from_secs(1),
            primary_addr: IpAddr::from([192, 0, 2, 1]),
            initial_state: InitialState::Backup,
            nopreempt: false,
            preempt_delay: Span::ZERO,
            down_timer_adverts: 3,
            garp_master_delay: Span::from_secs(5),
            garp_master_repeat: 5,
            garp_master_refresh: Span::ZERO,
            garp_master_refresh_repeat: 1,
            garp_lower_prio_repeat: 0,
            garp_lower_prio_delay: Span::ZERO,
            lower_prio_no_advert: false,
            higher_prio_send_advert: false,
        }
    }
}

impl Config {
    /// The address owner: priority 255 (RFC 5798 §6.1).
    pub fn is_owner(&self) -> bool {
        self.priority == super::PRIORITY_OWNER
    }

    /// Corrections keepalived applies to contradictory settings
    /// (vrrp.c `vrrp_complete_instance`), so the state machine never sees them:
    /// an address owner never uses `nopreempt`; `state MASTER` clears `nopreempt` and
    /// `preempt_delay`; `preempt_delay` is meaningless with `nopreempt`; priority 0 is
    /// reserved for the shutdown advert; a zero interval or `down_timer_adverts` is
    /// replaced by the default; v2 intervals are whole seconds (rounded up, at most
    /// 255); v3 intervals are whole centiseconds (rounded up, at least 1, at most 4095).
    pub fn normalised(mut self) -> Config {
        if self.priority == 0 {
            self.priority = 100;
        }
        if self.is_owner() {
            self.nopreempt = false;
        }
        if self.initial_state == InitialState::Master {
            self.nopreempt = false;
            self.preempt_delay = Span::ZERO;
        }
        if self.nopreempt {
            self.preempt_delay = Span::ZERO;
        }
        if self.down_timer_adverts == 0 {
            self.down_timer_adverts = 3;
        }
        if self.advert_int.is_zero() {
            self.advert_int = Span::from_secs(1);
        }
        self.advert_int = match self.version {
            Version::V2 => {
                let secs = self
                    .advert_int
                    .as_micros()
                    .div_ceil(1_000_000)
                    .clamp(1, 255);
                Span::from_secs(secs)
            }
            Version::V3 => {
                let cs = self.advert_int.as_micros().div_ceil(10_000).clamp(1, 4095);
                Span::from_centis(cs)
            }
        };
        self
    }
}
