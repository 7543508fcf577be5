//! Configuration delivery, object by object (relayd's `config.c` habit): a whole
//! configuration does not fit in one datagram (10,000 VRRP instances), so the supervisor
//! sends `Begin`, one message per declared object, and `End` with the counts, and the
//! child answers `ConfigApplied` or `ConfigRejected`. A reload is the same stream with a
//! new generation. `crate::stream` builds and reassembles these streams.

use super::Index;
use serde::{Deserialize, Serialize};
use vigil_config::model::{bfd, global, lvs, vrrp};

/// One message of a configuration stream carrying items of type `I`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConfigMsg<I> {
    /// Starts generation `generation`; everything until `End` belongs to it.
    Begin {
        /// Increases with every configuration the supervisor sends (start, reloads).
        generation: u64,
    },
    /// One declared object.
    Item(I),
    /// A piece of one object too large for a datagram (an instance with thousands of
    /// addresses): the bincode encoding of an item, split; `last` ends the object.
    Fragment {
        /// True on the final piece.
        last: bool,
        /// The bytes of this piece.
        bytes: Vec<u8>,
    },
    /// Ends the stream; the child checks the counts, then applies and answers.
    End {
        /// The generation named in `Begin`.
        generation: u64,
        /// How many objects of each kind were sent.
        counts: Counts,
    },
}

/// How many objects of each kind a configuration stream carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    /// `vrrp_script` blocks.
    pub vrrp_scripts: u32,
    /// `vrrp_track_file` blocks.
    pub track_files: u32,
    /// `vrrp_track_process` blocks.
    pub track_processes: u32,
    /// `vrrp_sync_group` blocks.
    pub sync_groups: u32,
    /// `garp_group` blocks.
    pub garp_groups: u32,
    /// `vrrp_instance` blocks.
    pub instances: u32,
    /// Interface up/down delays.
    pub interface_delays: u32,
    /// `bfd_instance` blocks.
    pub bfd_instances: u32,
    /// `virtual_server_group` blocks.
    pub virtual_server_groups: u32,
    /// `virtual_server` blocks.
    pub virtual_servers: u32,
    /// `real_server` blocks, over all virtual servers.
    pub real_servers: u32,
}

/// An object of the VRRP child's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VrrpItem {
    /// `global_defs` (once).
    Global(Box<global::GlobalDefs>),
    /// Static addresses, routes, rules, linkbeat interfaces, track groups (once).
    Statics(Box<global::Statics>),
    /// `vrrp_script` #index (the supervisor runs it; vrrpd needs its weight, rise, fall).
    Script {
        /// Position among the `vrrp_script` blocks.
        index: Index,
        /// The block.
        script: Box<vrrp::VrrpScript>,
    },
    /// `vrrp_track_file` #index.
    TrackFile {
        /// Position among the `vrrp_track_file` blocks.
        index: Index,
        /// The block.
        file: Box<vrrp::TrackFile>,
    },
    /// `vrrp_track_process` #index.
    TrackProcess {
        /// Position among the `vrrp_track_process` blocks.
        index: Index,
        /// The block.
        process: Box<vrrp::TrackProcess>,
    },
    /// `vrrp_sync_group` #index.
    SyncGroup {
        /// Position among the `vrrp_sync_group` blocks.
        index: Index,
        /// The block.
        group: Box<vrrp::SyncGroup>,
    },
    /// `garp_group` #index.
    GarpGroup {
        /// Position among the `garp_group` blocks.
        index: Index,
        /// The block.
        group: Box<vrrp::GarpGroup>,
    },
    /// Interface up/down delay #index.
    InterfaceDelay {
        /// Position in the list.
        index: Index,
        /// The delay.
        delay: Box<vrrp::InterfaceDelay>,
    },
    /// `vrrp_instance` #index.
    Instance {
        /// Position among the `vrrp_instance` blocks.
        index: Index,
        /// The block.
        instance: Box<vrrp::Instance>,
    },
    /// `bfd_instance` #index (VRRP instances may track BFD sessions).
    Bfd {
        /// Position among the `bfd_instance` blocks.
        index: Index,
        /// The block.
        bfd: Box<bfd::BfdInstance>,
    },
}

/// An object of the checker child's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CheckerItem {
    /// `global_defs` (once).
    Global(Box<global::GlobalDefs>),
    /// The SSL context of SSL_GET checkers (once, when configured).
    Ssl(Box<lvs::Ssl>),
    /// `virtual_server_group` #index.
    VirtualServerGroup {
        /// Position among the `virtual_server_group` blocks.
        index: Index,
        /// The block.
        group: Box<lvs::VirtualServerGroup>,
    },
    /// `virtual_server` #index, its `real_servers` empty: each follows as `RealServer`.
    VirtualServer {
        /// Position among the `virtual_server` blocks.
        index: Index,
        /// The block without its real servers.
        server: Box<lvs::VirtualServer>,
    },
    /// `real_server` #index of `virtual_server` #vs.
    RealServer {
        /// The virtual server it belongs to (already sent).
        vs: Index,
        /// Position among that virtual server's real servers.
        index: Index,
        /// The block, with its checkers.
        server: Box<lvs::RealServer>,
    },
    /// `bfd_instance` #index (BFD_CHECK follows BFD sessions).
    Bfd {
        /// Position among the `bfd_instance` blocks.
        index: Index,
        /// The block.
        bfd: Box<bfd::BfdInstance>,
    },
}
