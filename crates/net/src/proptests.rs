//! Property tests: every decoder of kernel input returns a value or an error for any
//! bytes at all, and never panics (the daemons must survive a kernel newer than they
//! are, or a bug in one).

use proptest::prelude::*;

/// A netlink message header (length, type, flags, seq, port) followed by `body`.
fn framed(kind: u16, flags: u16, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(16 + body.len()).unwrap_or(u32::MAX);
    let mut v = Vec::new();
    v.extend_from_slice(&len.to_ne_bytes());
    v.extend_from_slice(&kind.to_ne_bytes());
    v.extend_from_slice(&flags.to_ne_bytes());
    v.extend_from_slice(&0u32.to_ne_bytes());
    v.extend_from_slice(&0u32.to_ne_bytes());
    v.extend_from_slice(body);
    v
}

/// Attributes encoded as netlink NLAs (4-byte header, 4-byte alignment).
fn nlas(items: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut v = Vec::new();
    for (kind, value) in items {
        let len = u16::try_from(4 + value.len()).unwrap_or(u16::MAX);
        v.extend_from_slice(&len.to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(value);
        while v.len() % 4 != 0 {
            v.push(0);
        }
    }
    v
}

/// Well-framed attributes with the kinds the decoders look at (and others), values
/// of any length, and nests (IFLA_LINKINFO, IFLA_AF_SPEC) holding more of the same.
fn attr_soup() -> impl Strategy<Value = Vec<u8>> {
    let kind = prop::sample::select(vec![1u16, 2, 3, 4, 5, 6, 8, 18, 26, 37, 0x8000 | 26, 999]);
    let leaf = (kind.clone(), proptest::collection::vec(any::<u8>(), 0..24));
    let nested = (
        kind,
        proptest::collection::vec(
            (
                prop::sample::select(vec![1u16, 2, 10, 0x8001]),
                proptest::collection::vec(any::<u8>(), 0..24),
            ),
            0..4,
        ),
    )
        .prop_map(|(k, inner)| (k, nlas(&inner)));
    proptest::collection::vec(prop_oneof![leaf, nested], 0..8).prop_map(|v| nlas(&v))
}

proptest! {
    #[test]
    fn decoders_survive_well_framed_odd_attributes(
        header in proptest::collection::vec(any::<u8>(), 16),
        attrs in attr_soup(),
    ) {
        let mut link = header.clone();
        link.extend_from_slice(&attrs);
        let _ = crate::link::decode(&link);
        let _ = crate::devconf::decode(&link);
        let mut addr = header[..8].to_vec();
        addr.extend_from_slice(&attrs);
        let _ = crate::addr::decode(&addr);
        let mut route = header[..12].to_vec();
        route.extend_from_slice(&attrs);
        let _ = crate::route::decode(&route);
    }

    #[test]
    fn split_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = crate::nl::split(&bytes);
    }

    #[test]
    fn link_and_addr_decoders_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = crate::link::decode(&body);
        let _ = crate::addr::decode(&body);
        let _ = crate::devconf::decode(&body);
        let _ = crate::route::decode(&body);
    }

    #[test]
    fn notifications_and_nacks_never_panic(
        kind in prop::sample::select(vec![2u16, 3, 16, 17, 20, 21, 99]),
        flags in any::<u16>(),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let datagram = framed(kind, flags, &body);
        if let Ok(msgs) = crate::nl::split(&datagram) {
            for m in &msgs {
                let _ = crate::monitor::event_of(m);
                let _ = crate::nl::error_code(m);
            }
        }
    }
}

#[test]
fn a_nack_with_an_extended_ack_message_is_read() {
    // NLMSG_ERROR: error -17 (EEXIST), the capped echoed header, then
    // NLMSGERR_ATTR_MSG "File exists here\0".
    let mut body = Vec::new();
    body.extend_from_slice(&(-17i32).to_ne_bytes());
    body.extend_from_slice(&[0u8; 16]);
    let text = b"File exists here\0";
    let nla_len = u16::try_from(4 + text.len()).unwrap_or(0);
    body.extend_from_slice(&nla_len.to_ne_bytes());
    body.extend_from_slice(&1u16.to_ne_bytes());
    body.extend_from_slice(text);
    while body.len() % 4 != 0 {
        body.push(0);
    }
    // NLM_F_CAPPED | NLM_F_ACK_TLVS.
    let datagram = framed(2, 0x300, &body);
    let msgs = crate::nl::split(&datagram).expect("split");
    let (errno, msg) = crate::nl::error_code(&msgs[0]).expect_err("a NACK");
    assert_eq!(errno, nix::errno::Errno::EEXIST);
    assert_eq!(msg.as_deref(), Some("File exists here"));
}

#[test]
fn malformed_datagrams_are_errors() {
    // A length below the header size, and one beyond the datagram.
    let mut short = framed(16, 0, &[]);
    short[0..4].copy_from_slice(&8u32.to_ne_bytes());
    assert!(crate::nl::split(&short).is_err());
    let mut long = framed(16, 0, &[0; 8]);
    long[0..4].copy_from_slice(&1000u32.to_ne_bytes());
    assert!(crate::nl::split(&long).is_err());
    assert!(crate::nl::split(&[1, 2, 3]).is_err());
}
