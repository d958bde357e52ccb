"""trace.py — the layer-by-layer prediction trace of one row (the CLI's `dropnet trace`), as data
and as text."""
import ctypes as C

import numpy as np

from . import _data, _lib
from ._lib import lib


def _row_text(row):
    if len(row) <= 4:
        return "[" + ", ".join(f"{v:.2f}" for v in row) + "]"
    return f"[{row[0]:.2f}, {row[1]:.2f}, {row[2]:.2f}, ..., {row[-1]:.2f}]"


class Trace:
    """steps: list of dicts {layer, type, name, detail, output (float32 array)}; prediction: the
    network's output row; text via str()."""

    def __init__(self, steps, prediction):
        self.steps, self.prediction = steps, prediction

    def __str__(self):
        lines = []
        for i, s in enumerate(self.steps, 1):
            lines.append(f" Layer {i:<3} {s['name']:<26} {_row_text(s['output'])}  {s['detail']}")
        if len(self.prediction) > 1:
            k = int(np.argmax(self.prediction))
            lines.append(f" Predicted class {k} (p = {self.prediction[k]:.3f})")
        return "\n".join(lines)


def trace(model, x_row):
    row = _data.as_features(np.asarray(x_row, dtype=np.float32).reshape(1, -1), "x_row")
    h = model._ready(row.shape[1])
    if row.shape[1] != model._input_size or not np.all(np.isfinite(row)):
        raise ValueError(f"x_row must be {model._input_size} finite features, found "
                         f"{row.shape[1]} values")
    err = _lib.Error()
    with model._lock:
        _lib.check(lib.dn_model_forward(h, _data.float_pointer(row), 1, _lib.MODE_INFERENCE, 0,
                                        None, C.byref(err)), err)
        infos = model._layer_infos()

        def activation(i):
            rows, cols = _lib.c_size(), _lib.c_size()
            p = lib.dn_model_activation(h, i, C.byref(rows), C.byref(cols))
            return np.ctypeslib.as_array(p, shape=(cols.value,)).copy()

        steps = [dict(layer=0, type="Input", name="Input", output=activation(0),
                      detail=f"{row.shape[1]} features")]
        for i, info in enumerate(infos, 1):
            kind = _lib.LAYER_KINDS[info.kind]
            out = activation(i)
            if kind == "Dense":
                act = _lib.ACTIVATIONS[info.activation]
                name = f"Dense({info.outputs}, {act})"
                detail = f"x·W + b, then {act}"
                if act == "relu":
                    detail += f": {int(np.sum(out == 0))} of {len(out)} units zero"
                if act == "softmax":
                    detail = f"probabilities, sum {out.sum():.4f}"
            else:
                name = f"{kind}({info.rate:g}) (inference)"
                detail = "passes values through unchanged"
            steps.append(dict(layer=i, type=kind, name=name, output=out, detail=detail))
    return Trace(steps, steps[-1]["output"])
