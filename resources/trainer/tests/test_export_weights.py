import os
import tempfile
import unittest

import torch

import trainer_path  # noqa: F401
from checkpoints import new_rng, save_checkpoint
from dense_byol import DenseBYOL
from export_weights import main as export_weights_main
from frames import FrameSampler
from trainer import load_initial_encoder


class ExportWeightsTest(unittest.TestCase):
    def test_exported_weights_start_a_new_model_where_the_checkpoint_was(self):
        torch.manual_seed(3)
        trained = DenseBYOL()
        with torch.no_grad():
            for parameter in trained.parameters():
                parameter.add_(0.01 * torch.randn_like(parameter))
        optimizer = torch.optim.Adam(trained.online_parameters(), lr=1e-3)
        with tempfile.TemporaryDirectory() as directory:
            checkpoint = os.path.join(directory, "checkpoint-latest.pt")
            rng = new_rng(0)
            save_checkpoint(checkpoint, trained, optimizer, 7, 10, rng, FrameSampler(["a.png"], rng), {})
            weights = os.path.join(directory, "fc-default.pt")
            self.assertEqual(export_weights_main(["export_weights.py", checkpoint, weights]), 0)
            # float16 halves the file: well under the float32 online state (~5 MB of encoder weights here).
            self.assertLess(os.path.getsize(weights), sum(p.numel() for p in trained.parameters()) * 4 / 2 * 0.75)
            fresh = DenseBYOL()
            load_initial_encoder(fresh, weights)
        for (name, expected), actual in zip(trained.encoder.state_dict().items(), fresh.encoder.state_dict().values()):
            if expected.is_floating_point():
                torch.testing.assert_close(actual, expected, atol=2e-3, rtol=1e-3, msg=name)
        self.assertFalse(torch.equal(fresh.encoder.conv1.weight, DenseBYOL().encoder.conv1.weight))

    def test_a_file_that_is_not_a_checkpoint_is_refused(self):
        with tempfile.TemporaryDirectory() as directory:
            bogus = os.path.join(directory, "bogus.pt")
            torch.save({"weights": torch.zeros(2)}, bogus)
            out = os.path.join(directory, "out.pt")
            self.assertEqual(export_weights_main(["export_weights.py", bogus, out]), 1)
            self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
