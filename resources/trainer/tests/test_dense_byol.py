import math
import unittest

import torch

import trainer_path  # noqa: F401
from dense_byol import DenseBYOL, cell_centres, ema_momentum, pair_loss, positive_mask


def boxes(*rows):
    return torch.tensor(rows, dtype=torch.float64)


class CellCentresTest(unittest.TestCase):
    def test_centres_sit_in_the_middle_of_each_bin_in_image_coordinates(self):
        centres, diagonals = cell_centres(boxes((10, 20, 42, 36)), 2, 2)  # bins 16 wide, 8 high
        expected = [[18, 24], [34, 24], [18, 32], [34, 32]]
        self.assertEqual(centres[0].tolist(), expected)
        self.assertAlmostEqual(diagonals[0].item(), math.sqrt(16**2 + 8**2))


class PositiveMaskTest(unittest.TestCase):
    def test_a_two_pixel_shift_pairs_each_cell_with_the_cells_within_half_a_bin_diagonal(self):
        # q centres (2,2) (6,2) (2,6) (6,6); k centres (4,2) (8,2) (4,6) (8,6); radius 0.5·√32 ≈ 2.83.
        mask = positive_mask(boxes((0, 0, 8, 8)), boxes((2, 0, 10, 8)), 2, 2)
        self.assertEqual(mask[0].tolist(), [[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]])

    def test_the_larger_bin_diagonal_normalises_the_distance(self):
        # k bins are 8 px (diagonal 11.3): every q centre is within 2.83 px of k's first centre (4,4), < 0.5·11.3.
        mask = positive_mask(boxes((0, 0, 8, 8)), boxes((0, 0, 16, 16)), 2, 2)
        self.assertEqual(mask[0].tolist(), [[1, 0, 0, 0]] * 4)

    def test_a_flipped_view_pairs_mirrored_cells(self):
        mask = positive_mask(boxes((8, 0, 0, 8)), boxes((0, 0, 8, 8)), 2, 2)
        self.assertEqual(mask[0].tolist(), [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])

    def test_disjoint_crops_have_no_positives(self):
        mask = positive_mask(boxes((0, 0, 8, 8)), boxes((20, 20, 28, 28)), 2, 2)
        self.assertEqual(mask.sum().item(), 0)


class EmaScheduleTest(unittest.TestCase):
    def test_momentum_rises_from_0_99_to_1_along_a_half_cosine(self):
        self.assertAlmostEqual(ema_momentum(0, 100), 0.99)
        self.assertAlmostEqual(ema_momentum(50, 100), 0.995)
        self.assertAlmostEqual(ema_momentum(25, 100), 1 - 0.01 * (math.cos(math.pi / 4) + 1) / 2)
        self.assertAlmostEqual(ema_momentum(100, 100), 1.0)
        values = [ema_momentum(step, 100) for step in range(101)]
        self.assertEqual(values, sorted(values))

    def test_target_update_mixes_parameters_with_the_momentum(self):
        model = DenseBYOL()
        with torch.no_grad():
            model.encoder.conv1.weight.fill_(1.0)
            model.target_encoder.conv1.weight.fill_(3.0)
        model.update_target(0.75)
        self.assertTrue(torch.allclose(model.target_encoder.conv1.weight, torch.full_like(model.encoder.conv1.weight, 2.5)))

    def test_the_target_starts_equal_to_the_online_network_and_gets_no_gradient(self):
        model = DenseBYOL()
        for online, target in zip(model.encoder.parameters(), model.target_encoder.parameters()):
            self.assertTrue(torch.equal(online, target))
            self.assertFalse(target.requires_grad)


class LossTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        model = DenseBYOL()
        images = torch.randn(4, 3, 32, 32)
        with torch.no_grad():
            self.features = model.projector(model.encoder(images))  # [4,256,4,4]
        self.boxes = boxes(*[(0, 0, 32, 32)] * 4)

    def test_identical_views_reach_the_minimum_of_minus_two(self):
        mask = positive_mask(self.boxes, self.boxes, 4, 4)
        self.assertAlmostEqual(pair_loss(self.features, self.features, mask).item(), -2.0, places=4)

    def test_loss_is_lower_for_identical_views_than_for_views_of_shuffled_images(self):
        mask = positive_mask(self.boxes, self.boxes, 4, 4)
        identical = pair_loss(self.features, self.features, mask).item()
        shuffled = pair_loss(self.features, self.features.roll(1, dims=0), mask).item()
        self.assertLess(identical, shuffled - 1e-3)

    def test_the_symmetric_model_loss_trains_only_the_online_network(self):
        torch.manual_seed(1)
        model = DenseBYOL()
        loss = model.loss(torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32), boxes((0, 0, 32, 32), (4, 4, 20, 20)), boxes((8, 0, 40, 32), (0, 0, 16, 16)))
        loss.backward()
        self.assertTrue(-4.0 <= loss.item() <= 4.0)
        self.assertIsNotNone(model.predictor[0].weight.grad)
        self.assertIsNotNone(model.encoder.conv1.weight.grad)
        self.assertTrue(all(p.grad is None for p in model.target_parameters()))


if __name__ == "__main__":
    unittest.main()
