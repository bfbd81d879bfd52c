"""Random resized crops with area scale U[0,1] and torchvision's aspect jitter, written out (SPEC §7).

No colour jitter, blur or grayscale: SFC Table 3 finds they hurt the fine-grained stream.
"""

from __future__ import annotations

import math
import random
from typing import Sequence

import numpy as np
import torch
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CROP_SCALE = (0.0, 1.0)
CROP_RATIO = (3.0 / 4.0, 4.0 / 3.0)


def random_resized_crop_box(rng: random.Random, width: int, height: int, scale: tuple[float, float] = CROP_SCALE, ratio: tuple[float, float] = CROP_RATIO) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) integer pixel box, the same draw as torchvision's `RandomResizedCrop.get_params`.

    Ten tries of: area·U(scale), aspect = exp(U(log ratio)), w = round(√(area·aspect)), h = round(√(area/aspect));
    accepted when 0 < w ≤ width and 0 < h ≤ height, placed uniformly. Otherwise the central crop clamped to the
    ratio range. `rng` is a `random.Random`.
    """
    area = width * height
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        target_area = area * rng.uniform(scale[0], scale[1])
        aspect = math.exp(rng.uniform(log_ratio[0], log_ratio[1]))
        crop_width = int(round(math.sqrt(target_area * aspect)))
        crop_height = int(round(math.sqrt(target_area / aspect)))
        if 0 < crop_width <= width and 0 < crop_height <= height:
            top = rng.randint(0, height - crop_height)
            left = rng.randint(0, width - crop_width)
            return (left, top, left + crop_width, top + crop_height)
    in_ratio = width / height
    if in_ratio < min(ratio):
        crop_width = width
        crop_height = int(round(crop_width / min(ratio)))
    elif in_ratio > max(ratio):
        crop_height = height
        crop_width = int(round(crop_height * max(ratio)))
    else:
        crop_width, crop_height = width, height
    top = (height - crop_height) // 2
    left = (width - crop_width) // 2
    return (left, top, left + crop_width, top + crop_height)


def image_to_tensor(image: Image.Image, mean: Sequence[float] = IMAGENET_MEAN, std: Sequence[float] = IMAGENET_STD) -> torch.Tensor:
    """PIL RGB image → [3,H,W] float32, /255 then (x − mean) / std: ImageNet's for ResNet (SPEC §2.1), none
    (mean 0, std 1) for the Keras MobileNetV2, which takes RGB/255."""
    array = np.asarray(image, dtype=np.float32) / 255.0
    array = (array - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def make_view(rng: random.Random, image: Image.Image, size: int, horizontal_flip: bool = True, normalization: tuple[Sequence[float], Sequence[float]] = (IMAGENET_MEAN, IMAGENET_STD)):
    """One augmented view: (tensor [3,size,size], box (x0,y0,x1,y1) as floats).

    A flipped view swaps x0 and x1 in its box: the first feature column then sits at the crop's right edge.
    """
    box = random_resized_crop_box(rng, image.width, image.height)
    view = image.resize((size, size), Image.BILINEAR, box=box)
    x0, y0, x1, y1 = (float(value) for value in box)
    if horizontal_flip and rng.random() < 0.5:
        view = view.transpose(Image.FLIP_LEFT_RIGHT)
        x0, x1 = x1, x0
    return image_to_tensor(view, *normalization), (x0, y0, x1, y1)


def make_pair_batch(rng: random.Random, images: list[Image.Image], size: int, horizontal_flip: bool = True, normalization: tuple[Sequence[float], Sequence[float]] = (IMAGENET_MEAN, IMAGENET_STD)):
    """Two independent views of each image: views [B,3,S,S] ×2 and boxes [B,4] ×2 (float64); `normalization` is
    the encoder's (input_mean, input_std)."""
    views = ([], [])
    boxes = ([], [])
    for image in images:
        for which in (0, 1):
            tensor, box = make_view(rng, image, size, horizontal_flip, normalization)
            views[which].append(tensor)
            boxes[which].append(box)
    return (
        torch.stack(views[0]),
        torch.stack(views[1]),
        torch.tensor(boxes[0], dtype=torch.float64),
        torch.tensor(boxes[1], dtype=torch.float64),
    )
