#!/usr/bin/env python3
"""speed_table.py — README's Speed table, written from the JSON lines of one `make bench-peers` run.

    speed_table.py BENCH.jsonl DOC.md        (make speed-table BENCH_JSON=BENCH.jsonl)

BENCH.jsonl is what `make bench-peers BENCH_JSON=BENCH.jsonl` appends (bench/run.sh): a
{"bench":"run","event":"start"} line, dropnet's lines (bench/bench_workloads.c), the peers'
(bench/peers.py, bench/ort_peer.js) and a {"bench":"run","event":"end"} line. A file holding
several runs gives the table of the last one. The table goes between `<!-- speed:begin -->` and
`<!-- speed:end -->` of DOC.md (scripts/doc_tables.py's splice: the prose around it stays).

Every figure is the median of the run's BENCH_REPEAT timed runs with the fastest and slowest in
brackets, on both sides; the best peer is the one with the best median among every peer and BLAS
setting measured (PyTorch, ONNX Runtime, numpy). The last column says how many times better
dropnet is: peer time ÷ dropnet time, dropnet speed ÷ peer speed. A figure missing from the run
reads "not measured", never a number from another run. Standard library only.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from doc_tables import rewrite  # noqa: E402

PEERS = ("pytorch", "onnxruntime", "numpy")
PEER_NAMES = {"pytorch": "PyTorch", "onnxruntime": "ONNX Runtime", "numpy": "numpy"}
NOT_MEASURED = "not measured"


def last_run(path):
    """The records of the last run in path (everything after its last run-start line)."""
    records = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.startswith("{"):
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise SystemExit(f"speed_table.py: {path}:{number}: not a JSON line")
            if record.get("bench") == "run" and record.get("event") == "start":
                records = []
            records.append(record)
    if not any(r.get("bench") == "dropnet" for r in records):
        raise SystemExit(f"speed_table.py: {path}: no dropnet lines; write it with "
                         "`make bench-peers BENCH_JSON=FILE`")
    return records


def number(value):
    """Three significant figures without an exponent; thousands separated."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def spread(record, key, scale=1.0):
    """'median (min–max)' of key, scaled; the median alone when the line has no spread."""
    text = number(record[key] * scale)
    if key + "_min" in record and key + "_max" in record:
        text += f" ({number(record[key + '_min'] * scale)}–{number(record[key + '_max'] * scale)})"
    return text


def peer_name(record):
    version = record.get("torch") or record.get("onnxruntime") or record.get("numpy")
    setting = record.get("blas_setting")
    name = PEER_NAMES[record["bench"]] + (f" {version}" if version else "")
    return name + (f" ({setting})" if setting and record["bench"] != "onnxruntime" else "")


def best(records, key, lower_is_better):
    """The record with the best median of key, or None."""
    have = [r for r in records if r.get(key)]
    if not have:
        return None
    return (min if lower_is_better else max)(have, key=lambda r: r[key])


def rss(record):
    """', N MB peak RSS' where the line has it."""
    return f", {number(record['peak_rss_mb'])} MB peak RSS" if "peak_rss_mb" in record else ""


def row(label, ours, theirs, key, lower_is_better, unit, scale=1.0, extra="", memory=False):
    """One table row: dropnet's figure, the best peer's, and how many times better dropnet is;
    memory adds each side's peak RSS."""
    if ours is None or not ours.get(key):
        return f"| {label} | {NOT_MEASURED} | | |"
    mine = f"{spread(ours, key, scale)} {unit}{extra}{rss(ours) if memory else ''}"
    peer = best(theirs, key, lower_is_better)
    if peer is None:
        return f"| {label} | {mine} | no peer measured | — |"
    ratio = peer[key] / ours[key] if lower_is_better else ours[key] / peer[key]
    return (f"| {label} | {mine} | {peer_name(peer)}: {spread(peer, key, scale)} {unit}"
            f"{rss(peer) if memory else ''} | {ratio:.2f}× |")


def w5_table(dropnet, peers):
    """The latency curve: each B's median call (min–max), ONNX Runtime's, and their ratio."""
    out = ["| W5: one call of B rows, µs | dropnet | ONNX Runtime | ONNX Runtime ÷ dropnet |",
           "|---|---|---|---|"]
    ort = [r for r in peers if r["bench"] == "onnxruntime"]
    for ours in sorted(dropnet, key=lambda r: r["batch"]):
        b = ours["batch"]
        theirs = best([r for r in ort if r.get("batch") == b], "us_per_call", True)
        if theirs is None:
            out.append(f"| B = {b} | {spread(ours, 'us_per_call')} | {NOT_MEASURED} | — |")
        else:
            out.append(f"| B = {b} | {spread(ours, 'us_per_call')} | "
                       f"{spread(theirs, 'us_per_call')} | "
                       f"{theirs['us_per_call'] / ours['us_per_call']:.2f}× |")
    return out


def caption(records, path):
    start = next((r for r in records if r.get("bench") == "run" and r.get("event") == "start"), {})
    end = next((r for r in records if r.get("bench") == "run" and r.get("event") == "end"), {})
    machine = next((r for r in records if r.get("workload") == "machine"), {})
    first = next(r for r in records if r.get("bench") == "dropnet")

    def get(record, key):
        return record.get(key, "not recorded")
    return (f"_Generated by `make speed-table BENCH_JSON={os.path.basename(path)}` from a "
            f"`make bench-peers` run of {get(start, 'date')}: {get(machine, 'cpu')} "
            f"({get(start, 'cores')} cores), {get(first, 'threads')} threads, kernel "
            f"{get(first, 'kernel')}, {get(first, 'precision')}, compiler {get(machine, 'compiler')}, "
            f"flags `{get(start, 'cflags')}`; each figure the median (fastest–slowest) of "
            f"{get(start, 'repeat')} runs (BENCH_REPEAT); load average (1, 5, 15 min) "
            f"{get(start, 'load_before')} before, {get(end, 'load_after')} after; "
            f"the peers' BLAS: {get(start, 'blas')}._")


def speed_block(records, path):
    dropnet = [r for r in records if r.get("bench") == "dropnet"]
    peers = [r for r in records if r.get("bench") in PEERS]

    def ours(workload):
        return next((r for r in dropnet if r.get("workload") == workload), None)

    def theirs(workload, benches=PEERS):
        return [r for r in peers if r.get("workload") == workload and r["bench"] in benches]
    square = next((r for r in dropnet if r.get("workload") == "W4" and
                   r.get("shape", "").startswith("square")), None)
    square_peers = [r for r in theirs("W4") if r.get("shape", "").startswith("square")]
    peak = (f", {square['fraction_of_peak'] * 100:.0f} % of peak"
            if square and square.get("fraction_of_peak") else "")
    out = ["| workload | dropnet | best peer | dropnet × better (< 1: worse) |",
           "|---|---|---|---|",
           row("W1 `dropnet demo`, whole process", ours("W1"), theirs("W1"), "process_seconds",
               True, "ms", 1e3),
           row("W1 the same 5 epochs in-process (`dn_model_fit`)", ours("W1"), theirs("W1"),
               "fit_seconds", True, "ms", 1e3),
           row("W2 Fashion-MNIST epoch (784-1024-1024-10, batch 128)", ours("W2"), theirs("W2"),
               "seconds_per_epoch", True, "s", memory=True),
           row("W3 inference, 10,000 images in one call", ours("W3"), theirs("W3"), "images_per_s",
               False, "images/s"),
           row("W3 one image per call (median of the single-image calls)", ours("W3"), theirs("W3"),
               "single_median_us", True, "µs"),
           row("W4 GEMM, square 1024³", square, square_peers, "gflops", False, "GFLOP/s",
               extra=peak),
           ""]
    w5 = [r for r in dropnet if r.get("workload") == "W5"]
    if w5:
        out += w5_table(w5, theirs("W5")) + [""]
    else:
        out += [f"W5 (the latency curve): {NOT_MEASURED}.", ""]
    out.append(caption(records, path))
    return "\n".join(out)


def main(argv):
    if len(argv) != 3:
        raise SystemExit("usage: speed_table.py BENCH.jsonl DOC.md (make speed-table "
                         "BENCH_JSON=BENCH.jsonl)")
    rewrite(argv[2], [("speed", speed_block(last_run(argv[1]), argv[1]))])
    print(f"speed_table.py: wrote the speed table into {argv[2]}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
