#!/usr/bin/env python3
"""Writes a large keepalived.conf: N VRRP instances over several interfaces and
M real servers behind virtual servers. Documentation addresses only.

usage: gen-large-config.py [--instances 10000] [--real-servers 2000] [--interfaces 40]
"""
import argparse

p = argparse.ArgumentParser()
p.add_argument("--instances", type=int, default=10000)
p.add_argument("--real-servers", type=int, default=2000)
p.add_argument("--interfaces", type=int, default=40)
p.add_argument("--rs-per-vs", type=int, default=20)
a = p.parse_args()

out = []
w = out.append
w("global_defs {\n    router_id bench\n    script_user root\n    enable_script_security\n}\n")
w('vrrp_script chk_true {\n    script "/bin/true"\n    interval 2\n    weight -10\n}\n')
vrids_per_if = 255
for i in range(a.instances):
    ifn = i // vrids_per_if
    if ifn >= a.interfaces:
        raise SystemExit("not enough interfaces for that many instances")
    vrid = i % vrids_per_if + 1
    # 203.0.113.0/24 and 198.51.100.0/24 give 512 distinct VIPs; reuse across
    # interfaces is fine for a parse benchmark.
    vip = f"203.0.113.{i % 256}" if (i // 256) % 2 == 0 else f"198.51.100.{i % 256}"
    w(f"vrrp_instance VI_{i} {{\n"
      f"    state BACKUP\n"
      f"    interface vb{ifn}\n"
      f"    virtual_router_id {vrid}\n"
      f"    priority {100 + i % 100}\n"
      f"    advert_int 1\n"
      f"    authentication {{\n        auth_type PASS\n        auth_pass p{i % 1000}\n    }}\n"
      f"    virtual_ipaddress {{\n        {vip}/24 dev vb{ifn}\n    }}\n"
      f"    track_script {{\n        chk_true\n    }}\n"
      f"}}\n")
vs_count = (a.real_servers + a.rs_per_vs - 1) // a.rs_per_vs
rs = 0
for v in range(vs_count):
    w(f"virtual_server 192.0.2.{v % 250 + 1} {8000 + v} {{\n"
      f"    delay_loop 6\n    lb_algo wrr\n    lb_kind NAT\n    protocol TCP\n")
    for r in range(a.rs_per_vs):
        if rs >= a.real_servers:
            break
        host = f"198.51.100.{rs % 250 + 1}"
        port = 10000 + rs
        if rs % 2:
            w(f"    real_server {host} {port} {{\n        weight 1\n"
              f"        TCP_CHECK {{\n            connect_timeout 3\n        }}\n    }}\n")
        else:
            w(f"    real_server {host} {port} {{\n        weight 2\n"
              f"        HTTP_GET {{\n            url {{\n                path /health\n"
              f"                status_code 200\n            }}\n"
              f"            connect_timeout 3\n        }}\n    }}\n")
        rs += 1
    w("}\n")
print("".join(out), end="")
