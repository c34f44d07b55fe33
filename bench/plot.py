#!/usr/bin/python3
"""bench/plot.py — plots of a `hull-harness latency` report (matplotlib).

    bench/plot.py REPORT.json OUTDIR

Writes, for the sections the report has:
    latency.svg      start-latency distribution per runtime (box plot, log x)
    phases.svg       where hull's start time goes: stacked per-phase medians
    namespaces.svg   start-latency cost of each namespace, hull and floor
    concurrency.svg  containers/s and round-trip percentiles vs starts at once
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MS = 1e6


def subtitle(rep):
    c = rep.get("context", {})
    return (f"{c.get('host', '?')}, kernel {c.get('kernel', '?')}, {c.get('cpus', '?')} CPUs, "
            f"cgroup {c.get('cgroup_layout', '?')}, commit {c.get('commit', '?')}")


def save(fig, outdir, name):
    path = os.path.join(outdir, name)
    fig.tight_layout()
    fig.savefig(path, format="svg")
    plt.close(fig)
    print(f"plot: {path}", file=sys.stderr)


def plot_latency(rep, outdir):
    rts = [r for r in rep.get("runtimes", []) if r.get("entry", {}).get("samples_ns")]
    if not rts:
        return
    rts.sort(key=lambda r: r["entry"]["median_ns"], reverse=True)
    data = [[s / MS for s in r["entry"]["samples_ns"]] for r in rts]
    labels = [f"{r['name']}\n{r['entry']['median_ns'] / MS:.2f} ms" for r in rts]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(rts) + 1.6))
    ax.boxplot(data, vert=False, labels=labels, whis=(1, 99), showfliers=True,
               flierprops={"markersize": 2, "alpha": 0.4})
    ax.set_xscale("log")
    ax.set_xlabel("start latency: spawn -> probe main (ms, log scale; whiskers p1-p99)")
    ax.set_title("Container start latency per runtime\n" + subtitle(rep), fontsize=9)
    ax.grid(axis="x", which="both", alpha=0.3)
    save(fig, outdir, "latency.svg")


def plot_phases(rep, outdir):
    variants = rep.get("phases", [])
    if not variants:
        return
    order = []
    for v in variants:
        for p in v["chain"]:
            if p["in_start"] and p["phase"] not in order:
                order.append(p["phase"])
    fig, ax = plt.subplots(figsize=(8, 0.7 * len(variants) + 2.6))
    cmap = plt.get_cmap("tab20")
    labelled = set()  # a phase only a later variant has (the pool's) is labelled too
    for vi, v in enumerate(variants):
        left = 0.0
        by = {p["phase"]: p for p in v["chain"] if p["in_start"]}
        for pi, name in enumerate(order):
            if name not in by:
                continue
            w = by[name]["median_ns"] / MS
            ax.barh(vi, w, left=left, color=cmap(pi % 20),
                    label=None if name in labelled else name, edgecolor="white",
                    linewidth=0.5)
            labelled.add(name)
            left += w
        ax.text(left, vi, f" {v['entry_median_ns'] / MS:.2f} ms (end to end)",
                va="center", fontsize=8)
    ax.set_yticks(range(len(variants)))
    ax.set_yticklabels([v["name"] for v in variants])
    ax.set_xlabel("median per phase (ms), spawn -> probe main")
    ax.set_title("Where hull's start time goes\n" + subtitle(rep), fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3)
    ax.set_xlim(0, max(v["entry_median_ns"] for v in variants) / MS * 1.35)
    save(fig, outdir, "phases.svg")


def plot_namespaces(rep, outdir):
    rows = rep.get("namespaces", [])
    rows = [r for r in rows if r.get("hull") or r.get("floor")]
    if not rows:
        return
    names = [r["namespaces"] for r in rows]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.8))
    ys = range(len(rows))
    for off, key, color in ((-0.2, "hull", "tab:blue"), (0.2, "floor", "tab:gray")):
        vals = [(r.get(f"{key}_cost_ns") or 0) / 1e3 for r in rows]
        ax.barh([y + off for y in ys], vals, height=0.4, label=key, color=color)
    ax.set_yticks(list(ys))
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel("start-latency cost vs no namespaces (median, µs)")
    ax.set_title("Cost of each namespace\n" + subtitle(rep), fontsize=9)
    ax.axvline(0, color="black", linewidth=0.5)
    ax.legend(fontsize=8)
    save(fig, outdir, "namespaces.svg")


def plot_concurrency(rep, outdir):
    levels = rep.get("concurrency", [])
    levels = [lv for lv in levels if lv.get("round_trip")]
    if not levels:
        return
    x = [lv["level"] for lv in levels]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(x, [lv["containers_per_s"] for lv in levels], "o-", color="tab:blue",
            label="containers/s")
    ax.set_xscale("log", base=2)
    ax.set_xticks(x)
    ax.set_xticklabels([str(v) for v in x])
    ax.set_xlabel("container starts at once")
    ax.set_ylabel("containers/s", color="tab:blue")
    ax2 = ax.twinx()
    for key, style in (("median_ns", "s--"), ("p99_ns", "^:")):
        ax2.plot(x, [lv["round_trip"][key] / MS for lv in levels], style, color="tab:red",
                 label=f"round trip {key[:-3]}")
    ax2.set_ylabel("round trip (ms)", color="tab:red")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=8, loc="upper left")
    ax.set_title("hull throughput vs concurrency\n" + subtitle(rep), fontsize=9)
    save(fig, outdir, "concurrency.svg")


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        rep = json.load(f)
    os.makedirs(argv[2], exist_ok=True)
    for plot in (plot_latency, plot_phases, plot_namespaces, plot_concurrency):
        plot(rep, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
