#!/usr/bin/python3
"""Official checkpoints for gaze's layers: the authors' PyTorch modules, their state dicts as
safetensors under the authors' names, and what those modules compute.

    cd tests/golden && /usr/bin/python3 make_official_fixtures.py              # writes official/*.safetensors, official.json
    /usr/bin/python3 tests/golden/make_official_fixtures.py --check DIR        # gaze's written-back files load into the official modules

The classes below follow the authors' public code, module for module and name for name, so each
state_dict() has the official keys (they are written here for these fixtures, not copied):
  - CBAM, BAM:           github.com/Jongchan/attention-module, MODELS/cbam.py and MODELS/bam.py
  - Non-local:           github.com/AlexHex7/Non-local_pytorch, lib/non_local_{embedded_gaussian,
                         gaussian,dot_product,concatenation}.py (_NonLocalBlockND)
  - SE:                  github.com/moskomule/senet.pytorch, senet/se_module.py (SELayer)
  - DANet:               github.com/junfu1115/DANet, encoding/nn/da_att.py (PAM_Module,
                         CAM_Module) and encoding/models/sseg/danet.py (DANetHead)
  - Coordinate attention: github.com/Andrew-Qibin/CoordAttention, coordatt.py (CoordAtt)
Where the official class fixes an argument its parts take (BAM passes only gate_channel to its
gates; DANetHead's classifiers take 512 channels, its inter width at in_channels = 2048), the
class here passes it through, with the official default.

Each case: the official module with random parameters and buffers (rounded to float32, as a real
checkpoint is), saved as official/<case>.safetensors with the official keys (num_batches_tracked
included, as torch.save / safetensors.torch.save_file write it); then, in float64, its output in
eval mode, and in training mode its output, the gradients of the input and of every parameter
for a random output gradient, and the BatchNorm running statistics after that forward. The
gaze spec that reproduces the module is stored with the case. tests/layers/official_weights_test.cpp
loads each file through the layer's official-name map and compares everything, then writes the
weights back under the official names; --check loads those files into the official modules with
load_state_dict(strict=True) and compares tensors and outputs.

safetensors is written and read by hand below (8-byte little-endian header length, JSON header,
raw little-endian data): Debian has no python3-safetensors, and the format is that small.
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- Jongchan/attention-module cbam.py


class BasicConv(nn.Module):
    def __init__(self, in_planes, out_planes, kernel_size, stride=1, padding=0, dilation=1, groups=1, relu=True, bn=True, bias=False):
        super().__init__()
        self.out_channels = out_planes
        self.conv = nn.Conv2d(in_planes, out_planes, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation,
                              groups=groups, bias=bias)
        self.bn = nn.BatchNorm2d(out_planes, eps=1e-5, momentum=0.01, affine=True) if bn else None
        self.relu = nn.ReLU() if relu else None

    def forward(self, x):
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        if self.relu is not None:
            x = self.relu(x)
        return x


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


def logsumexp_2d(tensor):
    flat = tensor.view(tensor.size(0), tensor.size(1), -1)
    s, _ = torch.max(flat, dim=2, keepdim=True)
    return s + (flat - s).exp().sum(dim=2, keepdim=True).log()


class CBAMChannelGate(nn.Module):
    def __init__(self, gate_channels, reduction_ratio=16, pool_types=("avg", "max")):
        super().__init__()
        self.gate_channels = gate_channels
        self.mlp = nn.Sequential(Flatten(), nn.Linear(gate_channels, gate_channels // reduction_ratio), nn.ReLU(),
                                 nn.Linear(gate_channels // reduction_ratio, gate_channels))
        self.pool_types = pool_types

    def forward(self, x):
        window = (x.size(2), x.size(3))
        total = None
        for pool_type in self.pool_types:
            if pool_type == "avg":
                raw = self.mlp(F.avg_pool2d(x, window, stride=window))
            elif pool_type == "max":
                raw = self.mlp(F.max_pool2d(x, window, stride=window))
            elif pool_type == "lp":
                raw = self.mlp(F.lp_pool2d(x, 2, window, stride=window))
            elif pool_type == "lse":
                raw = self.mlp(logsumexp_2d(x))
            total = raw if total is None else total + raw
        return x * torch.sigmoid(total).unsqueeze(2).unsqueeze(3).expand_as(x)


class ChannelPool(nn.Module):
    def forward(self, x):
        return torch.cat((torch.max(x, 1)[0].unsqueeze(1), torch.mean(x, 1).unsqueeze(1)), dim=1)


class CBAMSpatialGate(nn.Module):
    def __init__(self):
        super().__init__()
        kernel_size = 7
        self.compress = ChannelPool()
        self.spatial = BasicConv(2, 1, kernel_size, stride=1, padding=(kernel_size - 1) // 2, relu=False)

    def forward(self, x):
        return x * torch.sigmoid(self.spatial(self.compress(x)))


class CBAM(nn.Module):
    def __init__(self, gate_channels, reduction_ratio=16, pool_types=("avg", "max"), no_spatial=False):
        super().__init__()
        self.ChannelGate = CBAMChannelGate(gate_channels, reduction_ratio, pool_types)
        self.no_spatial = no_spatial
        if not no_spatial:
            self.SpatialGate = CBAMSpatialGate()

    def forward(self, x):
        out = self.ChannelGate(x)
        if not self.no_spatial:
            out = self.SpatialGate(out)
        return out


# ----------------------------------------------------------------- Jongchan/attention-module bam.py


class BAMChannelGate(nn.Module):
    def __init__(self, gate_channel, reduction_ratio=16, num_layers=1):
        super().__init__()
        self.gate_c = nn.Sequential()
        self.gate_c.add_module("flatten", Flatten())
        widths = [gate_channel] + [gate_channel // reduction_ratio] * num_layers + [gate_channel]
        for i in range(len(widths) - 2):
            self.gate_c.add_module("gate_c_fc_%d" % i, nn.Linear(widths[i], widths[i + 1]))
            self.gate_c.add_module("gate_c_bn_%d" % (i + 1), nn.BatchNorm1d(widths[i + 1]))
            self.gate_c.add_module("gate_c_relu_%d" % (i + 1), nn.ReLU())
        self.gate_c.add_module("gate_c_fc_final", nn.Linear(widths[-2], widths[-1]))

    def forward(self, x):
        pooled = F.avg_pool2d(x, x.size(2), stride=x.size(2))  # global for square maps only
        return self.gate_c(pooled).unsqueeze(2).unsqueeze(3).expand_as(x)


class BAMSpatialGate(nn.Module):
    def __init__(self, gate_channel, reduction_ratio=16, dilation_conv_num=2, dilation_val=4):
        super().__init__()
        h = gate_channel // reduction_ratio
        self.gate_s = nn.Sequential()
        self.gate_s.add_module("gate_s_conv_reduce0", nn.Conv2d(gate_channel, h, kernel_size=1))
        self.gate_s.add_module("gate_s_bn_reduce0", nn.BatchNorm2d(h))
        self.gate_s.add_module("gate_s_relu_reduce0", nn.ReLU())
        for i in range(dilation_conv_num):
            self.gate_s.add_module("gate_s_conv_di_%d" % i, nn.Conv2d(h, h, kernel_size=3, padding=dilation_val, dilation=dilation_val))
            self.gate_s.add_module("gate_s_bn_di_%d" % i, nn.BatchNorm2d(h))
            self.gate_s.add_module("gate_s_relu_di_%d" % i, nn.ReLU())
        self.gate_s.add_module("gate_s_conv_final", nn.Conv2d(h, 1, kernel_size=1))

    def forward(self, x):
        return self.gate_s(x).expand_as(x)


class BAM(nn.Module):
    def __init__(self, gate_channel, reduction_ratio=16, num_layers=1, dilation_conv_num=2, dilation_val=4):
        super().__init__()
        self.channel_att = BAMChannelGate(gate_channel, reduction_ratio, num_layers)
        self.spatial_att = BAMSpatialGate(gate_channel, reduction_ratio, dilation_conv_num, dilation_val)

    def forward(self, x):
        att = 1 + torch.sigmoid(self.channel_att(x) * self.spatial_att(x))
        return att * x


# ------------------------------------------------------------------ AlexHex7/Non-local_pytorch lib/


class NonLocalBlockND(nn.Module):
    """The four files' _NonLocalBlockND in one class: they share __init__ but for theta/phi
    (absent in gaussian, where phi is the pool alone) and concat_project (concatenation)."""

    def __init__(self, mode, in_channels, inter_channels=None, dimension=3, sub_sample=True, bn_layer=True):
        super().__init__()
        self.mode, self.dimension, self.sub_sample = mode, dimension, sub_sample
        self.in_channels = in_channels
        self.inter_channels = inter_channels
        if self.inter_channels is None:
            self.inter_channels = in_channels // 2
            if self.inter_channels == 0:
                self.inter_channels = 1
        conv_nd, max_pool_layer, bn = {
            3: (nn.Conv3d, nn.MaxPool3d(kernel_size=(1, 2, 2)), nn.BatchNorm3d),
            2: (nn.Conv2d, nn.MaxPool2d(kernel_size=(2, 2)), nn.BatchNorm2d),
            1: (nn.Conv1d, nn.MaxPool1d(kernel_size=2), nn.BatchNorm1d)}[dimension]
        self.g = conv_nd(self.in_channels, self.inter_channels, kernel_size=1, stride=1, padding=0)
        if bn_layer:
            self.W = nn.Sequential(conv_nd(self.inter_channels, self.in_channels, kernel_size=1, stride=1, padding=0), bn(self.in_channels))
            nn.init.constant_(self.W[1].weight, 0)
            nn.init.constant_(self.W[1].bias, 0)
        else:
            self.W = conv_nd(self.inter_channels, self.in_channels, kernel_size=1, stride=1, padding=0)
            nn.init.constant_(self.W.weight, 0)
            nn.init.constant_(self.W.bias, 0)
        if mode != "gaussian":
            self.theta = conv_nd(self.in_channels, self.inter_channels, kernel_size=1, stride=1, padding=0)
            self.phi = conv_nd(self.in_channels, self.inter_channels, kernel_size=1, stride=1, padding=0)
        if mode == "concatenation":
            self.concat_project = nn.Sequential(nn.Conv2d(self.inter_channels * 2, 1, 1, 1, 0, bias=False), nn.ReLU())
        if sub_sample:
            self.g = nn.Sequential(self.g, max_pool_layer)
            if mode == "gaussian":
                self.phi = max_pool_layer
            else:
                self.phi = nn.Sequential(self.phi, max_pool_layer)

    def forward(self, x):
        b = x.size(0)
        g_x = self.g(x).view(b, self.inter_channels, -1).permute(0, 2, 1)
        if self.mode == "gaussian":
            theta_x = x.view(b, self.in_channels, -1).permute(0, 2, 1)
            phi_x = (self.phi(x) if self.sub_sample else x).view(b, self.in_channels, -1)
            f_div_C = F.softmax(torch.matmul(theta_x, phi_x), dim=-1)
        elif self.mode == "embedded_gaussian":
            theta_x = self.theta(x).view(b, self.inter_channels, -1).permute(0, 2, 1)
            phi_x = self.phi(x).view(b, self.inter_channels, -1)
            f_div_C = F.softmax(torch.matmul(theta_x, phi_x), dim=-1)
        elif self.mode == "dot_product":
            theta_x = self.theta(x).view(b, self.inter_channels, -1).permute(0, 2, 1)
            phi_x = self.phi(x).view(b, self.inter_channels, -1)
            f = torch.matmul(theta_x, phi_x)
            f_div_C = f / f.size(-1)
        else:
            theta_x = self.theta(x).view(b, self.inter_channels, -1, 1)
            phi_x = self.phi(x).view(b, self.inter_channels, 1, -1)
            h, w = theta_x.size(2), phi_x.size(3)
            f = self.concat_project(torch.cat([theta_x.repeat(1, 1, 1, w), phi_x.repeat(1, 1, h, 1)], dim=1))
            f = f.view(f.size(0), f.size(2), f.size(3))
            f_div_C = f / f.size(-1)
        y = torch.matmul(f_div_C, g_x).permute(0, 2, 1).contiguous()
        y = y.view(b, self.inter_channels, *x.size()[2:])
        return self.W(y) + x


# ---------------------------------------------------------------- moskomule/senet.pytorch SELayer


class SELayer(nn.Module):
    def __init__(self, channel, reduction=16):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(nn.Linear(channel, channel // reduction, bias=False), nn.ReLU(inplace=True),
                                nn.Linear(channel // reduction, channel, bias=False), nn.Sigmoid())

    def forward(self, x):
        b, c, _, _ = x.size()
        y = self.avg_pool(x).view(b, c)
        y = self.fc(y).view(b, c, 1, 1)
        return x * y.expand_as(x)


# ------------------------------------------------------------------------------- junfu1115/DANet


class PAM_Module(nn.Module):
    def __init__(self, in_dim):
        super().__init__()
        self.chanel_in = in_dim
        self.query_conv = nn.Conv2d(in_channels=in_dim, out_channels=in_dim // 8, kernel_size=1)
        self.key_conv = nn.Conv2d(in_channels=in_dim, out_channels=in_dim // 8, kernel_size=1)
        self.value_conv = nn.Conv2d(in_channels=in_dim, out_channels=in_dim, kernel_size=1)
        self.gamma = nn.Parameter(torch.zeros(1))
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x):
        m, C, height, width = x.size()
        proj_query = self.query_conv(x).view(m, -1, width * height).permute(0, 2, 1)
        proj_key = self.key_conv(x).view(m, -1, width * height)
        attention = self.softmax(torch.bmm(proj_query, proj_key))
        proj_value = self.value_conv(x).view(m, -1, width * height)
        out = torch.bmm(proj_value, attention.permute(0, 2, 1)).view(m, C, height, width)
        return self.gamma * out + x


class CAM_Module(nn.Module):
    def __init__(self, in_dim):
        super().__init__()
        self.chanel_in = in_dim
        self.gamma = nn.Parameter(torch.zeros(1))
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x):
        m, C, height, width = x.size()
        proj_query = x.view(m, C, -1)
        proj_key = x.view(m, C, -1).permute(0, 2, 1)
        energy = torch.bmm(proj_query, proj_key)
        energy_new = torch.max(energy, -1, keepdim=True)[0].expand_as(energy) - energy
        attention = self.softmax(energy_new)
        out = torch.bmm(attention, x.view(m, C, -1)).view(m, C, height, width)
        return self.gamma * out + x


class DANetHead(nn.Module):
    def __init__(self, in_channels, out_channels, norm_layer=nn.BatchNorm2d, dropout=0.1):
        super().__init__()
        inter_channels = in_channels // 4
        self.conv5a = nn.Sequential(nn.Conv2d(in_channels, inter_channels, 3, padding=1, bias=False), norm_layer(inter_channels), nn.ReLU())
        self.conv5c = nn.Sequential(nn.Conv2d(in_channels, inter_channels, 3, padding=1, bias=False), norm_layer(inter_channels), nn.ReLU())
        self.sa = PAM_Module(inter_channels)
        self.sc = CAM_Module(inter_channels)
        self.conv51 = nn.Sequential(nn.Conv2d(inter_channels, inter_channels, 3, padding=1, bias=False), norm_layer(inter_channels), nn.ReLU())
        self.conv52 = nn.Sequential(nn.Conv2d(inter_channels, inter_channels, 3, padding=1, bias=False), norm_layer(inter_channels), nn.ReLU())
        self.conv6 = nn.Sequential(nn.Dropout2d(dropout, False), nn.Conv2d(inter_channels, out_channels, 1))
        self.conv7 = nn.Sequential(nn.Dropout2d(dropout, False), nn.Conv2d(inter_channels, out_channels, 1))
        self.conv8 = nn.Sequential(nn.Dropout2d(dropout, False), nn.Conv2d(inter_channels, out_channels, 1))

    def forward(self, x):
        sa_conv = self.conv51(self.sa(self.conv5a(x)))
        sc_conv = self.conv52(self.sc(self.conv5c(x)))
        # (sasc_output, sa_output, sc_output), concatenated over channels for the fixture
        return torch.cat([self.conv8(sa_conv + sc_conv), self.conv6(sa_conv), self.conv7(sc_conv)], 1)


# ------------------------------------------------------------ Andrew-Qibin/CoordAttention coordatt.py


class h_sigmoid(nn.Module):
    def __init__(self):
        super().__init__()
        self.relu = nn.ReLU6()

    def forward(self, x):
        return self.relu(x + 3) / 6


class h_swish(nn.Module):
    def __init__(self):
        super().__init__()
        self.sigmoid = h_sigmoid()

    def forward(self, x):
        return x * self.sigmoid(x)


class CoordAtt(nn.Module):
    def __init__(self, inp, oup, reduction=32):
        super().__init__()
        self.pool_h = nn.AdaptiveAvgPool2d((None, 1))
        self.pool_w = nn.AdaptiveAvgPool2d((1, None))
        mip = max(8, inp // reduction)
        self.conv1 = nn.Conv2d(inp, mip, kernel_size=1, stride=1, padding=0)
        self.bn1 = nn.BatchNorm2d(mip)
        self.act = h_swish()
        self.conv_h = nn.Conv2d(mip, oup, kernel_size=1, stride=1, padding=0)
        self.conv_w = nn.Conv2d(mip, oup, kernel_size=1, stride=1, padding=0)

    def forward(self, x):
        identity = x
        n, c, h, w = x.size()
        x_h = self.pool_h(x)
        x_w = self.pool_w(x).permute(0, 1, 3, 2)
        y = self.act(self.bn1(self.conv1(torch.cat([x_h, x_w], dim=2))))
        x_h, x_w = torch.split(y, [h, w], dim=2)
        a_h = self.conv_h(x_h).sigmoid()
        a_w = self.conv_w(x_w.permute(0, 1, 3, 2)).sigmoid()
        return identity * a_w * a_h


# --------------------------------------------------------------------------------------- the cases
# name: (official module factory, input shape, the gaze layer spec that is the same module)

CASES = {
    "se_selayer": (lambda: SELayer(16, 4), (2, 16, 5, 6), "{type: se, channels: 16, reduction: 4, bias: false}"),
    "cbam": (lambda: CBAM(16, 4), (2, 16, 7, 6),
             "{type: cbam, channels: 16, reduction: 4, spatial_bn: true, spatial_pool_order: max_mean}"),
    "cbam_all_pools": (lambda: CBAM(16, 4, ["avg", "max", "lp", "lse"]), (2, 16, 5, 6),
                       "{type: cbam, channels: 16, reduction: 4, pool_types: [avg, max, lp, lse], spatial_bn: true, "
                       "spatial_pool_order: max_mean}"),
    "cbam_lp_lse_no_spatial": (lambda: CBAM(8, 2, ["lp", "lse"], no_spatial=True), (2, 8, 4, 5),
                               "{type: cbam, channels: 8, reduction: 2, pool_types: [lp, lse], spatial_gate: false}"),
    "bam": (lambda: BAM(32, 8), (3, 32, 8, 8), "{type: bam, channels: 32, reduction: 8}"),
    "bam_deep_channel_shallow_spatial": (lambda: BAM(16, 4, num_layers=2, dilation_conv_num=1, dilation_val=2), (3, 16, 7, 7),
                                         "{type: bam, channels: 16, reduction: 4, dilation: 2, num_layers: 2, dilation_conv_num: 1}"),
    "bam_no_dilated_convs": (lambda: BAM(16, 4, num_layers=1, dilation_conv_num=0), (3, 16, 5, 5),
                             "{type: bam, channels: 16, reduction: 4, dilation_conv_num: 0}"),
    "nonlocal2d_embedded_gaussian": (lambda: NonLocalBlockND("embedded_gaussian", 8, dimension=2), (2, 8, 6, 4),
                                     "{type: nonlocal, channels: 8, mode: embedded_gaussian, dims: 2, sub_sample: true}"),
    "nonlocal2d_gaussian_no_bn": (lambda: NonLocalBlockND("gaussian", 8, dimension=2, bn_layer=False), (2, 8, 4, 6),
                                  "{type: nonlocal, channels: 8, mode: gaussian, dims: 2, sub_sample: true, bn_layer: false}"),
    "nonlocal1d_dot_product_no_bn_no_sub": (lambda: NonLocalBlockND("dot_product", 6, dimension=1, sub_sample=False, bn_layer=False),
                                            (2, 6, 7),
                                            "{type: nonlocal, channels: 6, mode: dot_product, dims: 1, bn_layer: false}"),
    "nonlocal3d_concatenation": (lambda: NonLocalBlockND("concatenation", 8, dimension=3), (2, 8, 2, 4, 4),
                                 "{type: nonlocal, channels: 8, mode: concatenation, dims: 3, sub_sample: true}"),
    "nonlocal3d_embedded_no_bn": (lambda: NonLocalBlockND("embedded_gaussian", 8, inter_channels=3, dimension=3, bn_layer=False),
                                  (2, 8, 3, 2, 4),
                                  "{type: nonlocal, channels: 8, inter_channels: 3, dims: 3, sub_sample: true, bn_layer: false}"),
    "danet_pam": (lambda: PAM_Module(16), (2, 16, 5, 4), "{type: position_attention, channels: 16}"),
    "danet_cam": (lambda: CAM_Module(8), (2, 8, 5, 4), "{type: channel_attention, channels: 8}"),
    "danet_head": (lambda: DANetHead(32, 3, dropout=0.0), (2, 32, 5, 4), "{type: danet_head, in_channels: 32, num_classes: 3, dropout: 0}"),
    "coord_attention": (lambda: CoordAtt(16, 16, 4), (2, 16, 5, 7), "{type: coord_attention, channels: 16, reduction: 4}"),
}

# ------------------------------------------------------------------------ safetensors, by hand

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
TORCH_DTYPES = {v: k for k, v in DTYPES.items()}


def save_safetensors(path, tensors, metadata=None):
    data, header = b"", {"__metadata__": metadata or {"format": "pt"}}
    for name, t in tensors.items():
        raw = t.detach().contiguous().cpu().numpy().tobytes()  # little-endian on every host torch runs on here
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def load_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        raw = bytearray(blob[8 + n + begin:8 + n + end])
        t = torch.frombuffer(raw, dtype=TORCH_DTYPES[e["dtype"]]) if raw else torch.zeros(0, dtype=TORCH_DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"]).clone()
    return out


def tensor_json(t):
    return {"shape": list(t.shape), "values": [float(repr(v)) for v in t.detach().double().reshape(-1).tolist()]}


# ------------------------------------------------------------------------------------- writing


def make_case(index, name):
    factory, shape, spec = CASES[name]
    torch.manual_seed(1000 + index)
    module = factory()
    with torch.no_grad():  # random parameters and statistics, float32-exact (the file is float32)
        for pname, p in module.named_parameters():
            p.copy_((torch.randn_like(p) * (0.5 if p.dim() > 1 else 0.3) + (0.8 if pname.endswith("gamma") else 0.0)).float())
        for bname, b in module.named_buffers():
            if bname.endswith("running_var"):
                b.copy_((torch.rand_like(b) + 0.5).float())
            elif bname.endswith("running_mean"):
                b.copy_((torch.randn_like(b) * 0.1).float())
            elif bname.endswith("num_batches_tracked"):
                b.fill_(1000)  # a trained checkpoint's count: gaze accepts it and does not keep it
    save_safetensors(os.path.join(HERE, "official", name + ".safetensors"), {k: v.float() if v.is_floating_point() else v
                                                                             for k, v in module.state_dict().items()})
    module = module.double()
    x = torch.randn(*shape, dtype=torch.float64)
    module.eval()
    with torch.no_grad():
        out_eval = module(x)
    module.train()
    x.requires_grad_(True)
    out = module(x)
    grad_out = torch.randn(out.shape, dtype=torch.float64)
    out.backward(grad_out)
    return {
        "layer": spec,
        "input": tensor_json(x),
        "output_eval": tensor_json(out_eval),
        "output": tensor_json(out),
        "grad_output": tensor_json(grad_out),
        "grad_input": tensor_json(x.grad),
        "grads": {k: tensor_json(p.grad) for k, p in module.named_parameters()},
        "buffers_after": {k: tensor_json(b) for k, b in module.named_buffers() if k.endswith(("running_mean", "running_var"))},
    }


def write_fixtures():
    os.makedirs(os.path.join(HERE, "official"), exist_ok=True)
    cases = {name: make_case(i, name) for i, name in enumerate(CASES)}
    with open(os.path.join(HERE, "official.json"), "w") as f:
        json.dump(cases, f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases: official.json and official/*.safetensors")


# ------------------------------------------------------------------------------------- checking


def check(directory):
    """Each DIR/<case>.safetensors (written by gaze under the official names) must load into the
    official module with strict=True, hold the original file's values, and give its outputs."""
    failures = 0
    for name, (factory, shape, spec) in CASES.items():
        path = os.path.join(directory, name + ".safetensors")
        if not os.path.exists(path):
            print(f"MISSING {name}: {path}")
            failures += 1
            continue
        original = load_safetensors(os.path.join(HERE, "official", name + ".safetensors"))
        written = load_safetensors(path)
        module = factory()
        try:
            module.load_state_dict(written, strict=True)
        except RuntimeError as e:
            print(f"FAIL {name}: load_state_dict(strict=True): {e}")
            failures += 1
            continue
        worst = max((written[k].double() - original[k].double()).abs().max().item() if original[k].numel() else 0.0
                    for k in original if not k.endswith("num_batches_tracked"))
        reference = factory()
        reference.load_state_dict(original, strict=True)
        x = torch.randn(*shape)
        module.eval(), reference.eval()
        with torch.no_grad():
            diff = (module(x) - reference(x)).abs().max().item()
        ok = worst <= 1e-7 and diff <= 1e-6
        failures += not ok
        print(f"{'ok' if ok else 'FAIL'} {name}: strict load, {len(written)} keys, max |written - original| {worst:.3g}, "
              f"max |output difference| {diff:.3g}")
    print("all official modules load gaze's files" if failures == 0 else f"{failures} case(s) failed")
    return failures


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(1 if check(sys.argv[2]) else 0)
    write_fixtures()
