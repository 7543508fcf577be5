//! vigil-checkerd: health checks of real servers, quorum, desired IPVS state.
fn main() {}
