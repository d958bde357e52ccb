"""hostile.py — damaged and hostile ONNX files for tests/test_onnx_import.c.
   /usr/bin/python3 hostile.py DIR
Writes DIR/<name>.onnx for each case below, all built from one valid MLP (DIR/valid.onnx) with
Debian's python3-onnx, and prints their names."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]


def mlp(nodes=None, inits=None, opset=13):
    w = numpy_helper.from_array(np.ones((4, 3), np.float32), "w")
    b = numpy_helper.from_array(np.zeros(3, np.float32), "b")
    nodes = nodes or [helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="gemm"),
                      helper.make_node("Relu", ["h"], ["y"], name="relu")]
    graph = helper.make_graph(nodes, "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])],
                              inits if inits is not None else [w, b])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def save(name, model):
    onnx.save(model, f"{out}/{name}.onnx")
    print(name)


save("valid", mlp())
data = open(f"{out}/valid.onnx", "rb").read()
open(f"{out}/truncated.onnx", "wb").write(data[: len(data) * 2 // 3])
print("truncated")

big = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1 << 40, 1 << 40])
save("huge_dims", mlp(inits=[big, numpy_helper.from_array(np.zeros(3, np.float32), "b")]))

short = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[4, 3], float_data=[1.0] * 11)
save("size_mismatch", mlp(inits=[short, numpy_helper.from_array(np.zeros(3, np.float32), "b")]))

wd = numpy_helper.from_array(np.ones((4, 3), np.float64), "w")
save("wrong_type", mlp(inits=[wd, numpy_helper.from_array(np.zeros(3, np.float32), "b")]))

ext = numpy_helper.from_array(np.ones((4, 3), np.float32), "w")
ext.ClearField("raw_data")
ext.data_location = TensorProto.EXTERNAL
ext.external_data.add(key="location", value="../../etc/passwd")
save("external_data", mlp(inits=[ext, numpy_helper.from_array(np.zeros(3, np.float32), "b")]))

# h → a → c → a: a cycle after the Gemm (the checker would refuse it; a hostile file need not).
cyc = [helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="gemm"),
       helper.make_node("Add", ["h", "c"], ["a"], name="loop_add"),
       helper.make_node("Relu", ["a"], ["c"], name="loop_relu"),
       helper.make_node("Identity", ["c"], ["y"], name="out")]
save("cycle", mlp(nodes=cyc))

# A cycle p → q → p beside a valid chain: no node of it is on the path from input to output.
loop = mlp().graph.node[:] + [helper.make_node("Identity", ["p"], ["q"], name="loop_a"),
                              helper.make_node("Identity", ["q"], ["p"], name="loop_b")]
save("cycle_detached", mlp(nodes=list(loop)))

many = [helper.make_node("Gemm", ["x", "w", "b"], ["t0"], name="gemm")]
many += [helper.make_node("Identity", [f"t{i}"], [f"t{i + 1}"], name=f"id{i}") for i in range(9998)]
many += [helper.make_node("Relu", ["t9998"], ["y"], name="relu")]
save("ten_thousand_nodes", mlp(nodes=many))

save("bad_opset", mlp(opset=3))
