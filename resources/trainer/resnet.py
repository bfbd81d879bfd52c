"""ResNet-18 in torchvision's layout (identical state-dict keys), with the SFC/CRW stride change (SPEC §2.2, §7).

torchvision is not a dependency of the worker, so the network is written out here. Key names match
`torchvision.models.resnet18()` exactly (conv1, bn1, layer1.0.conv1, ..., layerN.0.downsample.0/1, fc), so an
ImageNet state dict from torchvision loads with `load_state_dict(strict=False)` (fc is dropped).
"""

from __future__ import annotations

import torch
from torch import nn

from crops import IMAGENET_MEAN, IMAGENET_STD


def conv3x3(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_channels: int, out_channels: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels, channels, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(in_channels, channels, stride)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(channels, channels)
        self.bn2 = nn.BatchNorm2d(channels)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18Encoder(nn.Module):
    """Image [B,3,H,W] → features [B,512,⌈H/8⌉,⌈W/8⌉] (or 256 channels when layer4 is removed).

    Built with torchvision's strides, then every Conv2d of layer3 and layer4 gets stride 1 without dilation, as
    CRW's `modify()` does (SPEC §2.2): the downsample 1×1 convs of those stages keep their channel change.
    Input: ImageNet mean/std normalised RGB (SPEC §2.1).
    """

    architecture = "resnet18"
    input_mean = IMAGENET_MEAN
    input_std = IMAGENET_STD

    def __init__(self, with_layer4=True):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.in_channels = 64
        self.layer1 = self._make_layer(64, stride=1)
        self.layer2 = self._make_layer(128, stride=2)
        self.layer3 = self._make_layer(256, stride=2)
        self.layer4 = self._make_layer(512, stride=2) if with_layer4 else None
        self._initialise()
        for stage in (self.layer3, self.layer4):
            if stage is None:
                continue
            for module in stage.modules():
                if isinstance(module, nn.Conv2d):
                    module.stride = (1, 1)

    @property
    def out_channels(self):
        return 512 if self.layer4 is not None else 256

    def _make_layer(self, channels, stride):
        downsample = None
        if stride != 1 or self.in_channels != channels:
            downsample = nn.Sequential(conv1x1(self.in_channels, channels, stride), nn.BatchNorm2d(channels))
        blocks = [BasicBlock(self.in_channels, channels, stride, downsample), BasicBlock(channels, channels)]
        self.in_channels = channels
        return nn.Sequential(*blocks)

    def _initialise(self):
        # torchvision's initialisation, so a from-scratch encoder starts like `resnet18()` does.
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.constant_(module.weight, 1)
                nn.init.constant_(module.bias, 0)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer3(self.layer2(self.layer1(x)))
        if self.layer4 is not None:
            x = self.layer4(x)
        return x


def encoder_state_from(state_dict: dict) -> dict:
    """Keeps the encoder keys of a torchvision-style ResNet-18 state dict (drops fc.*, strips 'module.'/'encoder.')."""
    cleaned = {}
    for key, value in state_dict.items():
        for prefix in ("module.", "encoder."):
            if key.startswith(prefix):
                key = key[len(prefix):]
        if key.startswith("fc."):
            continue
        cleaned[key] = value
    return cleaned


def count_parameters(module: nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


if __name__ == "__main__":
    encoder = ResNet18Encoder()
    print(encoder(torch.zeros(1, 3, 64, 96)).shape, count_parameters(encoder))
