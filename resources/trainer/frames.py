"""Frame sources: a folder of PNG/JPEG images or an explicit list of files, written by the main process."""

from __future__ import annotations

import os
import random

from PIL import Image

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg")


class FrameError(Exception):
    """Bad frame input; `code` crosses the protocol as the error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def list_frames(frames_dir: str | None = None, frame_files: list[str] | None = None) -> list[str]:
    """Sorted list of image paths from `frames_dir` (non-recursive) or the given `frame_files`; at least one."""
    if frame_files:
        missing = [path for path in frame_files if not os.path.isfile(path)]
        if missing:
            raise FrameError("NO_FRAMES", f"{len(missing)} frame file(s) do not exist, first: {missing[0]}")
        return list(frame_files)
    if not frames_dir:
        raise FrameError("BAD_CONFIG", "start needs config.framesDir or config.frameFiles")
    if not os.path.isdir(frames_dir):
        raise FrameError("NO_FRAMES", f"{frames_dir}: frames folder does not exist")
    names = sorted(name for name in os.listdir(frames_dir) if name.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise FrameError("NO_FRAMES", f"{frames_dir}: no .png/.jpg/.jpeg frames in the folder")
    return [os.path.join(frames_dir, name) for name in names]


def load_rgb(path: str) -> Image.Image:
    """Decodes one frame as RGB; unreadable files are a FrameError naming the file."""
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, ValueError) as error:
        raise FrameError("BAD_FRAME", f"{path}: cannot read image ({error})") from error


class FrameSampler:
    """Epoch-wise shuffled frame order (every frame once per epoch), reproducible from `rng` and resumable."""

    def __init__(self, paths: list[str], rng: random.Random):
        self.paths = paths
        self.rng = rng
        self.order = []
        self.cursor = 0

    def next_batch(self, batch_size: int) -> list[Image.Image]:
        batch = []
        while len(batch) < batch_size:
            if self.cursor >= len(self.order):
                self.order = list(range(len(self.paths)))
                self.rng.shuffle(self.order)
                self.cursor = 0
            batch.append(self.paths[self.order[self.cursor]])
            self.cursor += 1
        return [load_rgb(path) for path in batch]

    def state(self) -> dict:
        return {"order": list(self.order), "cursor": self.cursor, "count": len(self.paths)}

    def restore(self, state: dict) -> None:
        # A changed frame list makes the saved order meaningless: start a fresh epoch instead.
        if state and state.get("count") == len(self.paths):
            self.order = list(state["order"])
            self.cursor = int(state["cursor"])
