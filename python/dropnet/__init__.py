"""dropnet — Keras-style and scikit-learn front end over libdropnet (docs/PYTHON.md)."""
from . import callbacks, layers, optimizers
from ._lib import NotCompiledError, version
from .callbacks import History
from .models import Sequential, load_model
from .report import report
from .trace import Trace
from .uncertainty import MCResult, mc_predict

__version__ = "0.1.0"

__all__ = ["Sequential", "load_model", "mc_predict", "MCResult", "Trace", "History", "layers",
           "optimizers", "callbacks", "NotCompiledError", "version", "demo", "report"]


def demo(seed=42, epochs=5, verbose=1):
    """The seed pipeline (as `dropnet demo`): 1000 × 20 synthetic rows in 3 classes,
    Dropout(0.2) → Dense(10, relu) → Dense(3, softmax), Adam lr 0.005, batch 32, the last 20 %
    for validation. Returns (model, history)."""
    import ctypes as C
    import numpy as np
    from . import _lib
    handle, err = C.c_void_p(), _lib.Error()
    _lib.check(_lib.lib.dn_dataset_create_synthetic(C.byref(handle), 1000, 20, 3, seed,
                                                    C.byref(err)), err)
    try:
        x = np.empty((1000, 20), np.float32)
        y = np.empty(1000, np.int32)
        for r in range(1000):
            _lib.lib.dn_dataset_get_row(handle, r, x[r].ctypes.data, None)
            y[r] = _lib.lib.dn_dataset_label(handle, r)
    finally:
        _lib.lib.dn_dataset_free(handle)
    model = Sequential([layers.Input(shape=(20,)), layers.Dropout(0.2),
                        layers.Dense(10, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(0.005), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], seed=seed)
    history = model.fit(x, y, epochs=epochs, validation_split=0.2, verbose=verbose)
    return model, history
