import json
import os
import tempfile
import unittest

import numpy as np
import torch
from torch import nn

import trainer_path  # noqa: F401
from encoders import architecture_of, build_encoder, is_training_only
from mobilenet import MobileNetV2Encoder, TrunkWeightsError, keras_name_map, load_keras_trunk, read_keras_trunk


def write_keras_index(directory, last_block=12, seed=0, drop=None, truncate=False):
    """A trunk index + .bin in the layout mobileNetWeights.ts writes, with random values in Keras shapes."""
    generator = np.random.default_rng(seed)
    reference = MobileNetV2Encoder(last_block=last_block, geometry="keras")
    modules = dict(reference.named_modules())
    tensors, arrays, offset = [], [], 0
    for keras_name, module_path in keras_name_map(last_block):
        module = modules[module_path]
        if isinstance(module, nn.Conv2d):
            out_channels, in_channels, height, width = module.weight.shape
            if module.groups > 1:
                entries = [(f"{keras_name}/depthwise_kernel", (height, width, out_channels, 1))]
            else:
                entries = [(f"{keras_name}/kernel", (height, width, in_channels, out_channels))]
        else:
            count = module.num_features
            entries = [(f"{keras_name}/{suffix}", (count,)) for suffix in ("gamma", "beta", "moving_mean", "moving_variance")]
        for name, shape in entries:
            if name == drop:
                continue
            values = generator.uniform(0.5, 1.5, size=shape).astype("<f4")
            tensors.append({"name": name, "shape": list(shape), "offset": offset, "count": int(values.size)})
            arrays.append(values.ravel())
            offset += values.nbytes
    data = np.concatenate(arrays)
    index_path = os.path.join(directory, "mobilenetv2-trunk.json")
    with open(index_path, "w", encoding="utf-8") as handle:
        json.dump({"format": "correspond-keras-weights", "version": 1, "bytes": int(data.nbytes), "tensors": tensors}, handle)
    (data[:-1] if truncate else data).tofile(os.path.join(directory, "mobilenetv2-trunk.bin"))
    return index_path


class MobileNetEncoderTest(unittest.TestCase):
    def test_the_fc_geometry_keeps_stride_8_for_any_size(self):
        encoder = build_encoder("mobilenetv2", training=False).eval()
        with torch.no_grad():
            for height, width in ((64, 96), (45, 67), (480, 854)):
                features = encoder(torch.zeros(1, 3, height, width))
                self.assertEqual(tuple(features.shape), (1, 96, -(-height // 8), -(-width // 8)))

    def test_the_keras_geometry_halves_like_keras(self):
        encoder = MobileNetV2Encoder(last_block=10, geometry="keras").eval()
        with torch.no_grad():
            outputs = encoder.forward_blocks(torch.zeros(1, 3, 66, 98), {5, 10})
        self.assertEqual(tuple(outputs[5].shape), (1, 32, 8, 12))  # ⌊⌊⌊66/2⌋/2⌋/2⌋
        self.assertEqual(tuple(outputs[10].shape), (1, 96, 4, 6))

    def test_blocks_11_and_12_are_training_only(self):
        training = build_encoder("mobilenetv2", training=True)
        inference = build_encoder("mobilenetv2", training=False)
        self.assertEqual(len(training.blocks), 13)
        self.assertEqual(len(inference.blocks), 11)
        dropped = {key for key in training.state_dict() if is_training_only("mobilenetv2", key)}
        self.assertEqual(dropped, set(training.state_dict()) - set(inference.state_dict()))
        self.assertTrue(any(key.startswith("blocks.12.") for key in dropped))

    def test_the_architecture_is_read_from_the_state_keys(self):
        self.assertEqual(architecture_of({f"encoder.{k}": v for k, v in build_encoder("mobilenetv2").state_dict().items()}), "mobilenetv2")
        self.assertEqual(architecture_of({f"encoder.{k}": v for k, v in build_encoder("resnet18").state_dict().items()}), "resnet18")
        with self.assertRaises(ValueError):
            architecture_of({"encoder.something.weight": torch.zeros(1)})


class KerasTrunkWeightsTest(unittest.TestCase):
    def setUp(self):
        self.temporary = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.temporary.cleanup()

    def test_keras_kernels_are_transposed_into_torch_layout(self):
        index_path = write_keras_index(self.temporary.name)
        weights = read_keras_trunk(index_path)
        encoder = load_keras_trunk(MobileNetV2Encoder(), index_path)
        conv = weights["block_4_expand/kernel"]  # H,W,in,out
        torch_conv = encoder.blocks[4].expand.conv.weight  # out,in,H,W
        self.assertEqual(float(torch_conv[7, 3, 0, 0]), float(conv[0, 0, 3, 7]))
        depthwise = weights["block_4_depthwise/depthwise_kernel"]  # H,W,C,1
        torch_depthwise = encoder.blocks[4].depthwise.conv.weight  # C,1,H,W
        self.assertEqual(float(torch_depthwise[11, 0, 2, 1]), float(depthwise[2, 1, 11, 0]))
        stem = weights["Conv1/kernel"]
        self.assertEqual(float(encoder.stem.conv.weight[5, 2, 1, 0]), float(stem[1, 0, 2, 5]))
        self.assertEqual(float(encoder.blocks[12].project.bn.running_var[3]), float(weights["block_12_project_BN/moving_variance"][3]))
        self.assertEqual(encoder.blocks[12].project.bn.eps, 1e-3)

    def test_a_missing_weight_names_the_index_and_the_weight(self):
        index_path = write_keras_index(self.temporary.name, drop="block_7_project_BN/gamma")
        with self.assertRaisesRegex(TrunkWeightsError, r"mobilenetv2-trunk\.json: weight block_7_project_BN/gamma is missing"):
            load_keras_trunk(MobileNetV2Encoder(), index_path)

    def test_a_short_data_file_is_refused(self):
        index_path = write_keras_index(self.temporary.name, truncate=True)
        with self.assertRaisesRegex(TrunkWeightsError, r"mobilenetv2-trunk\.bin: holds \d+ bytes, the index expects \d+"):
            read_keras_trunk(index_path)

    def test_something_else_is_not_taken_for_an_index(self):
        path = os.path.join(self.temporary.name, "other.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"format": "something"}, handle)
        with self.assertRaisesRegex(TrunkWeightsError, "not a Correspond Keras weight index"):
            read_keras_trunk(path)


if __name__ == "__main__":
    unittest.main()
