//! Fuzzes the whole configuration pipeline: any bytes must load without a panic, and a
//! valid result must print and parse back to the same model.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use vigil_config::{load_str, print::print_config, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = Options {
        config_id: "fuzz".into(),
    };
    let first = load_str(Path::new("fuzz.conf"), text, &opts);
    if first.is_valid() {
        let printed = print_config(&first.config);
        let second = load_str(Path::new("printed.conf"), &printed, &opts);
        assert!(second.is_valid(), "printed form invalid:\n{printed}");
        assert_eq!(second.config, first.config, "printed:\n{printed}");
    }
});
