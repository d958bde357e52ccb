"""python_w2.py — `make bench-python`, part 2: what the Python front end adds to W2, one
Fashion-MNIST epoch (60,000 × 784 → dropout 0.2 → 1024 relu → dropout 0.5 → 1024 relu → dropout
0.5 → 10 softmax, batch 128, SGD 0.01 momentum 0.9, seed 42, as bench/bench_workloads.c).

Three figures (a benchmark, not a test):
- in one process, on the same model and the same borrowed float32 array, `model.fit(x, y,
  epochs=1)` (conversion checks, the dataset, a Python callback per batch, History) against
  dn_model_fit called bare through ctypes with no callback: the difference is Python's own cost;
  the two alternate, ROUNDS each, and the medians are compared;
- against the CLI: `dropnet train --train fashion-mnist:train` with the same network, its epochs
  as its --log reports them (the CLI keeps the images 8-bit; Python hands float32 rows);
- Python's own cost timed apart (per fit call, per batch), as a share of the CLI's epoch: on a
  shared machine, whole epochs vary by more than the few milliseconds Python adds.
Prints one JSON line per comparison. BENCH_ROUNDS (3) sets the number of epochs of each kind.
"""
import ctypes as C
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import dropnet
from dropnet import _lib, layers, optimizers

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(REPO, os.environ.get("BUILD", "build"), "dropnet")
DATA = "/usr/share/datasets/fashion-mnist"
SPEC = "dropout:0.2,dense:1024:relu,dropout:0.5,dense:1024:relu,dropout:0.5,dense:10:softmax"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def load_train():
    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int32)
    return (x / np.float32(255)).astype(np.float32), y


def w2_model():
    m = dropnet.Sequential([layers.Input(shape=(784,)), layers.Dropout(0.2),
                            layers.Dense(1024, activation="relu"), layers.Dropout(0.5),
                            layers.Dense(1024, activation="relu"), layers.Dropout(0.5),
                            layers.Dense(10, activation="softmax")])
    m.compile(optimizer=optimizers.SGD(0.01, momentum=0.9), seed=42)
    return m


def in_process(x, y):
    m = w2_model()
    data = m._dataset(x, y)  # the bare call's dataset: the same borrowed array
    config = _lib.lib.dn_fit_defaults()
    config.epochs, config.batch_size = 1, 128
    err = _lib.Error()
    python, bare = [], []
    for _ in range(ROUNDS):
        t = time.perf_counter()
        m.fit(x, y, batch_size=128, epochs=1, verbose=0)
        python.append(time.perf_counter() - t)
        t = time.perf_counter()
        status = _lib.lib.dn_model_fit(m._handle, data.handle, C.byref(config),
                                       _lib.CALLBACK(), None, None, C.byref(err))
        bare.append(time.perf_counter() - t)
        _lib.check(status, err)
    return statistics.median(python), statistics.median(bare), python, bare


def python_costs(x, y):
    """Python's own costs, timed apart from the epoch so that a busy machine's noise does not
    swamp them: per fit call (checks, labels, the borrowed dataset) on the W2 arrays, and per
    batch (the ctypes callback, logs, callbacks) from 4,000 one-row batches of a tiny model
    against the bare call. Best of 5 each."""
    m = w2_model()
    fixed = min(_timed(lambda: m._dataset(m._by_name(x), m._label_ids(y, learn=True)))
                for _ in range(5))
    rng = np.random.default_rng(0)
    tx, ty = rng.normal(size=(4000, 4)).astype(np.float32), rng.integers(0, 2, 4000)
    tiny = dropnet.Sequential([layers.Input(shape=(4,)), layers.Dense(2, activation="softmax")])
    tiny.compile(threads=1)
    data, err = tiny._dataset(tx, ty), _lib.Error()
    config = _lib.lib.dn_fit_defaults()
    config.epochs, config.batch_size = 1, 1
    py = min(_timed(lambda: tiny.fit(tx, ty, batch_size=1, epochs=1, verbose=0)) for _ in range(5))
    bare = min(_timed(lambda: _lib.lib.dn_model_fit(tiny._handle, data.handle, C.byref(config),
                                                   _lib.CALLBACK(), None, None, C.byref(err)))
               for _ in range(5))
    return fixed, max(0.0, (py - bare) / 4000)


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def cli_epochs():
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "log.jsonl")
        subprocess.run([CLI, "train", "--train", "fashion-mnist:train", "--model", SPEC,
                        "--epochs", str(ROUNDS), "--batch", "128", "--optimizer", "sgd",
                        "--momentum", "0.9", "--log", log, "--out", os.path.join(tmp, "m.st")],
                       check=True, stdout=subprocess.DEVNULL)
        with open(log) as f:
            return [json.loads(line)["seconds"] for line in f]


def main():
    x, y = load_train()
    py, bare, py_all, bare_all = in_process(x, y)
    print(json.dumps({"workload": "W2 epoch, python fit vs bare dn_model_fit (one process)",
                      "python_s": round(py, 3), "bare_c_s": round(bare, 3),
                      "overhead_pct": round(100 * (py / bare - 1), 2),
                      "python_runs": [round(t, 3) for t in py_all],
                      "bare_runs": [round(t, 3) for t in bare_all]}))
    fixed, per_batch = python_costs(x, y)
    batches = -(-len(x) // 128)
    cli = cli_epochs()
    cost = fixed + batches * per_batch
    print(json.dumps({"workload": "W2, Python's own cost (timed apart)",
                      "per_fit_call_ms": round(fixed * 1e3, 2),
                      "per_batch_us": round(per_batch * 1e6, 2), "batches_per_epoch": batches,
                      "per_epoch_ms": round(cost * 1e3, 2),
                      "pct_of_fastest_cli_epoch": round(100 * cost / min(cli), 3)}))
    print(json.dumps({"workload": "W2 epoch, python fit vs dropnet train (CLI --log seconds)",
                      "python_s": round(py, 3), "cli_s": round(statistics.median(cli), 3),
                      "overhead_pct": round(100 * (py / statistics.median(cli) - 1), 2),
                      "cli_runs": [round(t, 3) for t in cli]}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
