//! Everything a peer can do wrong on the wire is a typed protocol violation
//! (DESIGN.md "IPC": a decode error is a protocol violation; relayd proc.c: unexpected
//! or badly sized messages are fatal).
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE/briefing)

use vigil_ipc::frame::{self, Event, Session, Violation};
use vigil_ipc::msg::{Hello, Nonce, Role, Wire};
use vigil_ipc::{FromChecker, FromVrrp, ToChecker, ToVrrp, MAX_MESSAGE_SIZE, PROTOCOL_VERSION};

/// The supervisor's end of the vrrpd channel.
fn supervisor() -> Session<ToVrrp, FromVrrp> {
    Session::new(1)
}

fn vrrpd_hello() -> Vec<u8> {
    Session::<FromVrrp, ToVrrp>::new(2).hello().unwrap()
}

fn established() -> Session<ToVrrp, FromVrrp> {
    let mut s = supervisor();
    assert!(matches!(
        s.receive(&vrrpd_hello(), 0),
        Ok(Event::Established(_))
    ));
    s
}

fn raw_hello(version: u32, role: Role) -> Vec<u8> {
    frame::encode::<FromVrrp>(&Wire::Hello(Hello {
        version,
        role,
        pid: 99,
    }))
    .unwrap()
}

#[test]
fn message_before_hello_is_a_violation() {
    let child = Session::<FromVrrp, ToVrrp>::new(2);
    let pong = child.encode(&FromVrrp::Pong(Nonce(1)), 0).unwrap();
    let mut s = supervisor();
    match s.receive(&pong, 0) {
        Err(Violation::MessageBeforeHello { kind }) => assert_eq!(kind, "Pong"),
        other => panic!("{other:?}"),
    }
    assert!(s.peer().is_none());
}

#[test]
fn wrong_version_is_a_violation() {
    let mut s = supervisor();
    match s.receive(&raw_hello(PROTOCOL_VERSION + 1, Role::Vrrp), 0) {
        Err(Violation::VersionMismatch { ours, theirs }) => {
            assert_eq!((ours, theirs), (PROTOCOL_VERSION, PROTOCOL_VERSION + 1))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn future_hello_layout_is_still_a_version_mismatch() {
    // A later version may add fields to Hello: the version is still read (variant 0,
    // version first) and reported as such, not as garbage.
    let mut bytes = raw_hello(PROTOCOL_VERSION + 7, Role::Vrrp);
    bytes.extend_from_slice(&[0xff, 0xfe, 0x13]);
    match supervisor().receive(&bytes, 0) {
        Err(Violation::VersionMismatch { theirs, .. }) => assert_eq!(theirs, PROTOCOL_VERSION + 7),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_role_is_a_violation() {
    // The checker's Hello on the vrrpd channel.
    let mut s = supervisor();
    match s.receive(&raw_hello(PROTOCOL_VERSION, Role::Checker), 0) {
        Err(Violation::WrongRole { expected, got }) => {
            assert_eq!((expected, got), (Role::Vrrp, Role::Checker))
        }
        other => panic!("{other:?}"),
    }
    // A child claiming to be the supervisor.
    let mut s = supervisor();
    assert!(matches!(
        s.receive(&raw_hello(PROTOCOL_VERSION, Role::Supervisor), 0),
        Err(Violation::WrongRole { .. })
    ));
}

#[test]
fn second_hello_is_a_violation() {
    let mut s = established();
    assert!(matches!(
        s.receive(&vrrpd_hello(), 0),
        Err(Violation::RepeatedHello)
    ));
}

#[test]
fn garbage_is_a_violation() {
    let mut s = established();
    // Variant index far past the enum.
    assert!(matches!(
        s.receive(&[0x01, 0xfb, 0xff, 0xff], 0),
        Err(Violation::Decode(_))
    ));
    let mut s = established();
    assert!(matches!(
        s.receive(&[0xff; 64], 0),
        Err(Violation::Decode(_))
    ));
    let mut s = supervisor();
    assert!(matches!(
        s.receive(b"GET / HTTP/1.0\r\n", 0),
        Err(Violation::Decode(_))
    ));
}

#[test]
fn empty_datagram_is_a_violation() {
    assert!(matches!(
        established().receive(&[], 0),
        Err(Violation::Decode(_))
    ));
}

#[test]
fn truncated_message_is_a_violation() {
    let child = Session::<FromVrrp, ToVrrp>::new(2);
    let msg = FromVrrp::ConfigRejected {
        generation: 3,
        reason: "a reason long enough to be cut".into(),
    };
    let bytes = child.encode(&msg, 0).unwrap();
    for cut in 1..bytes.len() {
        let mut s = established();
        assert!(
            matches!(s.receive(&bytes[..cut], 0), Err(Violation::Decode(_))),
            "cut at {cut}"
        );
    }
}

#[test]
fn trailing_bytes_are_a_violation() {
    let child = Session::<FromVrrp, ToVrrp>::new(2);
    let mut bytes = child.encode(&FromVrrp::Pong(Nonce(4)), 0).unwrap();
    bytes.push(0);
    assert!(matches!(
        established().receive(&bytes, 0),
        Err(Violation::TrailingBytes { .. })
    ));
}

#[test]
fn oversized_datagram_is_a_violation() {
    let bytes = vec![0u8; MAX_MESSAGE_SIZE + 1];
    match established().receive(&bytes, 0) {
        Err(Violation::Oversized { len }) => assert_eq!(len, MAX_MESSAGE_SIZE + 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn oversized_message_is_refused_on_send() {
    let child = Session::<FromVrrp, ToVrrp>::new(2);
    let msg = FromVrrp::ConfigRejected {
        generation: 1,
        reason: "x".repeat(MAX_MESSAGE_SIZE),
    };
    assert!(matches!(
        child.encode(&msg, 0),
        Err(frame::EncodeError::Oversized {
            kind: "ConfigRejected",
            ..
        })
    ));
}

#[test]
fn length_prefix_past_the_limit_is_refused_without_allocating() {
    // ConfigRejected { generation: 0, reason: <string of claimed length 2^40> }:
    // variant 1, varint 0, then a u64 length marker (0xfd) and the length.
    let mut bytes = vec![1u8, 1, 0, 0xfd];
    bytes.extend_from_slice(&(1u64 << 40).to_le_bytes());
    assert!(matches!(
        established().receive(&bytes, 0),
        Err(Violation::Decode(_))
    ));
}

#[test]
fn descriptor_on_a_message_that_carries_none_is_a_violation() {
    let child = Session::<FromChecker, ToChecker>::new(2);
    let mut sup = Session::<ToChecker, FromChecker>::new(1);
    sup.receive(&child.hello().unwrap(), 0).unwrap();
    let pong = child.encode(&FromChecker::Pong(Nonce(1)), 0).unwrap();
    assert!(matches!(
        sup.receive(&pong, 1),
        Err(Violation::FdCount {
            kind: "Pong",
            expected: 0,
            got: 1
        })
    ));
}

#[test]
fn socket_message_without_its_descriptor_is_a_violation() {
    let sup = Session::<ToChecker, FromChecker>::new(1);
    let mut child = Session::<FromChecker, ToChecker>::new(2);
    child.receive(&sup.hello().unwrap(), 0).unwrap();
    let m = sup.encode(&ToChecker::Socket { request: 1 }, 1).unwrap();
    assert!(matches!(
        child.receive(&m, 0),
        Err(Violation::FdCount {
            kind: "Socket",
            expected: 1,
            got: 0
        })
    ));
    // And this side refuses to send it without one.
    assert!(matches!(
        sup.encode(&ToChecker::Socket { request: 1 }, 0),
        Err(frame::EncodeError::FdCount { .. })
    ));
}

#[test]
fn descriptor_with_hello_is_a_violation() {
    assert!(matches!(
        supervisor().receive(&vrrpd_hello(), 2),
        Err(Violation::FdCount { kind: "Hello", .. })
    ));
}

#[test]
fn message_for_another_role_does_not_decode() {
    // A checker's message on the vrrpd channel: FromChecker::StatusEnd is variant 11,
    // FromVrrp has 8 variants, so it cannot decode.
    let child = Session::<FromChecker, ToChecker>::new(2);
    let m = child
        .encode(&FromChecker::StatusEnd { request: 1 }, 0)
        .unwrap();
    assert!(matches!(
        established().receive(&m, 0),
        Err(Violation::Decode(_))
    ));
}

#[test]
fn violations_display_what_went_wrong() {
    let v = Violation::VersionMismatch { ours: 1, theirs: 2 };
    assert_eq!(v.to_string(), "peer speaks protocol version 2, this side 1");
    let v = Violation::Oversized { len: 70000 };
    assert!(v.to_string().contains("70000"));
}
