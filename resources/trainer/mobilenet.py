"""MobileNetV2 trunk (Keras layout, width 1.0) as a fine-grained encoder started from ImageNet weights.

The only ImageNet CNN available offline is the Keras MobileNetV2 shipped by npm nsfwjs (its conv kernels up to
block_10 are ImageNet's). `npm install` writes its trunk weights as float32 (`mobilenetv2-trunk.{json,bin}`, see
src-main/core/models/mobileNetWeights.ts); `load_keras_trunk` reads them into this network.

Two geometries:
* `keras`: Keras' own (stride-2 layers pad right/bottom by one, block_6 at stride 2) — reproduces the generated
  `mobilenetv2-backbone.onnx`, which is how the weight conversion is tested.
* `fc` (the fine-grained stream): every stride-2 layer pads one pixel on each side (output ⌈n/2⌉, cells centred like
  ResNet's) and block_6 runs at stride 1 without dilation, as SFC/CRW change ResNet's layer3 (SPEC §2.2): blocks
  6–12 stay at stride 8, so the output is ⌈H/8⌉×⌈W/8⌉.

As ResNet-18's layer4 in SFC, blocks 11–12 are used during training only: the exported stream ends at
block_10's projection (96 channels).
"""

from __future__ import annotations

import json
import os

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

BATCH_NORM_EPSILON = 1e-3
# (expansion, output channels, stride) of block_1 … block_12; block 0 is Keras' `expanded_conv` (no expansion).
BLOCKS = [
    (6, 24, 2), (6, 24, 1),
    (6, 32, 2), (6, 32, 1), (6, 32, 1),
    (6, 64, 2), (6, 64, 1), (6, 64, 1), (6, 64, 1),
    (6, 96, 1), (6, 96, 1), (6, 96, 1),
]
INFERENCE_LAST_BLOCK = 10
TRAINING_LAST_BLOCK = 12
OUTPUT_CHANNELS = 96
# Keras MobileNetV2 as nsfwjs runs it takes RGB/255: no mean/std.
INPUT_MEAN = (0.0, 0.0, 0.0)
INPUT_STD = (1.0, 1.0, 1.0)


def batch_norm(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BATCH_NORM_EPSILON)


class ConvBN(nn.Module):
    """Conv (no bias) + BatchNorm (+ ReLU6). Stride-2 layers pad as the geometry says; others pad 'same'."""

    def __init__(self, in_channels, out_channels, kernel, stride, groups, relu, geometry):
        super().__init__()
        self.stride = stride
        self.geometry = geometry
        self.kernel = kernel
        same = (kernel - 1) // 2
        padding = 0 if (stride == 2 and geometry == "keras") else same
        self.conv = nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=padding, groups=groups, bias=False)
        self.bn = batch_norm(out_channels)
        self.relu = relu

    def forward(self, x):
        if self.stride == 2 and self.geometry == "keras":
            x = F.pad(x, (0, 1, 0, 1))
        x = self.bn(self.conv(x))
        return F.relu6(x) if self.relu else x


class InvertedResidual(nn.Module):
    def __init__(self, in_channels, expansion, out_channels, stride, geometry):
        super().__init__()
        hidden = in_channels * expansion
        self.expand = ConvBN(in_channels, hidden, 1, 1, 1, True, geometry) if expansion != 1 else None
        self.depthwise = ConvBN(hidden, hidden, 3, stride, hidden, True, geometry)
        self.project = ConvBN(hidden, out_channels, 1, 1, 1, False, geometry)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x):
        y = x if self.expand is None else self.expand(x)
        y = self.project(self.depthwise(y))
        return x + y if self.residual else y


class MobileNetV2Encoder(nn.Module):
    """Image [B,3,H,W] RGB in [0,1] → features [B,96,⌈H/8⌉,⌈W/8⌉] (`fc` geometry).

    `last_block` 12 while training (the projector reads block_12), 10 for the exported stream. `block_outputs`
    names blocks whose outputs `forward_blocks` also returns (the parity test reads blocks 5 and 10).
    """

    input_mean = INPUT_MEAN
    input_std = INPUT_STD
    architecture = "mobilenetv2"

    def __init__(self, last_block=TRAINING_LAST_BLOCK, geometry="fc"):
        super().__init__()
        if geometry not in ("fc", "keras"):
            raise ValueError(f"geometry must be 'fc' or 'keras', got {geometry!r}")
        self.geometry = geometry
        self.last_block = last_block
        self.stem = ConvBN(3, 32, 3, 2, 1, True, geometry)
        blocks = [InvertedResidual(32, 1, 16, 1, geometry)]
        channels = 16
        for index, (expansion, out_channels, stride) in enumerate(BLOCKS[:last_block], start=1):
            if index == 6 and geometry == "fc":
                stride = 1
            blocks.append(InvertedResidual(channels, expansion, out_channels, stride, geometry))
            channels = out_channels
        self.blocks = nn.ModuleList(blocks)
        self.out_channels = channels

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x)
        return x

    def forward_blocks(self, x, wanted):
        outputs = {}
        x = self.stem(x)
        for index, block in enumerate(self.blocks):
            x = block(x)
            if index in wanted:
                outputs[index] = x
        return outputs


def _conv_bn_names(keras_conv, keras_bn, module_prefix):
    return [(keras_conv, f"{module_prefix}.conv"), (keras_bn, f"{module_prefix}.bn")]


def keras_name_map(last_block: int) -> list[tuple[str, str]]:
    """[(Keras layer name, module path)] for the trunk's conv and BatchNorm layers."""
    names = _conv_bn_names("Conv1", "bn_Conv1", "stem")
    names += _conv_bn_names("expanded_conv_depthwise", "expanded_conv_depthwise_BN", "blocks.0.depthwise")
    names += _conv_bn_names("expanded_conv_project", "expanded_conv_project_BN", "blocks.0.project")
    for index in range(1, last_block + 1):
        for part in ("expand", "depthwise", "project"):
            names += _conv_bn_names(f"block_{index}_{part}", f"block_{index}_{part}_BN", f"blocks.{index}.{part}")
    return names


class TrunkWeightsError(Exception):
    pass


def read_keras_trunk(index_path: str) -> dict:
    """{Keras weight name: float32 array in Keras layout} from mobilenetv2-trunk.json and its .bin."""
    try:
        with open(index_path, encoding="utf-8") as handle:
            index = json.load(handle)
    except (OSError, ValueError) as error:
        raise TrunkWeightsError(f"{index_path}: cannot read the trunk weight index ({error})") from error
    if not isinstance(index, dict) or index.get("format") != "correspond-keras-weights":
        raise TrunkWeightsError(f"{index_path}: not a Correspond Keras weight index")
    data_path = os.path.splitext(index_path)[0] + ".bin"
    try:
        data = np.fromfile(data_path, dtype="<f4")
    except OSError as error:
        raise TrunkWeightsError(f"{data_path}: cannot read the trunk weights ({error})") from error
    if data.nbytes != index.get("bytes"):
        raise TrunkWeightsError(f"{data_path}: holds {data.nbytes} bytes, the index expects {index.get('bytes')}")
    weights = {}
    for tensor in index["tensors"]:
        start = tensor["offset"] // 4
        weights[tensor["name"]] = data[start:start + tensor["count"]].reshape(tensor["shape"])
    return weights


def load_keras_trunk(encoder: MobileNetV2Encoder, index_path: str) -> MobileNetV2Encoder:
    """Copies the Keras trunk weights into `encoder` (all of its conv and BatchNorm layers)."""
    weights = read_keras_trunk(index_path)
    modules = dict(encoder.named_modules())
    for keras_name, module_path in keras_name_map(len(encoder.blocks) - 1):
        module = modules[module_path]
        if isinstance(module, nn.Conv2d):
            key = f"{keras_name}/depthwise_kernel" if module.groups > 1 else f"{keras_name}/kernel"
            if key not in weights:
                raise TrunkWeightsError(f"{index_path}: weight {key} is missing")
            kernel = weights[key]
            # Conv2D: H,W,in,out → out,in,H,W. DepthwiseConv2D: H,W,C,1 → C,1,H,W.
            array = kernel.transpose(2, 3, 0, 1) if module.groups > 1 else kernel.transpose(3, 2, 0, 1)
            _assign(module.weight, array, key, index_path)
        else:
            for parameter, suffix in ((module.weight, "gamma"), (module.bias, "beta"), (module.running_mean, "moving_mean"), (module.running_var, "moving_variance")):
                key = f"{keras_name}/{suffix}"
                if key not in weights:
                    raise TrunkWeightsError(f"{index_path}: weight {key} is missing")
                _assign(parameter, weights[key], key, index_path)
    return encoder


def _assign(target, array, key, index_path):
    if tuple(target.shape) != tuple(array.shape):
        raise TrunkWeightsError(f"{index_path}: {key} has shape {list(array.shape)}, the network needs {list(target.shape)}")
    with torch.no_grad():
        target.copy_(torch.from_numpy(np.ascontiguousarray(array)))
