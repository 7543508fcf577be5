//! Checks across the VRRP part: names used before their declaration, virtual router id
//! conflicts between instances, and sync group membership.

use crate::lower::ctx::{Ctx, Kind};
use crate::lower::vrrp::{
    delay_place_key, instance_entry_key, instance_place_key, sync_group_member_key,
    sync_group_name_key,
};
use crate::model::vrrp::{Instance, SyncGroup, TrackRef};
use crate::model::Config;
use crate::source::Span;
use std::collections::HashMap;

/// Checks that span this area of the configuration.
pub fn check(cfg: &Config, ctx: &mut Ctx) {
    forward_references(ctx);
    vrid_conflicts(cfg, ctx);
    sync_groups(cfg, ctx);
    tracking_weights(cfg, ctx);
    debounce_delays(cfg, ctx);
}

/// keepalived resolves `track_script` / `track_file` / `track_process` / `track_bfd`
/// names while it reads, so a name declared further down is "not found, ignoring" there
/// (vrrp_track.c). Names never declared are reported by the central resolution.
fn forward_references(ctx: &mut Ctx) {
    let mut uses: Vec<(Span, Kind, String, String)> = ctx
        .forward_references
        .iter()
        .map(|r| (r.span, r.kind, r.name.clone(), r.context.clone()))
        .collect();
    uses.sort_by_key(|(s, ..)| (s.file, s.line, s.col));
    for (span, kind, name, context) in uses {
        let Some(decl) = ctx.declared.get(&(kind, name.clone())).copied() else {
            continue;
        };
        ctx.diags
            .error(
                span,
                format!(
                    "`{context}` names `{name}`, which is defined further down the file"
                ),
            )
            .related(decl, "defined here")
            .help(format!(
                "keepalived looks the name up while reading and ignores it when it is not yet defined; move the {} block above its first use",
                kind.keyword()
            ));
    }
}

/// Two instances on the same interface and address family with the same virtual router
/// id share a socket and cannot be told apart, unless they multicast to different
/// groups or unicast to disjoint peers (keepalived.conf(5), `virtual_router_id`; vrrp.c:
/// "%s and %s both use VRID %d with IPv%d on interface %s" and "duplicate VRID
/// conflict with %s VRID %d").
fn vrid_conflicts(cfg: &Config, ctx: &mut Ctx) {
    let mut by_key: HashMap<(&str, crate::model::vrrp::Family, u8), Vec<&Instance>> =
        HashMap::new();
    for inst in &cfg.vrrp.instances {
        let Some(ifname) = inst.interface.as_deref() else {
            continue;
        };
        if inst.virtual_router_id == 0 {
            continue;
        }
        let key = (ifname, inst.family, inst.virtual_router_id);
        let earlier = by_key.entry(key).or_default();
        if let Some(first) = earlier.iter().find(|e| clash(e, inst)) {
            let here = ctx
                .place(&instance_place_key(&inst.name, "virtual_router_id"))
                .or(ctx.place(&instance_place_key(&inst.name, "name")));
            let there = ctx
                .place(&instance_place_key(&first.name, "virtual_router_id"))
                .or(ctx.place(&instance_place_key(&first.name, "name")));
            if let Some(here) = here {
                let msg = if inst.is_unicast() {
                    format!(
                        "vrrp_instance `{}` and `{}` both use VRID {} with {} on interface {} and share unicast peers",
                        first.name, inst.name, inst.virtual_router_id, inst.family.name(), ifname
                    )
                } else {
                    format!(
                        "vrrp_instance `{}` and `{}` both use VRID {} with {} on interface {}",
                        first.name,
                        inst.name,
                        inst.virtual_router_id,
                        inst.family.name(),
                        ifname
                    )
                };
                let d = ctx.diags.error(here, msg);
                if let Some(there) = there {
                    d.related(there, format!("`{}` uses it here", first.name));
                }
                d.help("use another virtual_router_id (or another mcast_dst_ip, or disjoint unicast peers)");
            }
        }
        earlier.push(inst);
    }
}

/// Whether two instances on the same interface, family and VRID cannot coexist.
fn clash(a: &Instance, b: &Instance) -> bool {
    match (a.is_unicast(), b.is_unicast()) {
        (false, false) => a.mcast_dst_ip == b.mcast_dst_ip,
        (true, true) => a
            .unicast_peers
            .iter()
            .any(|p| b.unicast_peers.iter().any(|q| q.address == p.address)),
        _ => false,
    }
}

/// An instance belongs to one sync group at most, and a sync group of one instance is
/// a mistake (vrrp_sync.c: "Virtual router %s cannot exist in more than one sync
/// group", "Sync group %s has only 1 virtual router(s) - this probably isn't what you
/// want"; both make `keepalived -t` fail).
fn sync_groups(cfg: &Config, ctx: &mut Ctx) {
    let instances: HashMap<&str, &Instance> = cfg
        .vrrp
        .instances
        .iter()
        .map(|i| (i.name.as_str(), &**i))
        .collect();
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for g in &cfg.vrrp.sync_groups {
        let mut count = 0;
        let mut owners = 0;
        for m in &g.members {
            let Some(inst) = instances.get(m.as_str()) else {
                continue;
            };
            if let Some(first) = owner.get(m.as_str()) {
                if let Some(here) = ctx.place(&sync_group_member_key(&g.name, m)) {
                    let there = ctx.place(&sync_group_member_key(first, m));
                    let d = ctx.diags.error(
                        here,
                        format!(
                            "vrrp_instance `{m}` is already in vrrp_sync_group `{first}`; an instance can be in one sync group only"
                        ),
                    );
                    if let Some(there) = there {
                        d.related(there, "first listed here");
                    }
                }
                continue;
            }
            owner.insert(m.as_str(), g.name.as_str());
            count += 1;
            if inst.priority == 255 {
                owners += 1;
            }
        }
        let Some(name_span) = ctx.place(&sync_group_name_key(&g.name)) else {
            continue;
        };
        if count == 1 {
            ctx.diags
                .error(
                    name_span,
                    format!("vrrp_sync_group `{}` has only one instance", g.name),
                )
                .help("a sync group keeps several instances in the same state; add members or remove the group");
        }
        if owners > 0 && owners < count {
            // vrrp_sync.c: "Sync group %s has some member(s) as address owner and some
            // not as address owner. This won't work."
            ctx.diags.warning(
                name_span,
                format!(
                    "vrrp_sync_group `{}` mixes address owners (priority 255) with other instances; this won't work",
                    g.name
                ),
            );
        }
    }
}

/// The priority of an address owner cannot change, and sync group members must not
/// drift apart, so keepalived refuses tracking weights there (vrrp.c: "ignoring tracked
/// script %s with weights due to %s", "ignoring weight from tracked file %s due to %s.
/// specify weight 0", "ignoring %s tracked interface weight due to SYNC group", ...),
/// unless the group has `sync_group_tracking_weight`.
fn tracking_weights(cfg: &Config, ctx: &mut Ctx) {
    let mut group_of: HashMap<&str, &SyncGroup> = HashMap::new();
    for g in &cfg.vrrp.sync_groups {
        for m in &g.members {
            group_of.entry(m.as_str()).or_insert(g);
        }
    }
    for inst in &cfg.vrrp.instances {
        let (why, help) = if inst.priority == 255 {
            (
                "it is the address owner (priority 255)".to_string(),
                "the address owner's priority never changes; set `weight 0` on the entry",
            )
        } else if let Some(g) = group_of
            .get(inst.name.as_str())
            .filter(|g| !g.tracking_weight)
        {
            (
                format!("it is in vrrp_sync_group `{}`", g.name),
                "set `weight 0` on the entry (or track it on the sync group), or add `sync_group_tracking_weight` to the group",
            )
        } else {
            continue;
        };
        let mut weighted: Vec<(&str, &str, i32)> = Vec::new();
        for t in &inst.track_interfaces {
            if t.weight != 0 {
                weighted.push(("track_interface", &t.interface, t.weight));
            }
        }
        let effective = |t: &TrackRef, default: Option<i32>| t.weight.or(default).unwrap_or(0);
        for t in &inst.track_scripts {
            let d = cfg
                .vrrp
                .scripts
                .iter()
                .find(|s| s.name == t.name)
                .map(|s| s.weight);
            weighted.push(("track_script", &t.name, effective(t, d)));
        }
        for t in &inst.track_files {
            let d = cfg
                .vrrp
                .track_files
                .iter()
                .find(|f| f.name == t.name)
                .map(|f| f.weight);
            weighted.push(("track_file", &t.name, effective(t, d)));
        }
        for t in &inst.track_bfds {
            weighted.push(("track_bfd", &t.name, effective(t, None)));
        }
        for (block, name, weight) in weighted {
            if weight == 0 {
                continue;
            }
            let Some(span) = ctx.place(&instance_entry_key(&inst.name, block, name)) else {
                continue;
            };
            ctx.diags
                .error(
                    span,
                    format!(
                        "vrrp_instance `{}`: the weight ({weight}) of `{block}` entry `{name}` would be ignored because {why}",
                        inst.name
                    ),
                )
                .help(help);
        }
    }
}

/// keepalived.conf(5), "Interface up/down status change debouncing": a delay must be
/// less than (down_timer_adverts - 1) advert intervals of every instance on the
/// interface, or a backup elsewhere takes over first. keepalived only logs "interface
/// %s debounce timer(s) not less that %u * advert_int - resetting" and shortens it.
fn debounce_delays(cfg: &Config, ctx: &mut Ctx) {
    for d in &cfg.vrrp.interface_up_down_delays {
        let longest = d.down.max(d.up.unwrap_or(d.down));
        for i in &cfg.vrrp.instances {
            if i.interface.as_deref() != Some(d.interface.as_str()) {
                continue;
            }
            let n = u64::from(i.down_timer_adverts.saturating_sub(1));
            let limit = crate::model::common::Timer(i.advert_int.micros().saturating_mul(n));
            if longest < limit {
                continue;
            }
            if let Some(span) = ctx.place(&delay_place_key(&d.interface)) {
                ctx.diags
                    .warning(
                        span,
                        format!(
                            "the delays of `{}` must be below {limit} seconds ({n} advert intervals of vrrp_instance `{}`); they will be shortened",
                            d.interface, i.name
                        ),
                    )
                    .help("otherwise a backup router takes over before this one enters FAULT");
            }
        }
    }
}
