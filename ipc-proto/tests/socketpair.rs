//! The channel over a real SOCK_SEQPACKET socketpair: handshake, messages, a descriptor
//! passed with SCM_RIGHTS, oversized and garbage datagrams, a closed peer.
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE/briefing)

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{send, MsgFlags};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use vigil_ipc::frame::Event;
use vigil_ipc::msg::checker::{CheckerRef, RealServerRef, SocketKind};
use vigil_ipc::msg::Nonce;
use vigil_ipc::{
    seqpacket_pair, Channel, ChannelError, FromChecker, Received, Role, ToChecker, Violation,
    MAX_MESSAGE_SIZE,
};

type Supervisor = Channel<ToChecker, FromChecker>;
type Checker = Channel<FromChecker, ToChecker>;

/// Waits (generously: a loaded machine) for one datagram.
fn recv_one<Tx: vigil_ipc::Direction, Rx: vigil_ipc::Direction>(
    ch: &mut Channel<Tx, Rx>,
) -> Result<Received<Rx>, ChannelError> {
    for _ in 0..100 {
        if let Some(r) = ch.recv()? {
            return Ok(r);
        }
        let mut fds = [PollFd::new(ch.as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(100u16)).unwrap();
    }
    panic!("nothing received in 10 s");
}

fn pair() -> (Supervisor, Checker) {
    let (a, b) = seqpacket_pair().unwrap();
    let mut sup = Supervisor::new(a, 1).unwrap();
    let mut chk = Checker::new(b, 2).unwrap();
    assert!(sup.flush().unwrap());
    assert!(chk.flush().unwrap());
    match recv_one(&mut sup).unwrap().event {
        Event::Established(h) => assert_eq!((h.role, h.pid), (Role::Checker, 2)),
        e => panic!("{e:?}"),
    }
    match recv_one(&mut chk).unwrap().event {
        Event::Established(h) => assert_eq!((h.role, h.pid), (Role::Supervisor, 1)),
        e => panic!("{e:?}"),
    }
    (sup, chk)
}

#[test]
fn handshake_and_messages_both_ways() {
    let (mut sup, mut chk) = pair();
    sup.send(&ToChecker::Ping(Nonce(77))).unwrap();
    let r = recv_one(&mut chk).unwrap();
    assert_eq!(r.event, Event::Message(ToChecker::Ping(Nonce(77))));
    assert!(r.fds.is_empty());
    chk.send(&FromChecker::Pong(Nonce(77))).unwrap();
    assert_eq!(
        recv_one(&mut sup).unwrap().event,
        Event::Message(FromChecker::Pong(Nonce(77)))
    );
    assert!(chk.recv().unwrap().is_none(), "nothing else waiting");
}

#[test]
fn broker_passes_a_descriptor() {
    let (mut sup, mut chk) = pair();
    chk.send(&FromChecker::SocketRequest {
        request: 5,
        kind: SocketKind::IcmpEcho {
            target: CheckerRef {
                server: RealServerRef { vs: 0, rs: 0 },
                checker: 0,
            },
        },
    })
    .unwrap();
    let req = recv_one(&mut sup).unwrap();
    assert!(matches!(
        req.event,
        Event::Message(FromChecker::SocketRequest { request: 5, .. })
    ));

    // A file stands in for the socket: what matters is that the descriptor crosses.
    let path = std::env::temp_dir().join(format!("vigil-ipc-fd-test-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    file.write_all(b"passed along").unwrap();
    let fd: OwnedFd = file.into();
    sup.send_with_fds(&ToChecker::Socket { request: 5 }, vec![fd])
        .unwrap();

    let got = recv_one(&mut chk).unwrap();
    assert_eq!(got.event, Event::Message(ToChecker::Socket { request: 5 }));
    assert_eq!(got.fds.len(), 1);
    let mut file = std::fs::File::from(got.fds.into_iter().next().unwrap());
    file.seek(SeekFrom::Start(0)).unwrap();
    let mut s = String::new();
    file.read_to_string(&mut s).unwrap();
    assert_eq!(s, "passed along");
    // Received close-on-exec (MSG_CMSG_CLOEXEC): a script the child might exec
    // must not inherit it.
    let flags = nix::fcntl::fcntl(file.as_fd(), nix::fcntl::FcntlArg::F_GETFD).unwrap();
    assert!(nix::fcntl::FdFlag::from_bits_truncate(flags).contains(nix::fcntl::FdFlag::FD_CLOEXEC));
}

#[test]
fn oversized_datagram_is_a_violation() {
    let (a, b) = seqpacket_pair().unwrap();
    let mut sup = Supervisor::new(a, 1).unwrap();
    sup.flush().unwrap();
    let big = vec![0u8; MAX_MESSAGE_SIZE + 100];
    send(b.as_raw_fd(), &big, MsgFlags::empty()).unwrap();
    match recv_one(&mut sup) {
        Err(ChannelError::Violation(Violation::Oversized { len })) => {
            assert_eq!(len, MAX_MESSAGE_SIZE + 100)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn garbage_datagram_is_a_violation() {
    let (a, b) = seqpacket_pair().unwrap();
    let mut sup = Supervisor::new(a, 1).unwrap();
    send(
        b.as_raw_fd(),
        b"\xff\xff\xff\xff garbage",
        MsgFlags::empty(),
    )
    .unwrap();
    assert!(matches!(
        recv_one(&mut sup),
        Err(ChannelError::Violation(Violation::Decode(_)))
    ));
}

#[test]
fn descriptors_from_a_child_are_refused_and_closed() {
    let (mut sup, chk) = pair();
    // The child sends a Pong with a descriptor attached, bypassing its Channel.
    let pong = vigil_ipc::Session::<FromChecker, ToChecker>::new(2)
        .encode(&FromChecker::Pong(Nonce(1)), 0)
        .unwrap();
    let (probe_r, probe_w) = nix::unistd::pipe().unwrap();
    let raw = [probe_w.as_raw_fd()];
    nix::sys::socket::sendmsg::<()>(
        chk.as_raw_fd(),
        &[std::io::IoSlice::new(&pong)],
        &[nix::sys::socket::ControlMessage::ScmRights(&raw)],
        MsgFlags::empty(),
        None,
    )
    .unwrap();
    drop(probe_w);
    assert!(matches!(
        recv_one(&mut sup),
        Err(ChannelError::Violation(Violation::FdCount { got: 1, .. }))
    ));
    // The received copy was closed with the refusal: the pipe's last writer is gone.
    let mut buf = [0u8; 1];
    assert_eq!(nix::unistd::read(&probe_r, &mut buf).unwrap(), 0);
}

#[test]
fn closed_peer_is_reported() {
    let (mut sup, chk) = pair();
    drop(chk);
    assert!(matches!(recv_one(&mut sup), Err(ChannelError::Closed)));
    assert!(matches!(
        sup.send(&ToChecker::Shutdown),
        Err(ChannelError::Closed)
    ));
}

#[test]
fn full_socket_queues_and_flushes_later() {
    let (mut sup, mut chk) = pair();
    // Fill the socket buffer with large messages until the kernel says EAGAIN.
    let big = ToChecker::SocketRefused {
        request: 0,
        reason: "r".repeat(60_000),
    };
    let mut sent = 0;
    while !sup.wants_write() {
        sup.send(&big).unwrap();
        sent += 1;
        assert!(sent < 10_000, "socket never filled");
    }
    // Drain and flush until everything arrives, in order.
    let mut got = 0;
    while got < sent {
        let r = recv_one(&mut chk).unwrap();
        assert_eq!(r.event, Event::Message(big.clone()));
        got += 1;
        sup.flush().unwrap();
    }
    assert!(!sup.wants_write());
    assert!(chk.recv().unwrap().is_none());
}
