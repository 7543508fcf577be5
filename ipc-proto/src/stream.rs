//! Splitting a configuration into a stream of [`ConfigMsg`]s for one child, and putting
//! it back together on the child's side. Pure logic: no sockets.
//!
//! Order: `Begin`, the global section, the static section (vrrpd) or SSL context
//! (checker), then each list in configuration order with its index, `End` with counts.
//! Objects whose encoding does not fit a datagram travel as `Fragment`s.

use crate::frame::MAX_MESSAGE_SIZE;
use crate::msg::config::{CheckerItem, ConfigMsg, Counts, VrrpItem};
use crate::msg::Index;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;
use vigil_config::Config;

/// The largest object a stream may reassemble from fragments: bounds the memory a
/// misbehaving sender can make the child allocate.
pub const MAX_OBJECT_SIZE: usize = 16 * 1024 * 1024;

/// Objects up to this size travel whole; above it, in fragments of this size. Leaves
/// room for the envelope (variant tags, the `last` flag, the length prefix).
pub const FRAGMENT_SIZE: usize = MAX_MESSAGE_SIZE - 256;

fn object_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_OBJECT_SIZE>()
}

/// Something wrong with a configuration stream. On the child's side: answer
/// `ConfigRejected` and keep the configuration in force.
#[derive(Debug)]
pub enum StreamError {
    /// A message other than `Begin` outside a stream.
    NotStarted,
    /// `Begin` inside a stream.
    AlreadyStarted {
        /// The generation in progress.
        generation: u64,
    },
    /// `End` names another generation than `Begin`.
    GenerationMismatch {
        /// From `Begin`.
        begun: u64,
        /// From `End`.
        ended: u64,
    },
    /// An object out of order: every list is sent in order from index 0.
    OutOfOrder {
        /// The kind of object.
        what: &'static str,
        /// The index expected next.
        expected: Index,
        /// The index received.
        got: Index,
    },
    /// A real server for a virtual server not (yet) sent.
    NoSuchVirtualServer {
        /// The index named.
        vs: Index,
    },
    /// A section that comes once came twice.
    Duplicate {
        /// The section.
        what: &'static str,
    },
    /// The counts in `End` differ from what arrived.
    CountMismatch {
        /// Counts from `End`.
        declared: Counts,
        /// Counts of what arrived.
        received: Counts,
    },
    /// Fragments add up to more than [`MAX_OBJECT_SIZE`].
    ObjectTooLarge,
    /// A stream ended or an item came while a fragmented object was incomplete.
    FragmentIncomplete,
    /// The reassembled fragments are not an object.
    FragmentDecode(bincode::error::DecodeError),
    /// An object cannot be encoded (sender side).
    Encode(bincode::error::EncodeError),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::NotStarted => {
                f.write_str("configuration message outside ConfigBegin/ConfigEnd")
            }
            StreamError::AlreadyStarted { generation } => {
                write!(
                    f,
                    "ConfigBegin while generation {generation} is in progress"
                )
            }
            StreamError::GenerationMismatch { begun, ended } => {
                write!(f, "ConfigEnd for generation {ended}, begun as {begun}")
            }
            StreamError::OutOfOrder {
                what,
                expected,
                got,
            } => write!(f, "{what} #{got} received, #{expected} expected"),
            StreamError::NoSuchVirtualServer { vs } => {
                write!(
                    f,
                    "real server for virtual server #{vs}, which was not sent"
                )
            }
            StreamError::Duplicate { what } => write!(f, "{what} sent twice"),
            StreamError::CountMismatch { declared, received } => {
                write!(f, "ConfigEnd declares {declared:?}, received {received:?}")
            }
            StreamError::ObjectTooLarge => {
                write!(f, "fragmented object exceeds {MAX_OBJECT_SIZE} bytes")
            }
            StreamError::FragmentIncomplete => f.write_str("fragmented object left incomplete"),
            StreamError::FragmentDecode(e) => write!(f, "fragmented object undecodable: {e}"),
            StreamError::Encode(e) => write!(f, "cannot encode configuration object: {e}"),
        }
    }
}

impl std::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StreamError::FragmentDecode(e) => Some(e),
            StreamError::Encode(e) => Some(e),
            _ => None,
        }
    }
}

/// An object of a configuration stream: how it lands in the reassembled [`Config`].
pub trait ConfigItem: Serialize + DeserializeOwned + Sized {
    /// Puts the object into `config`, checking its index against what arrived so far.
    fn apply(self, config: &mut Config, seen: &mut Seen) -> Result<(), StreamError>;
}

/// Which once-only sections arrived, and how many objects of each kind.
#[derive(Debug, Default)]
pub struct Seen {
    global: bool,
    second: bool,
    counts: Counts,
}

fn in_order(what: &'static str, index: Index, len: usize) -> Result<(), StreamError> {
    let expected = Index::try_from(len).unwrap_or(Index::MAX);
    if index == expected {
        Ok(())
    } else {
        Err(StreamError::OutOfOrder {
            what,
            expected,
            got: index,
        })
    }
}

fn once(flag: &mut bool, what: &'static str) -> Result<(), StreamError> {
    if std::mem::replace(flag, true) {
        Err(StreamError::Duplicate { what })
    } else {
        Ok(())
    }
}

fn bump(n: &mut u32) {
    *n = n.saturating_add(1);
}

impl ConfigItem for VrrpItem {
    fn apply(self, c: &mut Config, seen: &mut Seen) -> Result<(), StreamError> {
        let v = &mut c.vrrp;
        let n = &mut seen.counts;
        match self {
            VrrpItem::Global(g) => {
                once(&mut seen.global, "global_defs")?;
                c.global = *g;
            }
            VrrpItem::Statics(s) => {
                once(&mut seen.second, "static section")?;
                c.statics = *s;
            }
            VrrpItem::Script { index, script } => {
                in_order("vrrp_script", index, v.scripts.len())?;
                v.scripts.push(*script);
                bump(&mut n.vrrp_scripts);
            }
            VrrpItem::TrackFile { index, file } => {
                in_order("vrrp_track_file", index, v.track_files.len())?;
                v.track_files.push(*file);
                bump(&mut n.track_files);
            }
            VrrpItem::TrackProcess { index, process } => {
                in_order("vrrp_track_process", index, v.track_processes.len())?;
                v.track_processes.push(*process);
                bump(&mut n.track_processes);
            }
            VrrpItem::SyncGroup { index, group } => {
                in_order("vrrp_sync_group", index, v.sync_groups.len())?;
                v.sync_groups.push(*group);
                bump(&mut n.sync_groups);
            }
            VrrpItem::GarpGroup { index, group } => {
                in_order("garp_group", index, v.garp_groups.len())?;
                v.garp_groups.push(*group);
                bump(&mut n.garp_groups);
            }
            VrrpItem::InterfaceDelay { index, delay } => {
                in_order("interface delay", index, v.interface_up_down_delays.len())?;
                v.interface_up_down_delays.push(*delay);
                bump(&mut n.interface_delays);
            }
            VrrpItem::Instance { index, instance } => {
                in_order("vrrp_instance", index, v.instances.len())?;
                v.instances.push(instance);
                bump(&mut n.instances);
            }
            VrrpItem::Bfd { index, bfd } => {
                in_order("bfd_instance", index, c.bfd_instances.len())?;
                c.bfd_instances.push(*bfd);
                bump(&mut n.bfd_instances);
            }
        }
        Ok(())
    }
}

impl ConfigItem for CheckerItem {
    fn apply(self, c: &mut Config, seen: &mut Seen) -> Result<(), StreamError> {
        let l = &mut c.lvs;
        let n = &mut seen.counts;
        match self {
            CheckerItem::Global(g) => {
                once(&mut seen.global, "global_defs")?;
                c.global = *g;
            }
            CheckerItem::Ssl(s) => {
                once(&mut seen.second, "SSL section")?;
                l.ssl = Some(*s);
            }
            CheckerItem::VirtualServerGroup { index, group } => {
                in_order("virtual_server_group", index, l.virtual_server_groups.len())?;
                l.virtual_server_groups.push(*group);
                bump(&mut n.virtual_server_groups);
            }
            CheckerItem::VirtualServer { index, server } => {
                in_order("virtual_server", index, l.virtual_servers.len())?;
                let mut server = *server;
                // Real servers come separately; an item that carried some would let
                // them bypass the index checks.
                server.real_servers.clear();
                l.virtual_servers.push(server);
                bump(&mut n.virtual_servers);
            }
            CheckerItem::RealServer { vs, index, server } => {
                let target = usize::try_from(vs)
                    .ok()
                    .and_then(|i| l.virtual_servers.get_mut(i))
                    .ok_or(StreamError::NoSuchVirtualServer { vs })?;
                in_order("real_server", index, target.real_servers.len())?;
                target.real_servers.push(*server);
                bump(&mut n.real_servers);
            }
            CheckerItem::Bfd { index, bfd } => {
                in_order("bfd_instance", index, c.bfd_instances.len())?;
                c.bfd_instances.push(*bfd);
                bump(&mut n.bfd_instances);
            }
        }
        Ok(())
    }
}

fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn index(i: usize) -> Index {
    Index::try_from(i).unwrap_or(Index::MAX)
}

/// The objects of the VRRP child's configuration, in stream order.
pub fn vrrp_items(c: &Config) -> impl Iterator<Item = VrrpItem> + '_ {
    let v = &c.vrrp;
    std::iter::once(VrrpItem::Global(Box::new(c.global.clone())))
        .chain(std::iter::once(VrrpItem::Statics(Box::new(
            c.statics.clone(),
        ))))
        .chain(v.scripts.iter().enumerate().map(|(i, s)| VrrpItem::Script {
            index: index(i),
            script: Box::new(s.clone()),
        }))
        .chain(
            v.track_files
                .iter()
                .enumerate()
                .map(|(i, s)| VrrpItem::TrackFile {
                    index: index(i),
                    file: Box::new(s.clone()),
                }),
        )
        .chain(
            v.track_processes
                .iter()
                .enumerate()
                .map(|(i, s)| VrrpItem::TrackProcess {
                    index: index(i),
                    process: Box::new(s.clone()),
                }),
        )
        .chain(
            v.sync_groups
                .iter()
                .enumerate()
                .map(|(i, s)| VrrpItem::SyncGroup {
                    index: index(i),
                    group: Box::new(s.clone()),
                }),
        )
        .chain(
            v.garp_groups
                .iter()
                .enumerate()
                .map(|(i, s)| VrrpItem::GarpGroup {
                    index: index(i),
                    group: Box::new(s.clone()),
                }),
        )
        .chain(v.interface_up_down_delays.iter().enumerate().map(|(i, s)| {
            VrrpItem::InterfaceDelay {
                index: index(i),
                delay: Box::new(s.clone()),
            }
        }))
        .chain(
            v.instances
                .iter()
                .enumerate()
                .map(|(i, s)| VrrpItem::Instance {
                    index: index(i),
                    instance: s.clone(),
                }),
        )
        .chain(
            c.bfd_instances
                .iter()
                .enumerate()
                .map(|(i, s)| VrrpItem::Bfd {
                    index: index(i),
                    bfd: Box::new(s.clone()),
                }),
        )
}

/// The counts a VRRP stream of `c` ends with.
pub fn vrrp_counts(c: &Config) -> Counts {
    let v = &c.vrrp;
    Counts {
        vrrp_scripts: count(v.scripts.len()),
        track_files: count(v.track_files.len()),
        track_processes: count(v.track_processes.len()),
        sync_groups: count(v.sync_groups.len()),
        garp_groups: count(v.garp_groups.len()),
        instances: count(v.instances.len()),
        interface_delays: count(v.interface_up_down_delays.len()),
        bfd_instances: count(c.bfd_instances.len()),
        ..Counts::default()
    }
}

/// The objects of the checker child's configuration, in stream order.
pub fn checker_items(c: &Config) -> impl Iterator<Item = CheckerItem> + '_ {
    let l = &c.lvs;
    std::iter::once(CheckerItem::Global(Box::new(c.global.clone())))
        .chain(l.ssl.iter().map(|s| CheckerItem::Ssl(Box::new(s.clone()))))
        .chain(l.virtual_server_groups.iter().enumerate().map(|(i, g)| {
            CheckerItem::VirtualServerGroup {
                index: index(i),
                group: Box::new(g.clone()),
            }
        }))
        .chain(l.virtual_servers.iter().enumerate().flat_map(|(vi, vs)| {
            let head = vs.clone_without_real_servers();
            std::iter::once(CheckerItem::VirtualServer {
                index: index(vi),
                server: Box::new(head),
            })
            .chain(vs.real_servers.iter().enumerate().map(move |(ri, rs)| {
                CheckerItem::RealServer {
                    vs: index(vi),
                    index: index(ri),
                    server: Box::new(rs.clone()),
                }
            }))
        }))
        .chain(
            c.bfd_instances
                .iter()
                .enumerate()
                .map(|(i, s)| CheckerItem::Bfd {
                    index: index(i),
                    bfd: Box::new(s.clone()),
                }),
        )
}

/// Copying a virtual server without copying its real servers first.
trait CloneHead {
    fn clone_without_real_servers(&self) -> Self;
}

impl CloneHead for vigil_config::model::lvs::VirtualServer {
    fn clone_without_real_servers(&self) -> Self {
        let vigil_config::model::lvs::VirtualServer {
            service,
            ip_family,
            scheduler,
            sched_flags,
            ops,
            lvs_method,
            persistence_timeout,
            persistence_engine,
            persistence_granularity,
            protocol,
            ha_suspend,
            smtp_alert,
            virtualhost,
            alpha,
            omega,
            quorum,
            hysteresis,
            quorum_up,
            quorum_down,
            weight,
            sorry_server,
            connect_timeout,
            retry,
            delay_before_retry,
            warmup,
            delay_loop,
            inhibit_on_failure,
            real_servers: _,
        } = self;
        vigil_config::model::lvs::VirtualServer {
            service: service.clone(),
            ip_family: *ip_family,
            scheduler: *scheduler,
            sched_flags: *sched_flags,
            ops: *ops,
            lvs_method: *lvs_method,
            persistence_timeout: *persistence_timeout,
            persistence_engine: persistence_engine.clone(),
            persistence_granularity: *persistence_granularity,
            protocol: *protocol,
            ha_suspend: *ha_suspend,
            smtp_alert: *smtp_alert,
            virtualhost: virtualhost.clone(),
            alpha: *alpha,
            omega: *omega,
            quorum: *quorum,
            hysteresis: *hysteresis,
            quorum_up: quorum_up.clone(),
            quorum_down: quorum_down.clone(),
            weight: *weight,
            sorry_server: sorry_server.clone(),
            connect_timeout: *connect_timeout,
            retry: *retry,
            delay_before_retry: *delay_before_retry,
            warmup: *warmup,
            delay_loop: *delay_loop,
            inhibit_on_failure: *inhibit_on_failure,
            real_servers: Vec::new(),
        }
    }
}

/// The counts a checker stream of `c` ends with.
pub fn checker_counts(c: &Config) -> Counts {
    let l = &c.lvs;
    Counts {
        virtual_server_groups: count(l.virtual_server_groups.len()),
        virtual_servers: count(l.virtual_servers.len()),
        real_servers: count(l.virtual_servers.iter().map(|v| v.real_servers.len()).sum()),
        bfd_instances: count(c.bfd_instances.len()),
        ..Counts::default()
    }
}

/// Turns one object into the messages that carry it: itself when it fits a datagram,
/// else fragments of its encoding.
pub fn item_messages<I: Serialize>(item: I) -> Result<Vec<ConfigMsg<I>>, StreamError> {
    let bytes =
        bincode::serde::encode_to_vec(&item, object_config()).map_err(StreamError::Encode)?;
    if bytes.len() <= FRAGMENT_SIZE {
        return Ok(vec![ConfigMsg::Item(item)]);
    }
    if bytes.len() > MAX_OBJECT_SIZE {
        return Err(StreamError::ObjectTooLarge);
    }
    let pieces = bytes.len().div_ceil(FRAGMENT_SIZE);
    Ok(bytes
        .chunks(FRAGMENT_SIZE)
        .enumerate()
        .map(|(i, chunk)| ConfigMsg::Fragment {
            last: i + 1 == pieces,
            bytes: chunk.to_vec(),
        })
        .collect())
}

/// The whole stream of generation `generation` for the VRRP child.
pub fn vrrp_stream(
    c: &Config,
    generation: u64,
) -> impl Iterator<Item = Result<ConfigMsg<VrrpItem>, StreamError>> + '_ {
    whole_stream(generation, vrrp_items(c), vrrp_counts(c))
}

/// The whole stream of generation `generation` for the checker child.
pub fn checker_stream(
    c: &Config,
    generation: u64,
) -> impl Iterator<Item = Result<ConfigMsg<CheckerItem>, StreamError>> + '_ {
    whole_stream(generation, checker_items(c), checker_counts(c))
}

fn whole_stream<I: Serialize>(
    generation: u64,
    items: impl Iterator<Item = I>,
    counts: Counts,
) -> impl Iterator<Item = Result<ConfigMsg<I>, StreamError>> {
    std::iter::once(Ok(ConfigMsg::Begin { generation }))
        .chain(items.flat_map(|item| match item_messages(item) {
            Ok(msgs) => msgs.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        }))
        .chain(std::iter::once(Ok(ConfigMsg::End { generation, counts })))
}

/// Reassembles configuration streams on the child's side.
#[derive(Debug, Default)]
pub struct Assembler<I> {
    current: Option<Partial>,
    _item: std::marker::PhantomData<fn(I)>,
}

#[derive(Debug)]
struct Partial {
    generation: u64,
    config: Config,
    seen: Seen,
    fragment: Vec<u8>,
}

impl<I: ConfigItem> Assembler<I> {
    /// An assembler outside any stream.
    pub fn new() -> Self {
        Assembler {
            current: None,
            _item: std::marker::PhantomData,
        }
    }

    /// The generation being received, if any.
    pub fn in_progress(&self) -> Option<u64> {
        self.current.as_ref().map(|p| p.generation)
    }

    /// Takes one message; returns the configuration and its generation at `End`.
    /// After an error the stream is abandoned: the next must start with `Begin`.
    pub fn push(&mut self, msg: ConfigMsg<I>) -> Result<Option<(u64, Config)>, StreamError> {
        let result = self.step(msg);
        if result.is_err() {
            self.current = None;
        }
        result
    }

    fn partial(&mut self) -> Result<&mut Partial, StreamError> {
        self.current.as_mut().ok_or(StreamError::NotStarted)
    }

    fn step(&mut self, msg: ConfigMsg<I>) -> Result<Option<(u64, Config)>, StreamError> {
        match msg {
            ConfigMsg::Begin { generation } => {
                if let Some(p) = &self.current {
                    return Err(StreamError::AlreadyStarted {
                        generation: p.generation,
                    });
                }
                self.current = Some(Partial {
                    generation,
                    config: Config::default(),
                    seen: Seen::default(),
                    fragment: Vec::new(),
                });
                Ok(None)
            }
            ConfigMsg::Item(item) => {
                let p = self.partial()?;
                if !p.fragment.is_empty() {
                    return Err(StreamError::FragmentIncomplete);
                }
                item.apply(&mut p.config, &mut p.seen)?;
                Ok(None)
            }
            ConfigMsg::Fragment { last, bytes } => {
                let p = self.partial()?;
                if p.fragment.len().saturating_add(bytes.len()) > MAX_OBJECT_SIZE {
                    return Err(StreamError::ObjectTooLarge);
                }
                p.fragment.extend_from_slice(&bytes);
                if last {
                    let whole = std::mem::take(&mut p.fragment);
                    let (item, used) =
                        bincode::serde::decode_from_slice::<I, _>(&whole, object_config())
                            .map_err(StreamError::FragmentDecode)?;
                    if used != whole.len() {
                        return Err(StreamError::FragmentDecode(
                            bincode::error::DecodeError::OtherString(format!(
                                "{} trailing bytes",
                                whole.len() - used
                            )),
                        ));
                    }
                    item.apply(&mut p.config, &mut p.seen)?;
                }
                Ok(None)
            }
            ConfigMsg::End { generation, counts } => {
                let p = self.partial()?;
                if !p.fragment.is_empty() {
                    return Err(StreamError::FragmentIncomplete);
                }
                if generation != p.generation {
                    return Err(StreamError::GenerationMismatch {
                        begun: p.generation,
                        ended: generation,
                    });
                }
                if counts != p.seen.counts {
                    return Err(StreamError::CountMismatch {
                        declared: counts,
                        received: p.seen.counts,
                    });
                }
                let done = self.current.take().map(|p| (p.generation, p.config));
                Ok(done)
            }
        }
    }
}
