"""python_vs_torch.py — `make bench-python`: dropnet's Python front end against PyTorch on one small
workload (a benchmark, not a test). Each side is timed as a whole process, import included, as a
user running a script sees it: 784-256-10 MLP with dropout 0.2, Adam 1e-3, batch 128, 3 epochs on
10,000 synthetic rows; best of 3. Also the per-row cost of predict() against the C call."""
import subprocess
import sys
import time

COMMON = """
import numpy as np
rng = np.random.default_rng(0)
x = rng.normal(size=(10000, 784)).astype(np.float32)
y = rng.integers(0, 10, size=10000)
"""
DROPNET = COMMON + """
import dropnet
from dropnet import layers
m = dropnet.Sequential([layers.Input(shape=(784,)), layers.Dropout(0.2),
                        layers.Dense(256, activation="relu"), layers.Dense(10, activation="softmax")])
m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
m.fit(x, y, batch_size=128, epochs=3, verbose=0)
"""
TORCH = COMMON + """
import torch
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Linear(784, 256), torch.nn.ReLU(),
                          torch.nn.Linear(256, 10))
opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
xt, yt = torch.from_numpy(x), torch.from_numpy(y)
for epoch in range(3):
    perm = torch.randperm(10000)
    for i in range(0, 10000, 128):
        idx = perm[i:i + 128]
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx]).backward()
        opt.step()
"""


def best_of(code, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t)
    return min(times)


def predict_overhead():
    import ctypes as C
    import numpy as np
    import dropnet
    from dropnet import _data, _lib, layers
    # the seed page's network (20-10-3), small enough that the call's own time does not hide the
    # binding's overhead
    m = dropnet.Sequential([layers.Input(shape=(20,)), layers.Dense(10, activation="relu"),
                            layers.Dense(3, activation="softmax")])
    m.compile(threads=1)
    row = np.zeros((1, 20), np.float32)
    out = np.empty((1, 3), np.float32)
    n, err = 20000, _lib.Error()
    x_addr, out_addr, err_ref = row.ctypes.data, out.ctypes.data, C.byref(err)

    def c_loop():  # the bare C call, its arguments prepared once
        for _ in range(n):
            _lib.lib.dn_model_predict(m._handle, x_addr, 1, out_addr, err_ref)

    def python_loop():
        for _ in range(n):
            m.predict(row)

    best = {}
    for _ in range(3):  # best of 3 each, interleaved
        for name, loop in (("c", c_loop), ("python", python_loop)):
            t = time.perf_counter()
            loop()
            best[name] = min(best.get(name, 1e9), (time.perf_counter() - t) / n)
    return best["c"], best["python"]

if __name__ == "__main__":
    d, t = best_of(DROPNET), best_of(TORCH)
    print(f'{{"workload": "python fit 784-256-10, 10k rows, 3 epochs, whole process", '
          f'"dropnet_s": {d:.3f}, "torch_s": {t:.3f}, "torch_over_dropnet": {t / d:.2f}}}')
    c_call, python = predict_overhead()
    print(f'{{"workload": "predict one row 20-10-3", "ctypes_call_us": {c_call * 1e6:.1f}, '
          f'"model_predict_us": {python * 1e6:.1f}, "overhead_us": {(python - c_call) * 1e6:.1f}}}')
