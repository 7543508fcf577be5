//! Checks over the whole configuration: names resolved across the file, conflicts.

mod lvs;
mod vrrp;

use crate::lower::ctx::{suggest, Ctx};
use crate::model::Config;

/// Runs every whole-file check.
pub fn check(cfg: &Config, ctx: &mut Ctx) {
    resolve_references(ctx);
    script_security(cfg, ctx);
    vrrp::check(cfg, ctx);
    lvs::check(cfg, ctx);
}

/// keepalived.conf(5), SCRIPTS: scripts run as root unless a script user is set; without
/// `enable_script_security` nothing stops a script that a non-root user can replace.
/// `keepalived -t` fails such a file (exit 6, "SECURITY VIOLATION") although keepalived
/// itself runs it; vigil warns, and its script runner applies the rules per script.
fn script_security(cfg: &Config, ctx: &mut Ctx) {
    let Some(at) = ctx.first_script else {
        return;
    };
    if cfg.global.enable_script_security || cfg.global.script_user.is_some() {
        return;
    }
    ctx.diags
        .warning(
            at,
            "scripts are configured but neither `script_user` nor `enable_script_security` is set: they may run as root unchecked",
        )
        .help("add `enable_script_security` (and a `script_user`) to global_defs; `keepalived -t` reports this as a SECURITY VIOLATION");
}

/// Every name used must be declared, with its kind (keepalived only warns about a
/// dangling `track_script` and runs without it; vigil refuses the file, since the
/// instance would otherwise run with a priority its operator did not intend).
fn resolve_references(ctx: &mut Ctx) {
    let refs = std::mem::take(&mut ctx.references);
    for r in &refs {
        if ctx.declared.contains_key(&(r.kind, r.name.clone())) {
            continue;
        }
        let candidates: Vec<&str> = ctx
            .declared
            .keys()
            .filter(|(k, _)| *k == r.kind)
            .map(|(_, n)| n.as_str())
            .collect();
        let hint = suggest(&r.name, candidates.iter().copied()).map(str::to_string);
        let d = ctx.diags.error(
            r.span,
            format!(
                "`{}` names `{}`, but no {} of that name is defined",
                r.context,
                r.name,
                r.kind.keyword()
            ),
        );
        if let Some(h) = hint {
            d.help(format!("did you mean `{h}`?"));
        }
    }
    ctx.references = refs;
}

#[cfg(test)]
mod tests {
    use crate::{load_str, Options, Severity};
    use std::path::Path;

    fn warnings(text: &str) -> Vec<String> {
        let l = load_str(
            Path::new("t.conf"),
            text,
            &Options {
                config_id: "x".into(),
            },
        );
        l.diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| d.short(&l.sources))
            .collect()
    }

    const SCRIPT: &str = "vrrp_script chk {\n  script /bin/true\n}\n";

    #[test]
    fn scripts_without_script_security_warn_keepalived_conf5_scripts() {
        assert_eq!(
            warnings(SCRIPT),
            ["t.conf:2:3: warning: scripts are configured but neither `script_user` nor `enable_script_security` is set: they may run as root unchecked"]
        );
    }

    #[test]
    fn script_security_or_user_silences_the_warning() {
        let secure = format!("global_defs {{\n  enable_script_security\n}}\n{SCRIPT}");
        assert!(warnings(&secure).is_empty());
        let user = format!("global_defs {{\n  script_user root\n}}\n{SCRIPT}");
        assert!(warnings(&user).is_empty());
    }

    #[test]
    fn garp_intervals_must_be_positive_keepalived_range() {
        // keepalived: "number '0' outside range [0.000001, ...]".
        for kw in ["vrrp_garp_interval", "vrrp_gna_interval"] {
            let text = format!("global_defs {{\n  {kw} 0\n}}\n");
            let l = load_str(
                Path::new("t.conf"),
                &text,
                &Options {
                    config_id: "x".into(),
                },
            );
            assert!(!l.is_valid(), "{kw} 0 accepted");
            let text = format!("global_defs {{\n  {kw} 0.001\n}}\n");
            let l = load_str(
                Path::new("t.conf"),
                &text,
                &Options {
                    config_id: "x".into(),
                },
            );
            assert!(l.is_valid(), "{kw} 0.001 refused");
        }
    }

    #[test]
    fn file_check_track_file_must_come_first_keepalived_not_found() {
        // keepalived resolves FILE_CHECK's track_file while reading: "track_file %s not
        // found", then "FILE_CHECK has no track_file specified - ignoring".
        let vs = "virtual_server 192.0.2.1 80 {\n  lvs_sched rr\n  lvs_method NAT\n  protocol TCP\n  real_server 198.51.100.1 80 {\n    FILE_CHECK {\n      track_file tf\n    }\n  }\n}\n";
        let tf = "vrrp_track_file tf {\n  file /run/vigil-test/tf\n}\n";
        let opts = Options {
            config_id: "x".into(),
        };
        let after = load_str(Path::new("t.conf"), &format!("{vs}{tf}"), &opts);
        let msgs: Vec<String> = after.diags.iter().map(|d| d.message.clone()).collect();
        assert!(
            msgs.iter()
                .any(|m| m
                    .contains("`track_file` names `tf`, which is defined further down the file")),
            "{msgs:?}"
        );
        let before = load_str(Path::new("t.conf"), &format!("{tf}{vs}"), &opts);
        assert!(
            before.is_valid(),
            "{}",
            before.diags.render_short(&before.sources)
        );
    }
}
