"""fit's progress output against tf.keras 2.11's formats: the live bar on a terminal (verbose=1),
one line per epoch otherwise (verbose=2, or verbose=1 into a pipe), nothing for verbose=0."""
import io
import re
import sys

import dropnet
from dropnet import _progress, layers


class Terminal(io.StringIO):
    def isatty(self):
        return True


def model():
    m = dropnet.Sequential([layers.Input(shape=(20,)), layers.Dense(8, activation="relu"),
                            layers.Dense(3, activation="softmax")])
    m.compile(optimizer="adam", metrics=["accuracy"], seed=1)
    return m


def fit_into(stream, monkeypatch, verbose, blobs, slow=False):
    monkeypatch.setattr(sys, "stdout", stream)
    if slow:  # every batch redraws the bar
        monkeypatch.setattr(_progress, "REDRAW_SECONDS", 0.0)
    x, y = blobs
    return model().fit(x, y, epochs=2, batch_size=32, validation_split=0.1, verbose=verbose)


def metrics(h, e):
    return " - ".join(f"{k}: {h.history[k][e]:.4f}" for k in ("loss", "accuracy", "val_loss",
                                                              "val_accuracy"))


def test_live_bar_on_a_terminal(blobs, monkeypatch):
    out = Terminal()
    h = fit_into(out, monkeypatch, 1, blobs, slow=True)
    text = out.getvalue()
    assert h.params == {"verbose": 1, "epochs": 2, "steps": 17}  # 540 rows / 32 → 17 batches
    assert text.startswith("Epoch 1/2\n") and "\nEpoch 2/2\n" in text
    # batch 8 of 17: 14 of 30 cells filled, the last an arrow
    assert re.search(r"\r8/17 \[={13}>\.{16}\] - ETA: \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4}",
                     text)
    for e in range(2):
        assert re.search(r"\r17/17 \[={30}\] - \d+s \d+(us|ms|s)/step - " + re.escape(metrics(h, e))
                         + r" *\n", text)
    assert "16/17" in text and "17/17 [" in text  # the last batch is drawn by the epoch's end only


def test_one_line_per_epoch_otherwise(blobs, monkeypatch):
    for stream, verbose in ((io.StringIO(), 1), (Terminal(), 2)):
        h = fit_into(stream, monkeypatch, verbose, blobs)
        lines = stream.getvalue().splitlines()
        assert len(lines) == 4 and "\r" not in stream.getvalue()
        for e in range(2):
            assert lines[2 * e] == f"Epoch {e + 1}/2"
            assert re.fullmatch(r"17/17 - \d+s - " + re.escape(metrics(h, e)) +
                                r" - \d+ms/epoch - \d+(us|ms|s)/step", lines[2 * e + 1])
    quiet = io.StringIO()
    fit_into(quiet, monkeypatch, 0, blobs)
    assert quiet.getvalue() == ""


def test_bar_and_eta_formats():
    assert _progress.bar(0, 10) == "[" + "." * 30 + "]"
    assert _progress.bar(1, 10) == "[==>" + "." * 27 + "]"
    assert _progress.bar(10, 10) == "[" + "=" * 30 + "]"
    assert [_progress._eta(s) for s in (5.9, 75, 3725)] == ["5s", "1:15", "1:02:05"]
