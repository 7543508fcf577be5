//! `vrrp_sync_group NAME { ... }` (keepalived.conf(5), "VRRP synchronization group(s)";
//! vrrp_parser.c).

use super::{block_name, block_words, set_notify, track, Seen};
use crate::lower::ctx::{Ctx, Kind};
use crate::model::vrrp::SyncGroup;
use crate::model::Config;
use crate::source::Span;
use crate::tree::Node;
use std::collections::HashMap;

const KEYWORDS: &[&str] = &[
    "group",
    "track_interface",
    "track_script",
    "track_file",
    "track_process",
    "track_bfd",
    "notify_backup",
    "notify_master",
    "notify_fault",
    "notify_stop",
    "notify",
    "smtp_alert",
    "global_tracking",
    "sync_group_tracking_weight",
    "notify_priority_changes",
];

/// The place key of sync group `group`'s member `member`.
pub(crate) fn member_key(group: &str, member: &str) -> String {
    format!("vrrp_sync_group\u{0}{group}\u{0}member\u{0}{member}")
}

/// The place key of sync group `group`'s name.
pub(crate) fn name_key(group: &str) -> String {
    format!("vrrp_sync_group\u{0}{group}")
}

/// Lowers a `vrrp_sync_group` block.
pub(super) fn lower(node: &Node, ctx: &mut Ctx, cfg: &mut Config) {
    let Some(name) = block_name(node, ctx) else {
        return;
    };
    let declared = ctx.declare(Kind::SyncGroup, name);
    let Some(children) = ctx.need_block(node) else {
        return;
    };
    let mut sg = SyncGroup {
        name: name.text.clone(),
        ..Default::default()
    };
    let mut group_seen: Option<Span> = None;
    let mut notify_first: HashMap<String, Span> = HashMap::new();
    let mut seen = Seen::default();
    for child in children {
        match child.keyword() {
            "group" => {
                // vrrp_parser.c: "Group list already specified for sync group %s".
                if let Some(first) = group_seen {
                    ctx.diags
                        .error(child.name.span, "`group` is given twice")
                        .related(first, "first given here");
                    continue;
                }
                group_seen = Some(child.name.span);
                let words = block_words(ctx, child);
                if words.is_empty() && child.block.is_some() {
                    // vrrp_parser.c: "Warning - sync group %s has empty group block".
                    ctx.diags
                        .error(child.name.span, "the `group` block is empty");
                }
                let mut members: HashMap<String, Span> = HashMap::new();
                for w in words {
                    if let Some(first) = members.get(&w.text) {
                        ctx.diags
                            .warning(w.span, format!("`{}` is listed twice", w.text))
                            .related(*first, "first listed here");
                        continue;
                    }
                    members.insert(w.text.clone(), w.span);
                    ctx.reference(Kind::Instance, w, "group");
                    if declared {
                        ctx.remember(member_key(&name.text, &w.text), w.span);
                    }
                    sg.members.push(w.text.clone());
                }
            }
            "track_interface" => {
                track::track_interfaces(ctx, child, None, &mut sg.track_interfaces)
            }
            "track_script" => track::track_refs(
                ctx,
                child,
                Kind::VrrpScript,
                (-253, 253),
                None,
                &mut sg.track_scripts,
            ),
            "track_file" => track::track_refs(
                ctx,
                child,
                Kind::TrackFile,
                (-254, 254),
                None,
                &mut sg.track_files,
            ),
            "track_process" => track::track_refs(
                ctx,
                child,
                Kind::TrackProcess,
                (-254, 254),
                None,
                &mut sg.track_processes,
            ),
            "track_bfd" => track::track_refs(
                ctx,
                child,
                Kind::BfdInstance,
                (-253, 253),
                None,
                &mut sg.track_bfds,
            ),
            "notify_master" => set_notify(ctx, child, &mut sg.notify.master, &mut notify_first),
            "notify_backup" => set_notify(ctx, child, &mut sg.notify.backup, &mut notify_first),
            "notify_fault" => set_notify(ctx, child, &mut sg.notify.fault, &mut notify_first),
            "notify_stop" => set_notify(ctx, child, &mut sg.notify.stop, &mut notify_first),
            "notify" => set_notify(ctx, child, &mut sg.notify.any, &mut notify_first),
            "smtp_alert" => {
                seen.check(ctx, child);
                if let Some(b) = ctx.flag(child) {
                    sg.smtp_alert = Some(b);
                }
            }
            "notify_priority_changes" => {
                seen.check(ctx, child);
                if let Some(b) = ctx.flag(child) {
                    sg.notify_priority_changes = Some(b);
                }
            }
            "sync_group_tracking_weight" => {
                ctx.bare_flag(child);
                sg.tracking_weight = true;
            }
            "global_tracking" => {
                ctx.bare_flag(child);
                ctx.diags
                    .warning(child.name.span, "`global_tracking` is deprecated")
                    .help("use track_interface/track_script/track_file on the sync group, or `sync_group_tracking_weight`");
                sg.tracking_weight = true;
            }
            _ => ctx.unknown(child, "vrrp_sync_group", KEYWORDS),
        }
    }
    if group_seen.is_none() {
        // vrrp_parser.c: "Sync group %s has no members - removing".
        ctx.diags.error(
            name.span,
            format!(
                "vrrp_sync_group `{}` has no `group` of instances",
                name.text
            ),
        );
        return;
    }
    if declared {
        ctx.remember(name_key(&name.text), name.span);
        cfg.vrrp.sync_groups.push(sg);
    }
}
