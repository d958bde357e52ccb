#!/usr/bin/env python3
"""test_speed_table.py — scripts/speed_table.py (make speed-table) on a fixture of two
`make bench-peers` runs (run by `make test` as check-doc-tables): the table is the last run's, in
the exact markdown expected; the best peer is chosen over every BLAS setting; a missing peer
(W1, W5 at B = 2) and a missing workload read "not measured"; the prose around the markers is
kept; a file without dropnet lines is refused and leaves the document as it was; README.md has
the markers; bench/run.sh's run lines (over stubs of bench-workloads and the peers) parse and
fill the caption."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed_table as st  # noqa: E402

OLD_RUN = [
    {"bench": "run", "event": "start", "date": "2026-01-01T00:00:00Z"},
    {"bench": "dropnet", "workload": "W2", "threads": 2, "kernel": "avx2", "precision": "fp32",
     "seconds_per_epoch": 99.0, "seconds_per_epoch_min": 98.0, "seconds_per_epoch_max": 100.0},
]
RUN = [
    {"bench": "run", "event": "start", "date": "2026-12-02T09:00:00Z", "uname": "Linux x86_64",
     "cores": 2, "threads": 2, "repeat": 5, "peers": True, "cflags": "-O2 -march=native",
     "kernel_request": "auto", "precision": "fp32", "load_before": "0.10 0.20 0.30",
     "blas": "OpenBLAS 0.3.21"},
    {"bench": "dropnet", "workload": "machine", "threads": 2, "kernel": "avx512",
     "precision": "fp32", "cpu": "Test CPU @ 2.0GHz", "compiler": "14.2.0", "peak_gflops": 480.0},
    {"bench": "dropnet", "workload": "W1", "threads": 2, "kernel": "avx512", "precision": "fp32",
     "process_seconds": 0.0047, "process_seconds_min": 0.0045, "process_seconds_max": 0.0051,
     "fit_seconds": 0.00105, "fit_seconds_min": 0.001, "fit_seconds_max": 0.0011},
    {"bench": "dropnet", "workload": "W2", "threads": 2, "kernel": "avx512", "precision": "fp32",
     "seconds_per_epoch": 2.44, "seconds_per_epoch_min": 2.32, "seconds_per_epoch_max": 2.58,
     "peak_rss_mb": 111.2},
    {"bench": "pytorch", "workload": "W2", "blas_setting": "pthread detected", "torch": "1.13.1",
     "seconds_per_epoch": 17.0, "seconds_per_epoch_min": 16.0, "seconds_per_epoch_max": 18.0},
    {"bench": "pytorch", "workload": "W2", "blas_setting": "openmp detected", "torch": "1.13.1",
     "seconds_per_epoch": 5.25, "seconds_per_epoch_min": 4.94, "seconds_per_epoch_max": 5.49,
     "peak_rss_mb": 386.4},
    {"bench": "dropnet", "workload": "W3", "threads": 2, "kernel": "avx512", "precision": "fp32",
     "images_per_s": 76900, "images_per_s_min": 70000, "images_per_s_max": 80000,
     "single_median_us": 57.5},
    {"bench": "pytorch", "workload": "W3", "blas_setting": "openmp detected", "torch": "1.13.1",
     "images_per_s": 65600, "images_per_s_min": 60000, "images_per_s_max": 66000,
     "single_median_us": 140.0},
    {"bench": "onnxruntime", "workload": "W3", "blas_setting": "MLAS", "onnxruntime": "1.30.0",
     "images_per_s": 50000, "images_per_s_min": 49000, "images_per_s_max": 51000,
     "single_median_us": 133.0},
    {"bench": "dropnet", "workload": "W4", "threads": 2, "kernel": "avx512", "precision": "fp32",
     "shape": "fwd 128x784.784x1024", "gflops": 300.0},
    {"bench": "dropnet", "workload": "W4", "threads": 2, "kernel": "avx512", "precision": "fp32",
     "shape": "square 1024x1024.1024x1024", "gflops": 367.0, "gflops_min": 353.0,
     "gflops_max": 384.0, "fraction_of_peak": 0.765},
    {"bench": "numpy", "workload": "W4", "blas_setting": "openmp SkylakeX", "numpy": "1.24.2",
     "shape": "square 1024x1024.1024x1024", "gflops": 362.0, "gflops_min": 359.0,
     "gflops_max": 395.0},
    {"bench": "numpy", "workload": "W4", "blas_setting": "openmp detected", "numpy": "1.24.2",
     "shape": "square 1024x1024.1024x1024", "gflops": 200.0},
    {"bench": "dropnet", "workload": "W5", "threads": 2, "kernel": "avx512", "precision": "fp32",
     "batch": 2, "us_per_call": 70.0, "us_per_call_min": 69.0, "us_per_call_max": 72.5},
    {"bench": "dropnet", "workload": "W5", "threads": 2, "kernel": "avx512", "precision": "fp32",
     "batch": 1, "us_per_call": 57.5, "us_per_call_min": 56.0, "us_per_call_max": 60.0},
    {"bench": "onnxruntime", "workload": "W5", "blas_setting": "MLAS", "onnxruntime": "1.30.0",
     "batch": 1, "us_per_call": 133.0, "us_per_call_min": 130.0, "us_per_call_max": 140.0},
    {"bench": "ratio", "workload": "W2", "figure": "s per epoch", "ratio": 2.15},
    {"bench": "run", "event": "end", "date": "2026-12-02T09:40:00Z",
     "load_after": "1.10 0.90 0.50"},
]

EXPECTED = """\
| workload | dropnet | best peer | dropnet × better (< 1: worse) |
|---|---|---|---|
| W1 `dropnet demo`, whole process | 4.70 (4.50–5.10) ms | no peer measured | — |
| W1 the same 5 epochs in-process (`dn_model_fit`) | 1.05 (1.00–1.10) ms | no peer measured | — |
| W2 Fashion-MNIST epoch (784-1024-1024-10, batch 128) | 2.44 (2.32–2.58) s, 111 MB peak RSS \
| PyTorch 1.13.1 (openmp detected): 5.25 (4.94–5.49) s, 386 MB peak RSS | 2.15× |
| W3 inference, 10,000 images in one call | 76,900 (70,000–80,000) images/s \
| PyTorch 1.13.1 (openmp detected): 65,600 (60,000–66,000) images/s | 1.17× |
| W3 one image per call (median of the single-image calls) | 57.5 µs \
| ONNX Runtime 1.30.0: 133 µs | 2.31× |
| W4 GEMM, square 1024³ | 367 (353–384) GFLOP/s, 76 % of peak \
| numpy 1.24.2 (openmp SkylakeX): 362 (359–395) GFLOP/s | 1.01× |

| W5: one call of B rows, µs | dropnet | ONNX Runtime | ONNX Runtime ÷ dropnet |
|---|---|---|---|
| B = 1 | 57.5 (56.0–60.0) | 133 (130–140) | 2.31× |
| B = 2 | 70.0 (69.0–72.5) | not measured | — |

_Generated by `make speed-table BENCH_JSON=speed.jsonl` from a `make bench-peers` run of \
2026-12-02T09:00:00Z: Test CPU @ 2.0GHz (2 cores), 2 threads, kernel avx512, fp32, compiler \
14.2.0, flags `-O2 -march=native`; each figure the median (fastest–slowest) of 5 runs \
(BENCH_REPEAT); load average (1, 5, 15 min) 0.10 0.20 0.30 before, 1.10 0.90 0.50 after; the \
peers' BLAS: OpenBLAS 0.3.21._"""

DOC = "# Doc\n\nprose before\n\n<!-- speed:begin -->\nold table\n<!-- speed:end -->\n\nprose after\n"


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as f:
        f.write("bench: a stray stderr line\n")
        for r in records:
            f.write(json.dumps(r) + "\n")


class SpeedTable(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.jsonl = os.path.join(self.tmp.name, "speed.jsonl")
        self.doc = os.path.join(self.tmp.name, "README.md")
        with open(self.doc, "w", encoding="utf-8") as f:
            f.write(DOC)

    def tearDown(self):
        self.tmp.cleanup()

    def read_doc(self):
        with open(self.doc, encoding="utf-8") as f:
            return f.read()

    def test_last_run_written_between_the_markers(self):
        write_jsonl(self.jsonl, OLD_RUN + RUN)
        st.main(["speed_table.py", self.jsonl, self.doc])
        want = DOC.replace("old table", EXPECTED)
        self.assertEqual(self.read_doc(), want)

    def test_missing_workloads_say_so(self):
        write_jsonl(self.jsonl, [r for r in RUN if r.get("workload") not in ("W3", "W5")])
        st.main(["speed_table.py", self.jsonl, self.doc])
        text = self.read_doc()
        self.assertIn("| W3 inference, 10,000 images in one call | not measured | | |", text)
        self.assertIn("W5 (the latency curve): not measured.", text)
        self.assertNotIn("76,900", text)
        self.assertIn("W3 one image per call (median of the single-image calls) | not measured", text)

    def test_no_dropnet_lines_is_refused(self):
        write_jsonl(self.jsonl, [r for r in RUN if r["bench"] != "dropnet"])
        with self.assertRaises(SystemExit) as ctx:
            st.main(["speed_table.py", self.jsonl, self.doc])
        self.assertIn("no dropnet lines", str(ctx.exception))
        self.assertEqual(self.read_doc(), DOC)

    def test_document_without_markers_is_refused(self):
        write_jsonl(self.jsonl, RUN)
        with open(self.doc, "w", encoding="utf-8") as f:
            f.write("no markers\n")
        with self.assertRaises(SystemExit) as ctx:
            st.main(["speed_table.py", self.jsonl, self.doc])
        self.assertIn("<!-- speed:begin -->", str(ctx.exception))

    def test_the_readme_has_the_markers(self):
        """README.md's table can be regenerated, and only the table changes."""
        readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
        with open(readme, encoding="utf-8") as f:
            original = f.read()
        with open(self.doc, "w", encoding="utf-8") as f:
            f.write(original)
        write_jsonl(self.jsonl, RUN)
        st.main(["speed_table.py", self.jsonl, self.doc])
        begin, end = "<!-- speed:begin -->\n", "<!-- speed:end -->"
        head, tail = original.split(begin)[0], original.split(end)[1]
        self.assertEqual(self.read_doc(), head + begin + EXPECTED + "\n" + end + tail)

    def test_run_sh_lines_feed_the_table(self):
        """bench/run.sh --peers over stubs of bench-workloads and the peers' python: its run
        lines are JSON (flags and a two-line BLAS text with quotes escaped) and make a caption."""
        stub = os.path.join(self.tmp.name, "bench-workloads")
        with open(stub, "w", encoding="utf-8") as f:
            f.write('#!/bin/sh\nfor a; do w=$a; done\necho "{\\"bench\\":\\"dropnet\\",'
                    '\\"workload\\":\\"$w\\",\\"threads\\":2,\\"kernel\\":\\"k\\",'
                    '\\"precision\\":\\"fp32\\",\\"seconds_per_epoch\\":1.5}"\n')
        python = os.path.join(self.tmp.name, "python")
        with open(python, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\ncase \"$*\" in *--blas*) printf 'OpenBLAS \"x\"\\nwarning: two\\n';; "
                    "esac\n")
        os.chmod(stub, 0o755)
        os.chmod(python, 0o755)
        run_sh = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench", "run.sh")
        env = dict(os.environ, BUILD=self.tmp.name, BENCH_WORKLOADS="machine W2", PYTHON=python,
                   BENCH_CFLAGS='-O2 -DX="a b"', BENCH_JSON=self.jsonl, BENCH_REPEAT="3")
        subprocess.run(["bash", run_sh, "--peers"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        records = st.last_run(self.jsonl)
        self.assertEqual([(r["bench"], r.get("event", r.get("workload"))) for r in records],
                         [("run", "start"), ("dropnet", "machine"), ("dropnet", "W2"),
                          ("run", "end")])
        self.assertEqual(records[0]["cflags"], '-O2 -DX="a b"')
        self.assertEqual(records[0]["blas"], 'OpenBLAS "x" warning: two')
        self.assertEqual(records[0]["repeat"], 3)
        self.assertIs(records[0]["peers"], True)
        self.assertEqual(len(records[-1]["load_after"].split()), 3)
        block = st.speed_block(records, self.jsonl)
        self.assertIn("| W2 Fashion-MNIST epoch (784-1024-1024-10, batch 128) | 1.50 s | "
                      "no peer measured | — |", block)
        self.assertIn("flags `-O2 -DX=\"a b\"`; each figure the median (fastest–slowest) of 3 "
                      "runs", block)


if __name__ == "__main__":
    unittest.main()
