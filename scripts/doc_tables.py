#!/usr/bin/env python3
"""doc_tables.py — the published tables, generated from the runs that measured them.

    doc_tables.py paper RESULTS.tsv DOC.md     tables A, B, C of `make paper` (scripts/paper.sh)
    doc_tables.py compare LOG.jsonl DOC.md     the README's table of `make fashion-compare`

Each table is written between the marker comments `<!-- NAME:begin -->` and `<!-- NAME:end -->`
of DOC.md (paper:A, paper:B, paper:C; fashion-compare), so a rerun replaces exactly what it
measured and leaves the prose around it alone. A table whose rows are not in the input keeps its
old text, and so does a table left out of $PAPER_TABLES (default ABC: the ones just run, so that
the note naming the run is true). DOC.md is rewritten through a temporary file and a rename: an error leaves it as it was.

RESULTS.tsv (written by scripts/paper.sh, one line per training run, tab-separated, with a header):
table, method, spec, extra, seed, error (test error in %, or "failed: ..."), loss (test loss),
epochs (epochs run), best (best epoch under early stopping, empty without it), seconds, commit.

Seed comparisons: when a table holds several seeds per method, every method is compared with the
table's first (no regulariser) over the seeds both have, paired by seed: a two-sided paired
t-test on the differences and a two-sided exact sign test. Standard library only.
"""
import json
import math
import os
import sys
import time

# ---------------------------------------------------------------------------------------------
# Statistics (no scipy: scripts/test_doc_tables.py checks these against closed forms and scipy).


def mean(xs):
    return sum(xs) / len(xs)


def sample_sd(xs):
    """Standard deviation with n - 1 in the denominator (numpy's ddof=1); 0 for one value."""
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz), Numerical Recipes."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def regularised_beta(a, b, x):
    """I_x(a, b), the regularised incomplete beta function."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) +
                     a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t, df):
    """P(|T| >= |t|) for Student's t with df degrees of freedom."""
    if math.isinf(t):
        return 0.0
    return regularised_beta(df / 2.0, 0.5, df / (df + t * t))


def paired_t_test(a, b):
    """(mean of a - b, t, two-sided p) over paired values; p is None with fewer than 2 pairs or
    when every difference is the same (no spread to test against)."""
    d = [x - y for x, y in zip(a, b)]
    m = mean(d)
    sd = sample_sd(d)
    if len(d) < 2 or sd == 0.0:
        return m, None, None
    t = m / (sd / math.sqrt(len(d)))
    return m, t, t_two_sided_p(t, len(d) - 1)


def sign_test(wins, n):
    """Two-sided exact sign test: k of n pairs in one direction (ties left out beforehand)."""
    if n == 0:
        return 1.0
    k = min(wins, n - wins)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n
    return min(1.0, 2.0 * tail)


# ---------------------------------------------------------------------------------------------
# Markers


def splice(text, name, block, path):
    """text with the lines between `<!-- name:begin -->` and `<!-- name:end -->` replaced."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    i, j = text.find(begin), text.find(end)
    if i < 0 or j < i or text.find(begin, i + 1) >= 0:
        raise SystemExit(f"doc_tables.py: {path}: needs exactly one '{begin}' line followed by "
                         f"'{end}'; add them where the table belongs")
    return text[:i + len(begin)] + "\n" + block.rstrip("\n") + "\n" + text[j:]


def rewrite(path, blocks):
    """Replaces each named block of path, atomically (same directory, then a rename)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for name, block in blocks:
        text = splice(text, name, block, path)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# make paper

TITLES = {
    "A": "Adam, as `make fashion` trains",
    "B": "the paper's recipe, SGD with a high rate and a momentum ramp",
    "C": "table A's settings, longer, stopped on held-out validation",
}
FIELDS = ["table", "method", "spec", "extra", "seed", "error", "loss", "epochs", "best",
          "seconds", "commit"]


def read_results(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header != FIELDS:
            raise SystemExit(f"doc_tables.py: {path}: the header must be the {len(FIELDS)} columns "
                             f"{' '.join(FIELDS)} (scripts/paper.sh writes it)")
        for number, line in enumerate(f, 2):
            cells = line.rstrip("\n").split("\t")
            if len(cells) != len(FIELDS):
                raise SystemExit(f"doc_tables.py: {path}:{number}: {len(cells)} columns, expected "
                                 f"{len(FIELDS)}")
            rows.append(dict(zip(FIELDS, cells)))
    return rows


def number(cell):
    try:
        return float(cell)
    except ValueError:
        return None


def fmt(value, digits):
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_p(p):
    return "—" if p is None else (f"{p:.3f}" if p < 0.01 else f"{p:.2f}")


def run_cells(r):
    """error, loss, epochs, seconds cells of one run."""
    error = number(r["error"])
    epochs = r["epochs"] or "—"
    if r["best"]:
        epochs = f"{epochs} / {r['best']}"
    return (fmt(error, 2) if error is not None else r["error"], fmt(number(r["loss"]), 3), epochs,
            fmt(number(r["seconds"]), 0))


def provenance(rows):
    commits = sorted({r["commit"] for r in rows if r["commit"]})
    return ", ".join(commits) if commits else "unknown"


def seed_summary(methods, by_method):
    """Mean ± sd per method and the paired comparisons with the first method."""
    out = ["", "| method | seeds | test error %, mean ± sd | test loss, mean ± sd |",
           "|---|---|---|---|"]
    for m in methods:
        errs = [number(r["error"]) for r in by_method[m] if number(r["error"]) is not None]
        losses = [number(r["loss"]) for r in by_method[m] if number(r["loss"]) is not None]
        out.append(f"| {m} | {len(by_method[m])} | "
                   f"{fmt(mean(errs), 2) if errs else '—'} ± {fmt(sample_sd(errs), 2)} | "
                   f"{fmt(mean(losses), 3) if losses else '—'} ± {fmt(sample_sd(losses), 3)} |")
    base = methods[0]
    out += ["", f"Paired by seed against {base} (difference = {base} − method; positive: the "
            "method is lower): two-sided paired t-test and exact sign test.", "",
            "| method | measure | mean difference | lower in | paired t-test p | sign test p |",
            "|---|---|---|---|---|---|"]
    base_by_seed = {r["seed"]: r for r in by_method[base]}
    for m in methods[1:]:
        for measure, key, digits in (("test error %", "error", 2), ("test loss", "loss", 3)):
            pairs = [(number(base_by_seed[r["seed"]][key]), number(r[key]))
                     for r in by_method[m] if r["seed"] in base_by_seed]
            pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
            if not pairs:
                continue
            diff, _, p = paired_t_test([x for x, _ in pairs], [y for _, y in pairs])
            lower = sum(1 for x, y in pairs if y < x)
            untied = sum(1 for x, y in pairs if y != x)
            out.append(f"| {m} | {measure} | {diff:+.{digits}f} | {lower} of {len(pairs)} seeds | "
                       f"{fmt_p(p)} | {fmt_p(sign_test(lower, untied))} |")
    return out


def paper_block(rows, note):
    methods = []
    by_method = {}
    for r in rows:
        if r["method"] not in by_method:
            methods.append(r["method"])
            by_method[r["method"]] = []
        by_method[r["method"]].append(r)
    seeds = sorted({r["seed"] for r in rows}, key=lambda s: (s != "42", int(s) if s.isdigit() else s))
    out = [f"_Generated by `make paper` from {note}; runs at commit {provenance(rows)}._", "",
           "| method | model | extra flags | seed | test error % | test loss | epochs run / best "
           "| seconds |",
           "|---|---|---|---|---|---|---|---|"]
    for m in methods:
        for r in sorted(by_method[m], key=lambda r: seeds.index(r["seed"])):
            error, loss, epochs, seconds = run_cells(r)
            out.append(f"| {m} | `{r['spec']}` | `{r['extra'] or 'none'}` | {r['seed']} | {error} | "
                       f"{loss} | {epochs} | {seconds} |")
    if len(seeds) > 1:
        out += seed_summary(methods, by_method)
    return "\n".join(out)


def cmd_paper(results, doc):
    rows = read_results(results)
    note = os.environ.get("PAPER_SOURCE", f"`{os.path.basename(results)}`")
    blocks = []
    for table in os.environ.get("PAPER_TABLES", "ABC"):
        mine = [r for r in rows if r["table"] == table]
        if mine:
            blocks.append((f"paper:{table}", paper_block(mine, note)))
    if not blocks:
        raise SystemExit(f"doc_tables.py: {results}: no rows for tables A, B or C")
    rewrite(doc, blocks)
    print(f"doc_tables.py: wrote {', '.join(n for n, _ in blocks)} into {doc}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# make fashion-compare


def cmd_compare(log, doc):
    runs = {"with_dropout": {}, "without_dropout": {}}
    held = None
    with open(log, encoding="utf-8") as f:
        for number_, line in enumerate(f, 1):
            try:
                obj = json.loads(line)
            except ValueError:
                raise SystemExit(f"doc_tables.py: {log}:{number_}: not a JSON line")
            if obj.get("compare") in runs:
                key = "test_accuracy" if "test_accuracy" in obj else "val_accuracy"
                held = key.split("_")[0]
                runs[obj["compare"]][obj["epoch"]] = (obj["train_accuracy"], obj[key], obj["gap"])
    if not runs["with_dropout"] or not runs["without_dropout"]:
        raise SystemExit(f"doc_tables.py: {log}: no compare lines ({{\"compare\":...}}); write it "
                         "with `dropnet compare ... --log FILE` (make fashion-compare)")
    last = max(runs["with_dropout"])
    out = [f"| after {last} epochs | train accuracy | {held} accuracy | train − {held} gap |",
           "|---|---|---|---|"]
    for name, label in (("with_dropout", "with dropout (0.2 / 0.5 / 0.5)"),
                        ("without_dropout", "every rate 0")):
        tr, ho, gap = runs[name][last]
        out.append(f"| {label} | {tr:.4f} | {ho:.4f} | **{gap:.4f}** |")
    out.append("")
    for name, label in (("with_dropout", "with dropout"), ("without_dropout", "every rate 0")):
        gaps = ", ".join(f"{runs[name][e][2]:.3f}" for e in sorted(runs[name]))
        out.append(f"Gap per epoch, {label}: {gaps}.")
        out.append("")
    out.append(f"_Generated by `make fashion-compare` (scripts/doc_tables.py compare "
               f"{os.path.basename(log)}, {time.strftime('%Y-%m-%d', time.gmtime())})._")
    rewrite(doc, [("fashion-compare", "\n".join(out))])
    print(f"doc_tables.py: wrote fashion-compare into {doc}", file=sys.stderr)


def main(argv):
    if len(argv) != 4 or argv[1] not in ("paper", "compare"):
        raise SystemExit("usage: doc_tables.py paper RESULTS.tsv DOC.md | compare LOG.jsonl DOC.md")
    (cmd_paper if argv[1] == "paper" else cmd_compare)(argv[2], argv[3])


if __name__ == "__main__":
    main(sys.argv)
