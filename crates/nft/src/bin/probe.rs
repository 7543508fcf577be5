//! A diagnostic: with the privileges it was started with, sets up keepalived's tables
//! and blocks the addresses given as arguments, as vigil-vrrpd would. The kernel tests
//! run it as nobody with only CAP_NET_ADMIN (a libtest process cannot drop privileges
//! for one test). Prints "ok", or the error and its errno; exit status 0 or 1.

use std::net::IpAddr;
use std::process::ExitCode;

use vigil_nft::{Nft, TableConfig};

fn main() -> ExitCode {
    let mut addrs = Vec::new();
    for a in std::env::args().skip(1) {
        match a.parse::<IpAddr>() {
            Ok(ip) => addrs.push(ip),
            Err(e) => {
                eprintln!("vigil-nft-probe: {a}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let run = || -> Result<(), vigil_nft::NftError> {
        let mut nft = Nft::open()?;
        nft.setup(&TableConfig::default())?;
        nft.add_vips(&addrs)
    };
    match run() {
        Ok(()) => {
            println!("ok");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("error errno={} {e}", e.errno().unwrap_or(0));
            ExitCode::FAILURE
        }
    }
}
