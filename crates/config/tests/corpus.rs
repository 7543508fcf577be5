//! The configuration corpus under `tests/corpus/` at the repository root.
//!
//! - `valid/*.conf` must load with no error, and print → parse must give the same model.
//! - `broken/*.conf` must fail with exactly the errors listed in the sibling `.expected`
//!   file (`LINE:COL: error: message`, one per line; errors in other files are written
//!   `FILE:LINE:COL: ...` with the file name only). `VIGIL_BLESS=1` rewrites the
//!   `.expected` files from the current output (then review the diff).
//!
//! A first line `# config-id: NAME` selects the config-id for `@` lines.

use std::path::{Path, PathBuf};
use vigil_config::{load_file, load_str, print::print_config, Options, Severity};

fn corpus_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(kind)
}

fn conf_files(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus_dir(kind))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn options_for(path: &Path) -> Options {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let id = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# config-id:"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "vigil-corpus".to_string());
    Options { config_id: id }
}

#[test]
fn valid_corpus_loads_without_errors_and_round_trips() {
    let files = conf_files("valid");
    assert!(
        files.len() >= 40,
        "expected at least 40 valid configurations, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let opts = options_for(path);
        let loaded = load_file(path, &opts);
        if !loaded.is_valid() {
            failures.push(format!(
                "{}:\n{}",
                path.display(),
                loaded.diags.render(&loaded.sources)
            ));
            continue;
        }
        let printed = print_config(&loaded.config);
        let again = load_str(Path::new("printed.conf"), &printed, &opts);
        if !again.is_valid() {
            failures.push(format!(
                "{}: printed form does not load:\n{}\n{}",
                path.display(),
                again.diags.render(&again.sources),
                printed
            ));
        } else if again.config != loaded.config {
            failures.push(format!(
                "{}: print -> parse changed the model\nprinted:\n{}",
                path.display(),
                printed
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn actual_errors(path: &Path) -> String {
    let loaded = load_file(path, &options_for(path));
    let mut out = String::new();
    for d in loaded.diags.sorted() {
        if d.severity != Severity::Error {
            continue;
        }
        let place = match d.span {
            Some(s) => {
                let file = loaded.sources.path(s.file);
                if file == path {
                    format!("{}:{}", s.line, s.col)
                } else {
                    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
                    format!("{}:{}:{}", name.unwrap_or_default(), s.line, s.col)
                }
            }
            None => "-".to_string(),
        };
        out.push_str(&format!("{place}: error: {}\n", d.message));
    }
    out
}

#[test]
fn broken_corpus_gives_exactly_the_expected_errors() {
    let files = conf_files("broken");
    assert!(
        files.len() >= 30,
        "expected at least 30 broken configurations, found {}",
        files.len()
    );
    let bless = std::env::var_os("VIGIL_BLESS").is_some();
    let mut failures = Vec::new();
    for path in &files {
        let actual = actual_errors(path);
        let expected_path = path.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &actual).expect("write .expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual.is_empty() {
            failures.push(format!("{}: no error at all", path.display()));
        } else if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
