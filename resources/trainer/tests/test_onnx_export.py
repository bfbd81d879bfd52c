import json
import os
import tempfile
import unittest

import torch

import trainer_path  # noqa: F401
from dense_byol import DenseBYOL
from onnx_export import describe, export_onnx, inference_encoder


class OnnxExportTest(unittest.TestCase):
    def test_the_inference_encoder_drops_layer4_and_keeps_stride_8(self):
        model = DenseBYOL()
        encoder = inference_encoder(model.state_dict())
        self.assertIsNone(encoder.encoder.layer4)
        self.assertFalse(encoder.training)
        with torch.no_grad():
            self.assertEqual(tuple(encoder(torch.zeros(1, 3, 45, 67)).shape), (1, 256, 6, 9))

    def test_the_exported_stream_takes_rgb_in_0_1_and_normalises_it_as_training_did(self):
        model = DenseBYOL()
        model.eval()
        stream = inference_encoder(model.state_dict())
        rgb = torch.rand(1, 3, 40, 56)
        normalised = (rgb - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
        with torch.no_grad():
            expected = model.encoder.layer3(model.encoder.layer2(model.encoder.layer1(model.encoder.maxpool(model.encoder.relu(model.encoder.bn1(model.encoder.conv1(normalised)))))))
            self.assertLess(float((stream(rgb) - expected).abs().max()), 1e-5)

    def test_export_writes_the_onnx_and_its_description_without_leaving_temp_files(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "fc.onnx")
            export_onnx(DenseBYOL().state_dict(), path, describe(12, 8, 128))
            self.assertEqual(sorted(os.listdir(directory)), ["fc.onnx", "fc.onnx.json"])
            self.assertGreater(os.path.getsize(path), 5_000_000)  # ~2.8 M float32 weights of conv1..layer3
            with open(path + ".json", encoding="utf-8") as handle:
                description = json.load(handle)
            self.assertEqual(description["input"]["name"], "image")
            self.assertEqual(description["input"]["normalization"]["mean"], [0.485, 0.456, 0.406])
            self.assertEqual(description["input"]["valueRange"], [0, 1])
            self.assertEqual(description["output"], {"name": "features", "channels": 256, "stride": 8, "size": "ceil(H/8) x ceil(W/8)", "l2Normalized": False})
            self.assertEqual(description["training"]["images"], 96)


if __name__ == "__main__":
    unittest.main()
