"""uncertainty.py — MC dropout (Gal & Ghahramani 2016) through dn_model_predict_mc."""
import ctypes as C
from collections import namedtuple

import numpy as np

from . import _data, _lib
from ._lib import lib

MCResult = namedtuple("MCResult", "mean std entropy mutual_information")


def mc_predict(model, x, samples=30):
    """T = `samples` stochastic passes with every dropout-family layer active. Returns
    MCResult(mean [rows, outputs], std [rows, outputs] (population), entropy [rows] (nats),
    mutual_information [rows] (the BALD score)); entropy and MI are NaN for a non-probability
    output. Deterministic for the model's seed."""
    xs = _data.as_features(x)
    h = model._ready(xs.shape[1])
    if xs.shape[1] != model._input_size:
        raise ValueError(f"x has {xs.shape[1]} features, the model takes {model._input_size}")
    if not np.all(np.isfinite(xs)):
        raise ValueError("x holds NaN or infinite values")
    rows, outputs = xs.shape[0], lib.dn_model_output_size(h)
    mean = np.empty((rows, outputs), np.float32)
    std = np.empty((rows, outputs), np.float32)
    ent, mi = np.empty(rows, np.float32), np.empty(rows, np.float32)
    p = _data.float_pointer
    err = _lib.Error()
    with model._lock:
        status = lib.dn_model_predict_mc(h, p(xs), rows, int(samples), p(mean), p(std), p(ent),
                                         p(mi), C.byref(err))
    _lib.check(status, err)
    return MCResult(mean, std, ent, mi)
