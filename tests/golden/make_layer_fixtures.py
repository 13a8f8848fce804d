#!/usr/bin/python3
"""Writes layers.json: PyTorch's forward outputs and gradients for gaze's attention layers.

Run with Debian's PyTorch (apt-get install python3-torch) from this folder:

    /usr/bin/python3 make_layer_fixtures.py > layers.json

Each layer is written below in plain torch.nn with the parameter names gaze uses, so a state
dict moves between the two unchanged. Every case: random parameters and buffers (BatchNorm scales
and the DANet gammas non-zero, so every gradient is non-trivial), a random input, the module in
training mode; the fixture holds the state before the forward, the input, the output, a random
output gradient, and the gradients of the input and of every parameter that backward gives.
tests/layers/golden_layers_test.cpp loads the state into gaze's layer and compares, in f32 on
every CPU backend and in f64 on the reference backend. Dropout is set to 0 where a layer has it.
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


class SqueezeExcitation(nn.Module):
    def __init__(self, channels, reduction):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.fc = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(), nn.Linear(hidden, channels), nn.Sigmoid())

    def forward(self, x):
        s = x.mean(dim=tuple(range(2, x.dim())))
        return x * self.fc(s).reshape(*s.shape, *([1] * (x.dim() - 2)))


class ChannelGate(nn.Module):
    def __init__(self, channels, reduction):
        super().__init__()
        hidden = max(1, channels // reduction)
        self.mlp = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(), nn.Linear(hidden, channels))

    def forward(self, x):
        dims = tuple(range(2, x.dim()))
        scale = torch.sigmoid(self.mlp(x.mean(dim=dims)) + self.mlp(x.amax(dim=dims)))
        return x * scale.reshape(*scale.shape, *([1] * (x.dim() - 2)))


class SpatialGate(nn.Module):
    def __init__(self, kernel):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel, padding=kernel // 2, bias=False)

    def forward(self, x):
        pooled = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.conv(pooled))


class CBAM(nn.Module):
    def __init__(self, channels, reduction, kernel):
        super().__init__()
        self.channel = ChannelGate(channels, reduction)
        self.spatial = SpatialGate(kernel)

    def forward(self, x):
        return self.spatial(self.channel(x))


CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
BN = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}
POOL = {1: lambda: nn.MaxPool1d(2), 2: lambda: nn.MaxPool2d(2), 3: lambda: nn.MaxPool3d((1, 2, 2))}


class NonLocalBlock(nn.Module):
    def __init__(self, channels, mode, dims, sub_sample=False, scale_logits=False, variant="spacetime"):
        super().__init__()
        self.mode, self.dims, self.scale_logits, self.variant = mode, dims, scale_logits, variant
        bdims = {"space": 2, "time": 1}.get(variant, dims)
        inter = max(1, channels // 2)
        self.inter = inter
        self.g = CONV[bdims](channels, inter, 1)
        if mode != "gaussian":
            self.theta = CONV[bdims](channels, inter, 1)
            self.phi = CONV[bdims](channels, inter, 1)
        if mode == "concatenation":
            self.w_f = nn.Conv2d(2 * inter, 1, 1, bias=False)
        self.pool = POOL[bdims]() if sub_sample else nn.Identity()
        self.w_z = nn.Sequential(CONV[bdims](inter, channels, 1), BN[bdims](channels))

    def block(self, x):
        n, spatial = x.shape[0], x.shape[2:]
        g_x = self.pool(self.g(x)).flatten(2).transpose(1, 2)
        if self.mode == "gaussian":
            theta_x, phi_x = x.flatten(2), self.pool(x).flatten(2)
        else:
            theta_x, phi_x = self.theta(x).flatten(2), self.pool(self.phi(x)).flatten(2)
        keys = phi_x.shape[-1]
        if self.mode in ("embedded_gaussian", "gaussian"):
            logits = torch.bmm(theta_x.transpose(1, 2), phi_x)
            if self.scale_logits:
                logits = logits / math.sqrt(theta_x.shape[1])
            f = torch.softmax(logits, dim=-1)
        elif self.mode == "dot_product":
            f = torch.bmm(theta_x.transpose(1, 2), phi_x) / keys
        else:
            nq = theta_x.shape[-1]
            pairs = torch.cat([theta_x.unsqueeze(3).expand(-1, -1, nq, keys), phi_x.unsqueeze(2).expand(-1, -1, nq, keys)], 1)
            f = F.relu(self.w_f(pairs)).squeeze(1) / keys
        y = torch.bmm(f, g_x).transpose(1, 2).reshape(n, self.inter, *spatial)
        return self.w_z(y) + x

    def forward(self, x):
        if self.variant == "spacetime":
            return self.block(x)
        n, c, t, h, w = x.shape
        if self.variant == "space":
            frames = x.permute(0, 2, 1, 3, 4).reshape(n * t, c, h, w)
            return self.block(frames).reshape(n, t, c, h, w).permute(0, 2, 1, 3, 4)
        series = x.permute(0, 3, 4, 1, 2).reshape(n * h * w, c, t)
        return self.block(series).reshape(n, h, w, c, t).permute(0, 3, 4, 1, 2)


class PositionAttention(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.query = nn.Conv2d(channels, max(1, channels // 8), 1)
        self.key = nn.Conv2d(channels, max(1, channels // 8), 1)
        self.value = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, h, w = x.shape
        q = self.query(x).view(n, -1, h * w).permute(0, 2, 1)
        k = self.key(x).view(n, -1, h * w)
        attention = torch.softmax(torch.bmm(q, k), dim=-1)
        v = self.value(x).view(n, -1, h * w)
        return self.gamma * torch.bmm(v, attention.permute(0, 2, 1)).view(n, c, h, w) + x


class ChannelAttention(nn.Module):
    def __init__(self, form="official"):
        super().__init__()
        self.form = form
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, h, w = x.shape
        q = x.view(n, c, -1)
        energy = torch.bmm(q, q.permute(0, 2, 1))
        if self.form == "official":
            energy = torch.max(energy, -1, keepdim=True)[0].expand_as(energy) - energy
        return self.gamma * torch.bmm(torch.softmax(energy, dim=-1), q).view(n, c, h, w) + x


def conv_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


def classifier(cin, classes):
    return nn.Sequential(nn.Dropout2d(0.0), nn.Conv2d(cin, classes, 1))


class DualAttentionHead(nn.Module):
    def __init__(self, cin, classes):
        super().__init__()
        inter = cin // 4
        self.pam_in, self.pam, self.pam_out = conv_bn_relu(cin, inter), PositionAttention(inter), conv_bn_relu(inter, inter)
        self.pam_classifier = classifier(inter, classes)
        self.cam_in, self.cam, self.cam_out = conv_bn_relu(cin, inter), ChannelAttention(), conv_bn_relu(inter, inter)
        self.cam_classifier = classifier(inter, classes)
        self.classifier = classifier(inter, classes)

    def forward(self, x):  # the fused output and both auxiliary ones, concatenated over channels
        p = self.pam_out(self.pam(self.pam_in(x)))
        c = self.cam_out(self.cam(self.cam_in(x)))
        return torch.cat([self.classifier(p + c), self.pam_classifier(p), self.cam_classifier(c)], 1)


class BAM(nn.Module):
    def __init__(self, channels, reduction, dilation=4, combine="product"):
        super().__init__()
        h, d = max(1, channels // reduction), dilation
        self.combine = combine
        self.channel = nn.Sequential(nn.Linear(channels, h), nn.BatchNorm1d(h), nn.ReLU(), nn.Linear(h, channels))
        self.spatial = nn.Sequential(nn.Conv2d(channels, h, 1), nn.BatchNorm2d(h), nn.ReLU(),
                                     nn.Conv2d(h, h, 3, padding=d, dilation=d), nn.BatchNorm2d(h), nn.ReLU(),
                                     nn.Conv2d(h, h, 3, padding=d, dilation=d), nn.BatchNorm2d(h), nn.ReLU(),
                                     nn.Conv2d(h, 1, 1))

    def forward(self, x):
        mc = self.channel(x.mean(dim=(2, 3)))[:, :, None, None]
        ms = self.spatial(x)
        gate = torch.sigmoid(mc * ms if self.combine == "product" else mc + ms)
        return x * (1 + gate)


class InteractionAwarePyramidAttention(nn.Module):
    """gaze's formulation (layers/attention/interaction_aware_pyramid.h); forward returns the fused
    features followed by the interaction and diversity losses, flattened into one vector."""

    def __init__(self, in_channels, channels):
        super().__init__()
        for k, cin in enumerate(in_channels):
            setattr(self, f"project{k}", nn.Conv2d(cin, channels, 1))
        self.count = len(in_channels)
        self.score_weight = nn.Parameter(torch.zeros(channels))
        self.score_bias = nn.Parameter(torch.zeros(1))

    def forward(self, *maps):
        n, _, h, w = maps[0].shape
        levels = []
        for k, m in enumerate(maps):
            level = getattr(self, f"project{k}")(m)
            if level.shape[2:] != (h, w):
                level = F.interpolate(level, size=(h, w), mode="bilinear", align_corners=False)
            levels.append(level.flatten(2))
        x = torch.stack(levels, 1)                                        # [N, K, C, P]
        a = torch.softmax(torch.einsum("c,nkcp->nkp", self.score_weight, x) + self.score_bias, -1)
        fused = torch.einsum("nkcp,nkp->nkc", x, a).mean(1)
        centred = x - x.mean(3, keepdim=True)
        u = self.score_weight / self.score_weight.norm()
        residual = centred - u[None, None, :, None] * torch.einsum("c,nkcp->nkp", u, centred)[:, :, None, :]
        interaction = residual.pow(2).mean()
        k = self.count
        pairs = sum((a[:, i] * a[:, j]).sum(-1) for i in range(k) for j in range(i + 1, k))
        diversity = (pairs / (k * (k - 1) / 2)).mean()
        return torch.cat([fused.flatten(), interaction.reshape(1), diversity.reshape(1)])


class CoordinateAttention(nn.Module):
    """The authors' CoordAtt (github.com/Andrew-Qibin/CoordAttention) with oup = inp."""

    def __init__(self, channels, reduction=32):
        super().__init__()
        mip = max(8, channels // reduction)
        self.conv1 = nn.Conv2d(channels, mip, 1)
        self.bn1 = nn.BatchNorm2d(mip)
        self.conv_h = nn.Conv2d(mip, channels, 1)
        self.conv_w = nn.Conv2d(mip, channels, 1)

    def forward(self, x):
        h, w = x.shape[2:]
        y = torch.cat([x.mean(3, keepdim=True), x.mean(2, keepdim=True).permute(0, 1, 3, 2)], 2)
        y = self.bn1(self.conv1(y))
        y = y * F.relu6(y + 3) / 6  # h_swish
        y_h, y_w = torch.split(y, [h, w], 2)
        a_h = torch.sigmoid(self.conv_h(y_h))
        a_w = torch.sigmoid(self.conv_w(y_w.permute(0, 1, 3, 2)))
        return x * a_h * a_w


def tensor_json(t):
    return {"shape": list(t.shape), "values": [float(f"{v:.12g}") for v in t.detach().reshape(-1).tolist()]}


cases = {}


def add_case(name, module, shape, options):
    """shape: one input's shape, or a list of shapes for a layer that takes several maps."""
    torch.manual_seed(len(cases) + 1)
    with torch.no_grad():
        for pname, p in module.named_parameters():
            p.copy_(torch.randn_like(p) * (0.5 if p.dim() > 1 else 0.3) + (0.8 if pname.endswith(("w_z.1.weight", "gamma")) else 0.0))
        for bname, b in module.named_buffers():
            if bname.endswith("running_var"):
                b.copy_(torch.rand_like(b) + 0.5)
            elif bname.endswith("running_mean"):
                b.copy_(torch.randn_like(b) * 0.1)
    state = {k: tensor_json(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    module.train()
    several = isinstance(shape, list)
    xs = [torch.randn(*s, requires_grad=True) for s in (shape if several else [shape])]
    out = module(*xs)
    grad_out = torch.randn(out.shape)
    out.backward(grad_out)
    x = xs[0]
    cases[name] = {
        "options": options,
        "state": state,
        "input": tensor_json(x),
        "output": tensor_json(out),
        "grad_output": tensor_json(grad_out),
        "grad_input": tensor_json(x.grad),
        "grads": {k: tensor_json(p.grad) for k, p in module.named_parameters()},
    }
    if several:
        cases[name]["inputs"] = [tensor_json(t) for t in xs]
        cases[name]["grad_inputs"] = [tensor_json(t.grad) for t in xs]


add_case("se", SqueezeExcitation(16, 4), (2, 16, 5, 6), {"channels": 16, "reduction": 4})
add_case("se_3d", SqueezeExcitation(8, 2), (2, 8, 3, 4, 4), {"channels": 8, "reduction": 2})
add_case("channel_gate", ChannelGate(16, 4), (2, 16, 5, 6), {"channels": 16, "reduction": 4})
add_case("spatial_gate", SpatialGate(7), (2, 6, 9, 8), {"kernel": 7})
add_case("cbam", CBAM(16, 4, 7), (2, 16, 8, 7), {"channels": 16, "reduction": 4, "spatial_kernel": 7})
for mode in ("embedded_gaussian", "gaussian", "dot_product", "concatenation"):
    add_case(f"nonlocal2d_{mode}", NonLocalBlock(8, mode, 2), (2, 8, 4, 5), {"channels": 8, "mode": mode, "dims": 2})
add_case("nonlocal2d_embedded_subsample_scaled", NonLocalBlock(8, "embedded_gaussian", 2, True, True), (2, 8, 6, 4),
         {"channels": 8, "mode": "embedded_gaussian", "dims": 2, "sub_sample": True, "scale_logits": True})
add_case("nonlocal1d_dot", NonLocalBlock(6, "dot_product", 1, True), (2, 6, 10),
         {"channels": 6, "mode": "dot_product", "dims": 1, "sub_sample": True})
add_case("nonlocal3d_embedded_subsample", NonLocalBlock(8, "embedded_gaussian", 3, True), (2, 8, 3, 4, 4),
         {"channels": 8, "mode": "embedded_gaussian", "dims": 3, "sub_sample": True})
add_case("nonlocal3d_space", NonLocalBlock(8, "embedded_gaussian", 3, variant="space"), (2, 8, 3, 4, 3),
         {"channels": 8, "mode": "embedded_gaussian", "dims": 3, "variant": "space"})
add_case("nonlocal3d_time", NonLocalBlock(8, "concatenation", 3, variant="time"), (2, 8, 4, 3, 2),
         {"channels": 8, "mode": "concatenation", "dims": 3, "variant": "time"})
add_case("danet_pam", PositionAttention(16), (2, 16, 5, 4), {"channels": 16})
add_case("danet_cam_official", ChannelAttention("official"), (2, 8, 5, 4), {"channels": 8, "form": "official"})
add_case("danet_cam_paper", ChannelAttention("paper"), (2, 8, 5, 4), {"channels": 8, "form": "paper"})
add_case("danet_head", DualAttentionHead(16, 3), (2, 16, 6, 5), {"in_channels": 16, "num_classes": 3})

add_case("bam_product", BAM(16, 4), (3, 16, 9, 9), {"channels": 16, "reduction": 4})
add_case("bam_sum", BAM(16, 4, 2, "sum"), (3, 16, 6, 7), {"channels": 16, "reduction": 4, "dilation": 2, "combine": "sum"})
add_case("pyramid_attention", InteractionAwarePyramidAttention([6, 8, 4], 5), [(2, 6, 6, 5), (2, 8, 3, 3), (2, 4, 2, 2)],
         {"in_channels": [6, 8, 4], "channels": 5})
add_case("coord_attention", CoordinateAttention(16, 4), (2, 16, 5, 7), {"channels": 16, "reduction": 4})

print(json.dumps(cases, separators=(",", ":")))
