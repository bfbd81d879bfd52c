"""Export of the fine-grained stream: online encoder without its training-only top → ONNX opset 13 + a JSON description.

Input `image` [1,3,H,W] float32 RGB in [0,1] (pixel/255); the graph itself applies the input normalisation the
encoder was trained with (ImageNet mean/std for ResNet-18, none for MobileNetV2), so every consumer that feeds
RGB/255 (OnnxFeatureStream's default, a model imported as a plain .onnx) sees what training saw. Output `features`
[1,C,⌈H/8⌉,⌈W/8⌉] (C = 256 for ResNet-18, 96 for MobileNetV2; not L2-normalised: propagation normalises,
SPEC §2.3). Height and width are free (dynamic axes).
"""

from __future__ import annotations

import json
import os

import torch
from torch import nn

from encoders import architecture_of, build_encoder, describe_architecture, is_training_only

INPUT_NAME = "image"
OUTPUT_NAME = "features"
OPSET = 13
STRIDE = 8


class FineGrainedStream(nn.Module):
    """RGB in [0,1] → (x − mean) / std → encoder: the exported network, input normalisation included (skipped
    when the encoder takes RGB/255 as it is)."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.normalises = tuple(encoder.input_mean) != (0.0, 0.0, 0.0) or tuple(encoder.input_std) != (1.0, 1.0, 1.0)
        self.register_buffer("mean", torch.tensor(encoder.input_mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(encoder.input_std, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, image):
        return self.encoder((image - self.mean) / self.std if self.normalises else image)


def inference_encoder(online_state: dict) -> FineGrainedStream:
    """The exported stream: normalisation + the encoder without its training-only top (ResNet layer4, MobileNetV2
    blocks 11–12) in eval mode (BatchNorm on running statistics), from a checkpoint's online state."""
    architecture = architecture_of(online_state)
    encoder = build_encoder(architecture, training=False)
    prefix = "encoder."
    state = {
        key[len(prefix):]: value
        for key, value in online_state.items()
        if key.startswith(prefix) and not is_training_only(architecture, key[len(prefix):])
    }
    encoder.load_state_dict(state, strict=True)
    return FineGrainedStream(encoder).eval()


def metadata_path(onnx_path: str) -> str:
    return onnx_path + ".json"


def describe(step: int, batch_size: int, image_size: int, architecture: str = "resnet18") -> dict:
    stream = build_encoder(architecture, training=False)
    normalization = (
        {"where": "inside the graph: (x − mean) / std; feed pixel/255", "mean": list(stream.input_mean), "std": list(stream.input_std)}
        if FineGrainedStream(stream).normalises
        else {"where": "none: the network takes pixel/255"}
    )
    return {
        "format": "correspond-fc",
        "architecture": describe_architecture(architecture),
        "architectureId": architecture,
        "input": {
            "name": INPUT_NAME,
            "layout": "NCHW",
            "shape": [1, 3, "height", "width"],
            "dtype": "float32",
            "colorOrder": "RGB",
            "valueRange": [0, 1],
            "normalization": normalization,
        },
        "output": {
            "name": OUTPUT_NAME,
            "channels": stream.out_channels,
            "stride": STRIDE,
            "size": "ceil(H/8) x ceil(W/8)",
            "l2Normalized": False,
        },
        "opset": OPSET,
        "training": {"steps": step, "batchSize": batch_size, "imageSize": image_size, "images": step * batch_size},
    }


def export_onnx(online_state: dict, onnx_path: str, description: dict) -> None:
    """Writes `onnx_path` and `<onnx_path>.json`, each through a temp file + rename."""
    encoder = inference_encoder(online_state).cpu()
    directory = os.path.dirname(os.path.abspath(onnx_path))
    os.makedirs(directory, exist_ok=True)
    temporary = f"{onnx_path}.tmp-{os.getpid()}"
    example = torch.zeros(1, 3, 64, 96)
    try:
        with torch.no_grad():
            torch.onnx.export(
                encoder,
                example,
                temporary,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                dynamic_axes={INPUT_NAME: {2: "height", 3: "width"}, OUTPUT_NAME: {2: "height8", 3: "width8"}},
                opset_version=OPSET,
                do_constant_folding=True,
            )
        os.replace(temporary, onnx_path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    meta_temporary = f"{metadata_path(onnx_path)}.tmp-{os.getpid()}"
    with open(meta_temporary, "w", encoding="utf-8") as handle:
        json.dump(description, handle, indent=2)
    os.replace(meta_temporary, metadata_path(onnx_path))
    return onnx_path


def export_weights_file(weights_path: str, onnx_path: str, batch_size: int, image_size: int) -> None:
    """Re-exports a float16 weights file written by export_weights.py (e.g. resources/models/fc-default.pt)."""
    payload = torch.load(weights_path, map_location="cpu")
    if not isinstance(payload, dict) or payload.get("format") != "correspond-fc-weights":
        raise ValueError(f"{weights_path}: not a Correspond FC weights file (export_weights.py writes them)")
    online = {key: value.float() if value.is_floating_point() else value for key, value in payload["model"].items()}
    description = describe(int(payload["step"]), batch_size, image_size, architecture_of(online))
    description["weights"] = f"re-exported from {os.path.basename(weights_path)} (float16 weights)"
    return export_onnx(online, onnx_path, description)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Re-export an FC weights file (export_weights.py) as ONNX.")
    parser.add_argument("weights")
    parser.add_argument("onnx")
    parser.add_argument("--batch-size", type=int, required=True, help="batch size it was trained with (recorded)")
    parser.add_argument("--image-size", type=int, required=True, help="image size it was trained with (recorded)")
    arguments = parser.parse_args()
    print(export_weights_file(arguments.weights, arguments.onnx, arguments.batch_size, arguments.image_size))
