"""check.py — the ONNX checker (Debian's python3-onnx) on files written by dropnet export.
   /usr/bin/python3 check.py FILE...   prints "ok FILE opset N ir N" per file, exits 1 on the first
   file the checker or shape inference refuses."""
import sys

import onnx

for path in sys.argv[1:]:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    print(f"ok {path} opset {model.opset_import[0].version} ir {model.ir_version}")
