//! Printing checker blocks and `bfd_instance` blocks.

use super::Printer;
use crate::lower::bfd::format_ms;
use crate::model::bfd::{BfdInstance, DEFAULT_IDLE_TX, DEFAULT_MIN_RX_TX, DEFAULT_MULTIPLIER};
use crate::model::check::{
    CheckOptions, Checker, Connection, HttpCheck, HttpProtocol, ReplyPattern, Timing, Url,
    DEFAULT_HELO_NAME, DEFAULT_STATUS_CODES,
};
use crate::model::Config;

/// Prints the part of the configuration outside virtual servers that belongs to
/// checkers (`bfd_instance` blocks).
pub fn print(cfg: &Config, p: &mut Printer) {
    for b in &cfg.bfd_instances {
        bfd_instance(b, p);
    }
}

fn bfd_instance(b: &BfdInstance, p: &mut Printer) {
    p.open("bfd_instance", [&b.name]);
    p.value("neighbor_ip", b.neighbor_ip);
    p.opt("source_ip", &b.source_ip);
    if b.min_rx != DEFAULT_MIN_RX_TX {
        p.value("min_rx", format_ms(b.min_rx));
    }
    if b.min_tx != DEFAULT_MIN_RX_TX {
        p.value("min_tx", format_ms(b.min_tx));
    }
    if b.idle_tx != DEFAULT_IDLE_TX {
        p.value("idle_tx", format_ms(b.idle_tx));
    }
    p.non_default("multiplier", &b.multiplier, &DEFAULT_MULTIPLIER);
    p.flag("passive", b.passive);
    let default_ttl = BfdInstance::default_ttl(&b.neighbor_ip);
    if b.ttl != default_ttl {
        p.value(
            if b.neighbor_ip.is_ipv4() {
                "ttl"
            } else {
                "hoplimit"
            },
            b.ttl,
        );
    }
    p.non_default("max_hops", &b.max_hops, &0);
    if b.weight != 0 || b.reverse {
        if b.reverse {
            p.line("weight", [b.weight.to_string(), "reverse".to_string()]);
        } else {
            p.value("weight", b.weight);
        }
    }
    if b.to_vrrp != b.to_checker {
        p.flag("vrrp", b.to_vrrp);
        p.flag("checker", b.to_checker);
    }
    p.close();
    p.blank();
}

/// Prints one checker block.
pub fn checker(c: &Checker, p: &mut Printer) {
    p.open_block(c.keyword());
    match c {
        Checker::Tcp(t) => options(&t.options, p),
        Checker::Ping(t) => options(&t.options, p),
        Checker::Http(h) | Checker::Ssl(h) => http(h, p),
        Checker::Smtp(s) => {
            // Hosts first: each carries its full connection options, and a host block
            // copies the connection options printed before it.
            for h in &s.hosts {
                p.open_block("host");
                connection(h, p);
                p.close();
            }
            options(&s.options, p);
            if s.helo_name != DEFAULT_HELO_NAME {
                p.value("helo_name", &s.helo_name);
            }
        }
        Checker::Misc(m) => {
            timing(&m.timing, p);
            p.script_line("misc_path", [&m.script.command]);
            if let Some(u) = &m.script.user {
                let mut words = vec![u.clone()];
                words.extend(m.script.group.clone());
                p.line("user", words);
            }
            p.opt("misc_timeout", &m.timeout);
            p.flag("misc_dynamic", m.dynamic);
        }
        Checker::Dns(d) => {
            options(&d.options, p);
            p.non_default("type", &d.query_type, &Default::default());
            if d.name != "." {
                p.value("name", &d.name);
            }
        }
        Checker::Udp(u) => {
            options(&u.options, p);
            if let Some(data) = &u.payload {
                p.value("payload", hex(data, None));
            }
            match &u.reply {
                Some(r) => p.value("require_reply", reply(r)),
                None => p.flag("require_reply", u.require_reply),
            }
            p.non_default("min_reply_length", &u.min_reply_length, &0);
            p.non_default("max_reply_length", &u.max_reply_length, &255);
        }
        Checker::File(f) => {
            p.value("track_file", &f.track_file);
            if let Some(w) = f.weight {
                if f.reverse {
                    p.line("weight", [w.to_string(), "reverse".to_string()]);
                } else {
                    p.value("weight", w);
                }
            }
        }
        Checker::Bfd(b) => {
            p.value("name", &b.name);
            p.opt("alpha", &b.alpha.map(on_off));
        }
    }
    p.close();
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

fn options(o: &CheckOptions, p: &mut Printer) {
    connection(&o.connection, p);
    timing(&o.timing, p);
}

fn connection(c: &Connection, p: &mut Printer) {
    p.opt("connect_ip", &c.connect_ip);
    p.opt("connect_port", &c.connect_port);
    p.opt("bindto", &c.bindto);
    p.opt("bind_port", &c.bind_port);
    p.opt("bind_if", &c.bind_if);
    p.opt("connect_timeout", &c.connect_timeout);
    p.opt("fwmark", &c.fwmark);
}

fn timing(t: &Timing, p: &mut Printer) {
    p.opt("retry", &t.retry);
    p.opt("delay_before_retry", &t.delay_before_retry);
    p.opt("warmup", &t.warmup);
    p.opt("delay_loop", &t.delay_loop);
    p.opt("alpha", &t.alpha.map(on_off));
    p.flag("log_all_failures", t.log_all_failures);
}

fn http(h: &HttpCheck, p: &mut Printer) {
    options(&h.options, p);
    p.opt("virtualhost", &h.virtualhost);
    p.non_default("http_protocol", &h.http_protocol, &HttpProtocol::V1_0);
    p.flag("enable_sni", h.enable_sni);
    p.flag("fast_recovery", h.fast_recovery);
    for u in &h.urls {
        url(u, p);
    }
}

fn url(u: &Url, p: &mut Printer) {
    p.open_block("url");
    p.value("path", &u.path);
    p.opt("digest", &u.digest);
    if u.status_codes != DEFAULT_STATUS_CODES {
        p.line("status_code", u.status_codes.iter());
    }
    p.opt("virtualhost", &u.virtualhost);
    if let Some(r) = &u.regex {
        p.script_line("regex", [&r.pattern]);
        p.flag("regex_no_match", r.no_match);
        if !r.options.is_empty() {
            p.line("regex_options", r.options.iter());
        }
        p.non_default("regex_min_offset", &r.min_offset, &0);
        p.opt("regex_max_offset", &r.max_offset);
        if let Some((a, b)) = r.stack {
            p.line("regex_stack", [a, b]);
        }
    }
    p.close();
}

/// Bytes as two hex digits each; a fully masked digit as `x`.
fn hex(data: &[u8], mask: Option<&[u8]>) -> String {
    let digit = |v: u8, m: u8| -> char {
        if m == 0xf {
            'x'
        } else {
            char::from_digit(u32::from(v), 16).unwrap_or('0')
        }
    };
    let mut s = String::with_capacity(data.len() * 2);
    for (i, b) in data.iter().enumerate() {
        let m = mask.and_then(|m| m.get(i)).copied().unwrap_or(0);
        s.push(digit(b >> 4, m >> 4));
        s.push(digit(b & 0xf, m & 0xf));
    }
    s
}

fn reply(r: &ReplyPattern) -> String {
    hex(&r.data, Some(&r.mask))
}
