import math
import random
import unittest

import numpy as np
from PIL import Image

import trainer_path  # noqa: F401
from crops import make_view, random_resized_crop_box


class ScriptedRng:
    """Returns scripted draws so the crop geometry can be checked by hand."""

    def __init__(self, uniforms, randints=(), flip_draw=0.9):
        self.uniforms = list(uniforms)
        self.randints = list(randints)
        self.flip_draw = flip_draw

    def uniform(self, low, high):
        fraction = self.uniforms.pop(0)
        return low + fraction * (high - low)

    def randint(self, low, high):
        return low + self.randints.pop(0) if self.randints else low

    def random(self):
        return self.flip_draw  # < 0.5 flips


class RandomResizedCropBoxTest(unittest.TestCase):
    def test_half_area_square_crop_is_placed_at_the_drawn_offset(self):
        # 200×100 image, area scale 0.5 → 10000 px², log-ratio at the midpoint → aspect 1 → 100×100 at (30, 0).
        rng = ScriptedRng(uniforms=[0.5, 0.5], randints=[0, 30])
        self.assertEqual(random_resized_crop_box(rng, 200, 100), (30, 0, 130, 100))

    def test_aspect_jitter_uses_the_log_ratio_range(self):
        # scale 0.25 of 100×100 = 2500 px²; aspect exp(log(4/3)) → w = round(√(3333.3)) = 58, h = round(√1875) = 43.
        rng = ScriptedRng(uniforms=[0.25, 1.0], randints=[5, 7])
        width = int(round(math.sqrt(2500 * 4 / 3)))
        height = int(round(math.sqrt(2500 * 3 / 4)))
        self.assertEqual((width, height), (58, 43))
        self.assertEqual(random_resized_crop_box(rng, 100, 100), (7, 5, 7 + 58, 5 + 43))

    def test_falls_back_to_the_ratio_clamped_centre_crop_after_ten_rejections(self):
        # Area scale 0 rounds to a 0-pixel crop every time; 200×100 is wider than 4/3 → 133×100 centred.
        rng = ScriptedRng(uniforms=[0.0, 0.5] * 10)
        self.assertEqual(random_resized_crop_box(rng, 200, 100), (33, 0, 166, 100))

    def test_random_boxes_stay_inside_the_image_and_cover_all_scales(self):
        # 96×64 is wider than 4/3, so the largest accepted crop is 85×64 (88.5 % of the area).
        rng = random.Random(3)
        areas = []
        for _ in range(2000):
            x0, y0, x1, y1 = random_resized_crop_box(rng, 96, 64)
            self.assertTrue(0 <= x0 < x1 <= 96 and 0 <= y0 < y1 <= 64)
            areas.append((x1 - x0) * (y1 - y0) / (96 * 64))
        self.assertLess(min(areas), 0.05)
        self.assertGreater(max(areas), 0.8)


class MakeViewTest(unittest.TestCase):
    def test_a_flipped_view_swaps_x0_and_x1_and_mirrors_the_pixels(self):
        pixels = np.arange(64 * 48 * 3, dtype=np.uint8).reshape(48, 64, 3)
        image = Image.fromarray(pixels)
        plain_rng = ScriptedRng(uniforms=[0.3, 0.2], randints=[10, 9], flip_draw=0.9)
        flip_rng = ScriptedRng(uniforms=[0.3, 0.2], randints=[10, 9], flip_draw=0.1)
        plain, plain_box = make_view(plain_rng, image, 16)
        flipped, flipped_box = make_view(flip_rng, image, 16)
        self.assertEqual(flipped_box, (plain_box[2], plain_box[1], plain_box[0], plain_box[3]))
        self.assertTrue(np.allclose(flipped.numpy(), plain.numpy()[:, :, ::-1]))
        self.assertEqual(tuple(plain.shape), (3, 16, 16))


if __name__ == "__main__":
    unittest.main()
