"""_data.py — numpy arrays to library datasets, without copying float32 C-contiguous features.

A float32 C-contiguous array (or any buffer-protocol object numpy can view as one) is handed to
dn_dataset_borrow as it is; other dtypes and layouts are converted once. The Dataset object keeps
the array alive for as long as the library may read it.
"""
import ctypes as C

import numpy as np

from . import _lib
from ._lib import lib

_isfinite = np.isfinite


def feature_names(x):
    """The column names of a pandas DataFrame when they are all strings, else None: scikit-learn
    1.2's rule (_get_feature_names), so pd.DataFrame(array)'s 0, 1, ... are no names; a mix of
    string and other names is a TypeError, as there."""
    columns = getattr(x, "columns", None)
    if columns is None or len(columns) == 0:
        return None
    types = sorted({type(c).__qualname__ for c in columns})
    if len(types) > 1 and "str" in types:
        raise TypeError("feature names are only supported if all columns have string names, "
                        f"but x has {types} as column name types: convert them all with "
                        "x.columns = x.columns.astype(str), or none")
    return [str(c) for c in columns] if types == ["str"] else None


def as_features(x, name="x"):
    """x as a float32 C-contiguous 2-D array: the caller's memory when it already is one."""
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):
        x = x.to_numpy()
    arr = np.asarray(x)  # a view for ndarrays and buffer-protocol objects
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold numbers, found dtype {arr.dtype}")
    if arr.ndim == 1:
        raise ValueError(f"{name} must be 2-D [rows, features], found shape {arr.shape}; "
                         "reshape a single row with x.reshape(1, -1)")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D [rows, features], found shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one feature, found shape {arr.shape}")
    if arr.dtype != np.float32 or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=np.float32)
    return arr


def float_pointer(arr):
    """The address of a float32 array's data, for a `float *` argument (see _lib)."""
    return arr.ctypes.data


def check_finite(arr, name="x"):
    """ValueError naming the first NaN/Inf. A large array is summed (finite only when every value
    is, without a boolean copy); a small one is tested directly, which is cheaper per call."""
    if arr.size <= 4096:
        if _isfinite(arr).all():
            return
    elif np.isfinite(arr.sum(dtype=np.float64)) or np.all(np.isfinite(arr)):
        return
    row, col = np.argwhere(~np.isfinite(arr))[0]
    raise ValueError(f"{name}: feature {col} of row {row} is not finite ({arr[row, col]})")


class Dataset:
    """A dn_dataset over `x` (borrowed) with copied labels or targets; freed with the object."""

    def __init__(self, x, labels=None, classes=0, targets=None):
        self.x = x  # kept alive: the library reads it in place
        self.handle = C.c_void_p()
        err = _lib.Error()
        lab_p, tgt_p, n_targets = None, None, 0
        if labels is not None:
            self.labels = np.ascontiguousarray(labels, dtype=np.int32)
            lab_p = self.labels.ctypes.data_as(C.POINTER(C.c_int32))
        if targets is not None:
            self.targets = np.ascontiguousarray(targets, dtype=np.float32)
            tgt_p, n_targets = float_pointer(self.targets), self.targets.shape[1]
        status = lib.dn_dataset_borrow(C.byref(self.handle), x.shape[0], x.shape[1],
                                       float_pointer(x), lab_p, classes, n_targets, tgt_p,
                                       C.byref(err))
        _lib.check(status, err)

    def __del__(self):
        if getattr(self, "handle", None):
            lib.dn_dataset_free(self.handle)
            self.handle = None


def integer_labels(y, classes, name="y"):
    """Class ids [rows] from ints or integral floats (a [rows, 1] column or one-hot [rows, C])."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == classes and classes > 1:
        if not np.all((arr == 0) | (arr == 1)) or not np.all(arr.sum(axis=1) == 1):
            raise ValueError(f"{name} has shape {arr.shape}: expected class ids, or one-hot rows")
        return np.argmax(arr, axis=1).astype(np.int32)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D class ids, found shape {arr.shape}")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold class ids (integers) or class names (text), found "
                        f"dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            bad = int(np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))[0])
            raise ValueError(f"{name}[{bad}] = {arr[bad]!r} is not a class id (an integer)")
    outside = (arr < 0) | (arr >= classes)
    if np.any(outside):
        bad = int(np.flatnonzero(outside)[0])
        raise ValueError(f"label of row {bad} is {arr[bad]!r}, expected 0..{classes - 1} "
                         f"(the model has {classes} outputs)")
    return arr.astype(np.int32)


def is_named_labels(y):
    """True for labels that are not numbers (strings, objects, booleans): they name classes."""
    return np.asarray(y).dtype.kind in "USOb"


def integer_values(y):
    """1-D (or [rows, 1]) integral numbers as int64, else None (one-hot rows, fractions, NaN)."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.dtype.kind not in "iuf" or arr.size == 0:
        return None
    if arr.dtype.kind == "f" and not (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))
                                      and np.all(np.abs(arr) < 2**53)):
        return None
    return arr.astype(np.int64)


def are_class_ids(values, classes):
    """True when every integer label is a class id 0..classes-1."""
    return bool(values.min() >= 0 and values.max() < classes)


def all_integer_texts(names):
    """True when every class name is the decimal text of an integer (CLI integer labels)."""
    for n in names:
        try:
            if str(int(n)) != n:
                return False
        except ValueError:
            return False
    return True


def label_texts(y, name="y"):
    """Named labels [rows] as text (booleans as "False"/"True", as str() writes them)."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D labels, found shape {arr.shape}")
    if arr.dtype.kind == "O":
        missing = [i for i, v in enumerate(arr) if v is None or (isinstance(v, float) and v != v)]
        if missing:
            raise ValueError(f"{name}[{missing[0]}] is missing ({arr[missing[0]]!r}): every row "
                             "needs a label")
    return arr.astype(str)


def ids_by_name(texts, names, name="y"):
    """Class ids of label texts through the model's class names; ValueError on an unknown one."""
    index = {n: i for i, n in enumerate(names)}
    ids = np.fromiter((index.get(t, -1) for t in texts), dtype=np.int32, count=len(texts))
    if np.any(ids < 0):
        bad = int(np.flatnonzero(ids < 0)[0])
        raise ValueError(f"{name}[{bad}] = {texts[bad]!r} is not one of the model's classes "
                         f"({', '.join(map(repr, names))})")
    return ids
