//! One test per rejection reason (named after the rule's source), the
//! checksum forms, and the counters.

#![allow(clippy::unwrap_used)] // tests may unwrap (briefing)

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use vigil_vrrpd::auth::{ah_icv, key_from_password};
use vigil_vrrpd::packet::checksum::{self, Scope};
use vigil_vrrpd::packet::validate::{
    check, ChecksumForm, Counters, Datagram, Expect, ExpectAuth, Reason, Reject,
};
use vigil_vrrpd::packet::{
    encode_ipv4, Advertisement, AhSend, Family, Ipv4Fields, V3Ipv4Checksum, Version, AUTH_AH,
    AUTH_NONE, AUTH_PASS,
};

const SRC: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const PEER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 2);
const GROUP: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
const VIPS: [IpAddr; 2] = [
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 100)),
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, 101)),
];
const IP_HLEN: usize = 20;

fn adv(version: Version) -> Advertisement {
    Advertisement {
        version,
        vrid: 51,
        priority: 100,
        interval: if version == Version::V2 { 1 } else { 100 },
        addresses: VIPS.to_vec(),
        auth_type: AUTH_NONE,
        auth_data: [0; 8],
    }
}

fn fields(dst: Ipv4Addr) -> Ipv4Fields {
    Ipv4Fields {
        src: SRC,
        dst,
        id: 1,
        ttl: 255,
        tos: 0xc0,
    }
}

fn build(a: &Advertisement, dst: Ipv4Addr, ah: Option<AhSend<'_>>) -> Vec<u8> {
    let mut out = Vec::new();
    encode_ipv4(
        &fields(dst),
        a,
        V3Ipv4Checksum::PseudoHeader,
        dst,
        ah,
        &mut out,
    )
    .unwrap();
    out
}

fn v2() -> Vec<u8> {
    build(&adv(Version::V2), GROUP, None)
}

fn v3() -> Vec<u8> {
    build(&adv(Version::V3), GROUP, None)
}

/// Recomputes the VRRP checksum after a mutation, so that only the
/// mutated rule fails.
fn refix(pkt: &mut [u8], vrrp_at: usize, scope: Scope) {
    pkt[vrrp_at + 6] = 0;
    pkt[vrrp_at + 7] = 0;
    let c = checksum::compute(scope, &pkt[vrrp_at..]);
    pkt[vrrp_at + 6..vrrp_at + 8].copy_from_slice(&c.to_be_bytes());
}

fn set_total_len(pkt: &mut [u8]) {
    let n = u16::try_from(pkt.len()).unwrap();
    pkt[2..4].copy_from_slice(&n.to_be_bytes());
}

fn v3_scope() -> Scope {
    Scope::Ipv4Pseudo {
        src: SRC,
        dst: GROUP,
    }
}

fn expect_v2() -> Expect<'static> {
    Expect::new(Version::V2, 1, &VIPS)
}

fn expect_v3() -> Expect<'static> {
    Expect::new(Version::V3, 100, &VIPS)
}

fn run(pkt: &[u8], exp: Expect<'_>) -> Result<ChecksumForm, Reject> {
    check(Datagram::Ipv4(pkt), |vrid| (vrid == 51).then_some(exp)).map(|a| a.checksum_form)
}

#[test]
fn baseline_packets_are_accepted() {
    assert_eq!(run(&v2(), expect_v2()), Ok(ChecksumForm::Configured));
    assert_eq!(run(&v3(), expect_v3()), Ok(ChecksumForm::Configured));
}

#[test]
fn rfc5798_7_1_too_short() {
    assert_eq!(
        run(&v3()[..12], expect_v3()),
        Err(Reject::TooShort { len: 12 })
    );
    // an IPv4 header whose payload is shorter than the VRRP header
    let mut pkt = v3()[..IP_HLEN + 4].to_vec();
    set_total_len(&mut pkt);
    assert_eq!(run(&pkt, expect_v3()), Err(Reject::TooShort { len: 4 }));
}

#[test]
fn rfc5798_7_1_truncated_address_list() {
    let mut pkt = v3();
    pkt[IP_HLEN + 3] = 3; // three addresses announced, two present
    assert_eq!(
        run(&pkt, expect_v3()),
        Err(Reject::Truncated { need: 20, have: 16 })
    );
}

#[test]
fn keepalived_ip_total_length_must_match_received_length() {
    let mut pkt = v3();
    pkt.push(0);
    assert_eq!(
        run(&pkt, expect_v3()),
        Err(Reject::LengthMismatch { need: 36, have: 37 })
    );
    // RFC 5798 §7.1: the message length must match the count
    set_total_len(&mut pkt);
    assert_eq!(
        run(&pkt, expect_v3()),
        Err(Reject::LengthMismatch { need: 16, have: 17 })
    );
}

#[test]
fn rfc791_not_an_ipv4_vrrp_header() {
    let mut pkt = v3();
    pkt[0] = 0x65;
    assert_eq!(run(&pkt, expect_v3()), Err(Reject::BadIpHeader));
    let mut pkt = v3();
    pkt[9] = 17;
    assert_eq!(run(&pkt, expect_v3()), Err(Reject::BadIpHeader));
}

#[test]
fn keepalived_ah_header_must_be_hmac96_over_vrrp() {
    let key = key_from_password(b"pw");
    let mut a = adv(Version::V2);
    a.auth_type = AUTH_AH;
    let mut pkt = build(
        &a,
        GROUP,
        Some(AhSend {
            key: &key,
            seq: 1,
            unicast: false,
        }),
    );
    pkt[IP_HLEN + 1] = 5;
    assert_eq!(run(&pkt, expect_v2()), Err(Reject::BadAhHeader));
    pkt[IP_HLEN + 1] = 4;
    pkt[IP_HLEN] = 6; // next header TCP
    assert_eq!(run(&pkt, expect_v2()), Err(Reject::BadAhHeader));
}

#[test]
fn rfc5798_7_1_ttl_must_be_255() {
    let mut pkt = v3();
    pkt[8] = 254;
    assert_eq!(run(&pkt, expect_v3()), Err(Reject::TtlNot255 { ttl: 254 }));
    // RFC 3768 §7.1 the same for v2
    let mut pkt = v2();
    pkt[8] = 1;
    assert_eq!(run(&pkt, expect_v2()), Err(Reject::TtlNot255 { ttl: 1 }));
}

#[test]
fn keepalived_unicast_instances_do_not_check_ttl() {
    let mut pkt = build(&adv(Version::V3), PEER, None);
    pkt[8] = 64;
    let peers = [IpAddr::V4(SRC)];
    let mut exp = expect_v3();
    exp.unicast_peers = &peers;
    assert_eq!(run(&pkt, exp), Ok(ChecksumForm::Configured));
}

#[test]
fn rfc5798_7_1_version_must_be_supported_and_configured() {
    let mut pkt = v3();
    pkt[IP_HLEN] = 0x41;
    assert_eq!(
        run(&pkt, expect_v3()),
        Err(Reject::BadVersion { version: 4 })
    );
    assert_eq!(
        run(&v3(), expect_v2()),
        Err(Reject::BadVersion { version: 3 })
    );
    assert_eq!(
        run(&v2(), expect_v3()),
        Err(Reject::BadVersion { version: 2 })
    );
    // VRRPv2 over IPv6 does not exist (RFC 3768 is IPv4 only)
    let mut msg = Vec::new();
    let mut a = adv(Version::V3);
    a.addresses = vec!["2001:db8::1".parse().unwrap()];
    a.encode(Family::Ipv6, Scope::MessageOnly, &mut msg)
        .unwrap();
    msg[0] = 0x21;
    let d = Datagram::Ipv6 {
        src: "fe80::1".parse().unwrap(),
        dst: "ff02::12".parse().unwrap(),
        hop_limit: 255,
        payload: &msg,
    };
    assert_eq!(check(d, |_| None), Err(Reject::BadVersion { version: 2 }));
}

#[test]
fn rfc5798_5_2_2_type_must_be_advertisement() {
    let mut pkt = v3();
    pkt[IP_HLEN] = 0x32;
    refix(&mut pkt, IP_HLEN, v3_scope());
    assert_eq!(run(&pkt, expect_v3()), Err(Reject::BadType { kind: 2 }));
}

#[test]
fn rfc5798_7_1_vrid_must_be_configured() {
    assert_eq!(
        check(Datagram::Ipv4(&v3()), |_| None),
        Err(Reject::UnknownVrid { vrid: 51 })
    );
}

#[test]
fn rfc5798_7_1_and_rfc3768_7_1_checksum() {
    let mut pkt = v3();
    pkt[IP_HLEN + 6] ^= 1;
    assert_eq!(run(&pkt, expect_v3()), Err(Reject::BadChecksum));
    let mut pkt = v2();
    pkt[IP_HLEN + 2] ^= 0x10; // priority changed in flight
    assert_eq!(run(&pkt, expect_v2()), Err(Reject::BadChecksum));
}

#[test]
fn rfc3768_5_3_6_auth_type_must_be_known() {
    let mut pkt = v2();
    pkt[IP_HLEN + 4] = 3;
    refix(&mut pkt, IP_HLEN, Scope::MessageOnly);
    assert_eq!(
        run(&pkt, expect_v2()),
        Err(Reject::InvalidAuthType { auth_type: 3 })
    );
}

#[test]
fn rfc2338_7_1_auth_type_must_match() {
    let pw = key_from_password(b"secret");
    let mut a = adv(Version::V2);
    a.auth_type = AUTH_PASS;
    a.auth_data = pw;
    let pass_pkt = build(&a, GROUP, None);
    assert_eq!(
        run(&pass_pkt, expect_v2()),
        Err(Reject::AuthTypeMismatch {
            got: AUTH_PASS,
            want: AUTH_NONE
        })
    );
    // keepalived: an AH datagram for a PASS instance, and the reverse
    a.auth_type = AUTH_AH;
    a.auth_data = [0; 8];
    let ah_pkt = build(
        &a,
        GROUP,
        Some(AhSend {
            key: &pw,
            seq: 1,
            unicast: false,
        }),
    );
    let mut exp = expect_v2();
    exp.auth = ExpectAuth::Pass(&pw);
    assert_eq!(
        run(&ah_pkt, exp),
        Err(Reject::AuthTypeMismatch {
            got: AUTH_AH,
            want: AUTH_PASS
        })
    );
    exp.auth = ExpectAuth::Ah {
        key: &pw,
        last_seq: 0,
    };
    assert_eq!(
        run(&pass_pkt, exp),
        Err(Reject::AuthTypeMismatch {
            got: AUTH_PASS,
            want: AUTH_AH
        })
    );
}

#[test]
fn rfc2338_7_1_pass_must_match() {
    let mut a = adv(Version::V2);
    a.auth_type = AUTH_PASS;
    a.auth_data = key_from_password(b"secret");
    let pkt = build(&a, GROUP, None);
    let good = key_from_password(b"secret");
    let bad = key_from_password(b"secreT");
    let mut exp = expect_v2();
    exp.auth = ExpectAuth::Pass(&good);
    assert_eq!(run(&pkt, exp), Ok(ChecksumForm::Configured));
    exp.auth = ExpectAuth::Pass(&bad);
    assert_eq!(run(&pkt, exp), Err(Reject::AuthDataMismatch));
}

fn ah_packet(key: &[u8; 8], seq: u32) -> Vec<u8> {
    let mut a = adv(Version::V2);
    a.auth_type = AUTH_AH;
    build(
        &a,
        GROUP,
        Some(AhSend {
            key,
            seq,
            unicast: false,
        }),
    )
}

#[test]
fn keepalived_ah_icv_must_match() {
    let key = key_from_password(b"pw");
    let mut pkt = ah_packet(&key, 7);
    let mut exp = expect_v2();
    exp.auth = ExpectAuth::Ah {
        key: &key,
        last_seq: 6,
    };
    assert_eq!(
        check(Datagram::Ipv4(&pkt), |_| Some(exp)).unwrap().ah_seq,
        Some(7)
    );
    // TOS is mutable (zeroed in the ICV input): changing it keeps it valid
    pkt[1] = 0;
    assert!(run(&pkt, exp).is_ok());
    // the IP id is not mutable
    pkt[5] ^= 1;
    assert_eq!(run(&pkt, exp), Err(Reject::AuthDataMismatch));
}

#[test]
fn keepalived_ah_spi_must_be_source_address() {
    let key = key_from_password(b"pw");
    let mut pkt = ah_packet(&key, 1);
    pkt[IP_HLEN + 7] ^= 1; // SPI
    let (head, vrrp) = pkt.split_at(IP_HLEN + 24);
    let icv = ah_icv(&key, &head[..IP_HLEN], &head[IP_HLEN..], vrrp, false);
    pkt[IP_HLEN + 12..IP_HLEN + 24].copy_from_slice(&icv);
    let mut exp = expect_v2();
    exp.auth = ExpectAuth::Ah {
        key: &key,
        last_seq: 0,
    };
    assert_eq!(run(&pkt, exp), Err(Reject::AhSpiMismatch));
}

#[test]
fn rfc2402_3_4_3_ah_sequence_replay() {
    let key = key_from_password(b"pw");
    let pkt = ah_packet(&key, 5);
    let mut exp = expect_v2();
    exp.auth = ExpectAuth::Ah {
        key: &key,
        last_seq: 5,
    };
    assert_eq!(run(&pkt, exp), Err(Reject::AhReplay { seq: 5, last: 5 }));
}

#[test]
fn rfc3768_7_1_advert_interval_must_match() {
    let mut a = adv(Version::V2);
    a.interval = 2;
    let pkt = build(&a, GROUP, None);
    assert_eq!(
        run(&pkt, expect_v2()),
        Err(Reject::IntervalMismatch { got: 2, want: 1 })
    );
}

#[test]
fn rfc5798_6_4_3_v3_interval_is_learned_not_checked() {
    let mut a = adv(Version::V3);
    a.interval = 7;
    assert!(run(&build(&a, GROUP, None), expect_v3()).is_ok());
}

#[test]
fn rfc5798_7_1_address_count_mismatch_unless_skipped() {
    let mut a = adv(Version::V3);
    a.addresses.pop();
    let pkt = build(&a, GROUP, None);
    assert_eq!(
        run(&pkt, expect_v3()),
        Err(Reject::AddressCountMismatch { got: 1, want: 2 })
    );
    let mut exp = expect_v3();
    exp.check_addresses = false; // skip_check_adv_addr
    assert!(run(&pkt, exp).is_ok());
}

#[test]
fn rfc5798_7_1_address_list_mismatch_unless_skipped() {
    let mut a = adv(Version::V3);
    a.addresses[1] = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 200));
    let pkt = build(&a, GROUP, None);
    assert_eq!(
        run(&pkt, expect_v3()),
        Err(Reject::AddressListMismatch { missing: VIPS[1] })
    );
    let mut exp = expect_v3();
    exp.check_addresses = false;
    assert!(run(&pkt, exp).is_ok());
    // order does not matter (keepalived looks each address up)
    a.addresses = vec![VIPS[1], VIPS[0]];
    assert!(run(&build(&a, GROUP, None), expect_v3()).is_ok());
}

#[test]
fn keepalived_multicast_instance_refuses_unicast_destination() {
    let pkt = build(&adv(Version::V3), PEER, None);
    assert_eq!(
        run(&pkt, expect_v3()),
        Err(Reject::UnexpectedDestination {
            dst: IpAddr::V4(PEER)
        })
    );
    let peers = [IpAddr::V4(SRC)];
    let mut exp = expect_v3();
    exp.unicast_peers = &peers;
    assert_eq!(
        run(&v3(), exp),
        Err(Reject::UnexpectedDestination {
            dst: IpAddr::V4(GROUP)
        })
    );
}

#[test]
fn keepalived_check_unicast_src_refuses_other_sources() {
    let pkt = build(&adv(Version::V3), PEER, None);
    let peers = [IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9))];
    let mut exp = expect_v3();
    exp.unicast_peers = &peers;
    assert!(
        run(&pkt, exp).is_ok(),
        "not checked without check_unicast_src"
    );
    exp.check_unicast_src = true;
    assert_eq!(
        run(&pkt, exp),
        Err(Reject::NotUnicastPeer {
            src: IpAddr::V4(SRC)
        })
    );
}

// Checksum forms.

#[test]
fn rfc3768_5_3_8_v2_checksum_covers_message_only() {
    let pkt = v2();
    assert!(checksum::verify(Scope::MessageOnly, &pkt[IP_HLEN..]));
}

#[test]
fn rfc5798_5_2_8_v3_ipv4_default_has_pseudo_header() {
    let pkt = v3();
    assert!(checksum::verify(v3_scope(), &pkt[IP_HLEN..]));
    assert!(!checksum::verify(Scope::MessageOnly, &pkt[IP_HLEN..]));
    let mut exp = expect_v3();
    exp.v3_ipv4_checksum = V3Ipv4Checksum::AsV2;
    assert_eq!(
        run(&pkt, exp),
        Err(Reject::BadChecksum),
        "keepalived accepts only the configured form"
    );
}

#[test]
fn rfc9568_5_2_8_v3_checksum_as_v2() {
    let mut pkt = Vec::new();
    encode_ipv4(
        &fields(GROUP),
        &adv(Version::V3),
        V3Ipv4Checksum::AsV2,
        GROUP,
        None,
        &mut pkt,
    )
    .unwrap();
    assert!(checksum::verify(Scope::MessageOnly, &pkt[IP_HLEN..]));
    let mut exp = expect_v3();
    assert_eq!(run(&pkt, exp), Err(Reject::BadChecksum));
    exp.v3_ipv4_checksum = V3Ipv4Checksum::AsV2;
    assert_eq!(run(&pkt, exp), Ok(ChecksumForm::Configured));
}

#[test]
fn keepalived_old_unicast_checksum_uses_multicast_group() {
    // a peer that puts 224.0.0.18 in the pseudo-header of unicast adverts
    let mut pkt = Vec::new();
    encode_ipv4(
        &fields(PEER),
        &adv(Version::V3),
        V3Ipv4Checksum::PseudoHeader,
        GROUP,
        None,
        &mut pkt,
    )
    .unwrap();
    let peers = [IpAddr::V4(SRC)];
    let mut exp = expect_v3();
    exp.unicast_peers = &peers;
    assert_eq!(run(&pkt, exp), Ok(ChecksumForm::OldUnicast));
    exp.old_unicast_checksum = true;
    assert_eq!(run(&pkt, exp), Ok(ChecksumForm::Configured));
    // keepalived tries the other form only while not in compat mode: once
    // switched, a peer with the current form is refused
    let new = build(&adv(Version::V3), PEER, None);
    assert_eq!(run(&new, exp), Err(Reject::BadChecksum));
}

#[test]
fn rfc5798_5_2_8_v3_ipv6_pseudo_header() {
    let src: Ipv6Addr = "fe80::1".parse().unwrap();
    let dst: Ipv6Addr = "ff02::12".parse().unwrap();
    let vips: [IpAddr; 1] = ["2001:db8::100".parse().unwrap()];
    let mut a = adv(Version::V3);
    a.addresses = vips.to_vec();
    let mut msg = Vec::new();
    a.encode(Family::Ipv6, Scope::Ipv6Pseudo { src, dst }, &mut msg)
        .unwrap();
    let exp = Expect::new(Version::V3, 100, &vips);
    let d = Datagram::Ipv6 {
        src,
        dst,
        hop_limit: 255,
        payload: &msg,
    };
    assert!(check(d, |_| Some(exp)).is_ok());
    let other: Ipv6Addr = "fe80::2".parse().unwrap();
    let d = Datagram::Ipv6 {
        src: other,
        dst,
        hop_limit: 255,
        payload: &msg,
    };
    assert_eq!(check(d, |_| Some(exp)), Err(Reject::BadChecksum));
    let d = Datagram::Ipv6 {
        src,
        dst,
        hop_limit: 1,
        payload: &msg,
    };
    assert_eq!(check(d, |_| Some(exp)), Err(Reject::TtlNot255 { ttl: 1 }));
}

#[test]
fn counters_have_one_counter_per_reason() {
    let mut c = Counters::default();
    for (i, r) in Reason::ALL.iter().enumerate() {
        for _ in 0..=i {
            c.record(*r);
        }
    }
    for (i, r) in Reason::ALL.iter().enumerate() {
        assert_eq!(c.get(*r), i as u64 + 1, "{}", r.name());
    }
    let n = Reason::ALL.len() as u64;
    assert_eq!(c.total(), n * (n + 1) / 2);
    let names: std::collections::HashSet<_> = Reason::ALL.iter().map(|r| r.name()).collect();
    assert_eq!(names.len(), Reason::ALL.len());
}
