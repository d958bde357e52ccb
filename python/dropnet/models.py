"""models.py — the Keras Sequential model over one dn_model handle, and load_model."""
import ctypes as C
import json
import math
import os
import signal
import sys
import threading
import time

import numpy as np

from . import _data, _lib, callbacks as cbks, layers as L, optimizers
from ._lib import lib

_LOSS_ALIASES = {"sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
                 "categorical_crossentropy": "sparse_categorical_crossentropy",  # one-hot y
                 "mse": "mean_squared_error", "mean_squared_error": "mean_squared_error",
                 "binary_crossentropy": "binary_crossentropy"}
_LOSS_NAMES = {v: k for k, v in _lib.LOSSES.items()}
_PRECISIONS = ["fp32", "bf16"]  # index = dn_precision
_F32 = np.dtype(np.float32)
_predict = lib.dn_model_predict


class Sequential:
    """Sequential(layers): Keras' model of a stack of layers, running in libdropnet.

    The library model is built when the number of features is known (an Input layer,
    input_shape= on the first layer, or the first fit) and compiled by compile(). One model must
    not run two calls at once; a lock serialises threads that share it (distinct models run in
    parallel, the GIL released)."""

    def __init__(self, layers=None, name="sequential"):
        self.name, self.layers = name, []
        self._handle, self._input_size, self._compile_args = None, None, None
        self._outputs = 0  # the output size, cached once built (predict reads it per call)
        self._err = _lib.Error()  # predict's, reused under the lock
        self._err_ref = C.byref(self._err)
        self._lock = threading.RLock()
        self.stop_training = False
        self.history = None
        self._class_values = None  # the original labels behind the class names (classes_)
        for layer in layers or []:
            self.add(layer)

    # -- building ------------------------------------------------------------------------------
    def add(self, layer):
        if self._handle is not None:
            raise ValueError("cannot add a layer to a model that is already built")
        if isinstance(layer, L.Input):
            self._input_size = int(layer.input_shape[0])
            return
        if not isinstance(layer, L.Layer):
            raise TypeError(f"expected a dropnet.layers layer, found {layer!r}")
        if layer.input_shape is not None and not self.layers:
            self._input_size = int(layer.input_shape[-1])
        self.layers.append(layer)

    def _add_layer(self, layer, err):
        h = self._handle
        if isinstance(layer, L.Dense):
            opts = _lib.DenseOptions(_lib.INITIALIZERS.index(layer.kernel_initializer),
                                     layer.dropconnect)
            return lib.dn_model_add_dense(h, layer.units, _lib.ACTIVATIONS.index(layer.activation),
                                             C.byref(opts), err)
        adders = {L.Dropout: lib.dn_model_add_dropout, L.AlphaDropout: lib.dn_model_add_alpha_dropout,
                  L.GaussianDropout: lib.dn_model_add_gaussian_dropout}
        if isinstance(layer, L.GaussianNoise):
            return lib.dn_model_add_gaussian_noise(h, layer.stddev, err)
        return adders[type(layer)](h, layer.rate, err)

    def _build_and_compile(self):
        err = _lib.Error()
        handle = C.c_void_p()
        _lib.check(lib.dn_model_create(C.byref(handle), self._input_size, C.byref(err)), err)
        self._handle = handle
        try:
            for layer in self.layers:
                _lib.check(self._add_layer(layer, C.byref(err)), err, f"layer {layer!r}")
            a = self._compile_args
            reg = _lib.Regularization(a["l2"], a["max_norm"])
            _lib.check(lib.dn_model_set_regularization(handle, C.byref(reg), C.byref(err)), err)
            config = a["optimizer"]._config()
            _lib.check(lib.dn_model_compile(handle, _lib.LOSSES[a["loss"]], C.byref(config),
                                            a["seed"], C.byref(err)), err)
            if a["threads"]:
                _lib.check(lib.dn_model_set_threads(handle, a["threads"], C.byref(err)), err)
            _lib.check(lib.dn_model_set_precision(handle, _PRECISIONS.index(a["precision"]),
                                                  C.byref(err)), err)
        except BaseException:
            self._free()
            raise

    def compile(self, optimizer="adam", loss="sparse_categorical_crossentropy", metrics=None,
                seed=42, l2=0.0, max_norm=0.0, threads=0, precision="fp32"):
        """Keras' compile. `loss`: sparse_categorical_crossentropy, categorical_crossentropy
        (one-hot y), binary_crossentropy, mse. Beyond Keras: `seed` (init, shuffling and every
        dropout mask; 42 as the CLI), `l2` and `max_norm` on every kernel, `threads` (0 = all),
        `precision` "fp32" or "bf16" (bf16 products with fp32 sums and fp32 weights, as
        Keras' "mixed_bfloat16" policy on CPU; dn_model_set_precision)."""
        if precision not in _PRECISIONS:
            raise ValueError(f"unknown precision {precision!r} (expected 'fp32' or 'bf16')")
        if loss not in _LOSS_ALIASES:
            raise ValueError(f"unknown loss {loss!r} (expected one of {', '.join(_LOSS_ALIASES)})")
        for metric in metrics or []:
            if metric not in ("accuracy", "acc"):
                raise ValueError(f"unknown metric {metric!r} (dropnet reports 'accuracy')")
        if not self.layers:
            raise ValueError("the model has no layers")
        self._compile_args = dict(optimizer=optimizers.get(optimizer), loss=_LOSS_ALIASES[loss],
                                  one_hot=(loss == "categorical_crossentropy"),
                                  metrics=list(metrics or []), seed=int(seed), l2=float(l2),
                                  max_norm=float(max_norm), threads=int(threads),
                                  precision=precision)
        self._free()
        if self._input_size is not None:
            self._build_and_compile()

    def _ready(self, features=None):
        if self._compile_args is None:
            raise _lib.NotCompiledError("You must compile your model before training/testing. "
                                        "Use `model.compile(optimizer, loss)`.")
        if self._handle is None:
            if features is None:
                raise ValueError("the model's input size is unknown: give an Input layer, "
                                 "input_shape= on the first layer, or fit it first")
            self._input_size = features
            self._build_and_compile()
        return self._handle

    def _output_size(self):
        self._outputs = int(lib.dn_model_output_size(self._handle))
        return self._outputs

    def _free(self):
        if getattr(self, "_handle", None):
            lib.dn_model_free(self._handle)
        self._handle, self._outputs = None, 0

    def __del__(self):
        self._free()

    # -- properties ----------------------------------------------------------------------------
    @property
    def learning_rate(self):
        return float(lib.dn_model_learning_rate(self._ready()))

    @learning_rate.setter
    def learning_rate(self, value):
        err = _lib.Error()
        _lib.check(lib.dn_model_set_learning_rate(self._ready(), value, C.byref(err)), err)

    @property
    def seed(self):
        return int(lib.dn_model_seed(self._ready()))

    @property
    def loss(self):
        return self._compile_args["loss"] if self._compile_args else None

    def count_params(self):
        return int(lib.dn_model_param_count(self._ready()))

    def _layer_infos(self):
        h, err = self._ready(), _lib.Error()
        infos = []
        for i in range(lib.dn_model_layer_count(h)):
            info = _lib.LayerInfo()
            _lib.check(lib.dn_model_layer_info(h, i, C.byref(info), C.byref(err)), err)
            infos.append(info)
        return infos

    # -- weights -------------------------------------------------------------------------------
    def _slab(self):
        h = self._ready()
        return np.ctypeslib.as_array(lib.dn_model_params(h), shape=(lib.dn_model_param_count(h),))

    def get_weights(self):
        """[kernel [in, out], bias [out]] for each Dense layer, as copies (Keras' layout)."""
        with self._lock:
            slab = self._slab()
            out = []
            for info in self._layer_infos():
                if info.kind == 0:
                    k = info.inputs * info.outputs
                    o = info.param_offset
                    out.append(slab[o:o + k].reshape(info.inputs, info.outputs).copy())
                    out.append(slab[o + k:o + k + info.outputs].copy())
            return out

    def set_weights(self, weights):
        with self._lock:
            slab, pos = self._slab(), 0
            dense = [i for i in self._layer_infos() if i.kind == 0]
            if len(weights) != 2 * len(dense):
                raise ValueError(f"set_weights expects {2 * len(dense)} arrays (kernel and bias of "
                                 f"{len(dense)} Dense layers), found {len(weights)}")
            for info in dense:
                k = info.inputs * info.outputs
                for arr, shape, size in ((weights[pos], (info.inputs, info.outputs), k),
                                         (weights[pos + 1], (info.outputs,), info.outputs)):
                    arr = np.asarray(arr, dtype=np.float32)
                    if arr.shape != shape:
                        raise ValueError(f"layer {info.name.decode()}: weight shape {arr.shape}, "
                                         f"expected {shape}")
                    if not np.all(np.isfinite(arr)):
                        raise ValueError(f"layer {info.name.decode()}: weights must be finite")
                pos += 2
            pos = 0
            for info in dense:
                k, o = info.inputs * info.outputs, info.param_offset
                slab[o:o + k] = np.asarray(weights[pos], dtype=np.float32).ravel()
                slab[o + k:o + k + info.outputs] = np.asarray(weights[pos + 1], dtype=np.float32)
                pos += 2

    # -- class and feature names ---------------------------------------------------------------
    @property
    def class_names(self):
        """The class names stored in the model (learnt from named labels in fit, or read from a
        file trained on them), else None. Output unit i is class class_names[i]; one sigmoid
        unit has two names (classes 0 and 1)."""
        h = self._handle
        if h is None or lib.dn_model_class_name(h, 0) is None:
            return None
        n = max(2, int(lib.dn_model_output_size(h)))
        return [lib.dn_model_class_name(h, i).decode() for i in range(n)
                if lib.dn_model_class_name(h, i) is not None]

    def _set_class_names(self, names):
        texts = (C.c_char_p * len(names))(*[n.encode() for n in names])
        err = _lib.Error()
        _lib.check(lib.dn_model_set_class_names(self._handle, texts, len(names), C.byref(err)),
                   err, "class names")

    def _label_ids(self, y, name="y", learn=False):
        """Labels as class ids, by the CLI's rule for a CSV label column (docs/PYTHON.md):
        - named labels (strings, objects, booleans) map through the model's class names; with
          learn=True a model without names takes the sorted distinct labels (LabelEncoder);
        - numbers map through the class names when those are integer values (a model trained by
          the CLI on integer labels, or here on labels that were not ids), else they are class
          ids 0..C-1 as in Keras; with learn=True, integers that are not all ids (1-based, -1/1)
          become classes in numeric order, their decimal texts the names, as the CLI numbers them.
        Other numbers (one-hot rows, soft binary targets) pass unchanged."""
        if y is None:
            return y
        named = _data.is_named_labels(y)
        if self._compile_args["loss"] == "mean_squared_error":
            if named:
                raise TypeError(f"{name} holds text labels; loss 'mse' needs numeric targets")
            return y
        names = self.class_names
        if named:
            texts = _data.label_texts(y, name)
            if names is None and not learn:
                raise ValueError(f"{name} holds named labels but the model has no class names: "
                                 "fit it on named labels first")
        else:
            values = _data.integer_values(y)
            if values is None:  # not integral class labels: the dataset's own checks apply
                return y
            if names is not None and not _data.all_integer_texts(names):
                return y  # class ids of a model with named classes
            if names is None and (not learn or _data.are_class_ids(values, self._class_count())):
                return y
            texts = values.astype(str)
        if names is None:
            names = self._learn_class_names(y, texts, name, named)
        return _data.ids_by_name(texts, names, name)

    def _class_count(self):
        outputs = int(lib.dn_model_output_size(self._handle))
        return 2 if outputs == 1 else outputs

    def _learn_class_names(self, y, texts, name, named):
        """The sorted distinct labels as the model's classes (text order for names, numeric
        order for integers), one per output unit; remembers their original values."""
        if named:
            arr = np.asarray(y).ravel()
            names = np.unique(texts).tolist()
            values = np.unique(arr) if arr.dtype.kind == "b" else np.array(names, dtype=object)
        else:
            values = np.unique(texts.astype(np.int64))
            names = [str(v) for v in values]
        count = self._class_count()
        if len(names) != count:
            what = "labels" if named else "label values"
            raise ValueError(f"{name} has {len(names)} distinct {what} ({', '.join(names[:8])}"
                             f"{', ...' if len(names) > 8 else ''}) but the model has "
                             f"{int(lib.dn_model_output_size(self._handle))} outputs: labels need "
                             "one class per output unit (two for one sigmoid unit)"
                             + ("" if named else f", or class ids 0..{count - 1}"))
        self._set_class_names(names)
        self._class_values = values
        return names

    @property
    def classes_(self):
        """The class labels of the output units (scikit-learn's name), in their original type
        when learnt in this session (strings, booleans, integers); after load_model integers
        for integer class names, else strings. None when the model has no class names."""
        names = self.class_names
        if names is None:
            return None
        cached = getattr(self, "_class_values", None)
        if cached is not None and [str(v) for v in cached] == names:
            return cached
        if _data.all_integer_texts(names):
            return np.array([int(n) for n in names], dtype=np.int64)
        return np.array(names, dtype=object)

    def predict_classes(self, x, batch_size=None, verbose=0):
        """The predicted class of each row: argmax of predict (0.5 threshold for one sigmoid
        unit), mapped back to the labels fit was given (classes_), else class ids. (Keras
        removed this method in 2.6 in favour of np.argmax(model.predict(x), axis=-1).)"""
        if self._compile_args and self._compile_args["loss"] == "mean_squared_error":
            raise ValueError("predict_classes needs a classifier; this model's loss is mse")
        p = self.predict(x)
        ids = (p[:, 0] > 0.5).astype(np.int64) if p.shape[1] == 1 else p.argmax(axis=1)
        classes = self.classes_
        return ids if classes is None else classes[ids]

    @property
    def feature_names(self):
        """The column names of the DataFrame the model was trained on (metadata "columns", as
        `dropnet train` writes for a CSV file with a header), else None."""
        raw = lib.dn_model_get_metadata(self._handle, b"columns") if self._handle else None
        if not raw:
            return None
        columns = json.loads(raw.decode())
        return list(columns["features"]) if columns.get("header") else None

    @property
    def feature_names_in_(self):
        """scikit-learn's name for feature_names: an object ndarray of the training DataFrame's
        column names; AttributeError when the model has none (as in scikit-learn)."""
        names = self.feature_names
        if names is None:
            raise AttributeError("the model was not trained on a DataFrame with string column "
                                 "names: it has no feature_names_in_")
        return np.array(names, dtype=object)

    def _record_columns(self, names, y):
        """Keeps a DataFrame's column names (and a Series label's name) in the model, so that the
        CLI's eval/predict/trace read a CSV file's columns by these names."""
        columns = {"header": True}
        if getattr(y, "name", None) is not None:
            columns["label"] = str(y.name)
        columns["features"] = names
        err = _lib.Error()
        _lib.check(lib.dn_model_set_metadata(self._handle, b"columns",
                                             json.dumps(columns, ensure_ascii=False).encode(),
                                             C.byref(err)), err, "feature names")

    def _by_name(self, x, name="x"):
        """A DataFrame's columns in the model's feature order, picked by name (any order, extra
        columns ignored, as the CLI reads a CSV file); other inputs unchanged."""
        given = _data.feature_names(x)
        names = self.feature_names if given is not None else None
        if names is None or given == names:
            return x
        missing = [n for n in names if n not in set(given)]
        if missing:
            raise ValueError(f"{name} has no column {missing[0]!r}, one of the model's features "
                             f"({', '.join(names)}); it holds {', '.join(given)}")
        return x[names]

    # -- data ----------------------------------------------------------------------------------
    def _dataset(self, x, y, name="x"):
        a = self._compile_args
        xs = _data.as_features(x, name)
        h = self._ready(xs.shape[1])
        if xs.shape[1] != self._input_size:
            raise ValueError(f"{name} has {xs.shape[1]} features, the model takes {self._input_size}")
        if y is None:
            return _data.Dataset(xs)
        if len(y) != xs.shape[0]:
            raise ValueError(f"{name} has {xs.shape[0]} rows but y has {len(y)}")
        outputs = int(lib.dn_model_output_size(h))
        if a["loss"] == "sparse_categorical_crossentropy":
            return _data.Dataset(xs, labels=_data.integer_labels(y, outputs), classes=outputs)
        t = np.asarray(y, dtype=np.float32)
        t = t.reshape(-1, 1) if t.ndim == 1 else t
        if t.shape[1] != outputs:
            raise ValueError(f"y has {t.shape[1]} columns, the model has {outputs} outputs")
        return _data.Dataset(xs, targets=t)

    # -- training ------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, seed=None, initial_epoch=0):
        """Keras' fit. validation_split takes the LAST rows (before shuffling), as Keras.
        `seed`, when given and different from compile's, re-initialises an untrained model from
        it (as `dropnet train --seed`); a trained model refuses it. Ctrl-C stops within one
        batch with KeyboardInterrupt; the model keeps the weights of its last finished batch."""
        if seed is not None and self._compile_args and int(seed) != self._compile_args["seed"]:
            if self._handle is not None and lib.dn_model_step(self._handle) > 0:
                raise ValueError("fit(seed=...) differs from the seed this model was trained "
                                 "with; compile(seed=...) a fresh model instead")
            self._compile_args["seed"] = int(seed)
            self._free()
        x = self._by_name(x)
        columns = _data.feature_names(x)
        xs = _data.as_features(x, "x")
        self._ready(xs.shape[1])
        had_names = self.class_names is not None
        try:
            train, val = self._fit_data(xs, y, validation_split, validation_data)
        except BaseException:  # names learnt from y are not kept when fit refuses the data
            if not had_names and self.class_names is not None:
                lib.dn_model_set_class_names(self._handle, None, 0, None)
            raise
        if columns is not None:
            self._record_columns(columns, y)
        return self._run_fit(train, val, batch_size or 32, epochs, verbose, callbacks, shuffle,
                             initial_epoch)

    def _fit_data(self, xs, y, validation_split, validation_data):
        """The training and validation datasets of fit (named labels mapped to class ids)."""
        rows = xs.shape[0]
        y = self._label_ids(y, learn=True)
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"validation_split must be in [0, 1), found {validation_split}")
        n_val = int(rows * validation_split) if validation_data is None else 0
        if validation_split and n_val == 0:
            raise ValueError(f"validation_split {validation_split} of {rows} rows leaves no "
                             "validation rows")
        train = self._dataset(xs[:rows - n_val], np.asarray(y)[:rows - n_val] if y is not None else None)
        val = None
        if n_val:
            val = self._dataset(xs[rows - n_val:], np.asarray(y)[rows - n_val:])
        elif validation_data is not None:
            val = self._dataset(self._by_name(validation_data[0], "validation_data x"),
                                self._label_ids(validation_data[1], "validation_data y"),
                                "validation_data x")
        return train, val

    def _run_fit(self, train, val, batch_size, epochs, verbose, callbacks, shuffle, initial_epoch):
        from ._progress import Progress
        history = cbks.History()
        if verbose == "auto":
            verbose = 1
        steps = -(-int(lib.dn_dataset_rows(train.handle)) // batch_size)  # batches per epoch
        history.params = {"verbose": verbose, "epochs": epochs, "steps": steps}  # as Keras
        cb_list = list(callbacks or []) + [history]
        if verbose:
            cb_list.append(Progress(verbose, epochs, steps))
        for cb in cb_list:
            cb.set_model(self)
        config = lib.dn_fit_defaults()
        config.epochs, config.batch_size = epochs, batch_size
        config.shuffle, config.initial_epoch = int(bool(shuffle)), initial_epoch
        config.validation_data = val.handle if val is not None else None
        cancel = C.c_int(0)  # dn_fit_config.cancel (sig_atomic_t is int): set on Ctrl-C
        config.cancel = C.addressof(cancel)
        pending = []  # an exception raised inside the callback, re-raised after fit returns
        want_accuracy = self._compile_args["loss"] != "mean_squared_error"

        def on_event(event_p, _user):
            try:
                ev = event_p.contents
                if ev.kind == _lib.EVENT_EPOCH_BEGIN:
                    for cb in cb_list:
                        cb.on_epoch_begin(ev.epoch - 1)
                elif ev.kind == _lib.EVENT_BATCH_END:
                    logs = {"loss": ev.loss}
                    if want_accuracy:
                        logs["accuracy"] = ev.accuracy
                    for cb in cb_list:
                        cb.on_train_batch_end(ev.batch - 1, logs)
                else:
                    m = ev.metrics.contents
                    logs = {"loss": m.loss}
                    if want_accuracy:
                        logs["accuracy"] = m.accuracy
                    if m.has_validation:
                        logs["val_loss"] = m.val_loss
                        if want_accuracy:
                            logs["val_accuracy"] = m.val_accuracy
                    for cb in cb_list:
                        cb.on_epoch_end(ev.epoch - 1, logs)
                return 1 if self.stop_training else 0
            except KeyboardInterrupt:  # raised in a thread's callback code: cancel, as Ctrl-C
                cancel.value = 1
                return 0
            except BaseException as exc:  # stop, re-raise outside
                pending.append(exc)
                return 1

        c_callback = _lib.CALLBACK(on_event)
        err = _lib.Error()
        with self._lock, _sigint_cancels(cancel):
            self.stop_training = False
            for cb in cb_list:
                cb.on_train_begin()
            try:
                status = lib.dn_model_fit(self._handle, train.handle, C.byref(config), c_callback,
                                          None, None, C.byref(err))
            finally:
                for cb in cb_list:
                    cb.on_train_end()
        if pending:
            raise pending[0]
        if status == _lib.ERR_CANCELLED:
            raise KeyboardInterrupt(err.message.decode("utf-8", "replace"))
        if status != _lib.ERR_STOPPED:
            _lib.check(status, err)
        self.history = history
        if cancel.value:  # Ctrl-C after the last batch: training is complete, the key not lost
            raise KeyboardInterrupt("training finished as Ctrl-C arrived")
        return history

    def evaluate(self, x, y, batch_size=None, verbose=0):
        """[loss, accuracy] (just the loss without metrics or for mse), at inference."""
        data = self._dataset(self._by_name(x), self._label_ids(y))
        loss, acc, err = C.c_double(), C.c_double(), _lib.Error()
        with self._lock:
            status = lib.dn_model_evaluate(self._handle, data.handle, C.byref(loss), C.byref(acc),
                                           C.byref(err))
        _lib.check(status, err)
        if self._compile_args["metrics"] and not math.isnan(acc.value):
            return [loss.value, acc.value]
        return loss.value

    def predict(self, x, batch_size=None, verbose=0):
        """The last layer's output [rows, outputs] as float32 (probabilities for softmax)."""
        # The common case, a float32 C-contiguous 2-D ndarray on a built model, skips the general
        # conversion: predict of one row is dominated by this Python (docs/PYTHON.md, Speed).
        if not (type(x) is np.ndarray and x.dtype == _F32 and x.ndim == 2 and x.flags.c_contiguous
                and x.size):
            x = _data.as_features(self._by_name(x))
        h = self._handle or self._ready(x.shape[1])
        if x.shape[1] != self._input_size:
            raise ValueError(f"x has {x.shape[1]} features, the model takes {self._input_size}")
        _data.check_finite(x)
        out = np.empty((x.shape[0], self._outputs or self._output_size()), dtype=_F32)
        with self._lock:
            status = _predict(h, x.ctypes.data, x.shape[0], out.ctypes.data, self._err_ref)
            if status:
                _lib.check(status, self._err)
        return out

    # -- inspection ----------------------------------------------------------------------------
    def summary(self, print_fn=None):
        """Prints (or passes to print_fn) the CLI's Keras-style table."""
        rule = lambda c: c * 65
        lines = [f'Model: "{self.name}"', rule("_"),
                 f" {'Layer (type)':<27} {'Output Shape':<25} Param #", rule("=")]
        total = 0
        for info in self._layer_infos():
            left = f"{info.name.decode()} ({_lib.LAYER_KINDS[info.kind]})"
            lines.append(f" {left:<27} {f'(None, {info.outputs})':<25} {info.param_count}")
            total += info.param_count
        lines += [rule("="), f"Total params: {total}", f"Trainable params: {total}",
                  "Non-trainable params: 0", rule("_")]
        text = "\n".join(lines)
        (print_fn or print)(text)
        return None

    def trace(self, x_row):
        """The prediction trace of one row at inference: a Trace with .steps (one per layer:
        name, type, detail, output array) and str(trace) the CLI-style text."""
        from .trace import trace
        return trace(self, x_row)

    # -- files ---------------------------------------------------------------------------------
    def save(self, filepath, weights="fp32"):
        """Saves as the CLI does (safetensors, atomic); `dropnet eval --model` reads it.
        `weights="bf16"` stores the Dense kernels as BF16 (rounded to nearest even, half the
        bytes; `dropnet train --store bf16`): the file loads as a bf16-precision model that
        predicts what this one predicts with precision="bf16" (dn_model_save_as)."""
        if weights not in _PRECISIONS:
            raise ValueError(f"unknown weights {weights!r} (expected 'fp32' or 'bf16')")
        err = _lib.Error()
        with self._lock:
            status = lib.dn_model_save_as(self._ready(), os.fsencode(filepath),
                                          _PRECISIONS.index(weights), C.byref(err))
        _lib.check(status, err)


class _sigint_cancels:
    """While fit runs in the main thread, Ctrl-C sets the library's cancel flag instead of raising
    KeyboardInterrupt wherever Python happens to be. CPython runs a SIGINT handler only between
    bytecodes, so it runs in the next batch's callback; the flag then stops fit before another
    batch (DN_ERR_CANCELLED), and fit raises KeyboardInterrupt once the model is consistent.
    Raising inside the callback instead could land outside its try block (at the function's
    entry), where ctypes prints and drops the exception and training would go on. A handler the
    application installed itself is left in place."""

    def __init__(self, flag):
        self.flag, self.previous = flag, None

    def _handler(self, signum, frame):
        self.flag.value = 1

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self.previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


def load_model(filepath):
    """Loads a safetensors model written by model.save or `dropnet train`, compiled and ready."""
    handle, err = C.c_void_p(), _lib.Error()
    _lib.check(lib.dn_model_load(C.byref(handle), os.fsencode(filepath), C.byref(err)), err)
    model = Sequential()
    model._handle, model._input_size = handle, int(lib.dn_model_input_size(handle))
    model._source_path = os.path.abspath(filepath)  # dropnet.report never writes over it
    reg = lib.dn_model_regularization(handle)
    loss = _LOSS_NAMES[lib.dn_model_loss(handle)]
    model._compile_args = dict(optimizer=None, loss=loss, one_hot=False,
                               metrics=[] if loss == "mean_squared_error" else ["accuracy"],
                               seed=int(lib.dn_model_seed(handle)), l2=reg.l2,
                               max_norm=reg.max_norm, threads=0,
                               precision=_PRECISIONS[lib.dn_model_precision(handle)])
    for info in model._layer_infos():
        kind = _lib.LAYER_KINDS[info.kind]
        if kind == "Dense":
            opts = _lib.DenseOptions()
            lib.dn_model_dense_options(handle, len(model.layers), C.byref(opts), None)
            layer = L.Dense(int(info.outputs), _lib.ACTIVATIONS[info.activation],
                            _lib.INITIALIZERS[opts.initializer], opts.dropconnect)
        elif kind == "GaussianNoise":
            layer = L.GaussianNoise(info.rate)
        else:
            layer = getattr(L, kind)(info.rate)
        layer.name = info.name.decode()
        model.layers.append(layer)
    return model
