#!/usr/bin/python3
"""Writes ops.json: PyTorch's outputs and gradients for gaze's ops on small fixed inputs.

Run with Debian's PyTorch (apt-get install python3-torch) from this folder:

    /usr/bin/python3 make_op_fixtures.py > ops.json

Each case holds its inputs (f64 values and shapes), the op's options, the output, an output
gradient and the input gradients that backward gives for it. tests/backends/torch_semantics_test.cpp
rebuilds each case with gaze's op and compares. The cases pin down PyTorch's conventions where an
implementation could plausibly differ: padding and ceil mode in pooling, adaptive windows, nearest
and bilinear source indices, how class weights, ignore_index and label smoothing combine.
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(0)
cases = {}


def tensor_json(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def add_case(name, fn, inputs, options=None, int_inputs=None):
    leaves = {k: v.clone().double().requires_grad_(True) for k, v in inputs.items()}
    out = fn(**leaves, **(int_inputs or {}))
    grad_out = torch.randn(out.shape, dtype=torch.float64)
    out.backward(grad_out)
    cases[name] = {
        "options": options or {},
        "inputs": {k: tensor_json(v) for k, v in leaves.items()},
        "int_inputs": {k: tensor_json(v) for k, v in (int_inputs or {}).items()},
        "output": tensor_json(out),
        "grad_output": tensor_json(grad_out),
        "grads": {k: tensor_json(v.grad) for k, v in leaves.items()},
    }


r = lambda *s: torch.randn(*s, dtype=torch.float64)

add_case("conv2d_strided_grouped",
         lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
         {"x": r(2, 4, 7, 6), "w": r(6, 2, 3, 3), "b": r(6)})
add_case("conv1d_dilated", lambda x, w: F.conv1d(x, w, None, stride=1, padding=2, dilation=2),
         {"x": r(2, 3, 8), "w": r(2, 3, 3)})
add_case("conv3d", lambda x, w, b: F.conv3d(x, w, b, stride=(1, 2, 2), padding=(0, 1, 1)),
         {"x": r(1, 2, 3, 5, 5), "w": r(3, 2, 2, 3, 3), "b": r(3)})
add_case("max_pool2d_ceil", lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
         {"x": r(2, 2, 6, 7)})
add_case("max_pool3d_dilated", lambda x: F.max_pool3d(x, (1, 2, 2), stride=1, dilation=(1, 2, 1)),
         {"x": r(1, 2, 2, 5, 4)})
add_case("avg_pool2d_ceil_include_pad", lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
         {"x": r(2, 2, 6, 7)})
add_case("avg_pool2d_exclude_pad",
         lambda x: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
         {"x": r(2, 2, 6, 7)})
add_case("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), {"x": r(2, 3, 5, 7)})
add_case("nearest2d", lambda x: F.interpolate(x, size=(5, 7), mode="nearest"), {"x": r(1, 2, 3, 4)})
add_case("bilinear2d", lambda x: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=False),
         {"x": r(1, 2, 3, 4)})
add_case("bilinear2d_aligned", lambda x: F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=True),
         {"x": r(1, 2, 3, 4)})
add_case("bilinear2d_down", lambda x: F.interpolate(x, size=(3, 2), mode="bilinear", align_corners=False),
         {"x": r(1, 2, 5, 7)})
add_case("trilinear3d", lambda x: F.interpolate(x, size=(3, 5, 4), mode="trilinear", align_corners=False),
         {"x": r(1, 1, 2, 3, 2)})
add_case("softmax_dim1", lambda x: F.softmax(x, dim=1), {"x": r(2, 5, 3)})
add_case("log_softmax_dim2", lambda x: F.log_softmax(x, dim=2), {"x": r(2, 5, 3)})
add_case("matmul_broadcast", lambda a, b: torch.matmul(a, b), {"a": r(2, 1, 3, 4), "b": r(3, 4, 2)})
add_case("var_dims", lambda x: torch.var(x, dim=(0, 2), keepdim=True), {"x": r(3, 4, 5)})

# Batch norm in training: the output, and the running statistics after one step.
x_bn = r(4, 3, 2, 3)
w_bn, b_bn = r(3), r(3)
running_mean, running_var = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
add_case("batch_norm_train",
         lambda x, w, b: F.batch_norm(x, running_mean, running_var, w, b, training=True, momentum=0.1, eps=1e-5),
         {"x": x_bn, "w": w_bn, "b": b_bn})
cases["batch_norm_train"]["after"] = {"running_mean": tensor_json(running_mean), "running_var": tensor_json(running_var)}

target = torch.tensor([0, 3, 1, -100, 2, 3])
class_weight = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64)
for reduction in ("mean", "sum", "none"):
    add_case(f"cross_entropy_weighted_smoothed_{reduction}",
             lambda x, target: F.cross_entropy(x, target, weight=class_weight, label_smoothing=0.1, reduction=reduction),
             {"x": r(6, 4)}, {"weight": class_weight.tolist(), "label_smoothing": 0.1, "reduction": reduction},
             {"target": target})
    add_case(f"cross_entropy_smoothed_{reduction}",
             lambda x, target: F.cross_entropy(x, target, label_smoothing=0.2, reduction=reduction),
             {"x": r(6, 4)}, {"label_smoothing": 0.2, "reduction": reduction}, {"target": target})
add_case("cross_entropy_spatial_ignore",
         lambda x, target: F.cross_entropy(x, target, ignore_index=255),
         {"x": r(2, 3, 2, 2)}, {"ignore_index": 255},
         {"target": torch.tensor([[[0, 1], [2, 255]], [[2, 2], [1, 0]]])})

print(json.dumps(cases, indent=None, separators=(",", ":")))
