#!/bin/sh
# bench/network.sh — what each network mode costs: whole commands (start,
# the probe's --stamp, exit, teardown) timed by hyperfine without a shell,
# and the start alone (spawn -> the probe's first instruction, the
# harness's measure) by a small timer that spawns each command directly, in a
# network namespace this script makes for itself (never the machine's own
# interfaces; addresses from 198.18.0.0/15 only; with a private mount
# namespace), then a summary.
#
#   bench/network.sh BIN_DIR ROOTFS OUT.json RUNS
#
# Side by side: hull --network bridge against the same setup made by the
# CNI bridge + host-local (+ bandwidth) plugins for a crun container. crun
# has no network code, so its CNI runs where an engine would put it: OCI
# hooks (createRuntime: ADD on the container's namespace; poststop: DEL),
# a small sh script each (bench/cni-hook.sh). hull --network cni: runs the
# same conflist from hull itself.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${HULL_BENCH_NETNS:-}" ]; then
  exec env HULL_BENCH_NETNS=1 unshare --net --mount --propagation private "$0" "$@"
fi
# crun refuses a hybrid host's cgroup2 tree (as the harness does, env.c):
# it is unmounted in this private mount namespace only, for every command.
if grep -q " /sys/fs/cgroup/unified " /proc/self/mountinfo; then
  umount -l /sys/fs/cgroup/unified
fi
bin=$1 rootfs=$(cd "$2" && pwd) out=$3 runs=$4
probe="/bin/hull-probe --stamp"
cni=${CNI_DIR:-/usr/lib/cni}

if ! command -v hyperfine >/dev/null 2>&1; then
  echo "network bench: hyperfine not installed; skipping" >&2
  exit 0
fi
ip link set lo up
tmp=$(mktemp -d)
[ -n "${NET_BENCH_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT

# Each plugin's configuration in a file of its own ("type" first, for the
# hook's sed), and the same plugins as one conflist for hull's cni: mode.
bridge() { # NAME BRIDGE SUBNET
  printf '{"type":"bridge","cniVersion":"1.0.0","name":"%s","bridge":"%s","isGateway":true,"ipam":{"type":"host-local","subnet":"%s","dataDir":"%s/ipam"}}' \
    "$1" "$2" "$3" "$tmp"
}
BANDWIDTH='{"type":"bandwidth","cniVersion":"1.0.0","name":"crunbw","ingressRate":100000000,"ingressBurst":1000000,"egressRate":100000000,"egressBurst":1000000}'
printf '{"cniVersion":"1.0.0","name":"hullcni","plugins":[%s]}\n' \
  "$(bridge hullcni hcni0 198.18.80.0/20)" > "$tmp/hullcni.conflist"
bridge crun crun0 198.18.96.0/20 > "$tmp/crun.1.json"
bridge crunbw crunbw0 198.18.112.0/20 > "$tmp/crunbw.1.json"
printf '%s' "$BANDWIDTH" > "$tmp/crunbw.2.json"

set -- \
  -n hull-host "$bin/hull run --network host $rootfs $probe" \
  -n hull-none "$bin/hull run --network none $rootfs $probe" \
  -n hull-veth "$bin/hull run --network veth --subnet 198.19.64.0/20 $rootfs $probe" \
  -n hull-bridge "$bin/hull run --network bridge:hbench0 --subnet 198.18.64.0/20 $rootfs $probe" \
  -n hull-bridge-rate "$bin/hull run --network bridge:hbench0 --subnet 198.18.64.0/20 --net-rate 100mbit $rootfs $probe"
if [ -x "$cni/bridge" ] && [ -x "$cni/host-local" ] && [ -x "$cni/bandwidth" ]; then
  export CNI_PATH="$cni" # for hull's cni: mode, without a wrapper in the sample
  set -- "$@" -n hull-cni "$bin/hull run --network cni:$tmp/hullcni.conflist $rootfs $probe"
  if command -v crun >/dev/null 2>&1; then
    for c in crun crunbw; do
      confs="\"$tmp/$c.1.json\""
      [ -f "$tmp/$c.2.json" ] && confs="$confs,\"$tmp/$c.2.json\""
      mkdir -p "$tmp/$c"
      # hull spec: runc spec's default config (no cgroup namespace)
      "$bin/hull" spec --bundle "$tmp/$c" --rootfs "$rootfs"
      sed -i -e 's|"sh"|"/bin/hull-probe", "--stamp"|' "$tmp/$c/config.json"
      hooks="\"hooks\":{\"createRuntime\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"$here/cni-hook.sh\",\"ADD\",\"$cni\",$confs]}],\"poststop\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"$here/cni-hook.sh\",\"DEL\",\"$cni\",$confs]}]},"
      sed -i "0,/{/s|{|{$hooks|" "$tmp/$c/config.json"
    done
    set -- "$@" -n crun "crun --cgroup-manager=disabled --root $tmp/crunroot run --bundle $tmp/crun c1" \
      -n crun-bandwidth "crun --cgroup-manager=disabled --root $tmp/crunroot run --bundle $tmp/crunbw c2"
  else
    echo "network bench: crun not installed; no crun + CNI" >&2
  fi
else
  echo "network bench: no CNI plugins in $cni; no CNI rows" >&2
fi

hyperfine -N --style basic --warmup 5 --runs "$runs" --export-json "$out" "$@" >&2
# The links a run leaves: none but the bridges.
left=$(ip -o link show | grep -c -v -e ' lo:' -e hbench0 -e hcni0 -e crun0 -e crunbw0 || true)
[ "$left" -eq 0 ] || { echo "network bench: $left links left behind" >&2; ip -o link show >&2; exit 1; }
# "$@" is the list of -n NAME COMMAND pairs, for the start timer too.
"${PYTHON:-/usr/bin/python3}" - "$out" "$runs" "$@" <<'EOF'
import json, shlex, statistics, subprocess, sys, time
out, runs, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
cmds = {args[i + 1]: shlex.split(args[i + 2]) for i in range(0, len(args), 3)}
res = {r["command"]: r for r in json.load(open(out))["results"]}
whole = {k: r["median"] * 1e3 for k, r in res.items()}
# The start: the clock read just before the spawn, the probe's stamp at its
# first instruction (CLOCK_MONOTONIC, one clock for both); interleaved.
start = {k: [] for k in cmds}
for i in range(runs + 2):
    for k, c in cmds.items():
        t0 = time.monotonic_ns()
        p = subprocess.run(c, capture_output=True, text=True, timeout=60)
        if p.returncode == 0 and i >= 2:
            start[k].append((json.loads(p.stdout)["t_entry_ns"] - t0) / 1e6)
start = {k: statistics.median(v) for k, v in start.items() if v}
data = json.load(open(out))
data["start_median_ms"] = start
json.dump(data, open(out, "w"))
print(f"network: medians in ms, {runs} runs each: whole command (hyperfine) and start "
      "(spawn -> the probe's entry)")
for k in whole:
    print(f"  {k:18s} whole {whole[k]:8.2f}   start {start.get(k, float('nan')):8.2f}")
def ratio(table, what, a, b, target, note):
    if a in table and b in table:
        r = table[a] / table[b]
        verdict = f" (target <= {target}: {'met' if r <= target else 'missed'})" if target else ""
        print(f"  {what}: {a} / {b} = {r:.2f}{verdict} {note}")
ratio(start, "start", "hull-bridge", "crun", 0.25, "(built-in bridge vs crun + CNI bridge/host-local)")
ratio(start, "start", "hull-bridge-rate", "crun-bandwidth", 0.25, "(with a rate: + bandwidth)")
ratio(whole, "whole", "hull-bridge", "crun", None, "(hull deletes the veth before it returns; "
      "crun's poststop DEL runs after the namespace is gone, so the kernel removes it later)")
ratio(whole, "whole", "hull-bridge-rate", "crun-bandwidth", None, "")

# hull's own phases (--trace-fd marks): what each network step costs.
import os
PHASES = ["cloned", "net_address_allocated", "net_bridge_created", "net_veth_created",
          "net_address_set", "net_route_set", "net_rate_set", "net_ready"]
def traced(cmd):
    r, w = os.pipe()
    c = list(cmd)
    c.insert(2, "--trace-fd")
    c.insert(3, str(w))
    p = subprocess.run(c, pass_fds=(w,), capture_output=True, timeout=60)
    os.close(w)
    with os.fdopen(r) as f:
        marks = {m["phase"]: m["t_ns"] for m in map(json.loads, f.read().splitlines())}
    return marks if p.returncode == 0 else {}
phases = {}
for k in ("hull-veth", "hull-bridge", "hull-bridge-rate"):
    if k not in cmds:
        continue
    deltas = {}
    for i in range(runs):
        m = traced(cmds[k])
        seen = [ph for ph in PHASES if ph in m]
        for a, b in zip(seen, seen[1:]):
            deltas.setdefault(f"{a} -> {b}", []).append((m[b] - m[a]) / 1e3)
        if "exited" in m and "net_removed" in m:
            deltas.setdefault("exited -> net_removed", []).append(
                (m["net_removed"] - m["exited"]) / 1e3)
    phases[k] = {d: statistics.median(v) for d, v in deltas.items()}
print("network: hull's phases (--trace-fd), median us")
for k, d in phases.items():
    print(f"  {k}: " + ", ".join(f"{n} {v:.0f}" for n, v in d.items()))
data = json.load(open(out))
data["hull_phase_median_us"] = phases
json.dump(data, open(out, "w"))
EOF
