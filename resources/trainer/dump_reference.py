"""Writes the PyTorch stride-8 output of a checkpoint's exported network for a given input, for ONNX parity checks.

Usage: python3 dump_reference.py --checkpoint CKPT.pt (--input IN.npy | --pixels RGB.npy) --output OUT.npy
       python3 dump_reference.py --keras-trunk mobilenetv2-trunk.json --block N --input IN.npy --output OUT.npy
IN.npy: float32 [1,3,H,W] RGB in [0,1], run through the exported network (which normalises inside).
RGB.npy: uint8 [H,W,3] pixels, prepared exactly as training prepares its views (crops.image_to_tensor) and run
through the trained encoder alone: what an exported model fed pixel/255 must reproduce.
OUT.npy: float32 [1,C,⌈H/8⌉,⌈W/8⌉] (online encoder without its training-only top, eval-mode BatchNorm).
With --keras-trunk: the output of block N (5 or 10) of the ImageNet MobileNetV2 trunk in Keras' own geometry, the
network `mobilenetv2-backbone.onnx` converts, so the two conversions of the same weights can be compared.
"""

import argparse
import sys

import numpy as np
import torch
from PIL import Image

from checkpoints import load_checkpoint
from crops import image_to_tensor
from mobilenet import MobileNetV2Encoder, load_keras_trunk
from onnx_export import inference_encoder


def read_input(args):
    """(the [1,3,H,W] input tensor, or the PIL image of --pixels, normalised later as the encoder wants) or an
    error message."""
    if args.pixels:
        pixels = np.load(args.pixels)
        if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
            return None, f"{args.pixels}: expected uint8 [H,W,3], got {pixels.dtype} {list(pixels.shape)}"
        return Image.fromarray(pixels, "RGB"), None
    image = np.load(args.input)
    if image.dtype != np.float32 or image.ndim != 4 or image.shape[0] != 1 or image.shape[1] != 3:
        return None, f"{args.input}: expected float32 [1,3,H,W], got {image.dtype} {list(image.shape)}"
    return torch.from_numpy(image), None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    network_source = parser.add_mutually_exclusive_group(required=True)
    network_source.add_argument("--checkpoint")
    network_source.add_argument("--keras-trunk")
    parser.add_argument("--block", type=int, default=10)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input")
    source.add_argument("--pixels")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    tensor, problem = read_input(args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.keras_trunk:
        trunk = load_keras_trunk(MobileNetV2Encoder(last_block=args.block, geometry="keras"), args.keras_trunk).eval()
        with torch.no_grad():
            features = trunk(tensor).numpy().astype(np.float32)
        np.save(args.output, features)
        return 0
    stream = inference_encoder(load_checkpoint(args.checkpoint)["model"])
    network = stream.encoder if args.pixels else stream
    if args.pixels:
        tensor = image_to_tensor(tensor, stream.encoder.input_mean, stream.encoder.input_std)[None]
    with torch.no_grad():
        features = network(tensor).numpy().astype(np.float32)
    np.save(args.output, features)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
