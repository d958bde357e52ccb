"""dropnet.report: the CLI's HTML report of a model trained in Python. The page's epoch table is
the History, its confusion count is evaluate's accuracy on the same rows, and it never replaces
the model's own file."""
import hashlib
import os
import re

import numpy as np
import pandas as pd
import pytest

import dropnet
from dropnet import layers

NAMES = np.array(["<ant>", "moth", "zebra"])  # "<ant>" must come out escaped


def fitted(blobs):
    x, y = blobs
    df = pd.DataFrame(x, columns=[f"f{j}" for j in range(20)])
    m = dropnet.Sequential([layers.Input(shape=(20,)), layers.Dropout(0.2),
                            layers.Dense(10, activation="relu"),
                            layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
              seed=4)
    labels = pd.Series(NAMES[y], name="animal")
    h = m.fit(df[:480], labels[:480], epochs=4, batch_size=32, verbose=0,
              validation_data=(df[480:], labels[480:]))
    return m, h, df, labels


def test_report_holds_the_runs_numbers(blobs, tmp_path):
    m, h, df, labels = fitted(blobs)
    page = tmp_path / "run.html"
    assert dropnet.report(m, h, page, df[480:], labels[480:], "validation") == str(page)
    html = page.read_text()
    for e in range(4):
        row = "<tr><td>{}</td><td>{:.4f}</td><td>{:.4f}</td><td>{:.4f}</td><td>{:.4f}</td>".format(
            e + 1, *(h.history[k][e] for k in ("loss", "accuracy", "val_loss", "val_accuracy")))
        assert row in html
    _, accuracy = m.evaluate(df[480:], labels[480:])
    assert accuracy == h.history["val_accuracy"][-1]  # the same 120 rows at inference
    assert f"Accuracy on the 120 validation examples: <strong>{accuracy:.4f}</strong>" in html
    assert "&lt;ant&gt;" in html and "<ant>" not in html
    assert "210 params (20×10 + 10)" in html
    assert "Not recorded: this page was made after training" in html
    for section in ("pipeline", "training", "mask", "predictions", "confusion", "weights",
                    "reproduce"):
        assert f'id="{section}"' in html
    assert "dropnet.report(model, history" in html
    assert re.search(r" src=|<link|url\(http", html) is None  # self-contained

    # report(history, path): the model is the History's; no examples → no matrix
    other = tmp_path / "short.html"
    dropnet.report(h, other)
    assert "Not a classification with labelled examples" in other.read_text()


def test_report_never_overwrites_an_input(blobs, tmp_path):
    m, h, df, labels = fitted(blobs)
    saved = tmp_path / "m.safetensors"
    m.save(saved)
    before = hashlib.sha256(saved.read_bytes()).hexdigest()
    loaded = dropnet.load_model(saved)
    with pytest.raises(ValueError, match="the file this model was loaded from"):
        dropnet.report(loaded, h, saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == before
    with pytest.raises(IsADirectoryError):
        dropnet.report(m, h, tmp_path)
    with pytest.raises(OSError, match="cannot write"):
        dropnet.report(m, h, tmp_path / "missing" / "r.html")
    with pytest.raises(ValueError, match="at least one epoch"):
        dropnet.report(m, {"loss": []}, tmp_path / "r.html")
    with pytest.raises(ValueError, match="'ant' is not one of the model's classes"):
        dropnet.report(m, h, tmp_path / "r.html", df[:3], ["ant", "moth", "zebra"])
    assert sorted(os.listdir(tmp_path)) == ["m.safetensors"]  # nothing half-written


def test_report_of_a_regression_draws_the_historys_mae(tmp_path):
    """A regression History with Keras' "mae"/"val_mae" (computed here, in the target's units):
    the page draws a MAE chart where a classifier's accuracy stands, and its tables hold the
    History's numbers."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -2.0, 0.5, 0.0], dtype=np.float32)).astype(np.float32)
    m = dropnet.Sequential([layers.Input(shape=(4,)), layers.Dense(8, activation="relu"),
                            layers.Dense(1)])
    m.compile(optimizer="adam", loss="mse", seed=2)
    h = m.fit(x[:160], y[:160], epochs=3, batch_size=32, verbose=0,
              validation_data=(x[160:], y[160:]))
    history = dict(h.history)
    history["mae"] = [0.5, 0.25, 0.125]
    history["val_mae"] = [0.75, 0.375, 0.1875]
    page = tmp_path / "reg.html"
    dropnet.report(m, history, page)
    html = page.read_text()
    assert "<figcaption>Mean absolute error per epoch. Solid: training" in html
    assert "ccuracy per epoch" not in html and "<th>accuracy</th>" not in html
    for e in range(3):
        row = "<tr><td>{}</td><td>{:.4f}</td><td>{:.4f}</td><td>{:.4f}</td><td>{:.4f}</td>".format(
            e + 1, history["loss"][e], history["mae"][e], history["val_loss"][e],
            history["val_mae"][e])
        assert row in html
    # section 4 has the validation MAE epoch by epoch (rmse and r2: not in this History)
    assert "<tr><td>1</td><td>0.5000</td><td>–</td><td>–</td><td>0.7500</td>" in html
