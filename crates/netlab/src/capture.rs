//! Capturing the frames that cross a lab's bridge, with kernel receive timestamps, so
//! that tests and benchmarks measure failovers from the wire (DESIGN.md, "Testing").
//!
//! A thread enters the switch namespace and reads an AF_PACKET socket on every bridge
//! port. Each frame is kept once: as it enters the bridge from the host that sent it
//! (frames the bridge sends out of a port are skipped).

use crate::lab::LabError;
use nix::sys::socket::{
    recvmsg, setsockopt, socket, sockopt, AddressFamily, ControlMessageOwned, LinkAddr, MsgFlags,
    SockFlag, SockProtocol, SockType,
};
use nix::sys::time::TimeVal;
use std::collections::HashMap;
use std::fs::File;
use std::io::IoSliceMut;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// linux/if_packet.h: a frame the socket's interface sends (not one it receives).
const PACKET_OUTGOING: u8 = 4;

/// The capture socket's receive buffer: 64 MiB, some 80,000 small frames.
const CAPTURE_RCVBUF: usize = 64 << 20;

/// One captured frame.
#[derive(Debug, Clone)]
pub struct Frame {
    /// When the kernel received it (CLOCK_REALTIME, as SO_TIMESTAMPNS gives it).
    pub at: Duration,
    /// The host whose port it entered the bridge from (the name given to `Lab::host`).
    pub from: String,
    /// The bridge port: `p-HOST` for a host's `eth0`, `p-HOST-IF` for its other links.
    pub port: String,
    /// The whole Ethernet frame.
    pub data: Vec<u8>,
}

/// A running capture; [`Capture::stop`] (or drop) ends it.
pub struct Capture {
    frames: Arc<Mutex<Vec<Frame>>>,
    stop: Arc<AtomicBool>,
    drops: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

/// The wall-clock time now, on the same clock as [`Frame::at`].
pub fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

impl Capture {
    pub(crate) fn start(
        namespace: &str,
        ports: Arc<Mutex<Vec<(String, String)>>>,
    ) -> Result<Capture, LabError> {
        let frames = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
        let ns_path = format!("/run/netns/{namespace}");
        let drops = Arc::new(AtomicU64::new(0));
        let (f2, s2, d2) = (Arc::clone(&frames), Arc::clone(&stop), Arc::clone(&drops));
        let thread = std::thread::spawn(move || {
            let setup = || -> Result<_, String> {
                let ns = File::open(&ns_path).map_err(|e| format!("{ns_path}: {e}"))?;
                nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET)
                    .map_err(|e| format!("setns {ns_path}: {e}"))?;
                let sock = socket(
                    AddressFamily::Packet,
                    SockType::Raw,
                    SockFlag::SOCK_CLOEXEC,
                    SockProtocol::EthAll,
                )
                .map_err(|e| format!("AF_PACKET socket: {e}"))?;
                setsockopt(&sock, sockopt::ReceiveTimestampns, &true)
                    .map_err(|e| format!("SO_TIMESTAMPNS: {e}"))?;
                setsockopt(&sock, sockopt::ReceiveTimeout, &TimeVal::new(0, 50_000))
                    .map_err(|e| format!("SO_RCVTIMEO: {e}"))?;
                // A burst of a thousand adverts and their GARPs overflows the default
                // buffer (~200 KiB, a few hundred small frames): a dropped frame would
                // read as a late advert. The lab runs as root, so force a large one.
                setsockopt(&sock, sockopt::RcvBufForce, &CAPTURE_RCVBUF)
                    .map_err(|e| format!("SO_RCVBUFFORCE: {e}"))?;
                // Each frame then carries the socket's drop count so far.
                setsockopt(&sock, sockopt::RxqOvfl, &1).map_err(|e| format!("SO_RXQ_OVFL: {e}"))?;
                Ok(sock)
            };
            let sock = match setup() {
                Ok(s) => {
                    let _ = ready_tx.send(Ok(()));
                    s
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            let mut names: HashMap<usize, (String, String)> = HashMap::new();
            let mut buf = vec![0u8; 65536];
            while !s2.load(Ordering::Relaxed) {
                let mut cmsg = nix::cmsg_space!(nix::sys::time::TimeSpec, u32);
                let mut iov = [IoSliceMut::new(&mut buf)];
                let Ok(msg) = recvmsg::<LinkAddr>(
                    sock.as_raw_fd(),
                    &mut iov,
                    Some(&mut cmsg),
                    MsgFlags::empty(),
                ) else {
                    continue;
                };
                let len = msg.bytes;
                let mut at = None;
                if let Ok(cmsgs) = msg.cmsgs() {
                    for c in cmsgs {
                        match c {
                            ControlMessageOwned::ScmTimestampns(ts) => {
                                at = Some(Duration::new(ts.tv_sec() as u64, ts.tv_nsec() as u32));
                            }
                            ControlMessageOwned::RxqOvfl(n) => {
                                d2.store(u64::from(n), Ordering::Relaxed);
                            }
                            _ => {}
                        }
                    }
                }
                let Some(addr) = msg.address else { continue };
                if addr.pkttype() == PACKET_OUTGOING {
                    continue;
                }
                let index = addr.ifindex();
                // Only names found are cached: a host added later gets its port then.
                let from = match names.get(&index) {
                    Some(n) => n.clone(),
                    None => match port_host(index, &ports) {
                        Some(n) => {
                            names.insert(index, n.clone());
                            n
                        }
                        None => continue,
                    },
                };
                let (port, from) = from;
                let frame = Frame {
                    at: at.unwrap_or_else(now),
                    from,
                    port,
                    data: buf[..len].to_vec(),
                };
                if let Ok(mut f) = f2.lock() {
                    f.push(frame);
                }
            }
        });
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Capture {
                frames,
                stop,
                drops,
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(LabError::Timeout(format!("capture setup: {e}"))),
            Err(_) => Err(LabError::Timeout("capture thread".into())),
        }
    }

    /// The frames captured so far, in arrival order.
    pub fn frames(&self) -> Vec<Frame> {
        self.frames.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Frames the kernel dropped because the capture fell behind, so far (a
    /// measurement that saw drops may have missed the frames it looks for).
    pub fn drops(&self) -> u64 {
        self.drops.load(Ordering::Relaxed)
    }

    /// The frames captured from index `from` on, without copying the earlier ones.
    pub fn frames_since(&self, from: usize) -> Vec<Frame> {
        self.frames
            .lock()
            .map(|f| f.get(from..).map(<[Frame]>::to_vec).unwrap_or_default())
            .unwrap_or_default()
    }

    /// Stops capturing; returns every frame.
    pub fn stop(mut self) -> Vec<Frame> {
        self.halt();
        self.frames()
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.halt();
    }
}

/// The port name and host behind bridge port `index` of this thread's namespace;
/// `None` for the bridges themselves and anything else.
fn port_host(index: usize, ports: &Mutex<Vec<(String, String)>>) -> Option<(String, String)> {
    let index = u32::try_from(index).ok()?;
    let ports = ports.lock().ok()?.clone();
    ports
        .into_iter()
        .find(|(port, _)| nix::net::if_::if_nametoindex(port.as_str()).ok() == Some(index))
}
