#!/usr/bin/python3
"""peers.py — the "Speed" workloads in PyTorch, ONNX Runtime and numpy/OpenBLAS, and the
dropnet/peer ratios.

    /usr/bin/python3 bench/peers.py --threads 2 --repeat 3 --dropnet LINES --workloads "W1 W2" \
        [--build BUILD]
    /usr/bin/python3 bench/peers.py --ratios LINES
    /usr/bin/python3 bench/peers.py --blas

`make bench-peers` (bench/run.sh --peers) runs the first form after each dropnet workload
(LINES holds dropnet's JSON lines so far; the machine line gives W4's peak), which prints one
JSON line per peer measurement, and the second at the end, which prints one "ratio" line per
compared figure and a table of the ratios on standard error. The third form prints one line
saying which BLAS numpy and PyTorch load here (bench/run.sh prints it in bench-peers' header).

Peers (each skipped, with a message, when it is not installed):
  - PyTorch (Debian's python3-torch, system python): W1 (the demo pipeline, whole process and
    in-process training), W2 (a Fashion-MNIST epoch), W3 (inference). W2 and W3 run with each
    installed OpenBLAS build (libopenblas0-pthread, libopenblas0-openmp), each once with the
    core type OpenBLAS detects and once with OPENBLAS_CORETYPE=SkylakeX (its AVX-512 kernels);
    the ratios use the fastest ("PyTorch with its best BLAS"). W1 runs on the OpenMP build when
    it is installed (the system's libblas.so.3 otherwise).
  - numpy with OpenBLAS: W4's products, with the same four settings; the 0.9x target is
    checked against the faster build with SkylakeX.
  - ONNX Runtime 1.30 (npm onnxruntime-node, `make onnxruntime` puts it in BUILD/npm; run by
    bench/ort_peer.js under node): W3 and W5 on the W2 network exported by dropnet's own
    exporter (BUILD/bench-workloads --export-onnx), so it computes what dn_model_predict does.
  - PyTorch also runs W5 (the latency curve: one call of B rows, B = 1, 2, 4, … 256).
Every measurement runs in a child process of its own: OPENBLAS_CORETYPE and LD_LIBRARY_PATH
count only when OpenBLAS loads, and each figure's peak RSS should be that workload's alone.

Both sides get the same thread count (torch.set_num_threads, OMP_NUM_THREADS,
OPENBLAS_NUM_THREADS) and report the median of --repeat runs with the fastest and slowest beside
it (KEY, KEY_min, KEY_max), as bench_workloads.c does.
The PyTorch code is written the way that is fastest in PyTorch 1.13 on a CPU: pixels stay
uint8 until a batch is gathered, gradients are set to None, inference runs under
torch.inference_mode().
"""
import argparse
import gzip
import importlib.util
import json
import os
import resource
import statistics
import sys
import time

FASHION = "/usr/share/datasets/fashion-mnist"
# Debian's two threaded OpenBLAS builds. Which one libblas.so.3 means is the system's choice
# (update-alternatives); each peer runs with each installed build first on LD_LIBRARY_PATH. The
# build matters more than the core type here: PyTorch's own OpenMP threads and the pthread
# build's spinning threads fight over 2 cores (measured: 17 s per W2 epoch against 5.5 s with
# the OpenMP build), so "PyTorch with its best BLAS" has to include the OpenMP build.
OPENBLAS_BUILDS = [("pthread", "/usr/lib/x86_64-linux-gnu/openblas-pthread"),
                   ("openmp", "/usr/lib/x86_64-linux-gnu/openblas-openmp")]
W2_FLOPS_PER_SAMPLE = 2.0 * (2.0 * (784 * 1024 + 1024 * 1024 + 1024 * 10) + 1024 * 1024 + 1024 * 10)
W3_FLOPS_PER_IMAGE = 2.0 * (784 * 1024 + 1024 * 1024 + 1024 * 10)

# The W4 products: (name, form, trans_a, trans_b, M, N, K), as in bench_workloads.c.
SHAPES = [
    ("fwd 128x784.784x1024", "X.W", 0, 0, 128, 1024, 784),
    ("dX 128x1024.(784x1024)T", "dZ.WT", 0, 1, 128, 784, 1024),
    ("dW (128x784)T.128x1024", "XT.dZ", 1, 0, 784, 1024, 128),
    ("fwd 128x1024.1024x1024", "X.W", 0, 0, 128, 1024, 1024),
    ("dX 128x1024.(1024x1024)T", "dZ.WT", 0, 1, 128, 1024, 1024),
    ("dW (128x1024)T.128x1024", "XT.dZ", 1, 0, 1024, 1024, 128),
    ("square 1024x1024.1024x1024", "A.B", 0, 0, 1024, 1024, 1024),
]


def now():
    return time.perf_counter()


def load1():
    return round(os.getloadavg()[0], 2)


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6, 1)


def emit(record):
    print(json.dumps(record), flush=True)


# ------------------------------------------------------------------------------------------
# In the child: which BLAS is loaded, the data, the workloads
# ------------------------------------------------------------------------------------------

def blas_in_use():
    """The BLAS library this process loaded and, for OpenBLAS, the core type it chose."""
    names = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and "blas" in os.path.basename(fields[-1]):
                names.append(fields[-1])
    if not names:
        return "none loaded"
    path = next((n for n in names if "openblas" in n), names[0])
    try:
        import ctypes
        lib = ctypes.CDLL(path)  # the library already mapped: dlopen returns the same handle
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return "OpenBLAS %s (%s)" % (lib.openblas_get_corename().decode(), os.path.realpath(path))
    except (OSError, AttributeError):
        return os.path.realpath(path)


def read_idx(path):
    import numpy as np
    with gzip.open(path) if os.path.exists(path) else open(path[:-3], "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    return array.reshape(shape[0], -1) if dims > 1 else array


def fashion(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(FASHION, prefix + "-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(FASHION, prefix + "-labels-idx1-ubyte.gz"))
    return x, y


def w2_network(torch):
    nn = torch.nn
    return nn.Sequential(nn.Dropout(0.2), nn.Linear(784, 1024), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(1024, 1024), nn.ReLU(), nn.Dropout(0.5), nn.Linear(1024, 10))


def demo_fit(torch, np):
    """The seed page's pipeline as dropnet demo runs it; returns (fit seconds, val accuracy)."""
    rng = np.random.default_rng(42)
    centres = rng.normal(0.0, 1.0, (3, 20))
    labels = rng.integers(0, 3, 1000)
    x = torch.from_numpy((centres[labels] + rng.normal(0.0, 1.0, (1000, 20))).astype(np.float32))
    y = torch.from_numpy(labels.astype(np.int64))
    torch.manual_seed(42)
    nn = torch.nn
    model = nn.Sequential(nn.Dropout(0.2), nn.Linear(20, 10), nn.ReLU(), nn.Linear(10, 3))
    opt = torch.optim.Adam(model.parameters(), lr=0.005, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt, xv, yv = x[:800], y[:800], x[800:], y[800:]
    t0 = now()
    for _ in range(5):
        model.train()
        perm = torch.randperm(800)
        total = correct = 0.0
        for i in range(0, 800, 32):
            idx = perm[i:i + 32]
            opt.zero_grad(set_to_none=True)
            out = model(xt[idx])
            loss = loss_fn(out, yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            correct += (out.argmax(1) == yt[idx]).sum().item()
        model.eval()
        with torch.inference_mode():
            out = model(xv)
            val_loss = loss_fn(out, yv).item()
            val_acc = (out.argmax(1) == yv).float().mean().item()
        print("epoch loss %.4f accuracy %.4f val_loss %.4f val_accuracy %.4f"
              % (total / 800, correct / 800, val_loss, val_acc))
    return now() - t0, val_acc


def spread(key, times, digits):
    """{key: median, key_min: fastest, key_max: slowest} of the timed runs."""
    return {key: round(statistics.median(times), digits), key + "_min": round(min(times), digits),
            key + "_max": round(max(times), digits)}


def child_w1_once(args):
    """One whole `python3 peers.py --child W1-once` process, timed by the parent."""
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    demo_fit(torch, np)


def child_w1(args):
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    times = []
    devnull = open(os.devnull, "w")
    for run in range(args.repeat + 1):  # run 0 warms up
        saved, sys.stdout = sys.stdout, devnull
        try:
            seconds, val_acc = demo_fit(torch, np)
        finally:
            sys.stdout = saved
        if run > 0:
            times.append(seconds)
    emit({"bench": "pytorch", "workload": "W1", "threads": args.threads, "load": load1(),
          "runs": args.repeat, "blas": blas_in_use(), "torch": torch.__version__,
          **spread("fit_seconds", times, 6),
          "samples_per_s": round(4000 / statistics.median(times)), "val_accuracy": round(val_acc, 4), "peak_rss_mb": peak_rss_mb()})


def child_w2(args):
    import torch
    torch.set_num_threads(args.threads)
    t0 = now()
    x_u8, y_np = fashion("train")
    x_all, y_all = torch.from_numpy(x_u8.copy()), torch.from_numpy(y_np.astype("int64"))
    load_s = now() - t0
    torch.manual_seed(42)
    model = w2_network(torch)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    n, times = x_all.shape[0], []
    for _ in range(args.repeat):
        model.train()
        t = now()
        perm = torch.randperm(n)
        total = correct = 0.0
        for i in range(0, n, 128):
            idx = perm[i:i + 128]
            xb = x_all[idx].float().mul_(1.0 / 255)
            yb = y_all[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
        times.append(now() - t)
    rss = peak_rss_mb()
    xt_u8, yt_np = fashion("test")
    model.eval()
    with torch.inference_mode():
        pred = model(torch.from_numpy(xt_u8.copy()).float().mul_(1.0 / 255)).argmax(1).numpy()
    best = statistics.median(times)
    emit({"bench": "pytorch", "workload": "W2", "threads": args.threads, "load": load1(),
          "runs": args.repeat, "blas": blas_in_use(), "torch": torch.__version__, "rows": n,
          **spread("seconds_per_epoch", times, 3), "first_epoch_seconds": round(times[0], 3),
          "samples_per_s": round(n / best), "gflops": round(W2_FLOPS_PER_SAMPLE * n / best / 1e9, 1),
          "load_seconds": round(load_s, 3), "peak_rss_mb": rss, "last_loss": round(total / n, 4),
          "last_accuracy": round(correct / n, 4),
          "test_accuracy": round(float((pred == yt_np).mean()), 4)})


def child_w3(args):
    import torch
    torch.set_num_threads(args.threads)
    x_u8, _ = fashion("test")
    x_all = torch.from_numpy(x_u8.copy())
    torch.manual_seed(42)
    model = w2_network(torch).eval()
    batch_times = []
    with torch.inference_mode():
        for run in range(args.repeat + 1):  # run 0 warms up
            t = now()
            torch.softmax(model(x_all.float().mul_(1.0 / 255)), 1)  # same work as dropnet: u8 in
            t = now() - t
            if run > 0:
                batch_times.append(t)
        singles = x_all[:2000].float().mul_(1.0 / 255)
        latencies = []
        for rep in range(2):  # pass 0 warms up
            for i in range(singles.shape[0]):
                t = now()
                torch.softmax(model(singles[i:i + 1]), 1)
                if rep == 1:
                    latencies.append(now() - t)
    latencies.sort()
    rows, best = x_all.shape[0], statistics.median(batch_times)
    emit({"bench": "pytorch", "workload": "W3", "threads": args.threads, "load": load1(),
          "runs": args.repeat, "blas": blas_in_use(), "torch": torch.__version__, "rows": rows,
          **spread("batch_seconds", batch_times, 5), "images_per_s": round(rows / best),
          "images_per_s_min": round(rows / max(batch_times)),
          "images_per_s_max": round(rows / min(batch_times)),
          "gflops": round(W3_FLOPS_PER_IMAGE * rows / best / 1e9, 1),
          "single_median_us": round(statistics.median(latencies) * 1e6, 1),
          "single_p90_us": round(latencies[len(latencies) * 9 // 10] * 1e6, 1),
          "single_images": len(latencies), "peak_rss_mb": peak_rss_mb()})


def child_w4(args):
    import numpy as np
    rng = np.random.default_rng(1)
    for name, form, ta, tb, m, n, k in SHAPES:
        a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
        op_a, op_b = (a.T if ta else a), (b.T if tb else b)  # views: BLAS gets the transpose flag
        c = np.empty((m, n), dtype=np.float32)
        times, start, run = [], now(), 0
        while run <= 10 or now() - start < 0.3:
            t = now()
            np.matmul(op_a, op_b, out=c)
            t = now() - t
            if run > 0:
                times.append(t)
            run += 1
        best = statistics.median(times)
        gflops = 2.0 * m * n * k / best / 1e9
        record = {"bench": "numpy", "workload": "W4", "threads": args.threads, "load": load1(),
                  "runs": run - 1, "blas": blas_in_use(), "numpy": np.__version__, "shape": name,
                  "form": form, "M": m, "N": n, "K": k, **spread("seconds", times, 6),
                  "gflops": round(gflops, 1),
                  "gflops_min": round(2.0 * m * n * k / max(times) / 1e9, 1),
                  "gflops_max": round(2.0 * m * n * k / min(times) / 1e9, 1)}
        if args.peak:
            record["peak_gflops"] = args.peak
            record["fraction_of_peak"] = round(gflops / args.peak, 3)
        emit(record)


def child_w5(args):
    """The latency curve, as bench_workloads.c's W5: per B, blocks of about 4096 rows (at least
    16 calls), the median call of each block, median of --repeat blocks after one untimed."""
    import torch
    torch.set_num_threads(args.threads)
    x_u8, _ = fashion("test")
    torch.manual_seed(42)
    model = w2_network(torch).eval()
    x = torch.from_numpy(x_u8[:256].copy()).float().mul_(1.0 / 255)
    with torch.inference_mode():
        b = 1
        while b <= 256:
            calls, blocks, xb = max(16, 4096 // b), [], x[:b]
            for run in range(args.repeat + 1):
                t_call = []
                for _ in range(calls):
                    t = now()
                    torch.softmax(model(xb), 1)
                    t_call.append((now() - t) * 1e6)
                if run > 0:
                    blocks.append(statistics.median(t_call))
            s = spread("us_per_call", blocks, 1)
            emit({"bench": "pytorch", "workload": "W5", "threads": args.threads, "load": load1(),
                  "runs": args.repeat, "blas": blas_in_use(), "torch": torch.__version__,
                  "batch": b, "calls_per_block": calls, **s,
                  "images_per_s": round(b / s["us_per_call"] * 1e6)})
            b *= 2


def child_blas(args):
    """The BLAS numpy and PyTorch load in this environment, and how PyTorch was built."""
    import numpy as np
    record = {"numpy": np.__version__}
    np.dot(np.ones((64, 64), np.float32), np.ones((64, 64), np.float32))  # OpenBLAS picks its core
    if importlib.util.find_spec("torch") is not None:
        import torch
        record["torch"] = torch.__version__
        config = torch.__config__.show()
        record["torch_blas_info"] = next((part.split("=", 1)[1] for part in config.replace(",", " ").split()
                                          if part.startswith("BLAS_INFO=")), "unknown")
    record["blas"] = blas_in_use()
    print(json.dumps(record), flush=True)


CHILDREN = {"blas": child_blas, "W1-once": child_w1_once, "W1": child_w1, "W2": child_w2, "W3": child_w3,
            "W4": child_w4, "W5": child_w5}


# ------------------------------------------------------------------------------------------
# In the parent: the runs, then the ratios
# ------------------------------------------------------------------------------------------

def child_env(args, build, coretype):
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads),
               MKL_NUM_THREADS=str(args.threads))
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    # libblas.so.3 from this build's directory, whatever update-alternatives chose (the child
    # reports the library it actually loaded in "blas").
    directory = dict(OPENBLAS_BUILDS).get(build)
    if directory:
        env["LD_LIBRARY_PATH"] = directory + (":" + env["LD_LIBRARY_PATH"]
                                              if env.get("LD_LIBRARY_PATH") else "")
    return env


def run_child(args, workload, setting, label, extra=(), fields=None):
    """Runs one child and prints its JSON records, each tagged with the BLAS setting and
    `fields` (figures the parent measured)."""
    import subprocess
    cmd = [sys.executable, os.path.abspath(__file__), "--child", workload,
           "--threads", str(args.threads), "--repeat", str(args.repeat)] + list(extra)
    build, coretype = setting
    print("peers: %s %s (OpenBLAS %s, %s) ..."
          % (label, workload, build or "system", coretype or "core type as detected"),
          file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, env=child_env(args, build, coretype), stdout=subprocess.PIPE,
                          text=True)
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            record["blas_build"] = build or "system"
            record["coretype"] = coretype or "detected"
            record["blas_setting"] = "%s %s" % (record["blas_build"], record["coretype"])
            record.update(fields or {})
            emit(record)
    if proc.returncode != 0:
        print("peers: %s %s failed (exit %d)" % (label, workload, proc.returncode), file=sys.stderr)


def onnxruntime_peer(args, workloads):
    """W3 and W5 in ONNX Runtime (bench/ort_peer.js), on the W2 network exported by dropnet."""
    import shutil
    import subprocess
    import tempfile
    wanted = [w for w in ("W3", "W5") if w in workloads]
    modules = os.path.join(args.build, "npm", "node_modules")
    node = shutil.which("node")
    if not wanted:
        return
    if node is None or not os.path.isdir(os.path.join(modules, "onnxruntime-node")):
        print("peers: skipping ONNX Runtime: %s (make onnxruntime; apt-get install nodejs npm)"
              % ("node not found" if node is None else modules + "/onnxruntime-node is missing"),
              file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "w2.onnx")
        export = subprocess.run([os.path.join(args.build, "bench-workloads"), "--export-onnx",
                                 model])
        if export.returncode != 0:
            print("peers: skipping ONNX Runtime: the W2 network could not be exported",
                  file=sys.stderr)
            return
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ort_peer.js")
        images = os.path.join(FASHION, "t10k-images-idx3-ubyte.gz")
        for w in wanted:
            print("peers: onnxruntime %s ..." % w, file=sys.stderr, flush=True)
            proc = subprocess.run([node, script, model, images, str(args.threads),
                                   str(args.repeat), w, modules],
                                  env=child_env(args, None, None), stdout=subprocess.PIPE,
                                  text=True)
            for line in proc.stdout.splitlines():
                if line.startswith("{"):
                    emit(json.loads(line))
            if proc.returncode != 0:
                print("peers: onnxruntime %s failed (exit %d)" % (w, proc.returncode),
                      file=sys.stderr)


def w1_process(args, setting):
    """Whole-process time of the PyTorch demo (interpreter start, import torch, train, exit):
    median of --repeat spawns after one untimed, and that child's peak RSS, via wait4."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "W1-once",
           "--threads", str(args.threads)]
    env = child_env(args, *setting)
    times, rss = [], 0.0
    print("peers: pytorch W1 whole process ...", file=sys.stderr, flush=True)
    for run in range(args.repeat + 1):
        devnull = os.open(os.devnull, os.O_WRONLY)
        t = now()
        pid = os.posix_spawn(sys.executable, cmd, env,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
        _, status, usage = os.wait4(pid, 0)
        t = now() - t
        os.close(devnull)
        if os.waitstatus_to_exitcode(status) != 0:
            print("peers: the PyTorch demo process failed", file=sys.stderr)
            return None
        if run > 0:
            times.append(t)
        rss = max(rss, usage.ru_maxrss * 1024 / 1e6)
    return {**spread("process_seconds", times, 4), "process_peak_rss_mb": round(rss, 1)}


def describe_blas(args):
    """One line: the system's libblas.so.3 (update-alternatives), what numpy and PyTorch load
    through it, and the OpenBLAS builds the peers run with."""
    import subprocess
    link = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    cmd = [sys.executable, os.path.abspath(__file__), "--child", "blas"]
    proc = subprocess.run(cmd, env=child_env(args, None, None), stdout=subprocess.PIPE, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        print("libblas.so.3 -> %s; numpy could not be loaded (%s)" % (os.path.realpath(link),
              sys.executable))
        return 1
    child = json.loads(lines[-1])
    builds = [name for name, directory in OPENBLAS_BUILDS if os.path.isdir(directory)]
    print("libblas.so.3 -> %s; numpy %s and torch %s (BLAS_INFO=%s) load %s; OpenBLAS builds"
          " the peers run: %s" % (os.path.realpath(link), child.get("numpy"),
                                  child.get("torch", "absent"), child.get("torch_blas_info", "-"),
                                  child["blas"], ", ".join(builds) or "none (the system BLAS only)"))
    reference = "OpenBLAS" not in child["blas"] and not builds
    if reference:
        print("warning: the peers run on a non-optimised BLAS: their figures say little"
              " (apt-get install libopenblas0-openmp libopenblas0-pthread)")
    return 0


def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return "%.4g" % value
    return str(value)


def ratios(dropnet, peers):
    """(workload, figure, dropnet value, peer value, peer name, ratio, target text, met) rows.
    Every ratio reads "how many times better dropnet is": speed / speed, or time⁻¹ / time⁻¹;
    for memory, peer / dropnet (> 1: dropnet uses less)."""
    rows = []

    def best_of(records, key, lower_is_better):
        records = [r for r in records if key in r]
        if not records:
            return None
        pick = min if lower_is_better else max
        return pick(records, key=lambda r: r[key])

    def add(workload, figure, d, p, key, lower, target=None, absolute=None):
        if d is None or p is None or key not in d or key not in p:
            return
        dv, pv = d[key], p[key]
        if not dv or not pv:
            return
        ratio = pv / dv if lower else dv / pv
        met = None if target is None else ratio >= target
        text = "" if target is None else ">= %g x" % target
        name = "%s %s" % (p["bench"], p.get("blas_setting", ""))
        rows.append((workload, figure, dv, pv, name.strip(), ratio, text, met))

    d = {w: [r for r in dropnet if r.get("workload") == w]
         for w in ("machine", "W1", "W2", "W3", "W4", "W5")}
    p = {w: [r for r in peers if r.get("workload") == w] for w in ("W1", "W2", "W3", "W4", "W5")}
    if d["W1"] and p["W1"]:
        add("W1", "whole process s", d["W1"][0], p["W1"][0], "process_seconds", True)
        add("W1", "in-process fit s", d["W1"][0], p["W1"][0], "fit_seconds", True)
    if d["W2"] and p["W2"]:
        best = best_of(p["W2"], "seconds_per_epoch", True)
        add("W2", "s per epoch (best BLAS)", d["W2"][0], best, "seconds_per_epoch", True, 5.0)
        add("W2", "peak RSS MB", d["W2"][0], best, "peak_rss_mb", True)
        for r in p["W2"]:
            if r is not best:
                add("W2", "s per epoch", d["W2"][0], r, "seconds_per_epoch", True)
    if d["W3"] and p["W3"]:
        # Issue 16: the targets are over ONNX Runtime (the earlier ones over PyTorch are retired).
        torch = [r for r in p["W3"] if r["bench"] == "pytorch"]
        ort = [r for r in p["W3"] if r["bench"] == "onnxruntime"]
        add("W3", "images/s (best BLAS)", d["W3"][0], best_of(torch, "images_per_s", False),
            "images_per_s", False)
        add("W3", "1-image median latency us", d["W3"][0],
            best_of(torch, "single_median_us", True), "single_median_us", True)
        add("W3", "images/s", d["W3"][0], best_of(ort, "images_per_s", False), "images_per_s",
            False, 1.25)
        add("W3", "1-image median latency us", d["W3"][0], best_of(ort, "single_median_us", True),
            "single_median_us", True, 1.0)
    for ours in d["W5"]:
        batch = ours.get("batch")
        theirs = [r for r in p["W5"] if r.get("batch") == batch]
        for bench, target in (("onnxruntime", 1.0), ("pytorch", None)):
            best = best_of([r for r in theirs if r["bench"] == bench], "us_per_call", True)
            add("W5", "batch %d us per call" % batch, ours, best, "us_per_call", True, target)
    for shape in [s[0] for s in SHAPES]:
        ours = [r for r in d["W4"] if r.get("shape") == shape]
        theirs = [r for r in p["W4"] if r.get("shape") == shape]
        for coretype, target in (("detected", None), ("SkylakeX", 0.9)):
            best = best_of([r for r in theirs if r.get("coretype") == coretype], "gflops", False)
            if ours and best:  # the faster OpenBLAS build with this core type
                add("W4", shape + " GFLOP/s", ours[0], best, "gflops", False, target)
    return rows


def absolute_rows(dropnet):
    """The issue's absolute targets, checked on dropnet's own figures."""
    rows = []
    get = {r.get("workload") + r.get("shape", ""): r for r in dropnet if "workload" in r}
    checks = [("W1", "W1", "process_seconds", "whole process s", lambda v: v <= 0.020, "<= 0.020"),
              ("W2", "W2", "seconds_per_epoch", "s per epoch", lambda v: v <= 4.0, "<= 4"),
              ("W2", "W2", "peak_rss_mb", "peak RSS MB", lambda v: v <= 300, "<= 300"),
              ("W4", "W4square 1024x1024.1024x1024", "fraction_of_peak", "square fraction of peak",
               lambda v: v >= 0.75, ">= 0.75")]
    # Issue 16: one image per call within 40 us on 2 threads, 70 us on 1.
    w3 = get.get("W3")
    if w3 is not None and "single_median_us" in w3:
        limit = 40.0 if w3.get("threads", 0) >= 2 else 70.0
        checks.append(("W3", "W3", "single_median_us", "1-image median latency us",
                       lambda v, limit=limit: v <= limit, "<= %g" % limit))
    for workload, key, field, figure, test, text in checks:
        r = get.get(key)
        if r is not None and field in r:
            rows.append((workload, figure, r[field], None, "target", None, text, test(r[field])))
    return rows


def print_table(rows):
    out = sys.stderr
    print("\n%-4s %-36s %10s %10s %-24s %8s %-9s %s" % ("", "figure", "dropnet", "peer", "peer is",
                                                        "ratio", "target", "met"), file=out)
    for w, figure, dv, pv, name, ratio, target, met in rows:
        print("%-4s %-36s %10s %10s %-24s %8s %-9s %s"
              % (w, figure, fmt(dv), fmt(pv), name, "-" if ratio is None else "%.2f" % ratio,
                 target, "" if met is None else ("yes" if met else "NO")), file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dropnet", help="file of dropnet's JSON lines (bench/run.sh writes it)")
    ap.add_argument("--workloads", default="W1 W2 W3 W4")
    ap.add_argument("--build", default="build",
                    help="dropnet's build directory (bench-workloads, npm/ for ONNX Runtime)")
    ap.add_argument("--ratios", metavar="FILE",
                    help="only print the ratios of the dropnet and peer lines in FILE")
    ap.add_argument("--blas", action="store_true",
                    help="only say which BLAS numpy and PyTorch use here (one line)")
    ap.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    ap.add_argument("--peak", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        CHILDREN[args.child](args)
        return 0
    if args.ratios:
        return report_ratios(args.ratios)
    if args.blas:
        return describe_blas(args)

    dropnet = []
    if args.dropnet:
        with open(args.dropnet) as f:
            dropnet = [json.loads(line) for line in f if line.startswith("{")]
    peak = next((r.get("peak_gflops") for r in dropnet if r.get("workload") == "machine"), None)
    if peak is None:
        peak = next((r.get("peak_gflops") for r in dropnet if r.get("workload") == "W4"), 0.0)
    workloads = args.workloads.split()
    have_torch = importlib.util.find_spec("torch") is not None
    have_numpy = importlib.util.find_spec("numpy") is not None
    builds = [name for name, directory in OPENBLAS_BUILDS if os.path.isdir(directory)]
    if not builds:
        print("peers: OpenBLAS is not installed (apt-get install libopenblas0-openmp"
              " libopenblas0-pthread): the peers use the system BLAS and the SkylakeX runs are"
              " skipped", file=sys.stderr)
    elif len(builds) < len(OPENBLAS_BUILDS):
        print("peers: only the OpenBLAS %s build is installed; PyTorch may do better with the"
              " other (apt-get install libopenblas0-openmp libopenblas0-pthread)" % builds[0],
              file=sys.stderr)
    settings = [(b, c) for b in builds for c in (None, "SkylakeX")] or [(None, None)]
    if not have_torch:
        print("peers: skipping PyTorch: %s cannot import torch (apt-get install python3-torch)"
              % sys.executable, file=sys.stderr)
    elif not have_numpy:
        print("peers: skipping PyTorch: it needs numpy here (apt-get install python3-numpy)",
              file=sys.stderr)
    else:
        if "W1" in workloads:
            # The OpenMP build when there is one: the pthread build's threads fight PyTorch's.
            w1 = ("openmp", None) if "openmp" in builds else (None, None)
            run_child(args, "W1", w1, "pytorch", fields=w1_process(args, w1))
        for w in ("W2", "W3", "W5"):
            if w in workloads:
                for setting in settings:
                    run_child(args, w, setting, "pytorch")
    onnxruntime_peer(args, workloads)
    if not have_numpy:
        print("peers: skipping numpy: %s cannot import numpy (apt-get install python3-numpy)"
              % sys.executable, file=sys.stderr)
    elif "W4" in workloads:
        for setting in settings:
            run_child(args, "W4", setting, "numpy", ["--peak", str(peak or 0.0)])
    return 0


def report_ratios(path):
    """--ratios FILE: the ratio lines and table for every dropnet and peer line in FILE."""
    with open(path) as f:
        records = [json.loads(line) for line in f if line.startswith("{")]
    dropnet = [r for r in records if r.get("bench") == "dropnet"]
    peers = [r for r in records if r.get("bench") in ("pytorch", "numpy", "onnxruntime")]
    rows = ratios(dropnet, peers) + absolute_rows(dropnet)
    for w, figure, dv, pv, name, ratio, target, met in rows:
        emit({"bench": "ratio", "workload": w, "figure": figure, "dropnet": dv, "peer": pv,
              "peer_is": name, "ratio": None if ratio is None else round(ratio, 3),
              "target": target, "met": met})
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
