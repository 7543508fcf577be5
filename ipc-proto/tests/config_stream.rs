//! A configuration streamed object by object and reassembled on the child's side equals
//! what the supervisor loaded (relayd config.c: the parent sends the configuration object
//! by object and a "done" message; the child applies it only then).
#![allow(clippy::unwrap_used)] // tests may unwrap (STYLE/briefing)

mod common;

use vigil_config::Config;
use vigil_ipc::frame::{Event, Session};
use vigil_ipc::msg::config::{CheckerItem, ConfigMsg, Counts, VrrpItem};
use vigil_ipc::stream::{self, Assembler, StreamError};
use vigil_ipc::{FromChecker, FromVrrp, ToChecker, ToVrrp, MAX_MESSAGE_SIZE};

/// Streams `c` to a vrrpd session through real encoding and reassembles it.
fn via_vrrp(c: &Config, generation: u64) -> (Config, usize) {
    let sup = Session::<ToVrrp, FromVrrp>::new(1);
    let mut child = Session::<FromVrrp, ToVrrp>::new(2);
    child.receive(&sup.hello().unwrap(), 0).unwrap();
    let mut asm = Assembler::<VrrpItem>::new();
    let mut datagrams = 0;
    for msg in stream::vrrp_stream(c, generation) {
        let bytes = sup.encode(&ToVrrp::Config(msg.unwrap()), 0).unwrap();
        assert!(bytes.len() <= MAX_MESSAGE_SIZE);
        datagrams += 1;
        let Event::Message(ToVrrp::Config(m)) = child.receive(&bytes, 0).unwrap() else {
            panic!("not a config message");
        };
        if let Some((g, done)) = asm.push(m).unwrap() {
            assert_eq!(g, generation);
            return (done, datagrams);
        }
    }
    panic!("stream ended without ConfigEnd");
}

/// Streams `c` to a checkerd session through real encoding and reassembles it.
fn via_checker(c: &Config, generation: u64) -> (Config, usize) {
    let sup = Session::<ToChecker, FromChecker>::new(1);
    let mut child = Session::<FromChecker, ToChecker>::new(2);
    child.receive(&sup.hello().unwrap(), 0).unwrap();
    let mut asm = Assembler::<CheckerItem>::new();
    let mut datagrams = 0;
    for msg in stream::checker_stream(c, generation) {
        let bytes = sup.encode(&ToChecker::Config(msg.unwrap()), 0).unwrap();
        assert!(bytes.len() <= MAX_MESSAGE_SIZE);
        datagrams += 1;
        let Event::Message(ToChecker::Config(m)) = child.receive(&bytes, 0).unwrap() else {
            panic!("not a config message");
        };
        if let Some((g, done)) = asm.push(m).unwrap() {
            assert_eq!(g, generation);
            return (done, datagrams);
        }
    }
    panic!("stream ended without ConfigEnd");
}

/// What vrrpd receives of `c`.
fn vrrp_part(c: &Config) -> Config {
    Config {
        global: c.global.clone(),
        statics: c.statics.clone(),
        vrrp: c.vrrp.clone(),
        bfd_instances: c.bfd_instances.clone(),
        lvs: Default::default(),
    }
}

/// What checkerd receives of `c`.
fn checker_part(c: &Config) -> Config {
    Config {
        global: c.global.clone(),
        lvs: c.lvs.clone(),
        bfd_instances: c.bfd_instances.clone(),
        ..Config::default()
    }
}

fn check_roundtrip(c: &Config, name: &str) {
    let (v, _) = via_vrrp(c, 1);
    assert!(v == vrrp_part(c), "{name}: vrrp part differs");
    let (k, _) = via_checker(c, 1);
    assert!(k == checker_part(c), "{name}: checker part differs");
    // Between them the two children hold the whole configuration.
    let merged = Config { lvs: k.lvs, ..v };
    assert!(
        merged == *c,
        "{name}: merged parts differ from the original"
    );
}

#[test]
fn corpus_configurations_stream_and_reassemble_equal() {
    let dir = common::repo_root().join("tests/corpus/valid");
    let mut streamed = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    entries.sort();
    for path in entries {
        let loaded = vigil_config::load_file(&path, &vigil_config::Options::default());
        if !loaded.is_valid() {
            // Some corpus files need definitions passed on the command line.
            continue;
        }
        check_roundtrip(&loaded.config, &path.display().to_string());
        streamed += 1;
    }
    assert!(streamed >= 40, "only {streamed} corpus files streamed");
}

fn big_config(instances: usize, vips_in_first: usize, real_servers: usize) -> Config {
    let mut text = String::from("global_defs {\n router_id big\n}\n");
    for i in 0..instances {
        let vid = i % 255 + 1;
        let iface = i / 255;
        text.push_str(&format!(
            "vrrp_instance VI_{i} {{\n interface eth{iface}\n virtual_router_id {vid}\n priority 100\n advert_int 1\n virtual_ipaddress {{\n"
        ));
        let n = if i == 0 { vips_in_first } else { 1 };
        for a in 0..n {
            text.push_str(&format!("  203.0.{}.{}/32\n", (a / 250) % 256, a % 250 + 1));
        }
        text.push_str(" }\n}\n");
    }
    text.push_str("virtual_server 192.0.2.1 80 {\n protocol TCP\n lvs_sched rr\n lvs_method NAT\n");
    for r in 0..real_servers {
        text.push_str(&format!(
            " real_server 198.51.{}.{} 80 {{\n  TCP_CHECK {{\n   connect_timeout 3\n  }}\n }}\n",
            100 + r / 250,
            r % 250 + 1
        ));
    }
    text.push_str("}\n");
    common::config(&text)
}

#[test]
fn ten_thousand_instances_stream_one_object_per_datagram() {
    let c = big_config(10_000, 1, 2_000);
    let (v, datagrams) = via_vrrp(&c, 9);
    assert!(v == vrrp_part(&c));
    // Begin, global, statics, 10,000 instances, End.
    assert_eq!(datagrams, 10_004);
    let (k, datagrams) = via_checker(&c, 9);
    assert!(k == checker_part(&c));
    // Begin, global, 1 virtual server, 2,000 real servers, End.
    assert_eq!(datagrams, 2_004);
}

#[test]
fn an_object_larger_than_a_datagram_travels_in_fragments() {
    let c = big_config(2, 4_000, 1);
    let first = vigil_ipc::msg::config::VrrpItem::Instance {
        index: 0,
        instance: c.vrrp.instances[0].clone(),
    };
    let msgs = stream::item_messages(first).unwrap();
    assert!(
        msgs.len() > 1,
        "4,000 addresses should not fit one datagram"
    );
    assert!(msgs.iter().all(|m| matches!(m, ConfigMsg::Fragment { .. })));
    let (v, _) = via_vrrp(&c, 3);
    assert!(v == vrrp_part(&c));
}

#[test]
fn reload_is_the_same_stream_with_a_new_generation() {
    let c1 = big_config(3, 1, 1);
    let c2 = big_config(5, 2, 3);
    let mut asm = Assembler::<VrrpItem>::new();
    for (c, generation) in [(&c1, 1), (&c2, 2)] {
        let mut done = None;
        for m in stream::vrrp_stream(c, generation) {
            done = asm.push(m.unwrap()).unwrap();
        }
        let (g, got) = done.unwrap();
        assert_eq!(g, generation);
        assert!(got == vrrp_part(c));
    }
}

fn begin(asm: &mut Assembler<CheckerItem>, generation: u64) {
    assert!(asm.push(ConfigMsg::Begin { generation }).unwrap().is_none());
}

fn sample_items() -> (Config, Vec<CheckerItem>) {
    let c = common::config(common::SAMPLE);
    let items = stream::checker_items(&c).collect();
    (c, items)
}

#[test]
fn item_before_begin_is_refused() {
    let (_, items) = sample_items();
    let mut asm = Assembler::<CheckerItem>::new();
    assert!(matches!(
        asm.push(ConfigMsg::Item(items[0].clone())),
        Err(StreamError::NotStarted)
    ));
}

#[test]
fn begin_inside_a_stream_is_refused() {
    let mut asm = Assembler::<CheckerItem>::new();
    begin(&mut asm, 1);
    assert!(matches!(
        asm.push(ConfigMsg::Begin { generation: 2 }),
        Err(StreamError::AlreadyStarted { generation: 1 })
    ));
    // After an error the stream is abandoned; a new one can start.
    begin(&mut asm, 2);
}

#[test]
fn out_of_order_objects_are_refused() {
    let (_, items) = sample_items();
    let mut asm = Assembler::<CheckerItem>::new();
    begin(&mut asm, 1);
    // Items: Global, VS#0, RS#0/0, RS#0/1, VS#1, RS#1/0. Skip VS#0's first real server.
    asm.push(ConfigMsg::Item(items[0].clone())).unwrap();
    asm.push(ConfigMsg::Item(items[1].clone())).unwrap();
    assert!(matches!(
        asm.push(ConfigMsg::Item(items[3].clone())),
        Err(StreamError::OutOfOrder {
            what: "real_server",
            expected: 0,
            got: 1
        })
    ));
    // A real server of a virtual server not sent yet.
    begin(&mut asm, 2);
    asm.push(ConfigMsg::Item(items[0].clone())).unwrap();
    assert!(matches!(
        asm.push(ConfigMsg::Item(items[2].clone())),
        Err(StreamError::NoSuchVirtualServer { vs: 0 })
    ));
}

#[test]
fn duplicate_global_is_refused() {
    let (_, items) = sample_items();
    let mut asm = Assembler::<CheckerItem>::new();
    begin(&mut asm, 1);
    asm.push(ConfigMsg::Item(items[0].clone())).unwrap();
    assert!(matches!(
        asm.push(ConfigMsg::Item(items[0].clone())),
        Err(StreamError::Duplicate {
            what: "global_defs"
        })
    ));
}

#[test]
fn counts_and_generation_must_match() {
    let (c, items) = sample_items();
    let counts = stream::checker_counts(&c);
    let feed = |asm: &mut Assembler<CheckerItem>| {
        begin(asm, 4);
        for i in &items {
            asm.push(ConfigMsg::Item(i.clone())).unwrap();
        }
    };
    let mut asm = Assembler::<CheckerItem>::new();
    feed(&mut asm);
    assert!(matches!(
        asm.push(ConfigMsg::End {
            generation: 4,
            counts: Counts {
                real_servers: counts.real_servers + 1,
                ..counts
            }
        }),
        Err(StreamError::CountMismatch { .. })
    ));
    feed(&mut asm);
    assert!(matches!(
        asm.push(ConfigMsg::End {
            generation: 5,
            counts
        }),
        Err(StreamError::GenerationMismatch { begun: 4, ended: 5 })
    ));
    feed(&mut asm);
    let (g, got) = asm
        .push(ConfigMsg::End {
            generation: 4,
            counts,
        })
        .unwrap()
        .unwrap();
    assert_eq!(g, 4);
    assert!(got == checker_part(&c));
}

#[test]
fn fragment_errors_are_refused() {
    let mut asm = Assembler::<CheckerItem>::new();
    begin(&mut asm, 1);
    asm.push(ConfigMsg::Fragment {
        last: false,
        bytes: vec![0; 10],
    })
    .unwrap();
    // An item while a fragmented object is incomplete.
    let (_, items) = sample_items();
    assert!(matches!(
        asm.push(ConfigMsg::Item(items[0].clone())),
        Err(StreamError::FragmentIncomplete)
    ));
    // Garbage reassembled.
    begin(&mut asm, 2);
    assert!(matches!(
        asm.push(ConfigMsg::Fragment {
            last: true,
            bytes: vec![0xff; 100],
        }),
        Err(StreamError::FragmentDecode(_))
    ));
    // More than the object limit.
    begin(&mut asm, 3);
    let piece = vec![0u8; 60_000];
    let mut result = Ok(None);
    for _ in 0..(stream::MAX_OBJECT_SIZE / piece.len() + 2) {
        result = asm.push(ConfigMsg::Fragment {
            last: false,
            bytes: piece.clone(),
        });
        if result.is_err() {
            break;
        }
    }
    assert!(matches!(result, Err(StreamError::ObjectTooLarge)));
}

#[test]
fn virtual_server_item_cannot_smuggle_real_servers() {
    let (c, _) = sample_items();
    let mut asm = Assembler::<CheckerItem>::new();
    begin(&mut asm, 1);
    asm.push(ConfigMsg::Item(CheckerItem::VirtualServer {
        index: 0,
        server: Box::new(c.lvs.virtual_servers[0].clone()),
    }))
    .unwrap();
    let (_, got) = asm
        .push(ConfigMsg::End {
            generation: 1,
            counts: Counts {
                virtual_servers: 1,
                ..Counts::default()
            },
        })
        .unwrap()
        .unwrap();
    assert!(got.lvs.virtual_servers[0].real_servers.is_empty());
}
