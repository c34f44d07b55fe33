#!/bin/sh
# bench/cni-hook.sh — the CNI part of an engine, as an OCI hook for crun in
# bench/network.sh: ADD (createRuntime) or DEL (poststop) of the plugin
# configurations given, in order for ADD and in reverse for DEL, each with
# the previous result as prevResult (saved next to the first conf for DEL).
#
#   cni-hook.sh ADD|DEL CNI_DIR CONF...      (OCI state JSON on stdin)
set -eu
cmd=$1 cni=$2
shift 2
state=$(cat)
id=$(printf '%s' "$state" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
pid=$(printf '%s' "$state" | sed -n 's/.*"pid" *: *\([0-9]*\).*/\1/p')
saved="$1.result.$id"
netns=""
[ "$cmd" = ADD ] && netns=/proc/$pid/ns/net

run() { # CONF PREV
  conf=$(cat "$1")
  [ -n "$2" ] && conf="${conf%\}},\"prevResult\":$2}"
  type=$(printf '%s' "$conf" | sed -n 's/^{"type":"\([^"]*\)".*/\1/p')
  printf '%s' "$conf" | CNI_COMMAND=$cmd CNI_CONTAINERID=$id CNI_NETNS=$netns \
    CNI_IFNAME=eth0 CNI_PATH=$cni "$cni/$type"
}

if [ "$cmd" = ADD ]; then
  prev=""
  for c in "$@"; do prev=$(run "$c" "$prev"); done
  printf '%s' "$prev" > "$saved"
else
  prev=$(cat "$saved" 2>/dev/null || true)
  rm -f "$saved"
  confs=""
  for c in "$@"; do confs="$c $confs"; done
  for c in $confs; do run "$c" "$prev" >/dev/null || true; done
fi
