"""The ctypes mirrors of dropnet.h's public structs must list the same fields in the same order:
a field added in C and not here makes the library read past a Python-owned struct (a crash, or
worse a silently wrong setting). The header is parsed, so a new C field fails this test."""
import pathlib
import re

from dropnet import _lib

HEADER = pathlib.Path(__file__).resolve().parents[2] / "include" / "dropnet.h"

MIRRORS = {
    "dn_error": _lib.Error,
    "dn_optimizer_config": _lib.OptimizerConfig,
    "dn_fit_config": _lib.FitConfig,
    "dn_epoch_metrics": _lib.EpochMetrics,
    "dn_event": _lib.Event,
    "dn_layer_info": _lib.LayerInfo,
    "dn_dense_options": _lib.DenseOptions,
    "dn_regularization": _lib.Regularization,
}


def c_fields(name):
    text = HEADER.read_text()
    body = re.search(r"typedef struct %s \{(.*?)\} %s;" % (name, name), text, re.S)
    assert body, name + " not found in dropnet.h"
    code = re.sub(r"/\*.*?\*/", "", body.group(1), flags=re.S)
    names = []
    for decl in code.split(";"):
        decl = decl.strip()
        if not decl:
            continue
        pointer_to_function = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", decl)
        if pointer_to_function:
            names.append(pointer_to_function.group(1))
            continue
        for part in decl.split(","):  # "size_t epoch, epochs" declares two fields
            names.append(re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", part.strip()).group(1))
    return names


def test_every_mirrored_struct_lists_the_c_fields_in_order():
    for c_name, mirror in MIRRORS.items():
        assert [f[0] for f in mirror._fields_] == c_fields(c_name), c_name
