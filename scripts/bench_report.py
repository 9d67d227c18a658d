#!/usr/bin/env python3
"""Turns one benchmark-suite run (scripts/bench_suite.sh) into bench/results/latest.json and
latest.md. Each run is also kept in bench/results/runs/ (not committed); the Markdown summary
shows, next to this run's figures, the medians over the last five runs of the same scale, since
one run on a shared machine is noisy."""
import argparse
import datetime
import glob
import json
import os
import statistics


def entry(rps_from, latency_from, errors, rss, **extra):
    """One workload's fields: rps from one measurement, p50/p99/p99.9 from another."""
    return {
        "rps": rps_from["rps"],
        "p50_ms": latency_from["p50_ms"],
        "p99_ms": latency_from["p99_ms"],
        "p999_ms": latency_from["p999_ms"],
        "errors": errors,
        "server_rss_mb": rss,
        **extra,
    }


def workload_entry(r):
    """The per-workload fields of latest.json: rps is the closed-loop peak (wrk); latencies are
    from the open-loop run at 80% of that peak (plaza-load, no coordinated omission)."""
    if "peak" in r:
        peak, open_ = r["peak"], r["open_loop"]
        extra = {}
        if peak.get("server_cpu_us_per_request"):  # recorded since session 21
            extra["cpu_us_per_request"] = peak["server_cpu_us_per_request"]
        if "fanout" in r:  # compose: the home fan-out queue right after the load
            f = r["fanout"]
            extra["fanout"] = f
            # Timeline insertions per post since start: only timelines in memory (the readers')
            # are written, so this is the fan-out each post actually cost.
            extra["fanout_per_post"] = round(f["delivered"] / f["enqueued"], 1) if f["enqueued"] else 0
        # A workload on its own dataset (compose-fanout-100): that dataset's manifest, and the
        # unmeasured closed-loop round run first on its fresh server.
        extra.update({k: r[k] for k in ("dataset", "warm_up") if k in r})
        return entry(peak, open_, peak["errors"] + open_["errors"], r["server_rss_mb"],
                     peak=peak, open_loop=open_, **extra)
    if "first_reads" in r:  # the warm-up: every token's first home read
        first = r["first_reads"]
        return entry(first, first, first["errors"], r["server_rss_mb"], first_reads=first)
    if "ceiling_rounds" in r:  # read-home and the ceiling, alternating
        c = statistics.median(x["rps"] for x in r["ceiling_rounds"])
        p = statistics.median(x["rps"] for x in r["plaza_rounds"])

        def cpu(rounds):  # the median server CPU a request, µs (None before it was recorded)
            vals = [x["server_cpu_us_per_request"] for x in rounds
                    if x.get("server_cpu_us_per_request")]
            return round(statistics.median(vals), 2) if vals else None
        return {
            "rps": p,
            "ceiling_rps": c,
            "cpu_us_per_request": cpu(r["plaza_rounds"]),
            "ceiling_cpu_us_per_request": cpu(r["ceiling_rounds"]),
            "p50_ms": None, "p99_ms": None, "p999_ms": None,
            "errors": sum(x["errors"] for x in r["ceiling_rounds"] + r["plaza_rounds"]),
            "server_rss_mb": r["server_rss_mb"],
            "ceiling_rounds": r["ceiling_rounds"],
            "plaza_rounds": r["plaza_rounds"],
        }
    if "probe" in r:  # celebrity
        readers, probe = r["readers"], r["probe"]
        return entry(readers, readers, readers["errors"] + probe["errors"], r["server_rss_mb"],
                     visible_all_sampled_ms_p50=probe["visible_all_sampled_ms_p50"],
                     visible_all_sampled_ms_max=probe["visible_all_sampled_ms_max"],
                     probe=probe, readers_closed_loop=readers)
    return {k: v for k, v in r.items() if k not in ("name", "kind")}


def ratio(a, b):
    return round(a / b, 4) if a and b else None


def ratios(w):
    def rps(name):
        return w.get(name, {}).get("rps")
    inter = w.get("read-home-interleaved", {})
    return {
        # Medians of alternating rounds (see bench_suite.sh); the sequential runs are kept for
        # comparison.
        "home_timeline_vs_ceiling": ratio(inter.get("rps"), inter.get("ceiling_rps"))
        or ratio(rps("read-home"), rps("ceiling")),
        "home_timeline_vs_ceiling_sequential": ratio(rps("read-home"), rps("ceiling")),
        # The same rounds by what a read costs the server: the ceiling's CPU a request over
        # Plaza's. Not bounded by the load generator's core, as the ceiling's rate can be.
        "home_timeline_cpu_vs_ceiling": ratio(inter.get("ceiling_cpu_us_per_request"),
                                              inter.get("cpu_us_per_request")),
        "home_timeline_vs_nginx": ratio(rps("read-home"), rps("nginx")),
        "home_timeline_vs_redis_lrange": ratio(rps("read-home"), rps("redis-lrange")),
        "compose_vs_ceiling": ratio(rps("compose"), rps("ceiling")),
        "compose_fanout_100_vs_ceiling": ratio(rps("compose-fanout-100"), rps("ceiling")),
        "mixed_vs_ceiling": ratio(rps("mixed"), rps("ceiling")),
    }


def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def cpu_lines(cpu):
    """What the cores gave a busy thread, before and after the workloads (cpu_probe)."""
    if not cpu:
        return []
    parts = []
    for when, probes in cpu.items():
        cores = "; ".join(
            f"{name} {p['available'] * 100:.0f}% ({p['stalls']} stalls > "
            f"{p['stall_threshold_ms']:g} ms, longest {p['stall_max_ms']:.0f} ms)"
            for name, p in zip(("server core", "load core"), probes))
        parts.append(f"{when}: {cores}")
    return ["CPU a busy thread got (bench/reference/cpu_probe, 2 s on both cores at once) — "
            + " — ".join(parts) + ". A stall stops every request in flight on that core, so "
            "percentiles above the share of time lost to stalls measure the host, not Plaza.", ""]


def main():
    ap = argparse.ArgumentParser()
    for a in ("results", "datagen", "scale", "pinning", "out"):
        ap.add_argument("--" + a, required=True)
    # cpu_probe reports (bench/reference/cpu_probe.cc), [server core, load core], taken with both
    # cores busy before and after the workloads.
    for a in ("cpu-before", "cpu-after"):
        ap.add_argument("--" + a)
    for a in ("duration", "connections", "start-ms", "home-bytes", "plaza-rss"):
        ap.add_argument("--" + a, type=float, required=True)
    args = ap.parse_args()

    rows = [json.loads(l) for l in open(args.results) if l.strip()]
    # The flash sale (scripts/bench_flash_sale.sh) has its own dataset and shape: reported apart.
    flash = next((r["flash_sale"] for r in rows if r["name"] == "flash-sale"), None)
    rows = [r for r in rows if r["name"] != "flash-sale"]
    workloads = {r["name"]: workload_entry(r) for r in rows}
    kinds = {r["name"]: r["kind"] for r in rows}
    datagen = json.load(open(args.datagen))
    cpu = {k: json.load(open(p)) for k, p in (("before", args.cpu_before), ("after", args.cpu_after))
           if p}
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = {
        "generated_at": now,
        "scale": args.scale,
        "machine": {"cpus": os.cpu_count(), "pinning": args.pinning,
                    "note": "shared 2-core VM; other builds may run concurrently",
                    "cpu_probe": cpu},
        "duration_s_per_measurement": args.duration,
        "connections": int(args.connections),
        "dataset": datagen,
        "plaza": {"start_ms": int(args.start_ms), "rss_mb_end": args.plaza_rss,
                  "home_response_bytes": int(args.home_bytes), "io_threads": 1},
        "workloads": workloads,
        "ratios": dict(ratios(workloads),
                       flash_sale_vs_ceiling=flash.get("vs_ceiling") if flash else None),
        "flash_sale": flash,
    }

    runs_dir = os.path.join(args.out, "runs")
    os.makedirs(runs_dir, exist_ok=True)
    stamp = now.replace(":", "").replace("-", "")
    with open(os.path.join(runs_dir, f"{stamp}-{args.scale}.json"), "w") as f:
        json.dump(result, f, indent=1)
    history = []
    for path in sorted(glob.glob(os.path.join(runs_dir, f"*-{args.scale}.json")))[-5:]:
        try:
            history.append(json.load(open(path)))
        except (OSError, ValueError):
            pass
    med = {}
    for name in workloads:
        vals = [h["workloads"][name]["rps"] for h in history
                if name in h.get("workloads", {}) and h["workloads"][name].get("rps")]
        if vals:
            med[name] = statistics.median(vals)
    med_ratios = {}
    for key in result["ratios"]:
        vals = [h["ratios"][key] for h in history if h.get("ratios", {}).get(key)]
        if vals:
            med_ratios[key] = round(statistics.median(vals), 4)
    result["median_of_last_runs"] = {"runs": len(history), "rps": med, "ratios": med_ratios}

    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump(result, f, indent=1)

    md = [f"# Plaza benchmark — {args.scale} ({now})", "",
          f"Pinning: {args.pinning}. {args.duration:g} s per measurement, "
          f"{int(args.connections)} connections. Dataset: {datagen['accounts']:,} accounts, "
          f"{datagen['follows']:,} follows, {datagen['posts']:,} posts, {datagen['likes']:,} likes; "
          f"imported {datagen['rows']:,} rows in {datagen['seconds']:.1f} s "
          f"({datagen['rows_per_s']:,.0f} rows/s). Plaza started in {int(args.start_ms)} ms; "
          f"home timeline response {int(args.home_bytes):,} bytes.", "",
          *cpu_lines(cpu),
          "rps = closed-loop peak (wrk); p50/p99/p99.9 = open-loop at 80% of that peak "
          "(plaza-load, from intended send times); server CPU = the server's CPU time (all "
          "threads) over the closed-loop requests; Redis rows are redis-benchmark (50 clients, "
          "its own percentiles).", "",
          f"| workload | kind | rps | median rps (last {len(history)}) | p50 ms | p99 ms | "
          "p99.9 ms | errors | server CPU µs/req | server RSS MB |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, w in workloads.items():
        md.append(f"| {name} | {kinds[name]} | {fmt(w.get('rps'), 0)} | {fmt(med.get(name), 0)} | "
                  f"{fmt(w.get('p50_ms'))} | {fmt(w.get('p99_ms'))} | {fmt(w.get('p999_ms'))} | "
                  f"{fmt(w.get('errors'))} | {fmt(w.get('cpu_us_per_request'), 1)} | "
                  f"{fmt(w.get('server_rss_mb'), 1)} |")
    if "celebrity" in workloads:
        c = workloads["celebrity"]
        md += ["", f"Celebrity: u0 ({datagen['celebrity_followers']:,} followers) posted "
               f"{c['probe']['posts']} times while followers read; all "
               f"{c['probe']['sampled_followers']} sampled followers had the post in their home "
               f"timeline {fmt(c['visible_all_sampled_ms_p50'])} ms (median; max "
               f"{fmt(c['visible_all_sampled_ms_max'])} ms) after the post was acknowledged "
               "(all 50 polled at once, each on its own connection, behind the readers' queue: an "
               "upper bound); "
               f"{fmt(c['probe'].get('first_read_hit_ratio'), 2)} of first reads after the "
               "acknowledgement already held it."]
    for name, title in (("compose", "Compose fan-out"),
                        ("compose-fanout-100", "Compose at the goal's fan-out (its own dataset)")):
        w = workloads.get(name, {})
        fanout = w.get("fanout")
        if not fanout:
            continue
        ds = w.get("dataset")
        shape = (f"{ds['accounts']:,} accounts, {ds['follows']:,} follows, all reading their home "
                 "first; " if ds else "")
        warm = w.get("warm_up")
        first = (f" (the warm-up round before it: {fmt(warm['rps'], 0)} posts/s at "
                 f"{fmt(warm.get('server_cpu_us_per_request'), 1)} µs)" if warm else "")
        md += ["", f"{title}: {shape}{fmt(w['rps'], 0)} posts/s at {fmt(w.get('cpu_us_per_request'), 1)} "
               f"µs of server CPU a post{first}; {w['fanout_per_post']} home-timeline "
               f"insertions per post ({fanout['delivered']:,} for {fanout['enqueued']:,} posts since "
               f"start); right after the load {fanout['queue_depth']} posts queued, oldest "
               f"{fanout['lag_ms']} ms, longest wait since start {fanout['max_lag_ms']} ms."]
    if flash:
        md += ["", f"Flash sale: {flash['accounts'] - 1:,} reservation holders, one attempt each, "
               f"for {flash['units_offered']:,} units: {fmt(flash['attempts_per_s'], 0)} attempts/s, "
               f"sold out in {fmt(flash['time_to_sell_out_ms'], 0)} ms, p50 "
               f"{fmt(flash['p50_ms'])} ms, p99 {fmt(flash['p99_ms'])} ms; "
               f"{flash['units_sold']} units sold to {flash['distinct_buyers']} distinct buyers, "
               f"ledger balanced: {flash['ledger_balanced']}, verified: {flash['verified']}; "
               f"the ceiling for the same attempts: {fmt(flash.get('ceiling_attempts_per_s'), 0)} "
               f"attempts/s (ratio {fmt(flash.get('vs_ceiling'), 3)})."]
    md += ["", "| ratio | this run | median (last runs) |", "|---|---:|---:|"]
    for key, v in result["ratios"].items():
        md.append(f"| {key} | {fmt(v, 3)} | {fmt(med_ratios.get(key), 3)} |")
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
