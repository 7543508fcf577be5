//! Decode adverts captured from keepalived 2.2.7 (tests/vectors/README.md),
//! check every field, re-encode them byte for byte, and run the receive
//! checks on them.

#![allow(clippy::unwrap_used)] // tests may unwrap (briefing)

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use vigil_vrrpd::auth::key_from_password;
use vigil_vrrpd::packet::validate::{
    check, parse, ChecksumForm, Datagram, Expect, ExpectAuth, Reject,
};
use vigil_vrrpd::packet::{
    encode_ipv4, AhSend, Family, Ipv4Fields, Scope, V3Ipv4Checksum, Version, AUTH_AH, AUTH_PASS,
};

fn load(name: &str) -> Vec<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let pkts: Vec<Vec<u8>> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let l = l.trim();
            (0..l.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&l[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect();
    assert!(pkts.len() >= 3, "{name}: want at least 3 packets");
    pkts
}

fn v4(s: &str) -> IpAddr {
    IpAddr::V4(s.parse().unwrap())
}

fn v6(s: &str) -> IpAddr {
    IpAddr::V6(s.parse().unwrap())
}

/// Re-encodes an IPv4 datagram from its decoded fields.
fn reencode_v4(pkt: &[u8], key: Option<&[u8; 8]>, unicast: bool) -> Vec<u8> {
    let p = parse(Datagram::Ipv4(pkt)).unwrap();
    let ip = p.ip.unwrap();
    let fields = Ipv4Fields {
        src: ip.src(),
        dst: ip.dst(),
        id: ip.id(),
        ttl: ip.ttl(),
        tos: ip.tos(),
    };
    let ah = match (key, p.ah) {
        (Some(key), Some(ah)) => Some(AhSend {
            key,
            seq: ah.seq(),
            unicast,
        }),
        (None, None) => None,
        _ => panic!("AH presence and key disagree"),
    };
    let mut out = Vec::new();
    encode_ipv4(
        &fields,
        &p.advert.to_advertisement(),
        V3Ipv4Checksum::PseudoHeader,
        ip.dst(),
        ah,
        &mut out,
    )
    .unwrap();
    out
}

#[test]
fn keepalived_v2_pass() {
    let pkts = load("v2-pass.hex");
    let addrs = [v4("192.0.2.100"), v4("192.0.2.101")];
    let pw = key_from_password(b"secret1");
    for (i, pkt) in pkts.iter().enumerate() {
        let p = parse(Datagram::Ipv4(pkt)).unwrap();
        let ip = p.ip.unwrap();
        assert_eq!(ip.tos(), 0xc0);
        assert_eq!(usize::from(ip.total_len()), pkt.len());
        assert_eq!(
            usize::from(ip.id()),
            i + 1,
            "keepalived counts IP ids from 1"
        );
        assert_eq!(ip.frag_off(), 0);
        assert_eq!(ip.ttl(), 255);
        assert_eq!(ip.protocol(), 112);
        assert_eq!(ip.src(), Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(ip.dst(), Ipv4Addr::new(224, 0, 0, 18));
        assert!(p.ah.is_none());
        let a = p.advert;
        assert_eq!(a.version(), Version::V2);
        assert_eq!(a.kind(), 1);
        assert_eq!(a.vrid(), 51);
        assert_eq!(a.priority(), 150);
        assert_eq!(a.count(), 2);
        assert_eq!(a.auth_type(), Some(AUTH_PASS));
        assert_eq!(a.interval(), 1);
        assert_eq!(a.checksum(), 0x55b2);
        assert_eq!(a.addresses().collect::<Vec<_>>(), addrs);
        assert_eq!(a.auth_data(), Some(*b"secret1\0"));
        assert!(a.checksum_ok(Scope::MessageOnly));
        assert_eq!(&reencode_v4(pkt, None, false), pkt);

        let mut exp = Expect::new(Version::V2, 1, &addrs);
        exp.auth = ExpectAuth::Pass(&pw);
        let ok = check(Datagram::Ipv4(pkt), |vrid| (vrid == 51).then_some(exp)).unwrap();
        assert_eq!(ok.ah_seq, None);
        let other = key_from_password(b"secret2");
        exp.auth = ExpectAuth::Pass(&other);
        assert_eq!(
            check(Datagram::Ipv4(pkt), |_| Some(exp)),
            Err(Reject::AuthDataMismatch)
        );
    }
}

fn check_ah(name: &str, password: &[u8], vrid: u8, dst: Ipv4Addr, vip: IpAddr, unicast: bool) {
    let pkts = load(name);
    let key = key_from_password(password);
    let addrs = [vip];
    let peers = [IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))];
    for (i, pkt) in pkts.iter().enumerate() {
        let p = parse(Datagram::Ipv4(pkt)).unwrap();
        let ip = p.ip.unwrap();
        assert_eq!(ip.protocol(), 51);
        assert_eq!(ip.tos(), 0xc0);
        assert_eq!(ip.ttl(), 255);
        assert_eq!(ip.total_len(), 20 + 24 + 8 + 4 + 8);
        assert_eq!(ip.src(), Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(ip.dst(), dst);
        let ah = p.ah.unwrap();
        assert_eq!(ah.next_header(), 112);
        assert_eq!(ah.payload_len(), 4);
        assert_eq!(
            ah.spi(),
            u32::from(Ipv4Addr::new(192, 0, 2, 1)),
            "keepalived: SPI = source"
        );
        assert_eq!(
            ah.seq() as usize,
            i + 1,
            "keepalived sends sequence 1 first"
        );
        let a = p.advert;
        assert_eq!(a.version(), Version::V2);
        assert_eq!(a.vrid(), vrid);
        assert_eq!(a.priority(), 150);
        assert_eq!(a.count(), 1);
        assert_eq!(a.auth_type(), Some(AUTH_AH));
        assert_eq!(a.interval(), 1);
        assert_eq!(a.addresses().collect::<Vec<_>>(), addrs);
        assert_eq!(
            a.auth_data(),
            Some([0; 8]),
            "keepalived leaves v2 auth data zero under AH"
        );
        assert!(a.checksum_ok(Scope::MessageOnly));
        assert_eq!(&reencode_v4(pkt, Some(&key), unicast), pkt, "{name} #{i}");

        let mut exp = Expect::new(Version::V2, 1, &addrs);
        if unicast {
            exp.unicast_peers = &peers;
        }
        exp.auth = ExpectAuth::Ah {
            key: &key,
            last_seq: 0,
        };
        let ok = check(Datagram::Ipv4(pkt), |_| Some(exp)).unwrap();
        assert_eq!(ok.ah_seq, Some(ah.seq()));
        // replayed: the same sequence number again
        exp.auth = ExpectAuth::Ah {
            key: &key,
            last_seq: ah.seq(),
        };
        assert!(matches!(
            check(Datagram::Ipv4(pkt), |_| Some(exp)),
            Err(Reject::AhReplay { .. })
        ));
        // another password
        let other = key_from_password(b"another");
        exp.auth = ExpectAuth::Ah {
            key: &other,
            last_seq: 0,
        };
        assert_eq!(
            check(Datagram::Ipv4(pkt), |_| Some(exp)),
            Err(Reject::AuthDataMismatch)
        );
        // the TTL is in the ICV input exactly when multicast
        assert!(vigil_vrrpd::auth::ah_verify(
            &key,
            ip.bytes(),
            ah.bytes(),
            a.bytes(),
            unicast
        ));
        assert!(!vigil_vrrpd::auth::ah_verify(
            &key,
            ip.bytes(),
            ah.bytes(),
            a.bytes(),
            !unicast
        ));
    }
}

#[test]
fn keepalived_v2_ah_multicast() {
    check_ah(
        "v2-ah.hex",
        b"ahsecret",
        52,
        Ipv4Addr::new(224, 0, 0, 18),
        v4("192.0.2.102"),
        false,
    );
}

#[test]
fn keepalived_v2_ah_unicast_zeroes_ttl_in_icv() {
    check_ah(
        "v2-ah-unicast.hex",
        b"uniAH",
        56,
        Ipv4Addr::new(192, 0, 2, 2),
        v4("192.0.2.106"),
        true,
    );
}

#[test]
fn keepalived_v3_ipv4_multicast_checksum_has_pseudo_header() {
    let pkts = load("v3-ipv4.hex");
    let addrs = [v4("192.0.2.103"), v4("192.0.2.104"), v4("192.0.2.105")];
    for pkt in &pkts {
        let p = parse(Datagram::Ipv4(pkt)).unwrap();
        let ip = p.ip.unwrap();
        assert_eq!((ip.tos(), ip.ttl(), ip.protocol()), (0xc0, 255, 112));
        assert_eq!(ip.dst(), Ipv4Addr::new(224, 0, 0, 18));
        let a = p.advert;
        assert_eq!(a.version(), Version::V3);
        assert_eq!(a.kind(), 1);
        assert_eq!(a.vrid(), 53);
        assert_eq!(a.priority(), 150);
        assert_eq!(a.count(), 3);
        assert_eq!(a.auth_type(), None);
        assert_eq!(a.interval(), 50, "advert_int 0.5 is 50 centiseconds");
        assert_eq!(a.reserved(), 0);
        assert_eq!(a.checksum(), 0x4ec2);
        assert_eq!(a.addresses().collect::<Vec<_>>(), addrs);
        assert_eq!(a.auth_data(), None);
        let pseudo = Scope::Ipv4Pseudo {
            src: ip.src(),
            dst: ip.dst(),
        };
        assert!(a.checksum_ok(pseudo));
        assert!(
            !a.checksum_ok(Scope::MessageOnly),
            "keepalived 2.2.7 has no v3_checksum_as_v2"
        );
        assert_eq!(&reencode_v4(pkt, None, false), pkt);

        let mut exp = Expect::new(Version::V3, 100, &addrs);
        let ok = check(Datagram::Ipv4(pkt), |_| Some(exp)).unwrap();
        assert_eq!(ok.checksum_form, ChecksumForm::Configured);
        exp.v3_ipv4_checksum = V3Ipv4Checksum::AsV2;
        assert_eq!(
            check(Datagram::Ipv4(pkt), |_| Some(exp)),
            Err(Reject::BadChecksum)
        );
    }
}

#[test]
fn keepalived_v3_ipv4_unicast_pseudo_header_uses_peer_address() {
    let pkts = load("v3-ipv4-unicast.hex");
    let addrs = [v4("192.0.2.107")];
    let peers = [v4("192.0.2.1")];
    for pkt in &pkts {
        let p = parse(Datagram::Ipv4(pkt)).unwrap();
        let ip = p.ip.unwrap();
        assert_eq!(ip.ttl(), 255);
        assert_eq!(ip.dst(), Ipv4Addr::new(192, 0, 2, 2));
        let a = p.advert;
        assert_eq!(
            (a.version(), a.vrid(), a.priority(), a.count()),
            (Version::V3, 55, 150, 1)
        );
        assert_eq!(a.interval(), 100);
        assert_eq!(a.checksum(), 0xf176);
        assert_eq!(a.addresses().collect::<Vec<_>>(), addrs);
        assert!(a.checksum_ok(Scope::Ipv4Pseudo {
            src: ip.src(),
            dst: ip.dst()
        }));
        assert!(!a.checksum_ok(Scope::Ipv4Pseudo {
            src: ip.src(),
            dst: Ipv4Addr::new(224, 0, 0, 18)
        }));
        assert_eq!(&reencode_v4(pkt, None, false), pkt);

        let mut exp = Expect::new(Version::V3, 100, &addrs);
        exp.unicast_peers = &peers;
        exp.check_unicast_src = true;
        let ok = check(Datagram::Ipv4(pkt), |_| Some(exp)).unwrap();
        assert_eq!(ok.checksum_form, ChecksumForm::Configured);
        // the same advert on a multicast instance has the wrong destination
        exp.unicast_peers = &[];
        assert!(matches!(
            check(Datagram::Ipv4(pkt), |_| Some(exp)),
            Err(Reject::UnexpectedDestination { .. })
        ));
    }
}

/// Splits a captured IPv6 packet into the facts the socket gives and the
/// VRRP payload.
fn split_v6(pkt: &[u8]) -> (Ipv6Addr, Ipv6Addr, u8, &[u8]) {
    assert_eq!(pkt[0] >> 4, 6);
    assert_eq!(pkt[6], 112, "next header VRRP");
    let plen = usize::from(u16::from_be_bytes([pkt[4], pkt[5]]));
    assert_eq!(pkt.len(), 40 + plen);
    let src: [u8; 16] = pkt[8..24].try_into().unwrap();
    let dst: [u8; 16] = pkt[24..40].try_into().unwrap();
    (src.into(), dst.into(), pkt[7], &pkt[40..])
}

#[test]
fn keepalived_v3_ipv6() {
    let pkts = load("v3-ipv6.hex");
    let addrs = [v6("2001:db8::100"), v6("2001:db8::101")];
    for pkt in &pkts {
        let (src, dst, hop_limit, payload) = split_v6(pkt);
        assert_eq!(pkt[0] & 0x0f, 0xc, "traffic class 0xc0");
        assert_eq!(src, "fe80::ff:fe00:1".parse::<Ipv6Addr>().unwrap());
        assert_eq!(dst, "ff02::12".parse::<Ipv6Addr>().unwrap());
        assert_eq!(hop_limit, 255);
        let d = Datagram::Ipv6 {
            src,
            dst,
            hop_limit,
            payload,
        };
        let p = parse(d).unwrap();
        let a = p.advert;
        assert_eq!(a.family(), Family::Ipv6);
        assert_eq!(
            (a.version(), a.kind(), a.vrid(), a.priority(), a.count()),
            (Version::V3, 1, 54, 150, 2)
        );
        assert_eq!(a.interval(), 100);
        assert_eq!(a.checksum(), 0xddc0);
        assert_eq!(a.addresses().collect::<Vec<_>>(), addrs);
        let scope = Scope::Ipv6Pseudo { src, dst };
        assert!(a.checksum_ok(scope));
        let mut out = Vec::new();
        a.to_advertisement()
            .encode(Family::Ipv6, scope, &mut out)
            .unwrap();
        assert_eq!(out, payload);
        let exp = Expect::new(Version::V3, 100, &addrs);
        check(d, |_| Some(exp)).unwrap();
    }
}
