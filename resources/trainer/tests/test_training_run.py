import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest

import numpy as np
import torch
from PIL import Image

import trainer_path
from checkpoints import checkpoint_path, load_checkpoint
from test_mobilenet import write_keras_index
from trainer import RunControl, TrainingRun, read_config


class RecordingChannel:
    """Collects events; optionally cancels the run once a given progress step is reported."""

    def __init__(self, control=None, cancel_at_step=None):
        self.events = []
        self.control = control
        self.cancel_at_step = cancel_at_step

    def emit(self, event_type, **fields):
        self.events.append({"type": event_type, **fields})
        if event_type == "progress" and fields["step"] == self.cancel_at_step:
            self.control.cancel()

    def error(self, code, message, fatal=True):
        self.emit("error", code=code, message=message, fatal=fatal)


def write_frames(directory, count=4):
    generator = np.random.default_rng(0)
    for index in range(count):
        pixels = generator.integers(0, 255, size=(40, 48, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(os.path.join(directory, f"{index:05d}.png"))


def run(frames_dir, checkpoint_dir, steps=4, cancel_at_step=None, **extra):
    config = read_config({
        "framesDir": frames_dir, "steps": steps, "batchSize": 2, "imageSize": 32, "checkpointEvery": 3,
        "checkpointDir": checkpoint_dir, "seed": 5, "device": "cpu", **extra,
    })
    control = RunControl()
    channel = RecordingChannel(control, cancel_at_step)
    reason = TrainingRun(config, channel, control).run()
    return reason, channel.events


class TrainingRunTest(unittest.TestCase):
    def setUp(self):
        self.temporary = tempfile.TemporaryDirectory()
        self.frames_dir = os.path.join(self.temporary.name, "frames")
        os.makedirs(self.frames_dir)
        write_frames(self.frames_dir)

    def tearDown(self):
        self.temporary.cleanup()

    def test_a_cancelled_run_resumed_from_its_checkpoint_matches_an_uninterrupted_run(self):
        straight_dir = os.path.join(self.temporary.name, "straight")
        resumed_dir = os.path.join(self.temporary.name, "resumed")
        reason, _ = run(self.frames_dir, straight_dir)
        self.assertEqual(reason, "completed")
        reason, events = run(self.frames_dir, resumed_dir, cancel_at_step=2)
        self.assertEqual(reason, "cancelled")
        self.assertEqual(events[-1], {"type": "checkpoint", "step": 2, "path": checkpoint_path(resumed_dir)})
        reason, events = run(self.frames_dir, resumed_dir)
        self.assertEqual(reason, "completed")
        self.assertEqual(events[0]["step"], 2)
        self.assertEqual(events[0]["resumedFrom"], checkpoint_path(resumed_dir))
        self.assertEqual([event["step"] for event in events if event["type"] == "progress"], [3, 4])
        straight = load_checkpoint(checkpoint_path(straight_dir))
        resumed = load_checkpoint(checkpoint_path(resumed_dir))
        self.assertEqual(resumed["step"], 4)
        for key in ("model", "target"):
            for name, value in straight[key].items():
                self.assertTrue(torch.equal(value, resumed[key][name]), f"{key}.{name} differs after resuming")
        self.assertEqual(sorted(os.listdir(resumed_dir)), ["checkpoint-latest.pt"])

    def test_a_mobilenet_run_starts_from_the_imagenet_trunk_and_exports_96_channels_without_normalisation(self):
        index_path = write_keras_index(self.temporary.name)
        checkpoint_dir = os.path.join(self.temporary.name, "mobilenet")
        export_path = os.path.join(self.temporary.name, "fc.onnx")
        reason, events = run(self.frames_dir, checkpoint_dir, steps=2, initFrom=index_path, exportPath=export_path)
        self.assertEqual(reason, "completed")
        self.assertEqual(events[0]["architecture"], "mobilenetv2")
        self.assertEqual(events[-1]["channels"], 96)
        with open(export_path + ".json", encoding="utf-8") as handle:
            description = json.load(handle)
        self.assertEqual(description["architectureId"], "mobilenetv2")
        self.assertEqual(description["output"]["channels"], 96)
        self.assertEqual(description["input"]["normalization"], {"where": "none: the network takes pixel/255"})
        # Resuming takes the checkpoint's network; asking for another one is a configuration error.
        reason, events = run(self.frames_dir, checkpoint_dir, steps=3, architecture="resnet18")
        self.assertEqual(reason, "failed")
        self.assertEqual(events[-1]["code"], "BAD_CONFIG")
        self.assertIn("holds a mobilenetv2 encoder", events[-1]["message"])
        reason, events = run(self.frames_dir, checkpoint_dir, steps=3)
        self.assertEqual((reason, events[0]["step"], events[0]["architecture"]), ("completed", 2, "mobilenetv2"))

    def test_sizes_left_out_take_the_defaults_of_the_network_and_device(self):
        from trainer import apply_size_defaults
        for architecture, expected in (("resnet18", (8, 128)), ("mobilenetv2", (8, 192))):
            config = read_config({"checkpointDir": "/tmp/x", "device": "cpu"})
            self.assertEqual((config.batch_size, config.image_size), (None, None))
            apply_size_defaults(config, architecture)
            self.assertEqual((config.batch_size, config.image_size), expected)
        config = read_config({"checkpointDir": "/tmp/x", "device": "cpu", "imageSize": 64})
        apply_size_defaults(config, "mobilenetv2")
        self.assertEqual((config.batch_size, config.image_size), (8, 64))

    def test_config_values_of_the_wrong_type_are_bad_config_errors(self):
        from trainer import TrainingError
        for config in ({"checkpointDir": "/tmp/x", "architecture": "vgg"}, {"checkpointDir": "/tmp/x", "learningRate": -1}, {"checkpointDir": "/tmp/x", "seed": "abc"}, {"checkpointDir": "/tmp/x", "imageSize": 30}, {"steps": 5}, {"checkpointDir": "/tmp/x", "batchSize": True}):
            with self.assertRaises(TrainingError) as caught:
                read_config({"device": "cpu", **config})
            self.assertEqual(caught.exception.code, "BAD_CONFIG")

    def test_a_cancel_during_a_step_drops_that_step_and_ends_the_run_at_once(self):
        class CancelInsideStep(threading.Event):
            """Becomes set after `after` checks: the loop's own check passes, one inside the forward pass fires."""

            def __init__(self, after):
                super().__init__()
                self.checks = 0
                self.after = after

            def is_set(self):
                self.checks += 1
                return self.checks > self.after or super().is_set()

        config = read_config({
            "framesDir": self.frames_dir, "steps": 4, "batchSize": 2, "imageSize": 32, "checkpointEvery": 3,
            "checkpointDir": os.path.join(self.temporary.name, "cancel-inside"), "seed": 5, "device": "cpu",
        })
        control = RunControl()
        control.cancelled = CancelInsideStep(after=5)
        channel = RecordingChannel()
        run = TrainingRun(config, channel, control)
        self.assertEqual(run.run(), "cancelled")
        self.assertEqual(run.step, 0)
        self.assertEqual([event["type"] for event in channel.events], ["started"])

    def test_a_missing_frames_folder_is_reported_as_an_error_naming_it(self):
        reason, events = run(os.path.join(self.temporary.name, "nowhere"), os.path.join(self.temporary.name, "c"))
        self.assertEqual(reason, "failed")
        self.assertEqual(events[-1]["code"], "NO_FRAMES")
        self.assertIn("nowhere", events[-1]["message"])


class WorkerProtocolTest(unittest.TestCase):
    def talk(self, *commands):
        worker = os.path.join(trainer_path.TRAINER_DIR, "worker.py")
        completed = subprocess.run(
            [sys.executable, worker], input="".join(json.dumps(c) + "\n" for c in commands),
            capture_output=True, text=True, timeout=120,
        )
        return completed.returncode, [json.loads(line) for line in completed.stdout.splitlines()]

    def test_the_worker_announces_itself_and_rejects_a_bad_config_with_a_typed_error(self):
        code, events = self.talk({"type": "hello"}, {"type": "start", "config": {"steps": 0, "checkpointDir": "/tmp"}})
        self.assertEqual(events[0]["type"], "ready")
        self.assertIn("torchVersion", events[0])
        self.assertEqual(events[1], {"type": "error", "code": "BAD_COMMAND", "message": "unknown command type 'hello'", "fatal": False})
        self.assertEqual(events[2]["code"], "BAD_CONFIG")
        self.assertEqual(events[3], {"type": "finished", "step": 0, "reason": "failed"})
        self.assertEqual(code, 1)

    def test_closing_stdin_before_start_finishes_as_cancelled(self):
        code, events = self.talk()
        self.assertEqual([event["type"] for event in events], ["ready", "finished"])
        self.assertEqual(events[1]["reason"], "cancelled")
        self.assertEqual(code, 0)


if __name__ == "__main__":
    unittest.main()
