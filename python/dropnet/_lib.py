"""_lib.py — every ctypes prototype of libdropnet in one place, and the error translation.

All other modules call the library only through `lib` and `check` from here, so an API change in
include/dropnet.h is adapted in this one file. ctypes.CDLL releases the GIL around every foreign
call, so fit/evaluate/predict let other Python threads run.
"""
import ctypes as C
import os

c_size = C.c_size_t
c_float_p = C.POINTER(C.c_float)

# dn_status values (include/dropnet.h)
(OK, ERR_ARGUMENT, ERR_MEMORY, ERR_IO, ERR_FORMAT, ERR_SHAPE, ERR_NUMERIC, ERR_STATE, ERR_STOPPED,
 ERR_CANCELLED) = range(10)

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "selu", "elu", "gelu", "leaky_relu"]
INITIALIZERS = ["default", "glorot_uniform", "he_normal", "lecun_normal"]
LOSSES = {"sparse_categorical_crossentropy": 0, "mean_squared_error": 1, "binary_crossentropy": 2,
          "mean_absolute_error": 3}
LAYER_KINDS = ["Dense", "Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise"]
OPTIMIZER_SGD, OPTIMIZER_ADAM = 0, 1
MODE_INFERENCE, MODE_TRAINING = 0, 1
EVENT_EPOCH_BEGIN, EVENT_BATCH_END, EVENT_EPOCH_END = 0, 1, 2


class Error(C.Structure):
    _fields_ = [("status", C.c_int), ("message", C.c_char * 512)]


class OptimizerConfig(C.Structure):
    _fields_ = [("kind", C.c_int), ("learning_rate", C.c_float), ("momentum", C.c_float),
                ("nesterov", C.c_int), ("beta1", C.c_float), ("beta2", C.c_float),
                ("epsilon", C.c_float)]


class FitConfig(C.Structure):
    _fields_ = [("epochs", c_size), ("batch_size", c_size), ("shuffle", C.c_int),
                ("validation_split", C.c_double), ("validation_data", C.c_void_p),
                ("initial_epoch", c_size), ("cancel", C.c_void_p),
                ("reproducible", C.c_int), ("block_rows", c_size), ("reducer", C.c_void_p)]


class EpochMetrics(C.Structure):
    _fields_ = [("epoch", c_size), ("loss", C.c_double), ("accuracy", C.c_double),
                ("has_validation", C.c_int), ("val_loss", C.c_double),
                ("val_accuracy", C.c_double), ("seconds", C.c_double)]


class Event(C.Structure):
    _fields_ = [("kind", C.c_int), ("epoch", c_size), ("epochs", c_size), ("batch", c_size),
                ("batches", c_size), ("batch_rows", c_size), ("batch_index", C.POINTER(c_size)),
                ("loss", C.c_double), ("accuracy", C.c_double),
                ("metrics", C.POINTER(EpochMetrics))]


class LayerInfo(C.Structure):
    _fields_ = [("kind", C.c_int), ("name", C.c_char_p), ("inputs", c_size), ("outputs", c_size),
                ("activation", C.c_int), ("rate", C.c_float), ("param_count", c_size),
                ("param_offset", c_size)]


class DenseOptions(C.Structure):
    _fields_ = [("initializer", C.c_int), ("dropconnect", C.c_float)]


class Regularization(C.Structure):
    _fields_ = [("l2", C.c_float), ("max_norm", C.c_float)]


CALLBACK = C.CFUNCTYPE(C.c_int, C.POINTER(Event), C.c_void_p)


def _find_library():
    """DROPNET_LIBRARY, else the copy installed in the package, else the repository's build/."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("DROPNET_LIBRARY"), os.path.join(here, "libdropnet.so.0"),
                  os.path.join(here, "..", "..", "build", "libdropnet.so")]
    for path in candidates:
        if path and os.path.exists(path):
            return path
    raise OSError("libdropnet not found: build it with `make` in the dropnet repository, install "
                  "the package with `make python`, or set DROPNET_LIBRARY to its path")


lib = C.CDLL(_find_library())

_P = C.c_void_p  # opaque handles (dn_model *, dn_dataset *)
_E = C.POINTER(Error)
_PROTOTYPES = {
    "dn_version": (C.c_char_p, []),
    "dn_status_name": (C.c_char_p, [C.c_int]),
    "dn_optimizer_defaults": (OptimizerConfig, [C.c_int]),
    "dn_fit_defaults": (FitConfig, []),
    "dn_dataset_borrow": (C.c_int, [C.POINTER(_P), c_size, c_size, c_float_p,
                                    C.POINTER(C.c_int32), c_size, c_size, c_float_p, _E]),
    "dn_dataset_create_synthetic": (C.c_int, [C.POINTER(_P), c_size, c_size, c_size, C.c_uint64, _E]),
    "dn_dataset_get_row": (C.c_int, [_P, c_size, c_float_p, _E]),
    "dn_dataset_label": (C.c_int32, [_P, c_size]),
    "dn_dataset_rows": (c_size, [_P]),
    "dn_dataset_features": (c_size, [_P]),
    "dn_dataset_free": (None, [_P]),
    "dn_model_create": (C.c_int, [C.POINTER(_P), c_size, _E]),
    "dn_model_free": (None, [_P]),
    "dn_model_add_dense": (C.c_int, [_P, c_size, C.c_int, C.POINTER(DenseOptions), _E]),
    "dn_model_add_dropout": (C.c_int, [_P, C.c_float, _E]),
    "dn_model_add_alpha_dropout": (C.c_int, [_P, C.c_float, _E]),
    "dn_model_add_gaussian_dropout": (C.c_int, [_P, C.c_float, _E]),
    "dn_model_add_gaussian_noise": (C.c_int, [_P, C.c_float, _E]),
    "dn_model_set_regularization": (C.c_int, [_P, C.POINTER(Regularization), _E]),
    "dn_model_regularization": (Regularization, [_P]),
    "dn_model_compile": (C.c_int, [_P, C.c_int, C.POINTER(OptimizerConfig), C.c_uint64, _E]),
    "dn_model_input_size": (c_size, [_P]),
    "dn_model_output_size": (c_size, [_P]),
    "dn_model_layer_count": (c_size, [_P]),
    "dn_model_param_count": (c_size, [_P]),
    "dn_model_loss": (C.c_int, [_P]),
    "dn_model_seed": (C.c_uint64, [_P]),
    "dn_model_layer_info": (C.c_int, [_P, c_size, C.POINTER(LayerInfo), _E]),
    "dn_model_dense_options": (C.c_int, [_P, c_size, C.POINTER(DenseOptions), _E]),
    "dn_model_params": (c_float_p, [_P]),
    "dn_model_set_threads": (C.c_int, [_P, C.c_int, _E]),
    "dn_model_set_precision": (C.c_int, [_P, C.c_int, _E]),
    "dn_model_precision": (C.c_int, [_P]),
    "dn_model_set_learning_rate": (C.c_int, [_P, C.c_float, _E]),
    "dn_model_learning_rate": (C.c_float, [_P]),
    "dn_model_step": (C.c_uint64, [_P]),
    "dn_model_epochs_done": (C.c_uint64, [_P]),
    "dn_model_fit": (C.c_int, [_P, _P, C.POINTER(FitConfig), CALLBACK, C.c_void_p,
                               C.POINTER(EpochMetrics), _E]),
    "dn_model_evaluate": (C.c_int, [_P, _P, C.POINTER(C.c_double), C.POINTER(C.c_double), _E]),
    "dn_model_predict": (C.c_int, [_P, c_float_p, c_size, c_float_p, _E]),
    "dn_model_prepare_inference": (C.c_int, [_P, _E]),
    "dn_model_inference_prepared": (C.c_int, [_P]),
    "dn_model_predict_mc": (C.c_int, [_P, c_float_p, c_size, c_size, c_float_p, c_float_p,
                                      c_float_p, c_float_p, _E]),
    "dn_model_forward": (C.c_int, [_P, c_float_p, c_size, C.c_int, C.c_uint64, c_float_p, _E]),
    "dn_model_activation": (c_float_p, [_P, c_size, C.POINTER(c_size), C.POINTER(c_size)]),
    "dn_model_save": (C.c_int, [_P, C.c_char_p, _E]),
    "dn_model_save_as": (C.c_int, [_P, C.c_char_p, C.c_int, _E]),
    "dn_model_load": (C.c_int, [C.POINTER(_P), C.c_char_p, _E]),
    "dn_model_set_class_names": (C.c_int, [_P, C.POINTER(C.c_char_p), c_size, _E]),
    "dn_model_class_name": (C.c_char_p, [_P, c_size]),
    "dn_model_set_metadata": (C.c_int, [_P, C.c_char_p, C.c_char_p, _E]),
    "dn_model_get_metadata": (C.c_char_p, [_P, C.c_char_p]),
}
for _name, (_res, _args) in _PROTOTYPES.items():
    _fn = getattr(lib, _name)
    # float * arguments travel as plain addresses (numpy's arr.ctypes.data): building a typed
    # pointer per call costs microseconds that predict() of one row would feel.
    _fn.restype, _fn.argtypes = _res, [_P if a is c_float_p else a for a in _args]


class NotCompiledError(RuntimeError, ValueError):
    """A call made before compile (Keras raises RuntimeError; it is also a ValueError)."""


def _exception_for(status):
    if status == ERR_IO:
        return OSError
    if status == ERR_MEMORY:
        return MemoryError
    if status == ERR_STATE:
        return NotCompiledError
    return ValueError  # argument, format, shape, numeric


def check(status, err, context=None):
    """Raises the Python exception for a failed call, carrying the library's message."""
    if status == OK:
        return
    message = err.message.decode("utf-8", "replace")
    if context:
        message = f"{context}: {message}"
    raise _exception_for(status)(message)


def version():
    return lib.dn_version().decode()
