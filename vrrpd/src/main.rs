//! vigil-vrrpd: the VRRP child of vigild (see `vigil_vrrpd::daemon`).

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(vigil_vrrpd::daemon::main(std::env::args().skip(1)))
}
