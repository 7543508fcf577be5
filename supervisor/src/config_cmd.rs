//! `-t`, `--dump-config` and `--print-config`.

use crate::cli::{Args, Mode, EXIT_CONFIG, EXIT_CONFIG_TEST};
use vigil_config::{load_file, preprocess, print, Options};

/// Loads the configuration and does what `mode` asks; returns the exit code.
pub fn run(args: &Args, mode: Mode) -> u8 {
    let path = args.config_path();
    if !path.exists() {
        eprintln!("vigild: configuration file {} not found", path.display());
        return EXIT_CONFIG;
    }
    let opts = Options {
        config_id: args
            .config_id
            .clone()
            .unwrap_or_else(preprocess::default_config_id),
    };
    let loaded = load_file(&path, &opts);
    let report = if args.short {
        loaded.diags.render_short(&loaded.sources)
    } else {
        loaded.diags.render(&loaded.sources)
    };
    eprint!("{report}");
    if !loaded.is_valid() {
        if mode == Mode::Test {
            eprintln!("vigild: {}: configuration is not valid", path.display());
        }
        return EXIT_CONFIG_TEST;
    }
    match mode {
        Mode::Test => {
            eprintln!("vigild: {}: configuration is valid", path.display());
        }
        Mode::Dump => match serde_json::to_string_pretty(&loaded.config) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("vigild: cannot serialise the configuration: {e}");
                return EXIT_CONFIG;
            }
        },
        Mode::Print => print!("{}", print::print_config(&loaded.config)),
    }
    0
}
