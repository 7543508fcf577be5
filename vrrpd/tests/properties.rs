//! Property tests: decoding never panics; encode → decode is the identity.

#![allow(clippy::unwrap_used)] // tests may unwrap (briefing)

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use vigil_vrrpd::packet::validate::{check, parse, Datagram, Expect, ExpectAuth};
use vigil_vrrpd::packet::{
    encode_ipv4, Advertisement, AhSend, Family, Ipv4Fields, Scope, V3Ipv4Checksum, Version,
    AUTH_AH, AUTH_PASS,
};

fn expect_for<'a>(a: &Advertisement, addrs: &'a [IpAddr], key: &'a [u8; 8]) -> Expect<'a> {
    let mut e = Expect::new(a.version, a.interval, addrs);
    e.auth = match a.auth_type {
        AUTH_PASS => ExpectAuth::Pass(key),
        AUTH_AH => ExpectAuth::Ah { key, last_seq: 0 },
        _ => ExpectAuth::None,
    };
    e
}

fn v4_advert() -> impl Strategy<Value = (Advertisement, [u8; 8])> {
    (
        prop_oneof![Just(Version::V2), Just(Version::V3)],
        any::<u8>(),
        any::<u8>(),
        1u16..=255,
        0u16..=0x0fff,
        prop::collection::vec(any::<[u8; 4]>(), 0..40),
        0u8..=2,
        any::<[u8; 8]>(),
    )
        .prop_map(
            |(version, vrid, priority, secs, centis, addrs, auth_type, key)| {
                let v2 = version == Version::V2;
                let auth_type = if v2 { auth_type } else { 0 };
                let a = Advertisement {
                    version,
                    vrid,
                    priority,
                    interval: if v2 { secs } else { centis },
                    addresses: addrs
                        .into_iter()
                        .map(|o| IpAddr::V4(Ipv4Addr::from(o)))
                        .collect(),
                    auth_type,
                    auth_data: if auth_type == AUTH_PASS { key } else { [0; 8] },
                };
                (a, key)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decoding_arbitrary_ipv4_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let key = [0u8; 8];
        let addrs = [IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))];
        let _ = parse(Datagram::Ipv4(&bytes));
        for v in [Version::V2, Version::V3] {
            for auth in [ExpectAuth::None, ExpectAuth::Pass(&key), ExpectAuth::Ah { key: &key, last_seq: 0 }] {
                let mut e = Expect::new(v, 1, &addrs);
                e.auth = auth;
                e.unicast_peers = if bytes.len() % 2 == 0 { &addrs } else { &[] };
                let _ = check(Datagram::Ipv4(&bytes), |_| Some(e));
            }
        }
    }

    #[test]
    fn decoding_arbitrary_ipv6_bytes_never_panics(
        payload in prop::collection::vec(any::<u8>(), 0..300),
        src in any::<[u8; 16]>(),
        dst in any::<[u8; 16]>(),
        hop_limit in any::<u8>(),
    ) {
        let addrs = [IpAddr::V6(Ipv6Addr::LOCALHOST)];
        let d = Datagram::Ipv6 { src: src.into(), dst: dst.into(), hop_limit, payload: &payload };
        let _ = check(d, |_| Some(Expect::new(Version::V3, 100, &addrs)));
    }

    #[test]
    fn encode_then_decode_ipv4_is_identity(
        (a, key) in v4_advert(),
        id in any::<u16>(),
        seq in 1u32..,
        as_v2 in any::<bool>(),
    ) {
        let src = Ipv4Addr::new(192, 0, 2, 1);
        let dst = Ipv4Addr::new(224, 0, 0, 18);
        let ip = Ipv4Fields { src, dst, id, ttl: 255, tos: 0xc0 };
        let mode = if as_v2 { V3Ipv4Checksum::AsV2 } else { V3Ipv4Checksum::PseudoHeader };
        let ah = (a.auth_type == AUTH_AH).then_some(AhSend { key: &key, seq, unicast: false });
        let mut out = Vec::new();
        encode_ipv4(&ip, &a, mode, dst, ah, &mut out).unwrap();
        let p = parse(Datagram::Ipv4(&out)).unwrap();
        prop_assert_eq!(p.advert.to_advertisement(), a.clone());
        prop_assert_eq!(p.ah.map(|h| h.seq()), ah.map(|h| h.seq));
        let mut e = expect_for(&a, &a.addresses, &key);
        e.v3_ipv4_checksum = mode;
        let ok = check(Datagram::Ipv4(&out), |_| Some(e));
        prop_assert!(ok.is_ok(), "{:?}", ok);
    }

    #[test]
    fn encode_then_decode_ipv6_is_identity(
        vrid in any::<u8>(),
        priority in any::<u8>(),
        interval in 0u16..=0x0fff,
        addrs in prop::collection::vec(any::<[u8; 16]>(), 0..16),
    ) {
        let a = Advertisement {
            version: Version::V3,
            vrid,
            priority,
            interval,
            addresses: addrs.into_iter().map(|o| IpAddr::V6(Ipv6Addr::from(o))).collect(),
            auth_type: 0,
            auth_data: [0; 8],
        };
        let src: Ipv6Addr = "fe80::1".parse().unwrap();
        let dst: Ipv6Addr = "ff02::12".parse().unwrap();
        let mut msg = Vec::new();
        a.encode(Family::Ipv6, Scope::Ipv6Pseudo { src, dst }, &mut msg).unwrap();
        let d = Datagram::Ipv6 { src, dst, hop_limit: 255, payload: &msg };
        prop_assert_eq!(parse(d).unwrap().advert.to_advertisement(), a.clone());
        let key = [0; 8];
        prop_assert!(check(d, |_| Some(expect_for(&a, &a.addresses, &key))).is_ok());
    }
}
