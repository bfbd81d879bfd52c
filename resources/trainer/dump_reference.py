"""Writes the PyTorch stride-8 output of a checkpoint's exported network for a given input, for ONNX parity checks.

Usage: python3 dump_reference.py --checkpoint CKPT.pt --input IN.npy --output OUT.npy
IN.npy: float32 [1,3,H,W] (already normalised); OUT.npy: float32 [1,256,⌈H/8⌉,⌈W/8⌉] from the same network the
export writes (online encoder, layer4 removed, eval-mode BatchNorm).
"""

import argparse
import sys

import numpy as np
import torch

from checkpoints import load_checkpoint
from onnx_export import inference_encoder


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    image = np.load(args.input)
    if image.dtype != np.float32 or image.ndim != 4 or image.shape[0] != 1 or image.shape[1] != 3:
        print(f"{args.input}: expected float32 [1,3,H,W], got {image.dtype} {list(image.shape)}", file=sys.stderr)
        return 2
    encoder = inference_encoder(load_checkpoint(args.checkpoint)["model"])
    with torch.no_grad():
        features = encoder(torch.from_numpy(image)).numpy().astype(np.float32)
    np.save(args.output, features)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
