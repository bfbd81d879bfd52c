"""Writes a checkpoint's online network (encoder, projector, predictor) as a compact float16 state dict.

Usage: python3 export_weights.py CHECKPOINT OUT.pt

The shipped fine-grained model keeps its PyTorch weights next to its ONNX this way (resources/models/fc-default.pt),
so per-project fine-tuning (`initFrom`) starts from it; `load_initial_encoder` reads the file back into float32.
"""

import sys

import torch

from checkpoints import CHECKPOINT_FORMAT, atomic_torch_save, load_checkpoint


def online_weights(payload):
    """float16 copy of the online state of a Correspond checkpoint; refuses anything else."""
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT or "model" not in payload:
        raise ValueError(f"not a Correspond training checkpoint (format {CHECKPOINT_FORMAT})")
    weights = {}
    for key, value in payload["model"].items():
        weights[key] = value.detach().to("cpu").half() if value.is_floating_point() else value.detach().to("cpu")
    return {"format": "correspond-fc-weights", "step": int(payload["step"]), "model": weights}


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        payload = load_checkpoint(argv[1])
        result = online_weights(payload)
    except (OSError, RuntimeError, ValueError) as error:
        print(f"{argv[1]}: {error}", file=sys.stderr)
        return 1
    atomic_torch_save(result, argv[2])
    print(f"{argv[2]}: {len(result['model'])} tensors from step {result['step']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
