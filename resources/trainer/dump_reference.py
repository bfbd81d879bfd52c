"""Writes the PyTorch stride-8 output of a checkpoint's exported network for a given input, for ONNX parity checks.

Usage: python3 dump_reference.py --checkpoint CKPT.pt (--input IN.npy | --pixels RGB.npy) --output OUT.npy
IN.npy: float32 [1,3,H,W] RGB in [0,1], run through the exported network (which normalises inside).
RGB.npy: uint8 [H,W,3] pixels, prepared exactly as training prepares its views (crops.image_to_tensor) and run
through the trained encoder alone: what an exported model fed pixel/255 must reproduce.
OUT.npy: float32 [1,256,⌈H/8⌉,⌈W/8⌉] (online encoder, layer4 removed, eval-mode BatchNorm).
"""

import argparse
import sys

import numpy as np
import torch
from PIL import Image

from checkpoints import load_checkpoint
from crops import image_to_tensor
from onnx_export import inference_encoder


def read_input(args):
    """(network input tensor, whether it is already normalised as in training) or an error message."""
    if args.pixels:
        pixels = np.load(args.pixels)
        if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
            return None, f"{args.pixels}: expected uint8 [H,W,3], got {pixels.dtype} {list(pixels.shape)}"
        return image_to_tensor(Image.fromarray(pixels, "RGB"))[None], None
    image = np.load(args.input)
    if image.dtype != np.float32 or image.ndim != 4 or image.shape[0] != 1 or image.shape[1] != 3:
        return None, f"{args.input}: expected float32 [1,3,H,W], got {image.dtype} {list(image.shape)}"
    return torch.from_numpy(image), None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input")
    source.add_argument("--pixels")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    tensor, problem = read_input(args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    stream = inference_encoder(load_checkpoint(args.checkpoint)["model"])
    network = stream.encoder if args.pixels else stream
    with torch.no_grad():
        features = network(tensor).numpy().astype(np.float32)
    np.save(args.output, features)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
