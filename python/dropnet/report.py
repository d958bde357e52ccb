"""report.py — dropnet.report: the CLI's HTML report (docs/REPORT.md) of a model trained in Python.

The page is built by cli/report/ in the `dropnet` command-line tool, not in the library, so this
saves the model, writes the History as the epoch log `dropnet train --log` writes (JSON lines) and
the examples as a CSV file, all in a private temporary directory, and runs `dropnet report` on
them. The tool is the copy installed with the package (built by the same `make`), else the
DROPNET_CLI variable, else the one next to the library in a source checkout, else `dropnet` on
PATH. The page is written atomically by the tool and never over one of the model's files."""
import csv
import json
import math
import os
import shutil
import subprocess
import tempfile

import numpy as np

from . import _data, _lib
from .callbacks import History


def find_cli():
    """The path of the `dropnet` tool dropnet.report runs; OSError naming the fix if none."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("DROPNET_CLI"), os.path.join(here, "bin", "dropnet"),
                  os.path.join(os.path.dirname(os.path.realpath(_lib.lib._name)), "dropnet"),
                  shutil.which("dropnet")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise OSError("dropnet.report needs the dropnet command-line tool, which is not installed "
                  "with this package: reinstall it with `make python`, or set DROPNET_CLI to "
                  "the tool's path")


def _epochs(history):
    """Per-epoch dicts from a History, History.history or a dict of lists."""
    logs = history.history if isinstance(history, History) else history
    if not isinstance(logs, dict) or not logs.get("loss"):
        raise ValueError("report needs a History (what fit returns) or its .history dict with "
                         "at least one epoch of 'loss'")
    n = len(logs["loss"])
    for key, values in logs.items():
        if len(values) != n:
            raise ValueError(f"history[{key!r}] has {len(values)} epochs, 'loss' has {n}")
    return [{k: float(v[e]) for k, v in logs.items()} for e in range(n)]


# A regression run's metrics a History may hold (Keras' metrics=["mae"] names them so), which the
# page draws where a classifier's accuracy stands.
_REGRESSION_KEYS = ("mae", "rmse", "r2", "val_mae", "val_rmse", "val_r2")


def _write_log(path, epochs):
    def number(v):
        return None if v is None or not math.isfinite(v) else v
    with open(path, "w") as f:
        for e, logs in enumerate(epochs, start=1):
            line = {"epoch": e, "loss": number(logs["loss"]),
                    "accuracy": number(logs.get("accuracy")),
                    "val_loss": number(logs.get("val_loss")),
                    "val_accuracy": number(logs.get("val_accuracy"))}
            line.update({k: number(logs[k]) for k in _REGRESSION_KEYS if k in logs})
            line["seconds"] = None
            f.write(json.dumps(line) + "\n")


def _label_column(model):
    """The model's label name (as `dropnet train` stored it), else "label", never a feature's."""
    raw = _lib.lib.dn_model_get_metadata(model._handle, b"columns")
    name = json.loads(raw.decode()).get("label") if raw else None
    features = set(model.feature_names or [])
    name = name or "label"
    while name in features:
        name += "_"
    return name


def _write_examples(path, model, x, y):
    """x (and y) as a CSV file the tool reads by the model's column names, floats exact (%.9g
    round-trips float32); y through the model's classes as class names, else class ids. Returns
    the label column's name, or None without y."""
    xs = _data.as_features(model._by_name(x))
    if xs.shape[1] != model._input_size:
        raise ValueError(f"x has {xs.shape[1]} features, the model takes {model._input_size}")
    _data.check_finite(xs)
    names = model.feature_names or [f"x{j}" for j in range(xs.shape[1])]
    label, texts = None, None
    if y is not None and model.loss != "mean_squared_error":
        if len(y) != xs.shape[0]:
            raise ValueError(f"x has {xs.shape[0]} rows but y has {len(y)}")
        outputs = int(_lib.lib.dn_model_output_size(model._handle))
        ids = _data.integer_labels(model._label_ids(y), 2 if outputs == 1 else outputs)
        classes = model.class_names
        texts = np.array(classes, dtype=object)[ids] if classes else ids
        label = _label_column(model)
    cells = np.char.mod("%.9g", xs)
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(names + ([label] if label else []))
        for r in range(xs.shape[0]):
            out.writerow(list(cells[r]) + ([texts[r]] if label else []))
    return label


def _check_page_path(path, model):
    if os.path.isdir(path):
        raise IsADirectoryError(f"report: {path} is a directory; give the page's file name")
    source = getattr(model, "_source_path", None)
    if source and os.path.exists(path) and os.path.samefile(path, source):
        raise ValueError(f"report: {path} is the file this model was loaded from; writing the "
                         "page there would destroy it: choose another path")


def report(model, history, path=None, x=None, y=None, examples_name="held-out"):
    """Writes the HTML report of a run (docs/REPORT.md) to `path`, as `dropnet train --report`:
    the pipeline, loss and accuracy curves with the epoch table from `history` (what fit
    returned, or its .history dict; a regression model's "mae"/"val_mae", "rmse", "r2" there
    are drawn where a classifier's accuracy is), prediction traces and the confusion matrix of the examples
    `x`, `y` (held-out rows; optional), weight histograms and settings. `report(history, path)`
    takes the model from history.model. The first batch's dropout masks are not recorded by fit,
    so the page says so. The page is written atomically; OSError when the tool is missing."""
    if isinstance(model, History):  # report(history, path, x, y, ...): shift by one
        model, history, path, x, y = model.model, model, history, path, x
        if model is None:
            raise ValueError("this History has no model: pass report(model, history, path)")
    if path is None:
        raise TypeError("report(model, history, path): the page's path is missing")
    if model is None or model._handle is None:
        raise ValueError("report needs a trained model")
    path = os.fspath(path)
    _check_page_path(path, model)
    epochs = _epochs(history)
    cli = find_cli()
    with tempfile.TemporaryDirectory(prefix="dropnet-report-") as tmp:
        model_file, log_file = os.path.join(tmp, "model.safetensors"), os.path.join(tmp, "log.jsonl")
        model.save(model_file)
        _write_log(log_file, epochs)
        args = [cli, "report", "--model", model_file, "--log", log_file, "--out",
                os.path.abspath(path), "--examples-name", str(examples_name),
                "--run", f"Python: model.fit(...) for {len(epochs)} epochs, then "
                         f"dropnet.report(model, history, {path!r})"]
        if x is not None:
            data_file = os.path.join(tmp, "examples.csv")
            label = _write_examples(data_file, model, x, y)
            args += ["--data", data_file, "--header", "yes"] + (["--label", label] if label else [])
        done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        message = done.stderr.strip().replace("dropnet: error: ", "")
        raise (OSError if "cannot write" in message else ValueError)(f"report: {message}")
    return path
