"""torch_mlp.py — PyTorch MLPs exported with torch.onnx.export, for tests/test_onnx_import.c.
   /usr/bin/python3 torch_mlp.py DIR
Writes DIR/x.csv (inputs, 6 features) and, per case, DIR/<case>.onnx and DIR/<case>.csv (the
PyTorch model's outputs in eval mode, 9 significant digits)."""
import sys

import numpy as np
import torch
from torch import nn

out = sys.argv[1]
torch.manual_seed(0)
x = torch.randn(16, 6) * 2.0
np.savetxt(f"{out}/x.csv", x.numpy(), delimiter=",", fmt="%.9g")


class Affine(nn.Module):
    """x @ W + b written by hand: exported as MatMul + Add instead of Gemm."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = nn.Parameter(torch.randn(n_in, n_out) * 0.5)
        self.b = nn.Parameter(torch.randn(n_out) * 0.1)

    def forward(self, v):
        return v @ self.w + self.b


class Unflat(nn.Module):
    """Takes [batch, 2, 3] and flattens it first: Flatten at the input."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, v):
        return self.body(torch.flatten(v, 1))


cases = {
    # name: (model, opset, input shape, training-mode export)
    "relu_gelu_softmax_11": (nn.Sequential(nn.Linear(6, 10), nn.ReLU(), nn.Dropout(0.3),
                                           nn.Linear(10, 8), nn.GELU(), nn.Linear(8, 4),
                                           nn.Softmax(dim=-1)), 11, None, False),
    "relu_gelu_softmax_17": (nn.Sequential(nn.Linear(6, 10), nn.ReLU(), nn.Dropout(0.3),
                                           nn.Linear(10, 8), nn.GELU(), nn.Linear(8, 4),
                                           nn.Softmax(dim=-1)), 17, None, False),
    "tanh_sigmoid_flatten_13": (Unflat(nn.Sequential(nn.Linear(6, 9), nn.Tanh(), nn.Linear(9, 2),
                                                     nn.Sigmoid())), 13, (2, 3), False),
    "selu_elu_leaky_matmul_15": (nn.Sequential(Affine(6, 7), nn.SELU(), nn.Linear(7, 7), nn.ELU(),
                                               nn.Linear(7, 5), nn.LeakyReLU(0.3), Affine(5, 3)),
                                 15, None, False),
    "dropout_training_12": (nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Dropout(0.25),
                                          nn.Linear(12, 3)), 12, None, True),
    "dropout_training_11": (nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Dropout(0.4),
                                          nn.Linear(12, 3)), 11, None, True),
    "leaky_default_refused": (nn.Sequential(nn.Linear(6, 4), nn.LeakyReLU(), nn.Linear(4, 2)),
                              13, None, False),
    "softplus_refused": (nn.Sequential(nn.Linear(6, 4), nn.Softplus(), nn.Linear(4, 2)), 13, None,
                         False),
}

for name, (model, opset, shape, training) in cases.items():
    model.eval()
    xin = x.reshape(16, *shape) if shape else x
    with torch.no_grad():
        y = model(xin)
    np.savetxt(f"{out}/{name}.csv", y.numpy(), delimiter=",", fmt="%.9g")
    mode = torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, xin, f"{out}/{name}.onnx", opset_version=opset, training=mode,
                      do_constant_folding=not training, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    model.eval()
print("ok", len(cases))
