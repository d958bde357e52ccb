#!/usr/bin/env python3
"""test_doc_tables.py — scripts/doc_tables.py against independent references (run by `make test`
as check-doc-tables): Student's t tails against their closed forms for 1, 2 and 3 degrees of
freedom and against scipy.stats (python3-scipy, a dependency of python3-sklearn in setup.sh), the
sign test against hand-counted binomial tails, the marker splice, both generators end to end
(the published table C's tests recomputed with scipy, and docs/PAPER.md's table C
is what docs/paper_results.tsv generates), and scripts/paper.sh over a
stub of the CLI (its rows, their order with PAPER_JOBS=2, a run stopped in table C)."""
import json
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import doc_tables as dt  # noqa: E402

import scipy.stats  # noqa: E402


def t3_two_sided(t):
    """Closed form for 3 degrees of freedom: F(t) = 1/2 + (u/(1+u²) + atan u)/π, u = t/√3."""
    u = abs(t) / math.sqrt(3.0)
    return 1.0 - 2.0 * (u / (1.0 + u * u) + math.atan(u)) / math.pi


class Statistics(unittest.TestCase):
    def test_t_tails_match_closed_forms(self):
        for t in (0.0, 0.3, 1.0, 2.35, 5.0, 40.0):
            self.assertAlmostEqual(dt.t_two_sided_p(t, 1), 1 - 2 / math.pi * math.atan(t), places=12)
            self.assertAlmostEqual(dt.t_two_sided_p(t, 2), 1 - t / math.sqrt(2 + t * t), places=12)
            self.assertAlmostEqual(dt.t_two_sided_p(-t, 3), t3_two_sided(t), places=12)

    def test_t_tails_match_scipy(self):
        for df in (1, 3, 7, 30, 200):
            for t in (0.1, 1.5, 2.5, 4.0, 9.0):
                want = 2 * scipy.stats.t.sf(t, df)
                self.assertAlmostEqual(dt.t_two_sided_p(t, df), want, delta=1e-10 + 1e-8 * want)

    def test_paired_t_test_matches_scipy(self):
        a = [9.60, 9.91, 9.78, 10.05, 9.7]
        b = [9.33, 9.65, 9.59, 10.09, 9.8]
        m, t, p = dt.paired_t_test(a, b)
        ref = scipy.stats.ttest_rel(a, b)
        self.assertAlmostEqual(m, sum(x - y for x, y in zip(a, b)) / 5, places=12)
        self.assertAlmostEqual(t, ref.statistic, places=10)
        self.assertAlmostEqual(p, ref.pvalue, places=10)
        self.assertEqual(dt.paired_t_test([1.0, 2.0], [0.0, 1.0])[2], None)  # no spread
        self.assertEqual(dt.paired_t_test([1.0], [0.0])[2], None)  # one pair

    def test_sign_test_is_the_binomial_tail(self):
        self.assertEqual(dt.sign_test(4, 4), 2 / 16)  # both tails of 1/16
        self.assertEqual(dt.sign_test(3, 4), 2 * 5 / 16)  # P(≤1 of 4) = 5/16
        self.assertEqual(dt.sign_test(2, 4), 1.0)
        self.assertEqual(dt.sign_test(0, 10), 2 / 1024)
        self.assertEqual(dt.sign_test(0, 0), 1.0)

    def test_sample_sd_uses_n_minus_1(self):
        self.assertAlmostEqual(dt.sample_sd([1.0, 2.0, 3.0, 4.0]), math.sqrt(5 / 3), places=12)
        self.assertEqual(dt.sample_sd([7.0]), 0.0)


class Splice(unittest.TestCase):
    def test_replaces_only_between_markers(self):
        text = "a\n<!-- t:begin -->\nold\nold\n<!-- t:end -->\nb\n"
        self.assertEqual(dt.splice(text, "t", "new\n", "f.md"),
                         "a\n<!-- t:begin -->\nnew\n<!-- t:end -->\nb\n")

    def test_missing_or_doubled_markers_name_the_file(self):
        for text in ("no markers\n", "<!-- t:end -->\n<!-- t:begin -->\n",
                     "<!-- t:begin -->\n<!-- t:begin -->\n<!-- t:end -->\n"):
            with self.assertRaises(SystemExit) as e:
                dt.splice(text, "t", "x", "doc.md")
            self.assertIn("doc.md", str(e.exception))


class Generators(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.doc = os.path.join(self.dir.name, "doc.md")

    def tearDown(self):
        self.dir.cleanup()

    def write_doc(self, names):
        with open(self.doc, "w", encoding="utf-8") as f:
            f.write("intro\n" + "".join(f"<!-- {n}:begin -->\nstale\n<!-- {n}:end -->\n" for n in names)
                    + "outro\n")

    def read_doc(self):
        with open(self.doc, encoding="utf-8") as f:
            return f.read()

    def test_published_table_c_matches_scipy_and_the_document(self):
        """Table C as published: its paired tests recomputed with scipy from
        docs/paper_results.tsv, and docs/PAPER.md's block is what the TSV generates."""
        self.write_doc(["paper:A", "paper:B", "paper:C"])
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
        results = os.path.join(root, "docs", "paper_results.tsv")
        os.environ["PAPER_TABLES"] = "C"
        try:
            dt.cmd_paper(results, self.doc)
        finally:
            del os.environ["PAPER_TABLES"]
        text = self.read_doc()
        self.assertIn("<!-- paper:A:begin -->\nstale\n", text)  # tables not asked for are kept
        self.assertTrue(text.startswith("intro\n") and text.endswith("outro\n"))
        rows = [r for r in dt.read_results(results) if r["table"] == "C"]
        base = {r["seed"]: r for r in rows if r["method"] == "no regulariser"}
        drop = {r["seed"]: r for r in rows if r["method"] == "dropout"}
        seeds = [s for s in base if s in drop]
        self.assertGreaterEqual(len(seeds), 2)
        for key, measure, digits in (("error", "test error %", 2), ("loss", "test loss", 3)):
            x = [float(base[s][key]) for s in seeds]
            y = [float(drop[s][key]) for s in seeds]
            p = scipy.stats.ttest_rel(x, y).pvalue
            lower = sum(b < a for a, b in zip(x, y))
            untied = sum(b != a for a, b in zip(x, y))
            sign = scipy.stats.binomtest(min(lower, untied - lower), untied).pvalue
            diff = sum(a - b for a, b in zip(x, y)) / len(seeds)
            self.assertIn(f"| dropout | {measure} | {diff:+.{digits}f} | {lower} of {len(seeds)} "
                          f"seeds | {dt.fmt_p(p)} | {dt.fmt_p(sign)} |", text)
        generated = block(text, "paper:C")
        published = block(read(os.path.join(root, "docs", "PAPER.md")), "paper:C")
        # the first line names the run (command, date); the rest is the table
        self.assertEqual(generated.split("\n")[1:], published.split("\n")[1:])

    def test_compare_table_is_the_logs_last_epoch(self):
        self.write_doc(["fashion-compare"])
        log = os.path.join(self.dir.name, "c.jsonl")
        with open(log, "w", encoding="utf-8") as f:
            f.write('{"epoch":1,"loss":1.0,"accuracy":0.5,"val_loss":null,"val_accuracy":null}\n')
            for run, tr, te in (("with_dropout", (0.8, 0.9), (0.78, 0.85)),
                                ("without_dropout", (0.82, 0.97), (0.79, 0.89))):
                for e in (1, 2):
                    f.write(json.dumps({"compare": run, "epoch": e, "train_accuracy": tr[e - 1],
                                        "test_accuracy": te[e - 1], "gap": tr[e - 1] - te[e - 1]})
                            + "\n")
        dt.cmd_compare(log, self.doc)
        text = self.read_doc()
        self.assertIn("| after 2 epochs | train accuracy | test accuracy | train − test gap |", text)
        self.assertIn("| with dropout (0.2 / 0.5 / 0.5) | 0.9000 | 0.8500 | **0.0500** |", text)
        self.assertIn("| every rate 0 | 0.9700 | 0.8900 | **0.0800** |", text)
        self.assertIn("Gap per epoch, every rate 0: 0.030, 0.080.", text)
        self.assertNotIn("stale", text)

    def test_a_log_without_compare_lines_is_refused(self):
        self.write_doc(["fashion-compare"])
        log = os.path.join(self.dir.name, "train.jsonl")
        with open(log, "w", encoding="utf-8") as f:
            f.write('{"epoch":1,"loss":1.0}\n')
        with self.assertRaises(SystemExit) as e:
            dt.cmd_compare(log, self.doc)
        self.assertIn("train.jsonl", str(e.exception))
        self.assertIn("stale", self.read_doc())  # the document is untouched


# A stand-in for ./build/dropnet: the test accuracy follows from the seed and the flags, the first
# Adam run without a regulariser is slow (so that a later run ends first), and with STUB_HANG a
# run with early stopping (table C) never ends; every training writes its pid to STUB_PIDS.
STUB = r"""#!/bin/bash
[ "$1" = --version ] && { echo "dropnet 9.9.9"; exit 0; }
seed=0 log="" extra=0 stop=0 adam=0 plain=1
while [ $# -gt 0 ]; do
  case $1 in
    --seed) seed=$2; shift ;;
    --log) log=$2; shift ;;
    --l2|--max-norm) extra=1 ;;
    --early-stopping) stop=1 ;;
    adam) adam=1 ;;
    dropout:*) plain=0 ;;
  esac
  shift
done
echo $$ >> "$STUB_PIDS"
[ "$stop" = 1 ] && [ -n "${STUB_HANG:-}" ] && exec sleep 60
[ "$adam$plain$extra$stop" = 1100 ] && sleep 0.5
for e in 1 2 3; do
  echo "{\"epoch\":$e,\"loss\":0.5,\"val_accuracy\":0.8$((e % 3)),\"seconds\":1}" >> "$log"
done
accuracy=$(awk -v s="$seed" -v x="$extra" -v p="$plain" 'BEGIN { printf "%.4f", 0.9 - s / 1000 - x / 100 - p / 200 }')
echo "test loss 0.$((seed + 300)) - test accuracy $accuracy"
"""


class PaperScript(unittest.TestCase):
    """scripts/paper.sh end to end over the stub: the rows it writes, their order with two runs at
    a time, and a run stopped in table C keeping the tables it finished."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        d = self.dir.name
        self.doc, self.results = os.path.join(d, "PAPER.md"), os.path.join(d, "results.tsv")
        self.cli, self.pids = os.path.join(d, "dropnet"), os.path.join(d, "pids")
        with open(self.cli, "w") as f:
            f.write(STUB)
        os.chmod(self.cli, 0o755)
        with open(self.doc, "w", encoding="utf-8") as f:
            f.write("".join(f"<!-- paper:{t}:begin -->\nstale\n<!-- paper:{t}:end -->\n" for t in "ABC"))
        old = "\t".join(["C", "dropout", "old-spec", "", "7", "9.99", "0.3", "", "", "1", "old"])
        with open(self.results, "w", encoding="utf-8") as f:
            f.write(PAPER_HEADER + "\n" + old + "\n")
        self.env = dict(os.environ, PAPER_CLI=self.cli, PAPER_DOC=self.doc, PAPER_RESULTS=self.results,
                        PAPER_JOBS="2", PAPER_SEEDS="42 1", STUB_PIDS=self.pids)
        self.env.pop("PAPER_QUICK", None)
        self.script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "paper.sh")

    def tearDown(self):
        self.dir.cleanup()

    def rows(self):
        with open(self.results, encoding="utf-8") as f:
            return [line.rstrip("\n").split("\t") for line in f][1:]

    def test_every_table_in_launch_order_with_two_jobs(self):
        import subprocess
        subprocess.run(["bash", self.script, "40", "ABC"], env=self.env, check=True,
                       stderr=subprocess.DEVNULL)
        rows = self.rows()
        self.assertEqual([(r[0], r[1], r[4]) for r in rows],
                         [(t, m, "42") for t in "AB" for m in METHODS]
                         + [("C", m, s) for s in ("42", "1") for m in ("no regulariser", "dropout")])
        errors = {(r[0], r[1], r[4]): r[5] for r in rows}
        self.assertEqual(errors[("A", "no regulariser", "42")], "14.70")  # 1 - (0.9 - .042 - .005)
        self.assertEqual(errors[("B", "L2 (λ = 1e-4)", "42")], "15.70")
        self.assertEqual(errors[("C", "dropout", "1")], "10.10")
        self.assertEqual({(r[7], r[8]) for r in rows if r[0] == "C"}, {("3", "2")})  # epochs / best
        self.assertNotIn("old-spec", read(self.results))  # table C's old line replaced
        text = read(self.doc)
        self.assertNotIn("stale", text)
        self.assertIn("PAPER_JOBS=2 scripts/paper.sh 40 ABC", text)

    def test_a_run_stopped_in_table_c_keeps_a_and_b(self):
        import signal
        import subprocess
        import time
        env = dict(self.env, STUB_HANG="1")
        proc = subprocess.Popen(["bash", self.script, "40", "ABC"], env=env, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and sum(r[0] == "B" for r in self.rows()) < 5:
            time.sleep(0.1)
        time.sleep(0.3)  # table C's runs have started
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        rows = self.rows()
        self.assertEqual([r[0] for r in rows], ["A"] * 5 + ["B"] * 5 + ["C"])  # C's old line kept
        self.assertEqual(rows[-1][2], "old-spec")
        text = read(self.doc)
        self.assertEqual(text.count("stale"), 1)  # A and B written, C not
        for pid in read(self.pids).split():  # no training outlives the script
            self.assertFalse(alive(pid), f"stub {pid} still running")


def block(text, name):
    return text.split(f"<!-- {name}:begin -->\n")[1].split(f"<!-- {name}:end -->")[0]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def alive(pid):
    """Whether process pid runs (a zombie waiting for init does not count)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


METHODS = ["no regulariser", "L2 (λ = 1e-4)", "max-norm (c = 3.5)", "dropout",
           "dropout + max-norm (c = 3.5)"]
PAPER_HEADER = "table\tmethod\tspec\textra\tseed\terror\tloss\tepochs\tbest\tseconds\tcommit"


if __name__ == "__main__":
    unittest.main()
