"""The Keras API against independent references: the CLI (bit-identical weights), PyTorch (one
SGD and one Adam step), numpy (forward pass, trace, MC summaries) and Keras' semantics."""
import csv
import json
import os
import signal
import subprocess
import threading

import numpy as np
import pytest
import torch

import dropnet
from dropnet import layers, optimizers, callbacks


def small_model(seed=42, optimizer="adam", dropout=0.2, loss="sparse_categorical_crossentropy"):
    m = dropnet.Sequential([layers.Input(shape=(20,)), layers.Dropout(dropout),
                            layers.Dense(10, activation="relu"),
                            layers.Dense(3, activation="softmax")])
    m.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"], seed=seed)
    return m


def numpy_forward(weights, x):
    h = np.maximum(x @ weights[0] + weights[1], 0)
    z = h @ weights[2] + weights[3]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_demo_equals_cli_demo(cli, tmp_path):
    log = tmp_path / "demo.jsonl"
    subprocess.run([cli, "demo", "--log", str(log)], check=True, capture_output=True)
    cli_epochs = [json.loads(line) for line in log.read_text().splitlines()]
    _, history = dropnet.demo(verbose=0)
    assert len(cli_epochs) == 5
    for e, row in enumerate(cli_epochs):
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            assert history.history[key][e] == pytest.approx(row[key], rel=1e-8), key


def test_fit_gives_bit_identical_weights_to_cli_train(cli, blobs, tmp_path):
    x, y = blobs
    data = tmp_path / "data.csv"
    with open(data, "w") as f:
        for row, label in zip(x, y):
            f.write(",".join(f"{v:.9g}" for v in row) + f",{label}\n")
    out = tmp_path / "cli.safetensors"
    subprocess.run([cli, "train", "--train", str(data), "--model",
                    "dropout:0.2,dense:10:relu,dense:3:softmax", "--epochs", "3", "--seed", "7",
                    "--batch", "16", "--out", str(out)], check=True, capture_output=True)
    from_cli = dropnet.load_model(out).get_weights()
    m = small_model(seed=7)
    m.fit(x, y, epochs=3, batch_size=16, verbose=0)
    for a, b in zip(m.get_weights(), from_cli):
        assert a.tobytes() == b.tobytes()


def one_step_against_torch(dn_opt, make_torch_opt):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 20)).astype(np.float32)
    y = rng.integers(0, 3, size=8).astype(np.int32)
    m = small_model(optimizer=dn_opt, dropout=0.0)
    w0 = m.get_weights()
    m.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    net = torch.nn.Sequential(torch.nn.Linear(20, 10), torch.nn.ReLU(), torch.nn.Linear(10, 3))
    with torch.no_grad():
        for layer, (k, b) in zip((net[0], net[2]), ((w0[0], w0[1]), (w0[2], w0[3]))):
            layer.weight.copy_(torch.from_numpy(k.T.copy()))
            layer.bias.copy_(torch.from_numpy(b))
    opt = make_torch_opt(net.parameters())
    loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(x)), torch.from_numpy(y).long())
    opt.zero_grad()
    loss.backward()
    opt.step()
    want = [net[0].weight.detach().numpy().T, net[0].bias.detach().numpy(),
            net[2].weight.detach().numpy().T, net[2].bias.detach().numpy()]
    for got, ref, before in zip(m.get_weights(), want, w0):
        assert np.abs(got - before).max() > 1e-4  # the step moved the weights
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6)


def test_sgd_step_matches_torch():
    one_step_against_torch(optimizers.SGD(learning_rate=0.1, momentum=0.9),
                           lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9))


def test_adam_step_matches_torch():
    # Keras' ε sits outside the bias correction; at step 1 it equals PyTorch's ε / √(1 − β2).
    one_step_against_torch(optimizers.Adam(learning_rate=0.01),
                           lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-7 / np.sqrt(1 - 0.999)))


def test_predict_and_weights_match_numpy(blobs):
    x, y = blobs
    m = small_model()
    m.fit(x, y, epochs=2, verbose=0)
    p = m.predict(x)
    assert p.dtype == np.float32 and p.shape == (600, 3)
    np.testing.assert_allclose(p, numpy_forward(m.get_weights(), x), atol=2e-6)
    loss, acc = m.evaluate(x, y)
    ref = numpy_forward(m.get_weights(), x.astype(np.float64))
    assert loss == pytest.approx(-np.mean(np.log(ref[np.arange(600), y])), abs=1e-5)
    assert acc == pytest.approx(np.mean(ref.argmax(1) == y))
    new = [w * 0.5 for w in m.get_weights()]
    m.set_weights(new)
    np.testing.assert_allclose(m.predict(x[:5]), numpy_forward(new, x[:5]), atol=2e-6)


def test_one_row_predict_follows_set_weights_prepared_or_not(blobs):
    """One row runs in the small-batch kernel, with or without dn_model_prepare_inference's
    packed copy; set_weights drops the copy, so the next prediction uses the new weights."""
    x, y = blobs
    m = small_model()
    m.fit(x, y, epochs=1, verbose=0)
    lib = dropnet._lib.lib
    assert lib.dn_model_inference_prepared(m._handle) == 0  # only when asked
    first = m.predict(x[:1])
    assert lib.dn_model_prepare_inference(m._handle, None) == 0
    assert lib.dn_model_inference_prepared(m._handle) == 1
    np.testing.assert_array_equal(m.predict(x[:40]), np.concatenate(
        [m.predict(x[:20]), m.predict(x[20:40])]))
    w = m.get_weights()
    np.testing.assert_allclose(first, numpy_forward(w, x[:1]), atol=2e-6)
    for row in range(3):
        np.testing.assert_array_equal(m.predict(x[row:row + 1]), m.predict(x[:3])[row:row + 1])
    new = [v * -0.75 for v in w]
    m.set_weights(new)
    assert lib.dn_model_inference_prepared(m._handle) == 0
    np.testing.assert_allclose(m.predict(x[:1]), numpy_forward(new, x[:1]), atol=2e-6)
    assert not np.allclose(m.predict(x[:1]), first, atol=1e-3)


def test_trace_matches_numpy(blobs):
    x, y = blobs
    m = small_model()
    m.fit(x, y, epochs=1, verbose=0)
    t = m.trace(x[0])
    w = m.get_weights()
    np.testing.assert_allclose(t.steps[2]["output"], np.maximum(x[0] @ w[0] + w[1], 0), atol=2e-6)
    np.testing.assert_allclose(t.prediction, numpy_forward(w, x[:1])[0], atol=2e-6)
    assert "Dense(3, softmax)" in str(t) and "Predicted class" in str(t)


def test_mc_predict_summaries(blobs):
    x, y = blobs
    m = small_model(dropout=0.0)  # nothing stochastic: every pass equals predict
    m.fit(x, y, epochs=1, verbose=0)
    r = dropnet.mc_predict(m, x[:50], samples=5)
    p = m.predict(x[:50]).astype(np.float64)
    np.testing.assert_allclose(r.mean, p, atol=1e-6)
    assert np.all(r.std < 1e-6) and np.all(np.abs(r.mutual_information) < 1e-5)
    np.testing.assert_allclose(r.entropy, -(p * np.log(p)).sum(1), atol=1e-5)
    d = small_model(dropout=0.5)
    d.fit(x, y, epochs=1, verbose=0)
    r1, r2 = dropnet.mc_predict(d, x[:50], 20), dropnet.mc_predict(d, x[:50], 20)
    assert np.array_equal(r1.mean, r2.mean) and r1.std.mean() > 1e-3  # seeded, and stochastic


def test_save_load_and_cli_eval(cli, blobs, tmp_path):
    x, y = blobs
    m = small_model()
    m.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "m.safetensors"
    m.save(path)
    back = dropnet.load_model(path)
    assert np.array_equal(back.predict(x), m.predict(x))
    data = tmp_path / "d.csv"
    np.savetxt(data, np.column_stack([x, y]), fmt="%.9g", delimiter=",")
    run = subprocess.run([cli, "eval", "--model", str(path), "--data", str(data), "--json"],
                         capture_output=True, text=True, check=True)
    loss, acc = m.evaluate(x, y)
    report = json.loads(run.stdout)
    assert report["loss"] == pytest.approx(loss, rel=1e-8)
    assert report["accuracy"] == pytest.approx(acc, rel=1e-8)


def test_callbacks(blobs, tmp_path):
    x, y = blobs
    m = small_model()
    seen = []

    class Stopper(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, round(self.model.learning_rate, 6)))
            if epoch == 3:
                self.model.stop_training = True

    log = tmp_path / "log.csv"
    h = m.fit(x, y, epochs=10, validation_split=0.2, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda e, lr: 0.01 / (e + 1)), callbacks.CSVLogger(log),
        callbacks.ModelCheckpoint(str(tmp_path / "m-{epoch:02d}.safetensors")), Stopper()])
    assert seen == [(0, 0.01), (1, 0.005), (2, round(0.01 / 3, 6)), (3, 0.0025)]
    assert len(h.history["val_accuracy"]) == 4
    rows = list(csv.DictReader(open(log)))
    assert [float(r["val_loss"]) for r in rows] == pytest.approx(h.history["val_loss"])
    assert sorted(os.listdir(tmp_path)).count("m-04.safetensors") == 1
    es = callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)
    h = small_model().fit(x, y, epochs=10, verbose=0, callbacks=[es])
    assert len(h.history["loss"]) == 2 and es.stopped_epoch == 1


def test_keyboard_interrupt_stops_within_a_batch(blobs):
    x, y = blobs
    m = small_model()

    class CtrlC(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        m.fit(x, y, epochs=5, batch_size=32, verbose=0, callbacks=[CtrlC()])
    assert m._handle and dropnet._lib.lib.dn_model_step(m._handle) == 3  # stopped after batch 3
    m.fit(x, y, epochs=1, verbose=0)  # still usable
    assert np.all(np.isfinite(m.predict(x)))


def test_ctrl_c_during_the_library_cancels_between_batches(blobs):
    """SIGINT from another thread while C code runs: fit stops through dn_fit_config.cancel,
    after exactly the batches it reported, and the SIGINT handler is restored."""
    x, y = blobs
    x = np.tile(x, (20, 1)) + np.float32(0)  # 12,000 rows, 375 batches an epoch
    y = np.tile(y, 20)
    m = small_model()
    seen = []

    class Count(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt, match="cancelled in epoch"):
        m.fit(x, y, epochs=200, batch_size=32, verbose=0, callbacks=[Count()])
    timer.join()
    steps = dropnet._lib.lib.dn_model_step(m._handle)
    assert 0 < steps == len(seen) < 200 * 375  # every finished batch reported, none after
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert np.all(np.isfinite(m.predict(x[:10])))


def test_features_are_not_copied(blobs):
    x, y = blobs
    x = x.copy()
    data = dropnet._data.Dataset(dropnet._data.as_features(x))
    assert data.x is x
    row = np.empty(20, np.float32)
    x[5, 3] = 123.0  # a write through the caller's array is what the library reads
    dropnet._lib.lib.dn_dataset_get_row(data.handle, 5, dropnet._data.float_pointer(row), None)
    assert row[3] == 123.0
    assert dropnet._data.as_features(x.astype(np.float64)).dtype == np.float32  # converted once
    assert dropnet._data.as_features(np.asfortranarray(x)).flags.c_contiguous


def test_gil_is_released_while_predicting():
    big = np.random.default_rng(0).normal(size=(100000, 784)).astype(np.float32)
    m = dropnet.Sequential([layers.Input(shape=(784,)), layers.Dense(512, activation="relu"),
                            layers.Dense(10, activation="softmax")])
    m.compile(seed=1, threads=1)
    done, ticks = threading.Event(), [0]
    t = threading.Thread(target=lambda: (m.predict(big), done.set()))
    t.start()
    while not done.is_set():
        ticks[0] += 1
    t.join()
    assert ticks[0] > 10000  # the main thread kept running Python during the C call


@pytest.mark.parametrize("make_error, kind, words", [
    (lambda m, x, y: m.fit(x[:, :5], y, verbose=0), ValueError, "features"),
    (lambda m, x, y: m.fit(np.where(x > 2, np.nan, x), y, verbose=0), ValueError, "not finite"),
    # labels that are neither ids 0..2 nor three values to number as the CLI does (y + 5 is)
    (lambda m, x, y: m.fit(x, y + 5 * (np.arange(len(y)) % 2), verbose=0), ValueError,
     r"6 distinct label values .* or class ids 0..2"),
    (lambda m, x, y: m.predict(x[0]), ValueError, "2-D"),
    (lambda m, x, y: m.fit(x, np.array(["a"] * len(x)), verbose=0), ValueError, "1 distinct labels"),
    (lambda m, x, y: layers.Dense(3, activation="relux"), ValueError, "unknown activation"),
    (lambda m, x, y: m.compile(loss="hinge"), ValueError, "unknown loss"),
    (lambda m, x, y: layers.Dropout(1.5) and small_model(dropout=1.5), ValueError, "rate"),
])
def test_errors_carry_the_message(blobs, make_error, kind, words):
    x, y = blobs
    with pytest.raises(kind, match=words):
        make_error(small_model(), x, y)


def test_fit_before_compile_and_damaged_file(blobs, tmp_path):
    x, y = blobs
    m = dropnet.Sequential([layers.Dense(3, activation="softmax", input_shape=(20,))])
    with pytest.raises(RuntimeError, match="compile"):
        m.fit(x, y)
    with pytest.raises(ValueError):
        m.predict(x)
    good = small_model()
    path = tmp_path / "m.safetensors"
    good.save(path)
    raw = bytearray(path.read_bytes())
    raw[-3] ^= 0x10
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="checksum"):
        dropnet.load_model(path)
    with pytest.raises(OSError, match="missing.safetensors"):
        dropnet.load_model(tmp_path / "missing.safetensors")


def test_pandas_dataframe_is_accepted(blobs):
    import pandas as pd
    x, y = blobs
    frame = pd.DataFrame(x.astype(np.float64), columns=[f"f{i}" for i in range(20)])
    a, b = small_model(), small_model()
    a.fit(frame, pd.Series(y), epochs=1, verbose=0)
    b.fit(x, y, epochs=1, verbose=0)
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    assert dropnet._data.feature_names(frame)[:2] == ["f0", "f1"]


def test_bf16_precision_matches_torch_bfloat16_rounding(blobs):
    """compile(precision="bf16"): each Dense product sees x and W rounded to bfloat16 by PyTorch's
    own conversion (round to nearest even), summed in fp32 — autocast's arithmetic."""
    x, _ = blobs
    m = dropnet.Sequential([layers.Input((20,)), layers.Dense(7, activation="linear")])
    m.compile(loss="mse", precision="bf16")
    w, b = m.get_weights()
    bf = lambda a: torch.tensor(a).to(torch.bfloat16).to(torch.float64).numpy()  # noqa: E731
    ref = bf(x) @ bf(w) + b
    got = m.predict(x)
    # fp32 sums of 20 exact products: within 1e-6 relative of the double reference
    tol = 1e-6 * (np.abs(bf(x)) @ np.abs(bf(w))).max() + 1e-6
    np.testing.assert_allclose(got, ref, rtol=0, atol=tol)
    # and really not the fp32 product
    assert np.abs(got - (x.astype(np.float64) @ w + b)).max() > 1e-4
    with pytest.raises(ValueError, match="precision"):
        m.compile(loss="mse", precision="fp16")


def test_bf16_stored_weights_match_torch_rounding(blobs, tmp_path):
    """save(weights="bf16"): the kernels come back as PyTorch's bfloat16 rounding of the saved
    ones (biases exact), the file is smaller by 2 bytes per kernel weight, and the loaded model
    (bf16 precision) predicts exactly what the saved model predicts in bf16."""
    x, _ = blobs
    m = dropnet.Sequential([layers.Input((20,)), layers.Dense(16, activation="relu"),
                            layers.Dense(3, activation="softmax")])
    m.compile(loss="sparse_categorical_crossentropy", precision="bf16")
    full, half = tmp_path / "f.safetensors", tmp_path / "h.safetensors"
    m.save(str(full))
    m.save(str(half), weights="bf16")
    saved = full.stat().st_size - half.stat().st_size
    assert abs(saved - 2 * (20 * 16 + 16 * 3)) < 64
    loaded = dropnet.load_model(str(half))
    bf = lambda a: torch.tensor(a).to(torch.bfloat16).to(torch.float32).numpy()  # noqa: E731
    for i, (a, b) in enumerate(zip(m.get_weights(), loaded.get_weights())):
        np.testing.assert_array_equal(b, bf(a) if i % 2 == 0 else a)
    np.testing.assert_array_equal(loaded.predict(x), m.predict(x))
    with pytest.raises(ValueError, match="weights"):
        m.save(str(half), weights="fp16")
