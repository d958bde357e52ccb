#!/usr/bin/env python3
"""test_doc_tables.py — scripts/doc_tables.py against independent references (run by `make test`
as check-doc-tables): Student's t tails against their closed forms for 1, 2 and 3 degrees of
freedom and against scipy.stats (python3-scipy, a dependency of python3-sklearn in setup.sh), the
sign test against hand-counted binomial tails, the marker splice, and both generators end to end
(the published table C gives the p ≈ 0.10 docs/PAPER.md quotes)."""
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

    def test_published_table_c_gives_p_of_a_tenth(self):
        self.write_doc(["paper:A", "paper:B", "paper:C"])
        results = os.path.join(os.path.dirname(__file__), "..", "docs", "paper_results.tsv")
        os.environ["PAPER_TABLES"] = "C"
        try:
            dt.cmd_paper(results, self.doc)
        finally:
            del os.environ["PAPER_TABLES"]
        text = self.read_doc()
        self.assertIn("<!-- paper:A:begin -->\nstale\n", text)  # tables not asked for are kept
        self.assertIn("| dropout | test error % | +0.17 | 3 of 4 seeds | 0.10 | 0.62 |", text)
        self.assertIn("| dropout | test loss | +0.471 | 4 of 4 seeds | 0.007 | 0.12 |", text)
        self.assertIn("| no regulariser | 4 | 9.84 ± 0.19 |", text)
        self.assertTrue(text.startswith("intro\n") and text.endswith("outro\n"))

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


if __name__ == "__main__":
    unittest.main()
