//! The lab for real: two hosts on the bridge reach each other, a capture sees the
//! frames with timestamps, and everything is gone after drop. Needs root.
#![allow(clippy::unwrap_used)]

use std::time::Duration;
use vigil_netlab::{wire, Lab};

fn namespaces() -> String {
    String::from_utf8_lossy(
        &std::process::Command::new("ip")
            .args(["netns", "list"])
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned()
}

#[test]
fn two_hosts_ping_capture_and_cleanup() {
    let prefix;
    {
        let mut lab = Lab::new("t").unwrap();
        let a = lab.host("a").unwrap();
        let b = lab.host("b").unwrap();
        prefix = a.namespace().trim_end_matches("-a").to_string();
        a.run("ip addr add 192.0.2.1/24 dev eth0").unwrap();
        b.run("ip addr add 192.0.2.2/24 dev eth0").unwrap();
        assert!(a.has_address("eth0", "192.0.2.1"));
        let cap = lab.capture().unwrap();
        a.run("ping -c 2 -i 0.2 -W 1 192.0.2.2").unwrap();
        // A long-running process is killed on drop.
        let mut child = b
            .spawn(std::process::Command::new("sleep").arg("30"))
            .unwrap();
        let pid = child.id();
        std::thread::sleep(Duration::from_millis(100));
        let frames = cap.stop();
        let arps = frames
            .iter()
            .filter(|f| f.data.get(12..14) == Some(&[0x08, 0x06]))
            .count();
        assert!(arps >= 1, "ARP seen on the bridge: {frames:?}");
        assert!(frames.iter().any(|f| f.from == "a"));
        assert!(frames.iter().any(|f| f.from == "b"));
        assert!(frames.windows(2).all(|w| w[0].at <= w[1].at));
        // Pings and ARP requests are none of the kinds a failover timeline reads.
        assert!(frames.iter().all(|f| wire::classify(&f.data).is_none()));
        assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
        drop(lab);
        std::thread::sleep(Duration::from_millis(100));
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        assert!(
            status.is_empty() || status.contains("State:\tZ"),
            "process killed"
        );
        let _ = child.wait();
    }
    assert!(!namespaces().contains(&prefix), "namespaces deleted");
}
