"""Export of the fine-grained stream: online encoder without layer4 → ONNX opset 13 + a JSON description.

Input `image` [1,3,H,W] float32 RGB in [0,1] (pixel/255); the graph itself subtracts the ImageNet mean and divides
by the std the encoder was trained with, so every consumer that feeds RGB/255 (OnnxFeatureStream's default, a model
imported as a plain .onnx) sees what training saw. Output `features` [1,256,⌈H/8⌉,⌈W/8⌉] (not L2-normalised:
propagation normalises, SPEC §2.3). Height and width are free (dynamic axes).
"""

import json
import os

import torch
from torch import nn

from crops import IMAGENET_MEAN, IMAGENET_STD
from resnet import ResNet18Encoder

INPUT_NAME = "image"
OUTPUT_NAME = "features"
OPSET = 13
CHANNELS = 256
STRIDE = 8


class FineGrainedStream(nn.Module):
    """RGB in [0,1] → (x − mean) / std → encoder: the exported network, input normalisation included."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, image):
        return self.encoder((image - self.mean) / self.std)


def inference_encoder(online_state):
    """The exported stream: normalisation + ResNet-18 without layer4 in eval mode (BatchNorm on running
    statistics), from a checkpoint's online state."""
    encoder = ResNet18Encoder(with_layer4=False)
    prefix = "encoder."
    state = {
        key[len(prefix):]: value
        for key, value in online_state.items()
        if key.startswith(prefix) and not key.startswith(prefix + "layer4.")
    }
    encoder.load_state_dict(state, strict=True)
    return FineGrainedStream(encoder).eval()


def metadata_path(onnx_path):
    return onnx_path + ".json"


def describe(step, batch_size, image_size):
    return {
        "format": "correspond-fc",
        "architecture": "ResNet-18, stride-1 layer3, layer4 removed (dense BYOL, SPEC §7)",
        "input": {
            "name": INPUT_NAME,
            "layout": "NCHW",
            "shape": [1, 3, "height", "width"],
            "dtype": "float32",
            "colorOrder": "RGB",
            "valueRange": [0, 1],
            "normalization": {
                "where": "inside the graph: (x − mean) / std; feed pixel/255",
                "mean": list(IMAGENET_MEAN),
                "std": list(IMAGENET_STD),
            },
        },
        "output": {
            "name": OUTPUT_NAME,
            "channels": CHANNELS,
            "stride": STRIDE,
            "size": "ceil(H/8) x ceil(W/8)",
            "l2Normalized": False,
        },
        "opset": OPSET,
        "training": {"steps": step, "batchSize": batch_size, "imageSize": image_size, "images": step * batch_size},
    }


def export_onnx(online_state, onnx_path, description):
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


def export_weights_file(weights_path, onnx_path, batch_size, image_size):
    """Re-exports a float16 weights file written by export_weights.py (e.g. resources/models/fc-default.pt)."""
    payload = torch.load(weights_path, map_location="cpu")
    if not isinstance(payload, dict) or payload.get("format") != "correspond-fc-weights":
        raise ValueError(f"{weights_path}: not a Correspond FC weights file (export_weights.py writes them)")
    online = {key: value.float() if value.is_floating_point() else value for key, value in payload["model"].items()}
    description = describe(int(payload["step"]), batch_size, image_size)
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
