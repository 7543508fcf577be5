//! Any bytes, as any datagram in any direction, before or after the handshake: the
//! decoder returns a message or a violation, never panics, and a decoded message
//! encodes again within the size limit. Also feeds decoded config messages to the
//! reassembler.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_ipc::frame::{Event, Session};
use vigil_ipc::msg::config::{CheckerItem, VrrpItem};
use vigil_ipc::stream::Assembler;
use vigil_ipc::{Direction, FromChecker, FromVrrp, ToChecker, ToVrrp};

fn run<Tx: Direction, Rx: Direction>(data: &[u8], fds: usize) -> Vec<Rx> {
    let peer = Session::<Rx, Tx>::new(2);
    let mut fresh = Session::<Tx, Rx>::new(1);
    let _ = fresh.receive(data, fds);
    let mut established = Session::<Tx, Rx>::new(1);
    let hello = peer.hello().expect("hello encodes");
    assert!(matches!(
        established.receive(&hello, 0),
        Ok(Event::Established(_))
    ));
    let mut out = Vec::new();
    // Split the input into datagrams at 0xfe bytes, to exercise sequences.
    for chunk in data.split(|b| *b == 0xfe) {
        if let Ok(Event::Message(m)) = established.receive(chunk, fds) {
            let again = peer
                .encode(&m, m.fd_count())
                .expect("decoded message re-encodes");
            assert!(again.len() <= vigil_ipc::MAX_MESSAGE_SIZE);
            out.push(m);
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let fds = usize::from(data.first().copied().unwrap_or(0) & 1);
    let mut vrrp = Assembler::<VrrpItem>::new();
    for m in run::<FromVrrp, ToVrrp>(data, fds) {
        if let ToVrrp::Config(c) = m {
            let _ = vrrp.push(c);
        }
    }
    let mut checker = Assembler::<CheckerItem>::new();
    for m in run::<FromChecker, ToChecker>(data, fds) {
        if let ToChecker::Config(c) = m {
            let _ = checker.push(c);
        }
    }
    run::<ToVrrp, FromVrrp>(data, fds);
    run::<ToChecker, FromChecker>(data, fds);
});
