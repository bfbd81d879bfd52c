"""Checkpoints: model, target, optimizer, step and RNG state in one file, written atomically (temp file + rename)."""

from __future__ import annotations

import os
import random
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from frames import FrameSampler

CHECKPOINT_NAME = "checkpoint-latest.pt"
CHECKPOINT_FORMAT = "correspond-dense-byol"


def checkpoint_path(checkpoint_dir: str) -> str:
    return os.path.join(checkpoint_dir, CHECKPOINT_NAME)


def atomic_torch_save(payload: dict, path: str) -> None:
    """Saves to `<path>.tmp-<pid>` then renames over `path`: a crash never leaves a half-written checkpoint."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = f"{path}.tmp-{os.getpid()}"
    try:
        with open(temporary, "wb") as handle:
            torch.save(payload, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def split_state(model: torch.nn.Module) -> tuple[dict, dict]:
    """(online state, target state) of a DenseBYOL, keyed by submodule (encoder.*, projector.*, predictor.*)."""
    state = model.state_dict()
    target = {key: value for key, value in state.items() if key.startswith("target_")}
    online = {key: value for key, value in state.items() if not key.startswith("target_")}
    return online, target


def save_checkpoint(path: str, model: torch.nn.Module, optimizer: torch.optim.Optimizer, step: int, total_steps: int, rng: random.Random, sampler: FrameSampler, settings: dict) -> None:
    online, target = split_state(model)
    rng_state = {"python": rng.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        rng_state["cuda"] = torch.cuda.get_rng_state_all()
    atomic_torch_save(
        {
            "format": CHECKPOINT_FORMAT,
            "version": 1,
            "step": step,
            "totalSteps": total_steps,
            "model": online,
            "target": target,
            "optimizer": optimizer.state_dict(),
            "rng": rng_state,
            "sampler": sampler.state(),
            "settings": settings,
        },
        path,
    )


def load_checkpoint(path: str) -> dict:
    payload = torch.load(path, map_location="cpu")
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path}: not a Correspond training checkpoint")
    return payload


def restore_checkpoint(payload: dict, model: torch.nn.Module, optimizer: torch.optim.Optimizer, rng: random.Random, sampler: FrameSampler) -> int:
    """Puts a loaded checkpoint back into model/optimizer/RNGs/sampler; returns its step."""
    model.load_state_dict({**payload["model"], **payload["target"]})
    optimizer.load_state_dict(payload["optimizer"])
    rng.setstate(payload["rng"]["python"])
    torch.set_rng_state(payload["rng"]["torch"])
    if "cuda" in payload["rng"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(payload["rng"]["cuda"])
    sampler.restore(payload.get("sampler"))
    return int(payload["step"])


def new_rng(seed: int) -> random.Random:
    return random.Random(seed)
