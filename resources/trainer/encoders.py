"""The fine-grained encoders the worker trains, by architecture name.

* `resnet18` — SFC's FC (SPEC §7): ResNet-18, stride-1 layer3/layer4, from random weights or an earlier FC;
  layer4 during training only; the stream is layer3 (256 channels). Input: ImageNet mean/std.
* `mobilenetv2` — the Keras MobileNetV2 trunk started from ImageNet (the only ImageNet CNN available offline),
  block_6 at stride 1; blocks 11–12 during training only; the stream is block_10 (96 channels). Input: RGB/255.

Each encoder class carries `architecture`, `input_mean`, `input_std` and `out_channels`.
"""

from __future__ import annotations

from torch import nn

from mobilenet import INFERENCE_LAST_BLOCK, TRAINING_LAST_BLOCK, MobileNetV2Encoder
from resnet import ResNet18Encoder

ARCHITECTURES = ("resnet18", "mobilenetv2")
DEFAULT_ARCHITECTURE = "resnet18"


class ArchitectureError(ValueError):
    pass


def check_architecture(name: str) -> str:
    if name not in ARCHITECTURES:
        raise ArchitectureError(f"architecture must be one of {', '.join(ARCHITECTURES)}, got {name!r}")
    return name


def build_encoder(architecture: str, training: bool = True) -> nn.Module:
    """The encoder as trained (with its training-only top) or as exported (`training=False`)."""
    check_architecture(architecture)
    if architecture == "resnet18":
        return ResNet18Encoder(with_layer4=training)
    return MobileNetV2Encoder(last_block=TRAINING_LAST_BLOCK if training else INFERENCE_LAST_BLOCK)


def is_training_only(architecture: str, encoder_key: str) -> bool:
    """Whether an encoder state key belongs to the part dropped at export (ResNet layer4, MobileNetV2 blocks 11–12)."""
    if architecture == "resnet18":
        return encoder_key.startswith("layer4.")
    parts = encoder_key.split(".")
    return len(parts) > 1 and parts[0] == "blocks" and int(parts[1]) > INFERENCE_LAST_BLOCK


def stream_channels(architecture: str) -> int:
    return build_encoder(architecture, training=False).out_channels


def describe_architecture(architecture: str) -> str:
    if architecture == "resnet18":
        return "ResNet-18, stride-1 layer3, layer4 removed (dense BYOL, SPEC §7)"
    return "MobileNetV2 (Keras, ImageNet start), block_6 at stride 1, ends at block_10 (dense BYOL, SPEC §7)"


def architecture_of(state: dict, prefix: str = "encoder.") -> str:
    """The architecture of a state dict by its keys (ResNet's `conv1.weight`, MobileNetV2's `stem.conv.weight`)."""
    if f"{prefix}stem.conv.weight" in state:
        return "mobilenetv2"
    if f"{prefix}conv1.weight" in state:
        return "resnet18"
    raise ArchitectureError(f"neither a ResNet-18 nor a MobileNetV2 encoder (no {prefix}conv1.weight or {prefix}stem.conv.weight)")
