"""One training run: configuration, the dense BYOL loop (SPEC §7), checkpoints, export, pause/resume/cancel."""

import math
import os
import threading
import time

import torch

from checkpoints import checkpoint_path, load_checkpoint, new_rng, restore_checkpoint, save_checkpoint
from crops import make_pair_batch
from dense_byol import DenseBYOL, ema_momentum
from encoders import ARCHITECTURES, architecture_of, stream_channels
from frames import FrameError, FrameSampler, list_frames
from mobilenet import TrunkWeightsError, load_keras_trunk
from onnx_export import STRIDE, describe, export_onnx
from protocol import log
from resnet import encoder_state_from

LEARNING_RATE = 1e-3
# A step takes a few seconds on a 2-core CPU at these sizes; SFC's paper setting (batch 96, 256²) needs a GPU.
# MobileNetV2 is cheaper per pixel than ResNet-18 at stride 8, so its CPU views are larger.
DEVICE_DEFAULTS = {
    "resnet18": {"cpu": {"batchSize": 8, "imageSize": 128}, "cuda": {"batchSize": 32, "imageSize": 256}},
    "mobilenetv2": {"cpu": {"batchSize": 8, "imageSize": 192}, "cuda": {"batchSize": 32, "imageSize": 256}},
}


class TrainingError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def resolve_device(requested):
    if requested in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise TrainingError("CUDA_UNAVAILABLE", "device 'cuda' requested but torch.cuda.is_available() is False")
    if requested not in ("cpu", "cuda"):
        raise TrainingError("BAD_CONFIG", f"device must be 'auto', 'cpu' or 'cuda', got {requested!r}")
    return requested


def _positive_int(config, key, fallback):
    value = config.get(key, fallback)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TrainingError("BAD_CONFIG", f"config.{key} must be a positive integer, got {value!r}")
    return value


def read_config(config):
    """Validates a `start` config and fills the device-dependent defaults."""
    if not isinstance(config, dict):
        raise TrainingError("BAD_CONFIG", "start needs a 'config' object")
    device = resolve_device(config.get("device", "auto"))
    # Sizes left out are filled once the architecture is known (apply_size_defaults).
    image_size = _positive_int(config, "imageSize", None) if config.get("imageSize") is not None else None
    if image_size is not None and image_size % STRIDE != 0:
        raise TrainingError("BAD_CONFIG", f"config.imageSize must be a multiple of {STRIDE}, got {image_size}")
    checkpoint_dir = config.get("checkpointDir")
    if not isinstance(checkpoint_dir, str) or not checkpoint_dir:
        raise TrainingError("BAD_CONFIG", "config.checkpointDir is required")
    frame_files = config.get("frameFiles")
    if frame_files is not None and not (isinstance(frame_files, list) and all(isinstance(f, str) for f in frame_files)):
        raise TrainingError("BAD_CONFIG", "config.frameFiles must be a list of file paths")
    architecture = config.get("architecture")
    if architecture is not None and architecture not in ARCHITECTURES:
        raise TrainingError("BAD_CONFIG", f"config.architecture must be one of {', '.join(ARCHITECTURES)}, got {architecture!r}")
    try:
        seed = int(config.get("seed", 0))
        progress_interval = float(config.get("progressIntervalSeconds", 0.0))
        learning_rate = float(config.get("learningRate", LEARNING_RATE))
    except (TypeError, ValueError) as error:
        raise TrainingError("BAD_CONFIG", f"config.seed, config.progressIntervalSeconds and config.learningRate must be numbers ({error})") from error
    if not (math.isfinite(learning_rate) and learning_rate > 0):
        raise TrainingError("BAD_CONFIG", f"config.learningRate must be a positive number, got {learning_rate!r}")
    return {
        "framesDir": config.get("framesDir"),
        "frameFiles": frame_files,
        "steps": _positive_int(config, "steps", 1000),
        "batchSize": _positive_int(config, "batchSize", None) if config.get("batchSize") is not None else None,
        "imageSize": image_size,
        "checkpointEvery": _positive_int(config, "checkpointEvery", 50),
        "checkpointDir": checkpoint_dir,
        "exportPath": config.get("exportPath"),
        "seed": seed,
        "device": device,
        "initFrom": config.get("initFrom"),
        "architecture": architecture,
        "learningRate": learning_rate,
        "horizontalFlip": bool(config.get("horizontalFlip", True)),
        "threads": config.get("threads"),
        "progressIntervalSeconds": progress_interval,
    }


def apply_size_defaults(config, architecture):
    """Fills batchSize/imageSize left out of the config with the architecture's defaults for the device."""
    defaults = DEVICE_DEFAULTS[architecture][config["device"]]
    for key in ("batchSize", "imageSize"):
        if config[key] is None:
            config[key] = defaults[key]


class RunControl:
    """Pause/resume/cancel flags set by the stdin thread and polled by the loop between steps."""

    def __init__(self):
        self.running = threading.Event()
        self.running.set()
        self.cancelled = threading.Event()

    def pause(self):
        self.running.clear()

    def resume(self):
        self.running.set()

    def cancel(self):
        self.cancelled.set()
        self.running.set()


def is_trunk_index(path):
    """A MobileNetV2 ImageNet trunk written at install (mobilenetv2-trunk.json + .bin)."""
    return path.lower().endswith(".json")


def read_initial_state(init_from):
    """(architecture, state dict or None for a Keras trunk index) of an `initFrom` file."""
    if not os.path.isfile(init_from):
        raise TrainingError("BAD_INIT", f"{init_from}: initFrom file does not exist")
    if is_trunk_index(init_from):
        return "mobilenetv2", None
    try:
        payload = torch.load(init_from, map_location="cpu")
    except Exception as error:
        raise TrainingError("BAD_INIT", f"{init_from}: cannot load ({type(error).__name__}: {error})") from error
    state = payload["model"] if isinstance(payload, dict) and "model" in payload else payload
    if not isinstance(state, dict):
        raise TrainingError("BAD_INIT", f"{init_from}: neither a checkpoint nor a state dict")
    if "stem.conv.weight" in state or "encoder.stem.conv.weight" in state:
        return "mobilenetv2", state
    return "resnet18", state


def load_initial_encoder(model, init_from, state=None):
    """Initial encoder weights: a Correspond checkpoint or FC weights file (ResNet-18 or MobileNetV2), a
    torchvision-style ResNet-18 state dict, or the MobileNetV2 ImageNet trunk index (projector/predictor fresh)."""
    if is_trunk_index(init_from):
        try:
            load_keras_trunk(model.encoder, init_from)
        except TrunkWeightsError as error:
            raise TrainingError("BAD_INIT", str(error)) from error
        model.reset_target()
        return
    if state is None:
        _, state = read_initial_state(init_from)
    if model.architecture == "mobilenetv2":
        encoder_state = {key[len("encoder."):] if key.startswith("encoder.") else key: value for key, value in state.items()
                         if not key.startswith(("projector.", "predictor.", "target_"))}
        result = model.encoder.load_state_dict(encoder_state, strict=False)
        if result.missing_keys or result.unexpected_keys:
            raise TrainingError("BAD_INIT", f"{init_from}: not a MobileNetV2 encoder (missing {result.missing_keys[:3]}, unexpected {result.unexpected_keys[:3]})")
        _load_heads(model, state)
        model.reset_target()
        return
    encoder_keys = {key for key in state if not key.startswith(("projector.", "predictor.", "target_"))}
    result = model.encoder.load_state_dict(encoder_state_from({k: state[k] for k in encoder_keys}), strict=False)
    # layer4 is allowed to be absent (a layer4-less FC), anything else missing means the wrong network.
    missing = [key for key in result.missing_keys if not key.startswith("layer4.")]
    if missing or result.unexpected_keys:
        raise TrainingError("BAD_INIT", f"{init_from}: not a ResNet-18 encoder (missing {missing[:3]}, unexpected {result.unexpected_keys[:3]})")
    _load_heads(model, state)
    model.reset_target()


def _load_heads(model, state):
    if "projector.0.weight" in state:
        model.projector.load_state_dict({k[len("projector."):]: v for k, v in state.items() if k.startswith("projector.")})
        model.predictor.load_state_dict({k[len("predictor."):]: v for k, v in state.items() if k.startswith("predictor.")})


def resolve_architecture(requested, found, source):
    """The architecture a file dictates, unless the config asked for another (an error)."""
    if requested is not None and requested != found:
        raise TrainingError("BAD_CONFIG", f"config.architecture is {requested!r} but {source} holds a {found} encoder")
    return found


class StepCancelled(Exception):
    """Raised inside a step's forward or backward pass once a cancel has come: the step is dropped."""


class TrainingRun:
    """Runs one configured training to the end, cancellation or failure, reporting through `channel`."""

    def __init__(self, config, channel, control):
        self.config = config
        self.channel = channel
        self.control = control
        self.step = 0

    def run(self):
        """Returns the `finished` reason: 'completed', 'cancelled' or 'failed' (the error event is already sent)."""
        try:
            return self._run()
        except (TrainingError, FrameError) as error:
            self.channel.error(error.code, str(error))
        except Exception as error:  # reported, never raised: the main process decides what to do
            log(f"training failed: {error!r}")
            self.channel.error("TRAINING_FAILED", f"{type(error).__name__}: {error}")
        return "failed"

    def _setup(self):
        config = self.config
        if config["threads"]:
            torch.set_num_threads(int(config["threads"]))
        torch.manual_seed(config["seed"])
        self.device = torch.device(config["device"])
        self.paths = list_frames(config["framesDir"], config["frameFiles"])
        self.rng = new_rng(config["seed"])
        self.sampler = FrameSampler(self.paths, self.rng)
        self.optimizer = None
        self.checkpoint_file = checkpoint_path(config["checkpointDir"])
        resumed_from = None
        if os.path.isfile(self.checkpoint_file):
            try:
                payload = load_checkpoint(self.checkpoint_file)
                architecture = architecture_of(payload["model"])
            except Exception as error:
                raise TrainingError("BAD_CHECKPOINT", f"{self.checkpoint_file}: cannot load ({error})") from error
            self.model = DenseBYOL(resolve_architecture(config["architecture"], architecture, self.checkpoint_file))
            self.model.to(self.device)
            self.optimizer = torch.optim.Adam(self.model.online_parameters(), lr=config["learningRate"], weight_decay=0.0)
            self.step = restore_checkpoint(payload, self.model, self.optimizer, self.rng, self.sampler)
            resumed_from = self.checkpoint_file
        elif config["initFrom"]:
            found, state = read_initial_state(config["initFrom"])
            self.model = DenseBYOL(resolve_architecture(config["architecture"], found, config["initFrom"]))
            load_initial_encoder(self.model, config["initFrom"], state)
        else:
            self.model = DenseBYOL(config["architecture"] or "resnet18")
        encoder = self.model.encoder
        self.normalization = (encoder.input_mean, encoder.input_std)
        apply_size_defaults(config, self.model.architecture)
        if self.optimizer is None:
            self.model.to(self.device)
            self.optimizer = torch.optim.Adam(self.model.online_parameters(), lr=config["learningRate"], weight_decay=0.0)
        self.model.train()
        self._install_cancel_points()
        return resumed_from

    def _install_cancel_points(self):
        """A step takes seconds to minutes on a busy CPU: a cancel is honoured at the next module of the forward
        pass or the next parameter gradient of the backward pass, so Cancel ends the run promptly."""
        cancelled = self.control.cancelled

        def check(*_):
            if cancelled.is_set():
                raise StepCancelled()

        def check_gradient(gradient):
            check()
            return gradient

        for module in self.model.modules():
            module.register_forward_pre_hook(check)
        for parameter in self.model.online_parameters():
            parameter.register_hook(check_gradient)

    def _run(self):
        config = self.config
        resumed_from = self._setup()
        total = config["steps"]
        self.channel.emit(
            "started",
            step=self.step,
            totalSteps=total,
            device=config["device"],
            architecture=self.model.architecture,
            batchSize=config["batchSize"],
            imageSize=config["imageSize"],
            frameCount=len(self.paths),
            resumedFrom=resumed_from,
        )
        step_seconds = None
        last_progress = 0.0
        last_saved = self.step
        while self.step < total:
            if not self.control.running.is_set():
                self.channel.emit("paused", step=self.step)
                self.control.running.wait()
                if not self.control.cancelled.is_set():
                    self.channel.emit("resumed", step=self.step)
            if self.control.cancelled.is_set():
                if self.step > last_saved:
                    self._checkpoint()
                return "cancelled"
            started = time.perf_counter()
            loss = self._train_step(total)
            if loss is None:
                continue  # cancelled within the step: the loop's top saves the checkpoint and ends
            elapsed = time.perf_counter() - started
            # Exponential average: the first steps (allocation, warm-up) should not dominate the ETA for long.
            step_seconds = elapsed if step_seconds is None else 0.7 * step_seconds + 0.3 * elapsed
            now = time.monotonic()
            if now - last_progress >= config["progressIntervalSeconds"] or self.step == total:
                last_progress = now
                self.channel.emit(
                    "progress",
                    step=self.step,
                    totalSteps=total,
                    loss=loss,
                    imagesPerSecond=config["batchSize"] / step_seconds,
                    etaSeconds=(total - self.step) * step_seconds,
                )
            if self.step % config["checkpointEvery"] == 0 or self.step == total:
                self._checkpoint()
                last_saved = self.step
        if config["exportPath"]:
            self._export()
        return "completed"

    def _train_step(self, total):
        """One optimisation step; returns its loss, or None when a cancel came during it (the step is dropped)."""
        config = self.config
        images = self.sampler.next_batch(config["batchSize"])
        view_1, view_2, boxes_1, boxes_2 = make_pair_batch(self.rng, images, config["imageSize"], config["horizontalFlip"], self.normalization)
        view_1 = view_1.to(self.device, non_blocking=True)
        view_2 = view_2.to(self.device, non_blocking=True)
        try:
            loss = self.model.loss(view_1, view_2, boxes_1, boxes_2)
            if not torch.isfinite(loss):
                raise TrainingError("LOSS_NOT_FINITE", f"loss became {loss.item()} at step {self.step + 1}")
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
        except StepCancelled:
            # Dropped before the optimiser step: the weights are those of the last whole step.
            self.optimizer.zero_grad(set_to_none=True)
            return None
        self.optimizer.step()
        self.model.update_target(ema_momentum(self.step, total))
        self.step += 1
        return float(loss.item())

    def _checkpoint(self):
        settings = {key: self.config[key] for key in ("batchSize", "imageSize", "seed", "steps")}
        try:
            save_checkpoint(self.checkpoint_file, self.model, self.optimizer, self.step, self.config["steps"], self.rng, self.sampler, settings)
        except OSError as error:
            raise TrainingError("CHECKPOINT_FAILED", f"{self.checkpoint_file}: cannot write checkpoint ({error})") from error
        self.channel.emit("checkpoint", step=self.step, path=self.checkpoint_file)

    def _export(self):
        path = self.config["exportPath"]
        online = {key: value.detach().cpu() for key, value in self.model.state_dict().items() if not key.startswith("target_")}
        try:
            export_onnx(online, path, describe(self.step, self.config["batchSize"], self.config["imageSize"], self.model.architecture))
        except Exception as error:
            raise TrainingError("EXPORT_FAILED", f"{path}: ONNX export failed ({error})") from error
        self.channel.emit("exported", path=path, metadataPath=path + ".json", channels=stream_channels(self.model.architecture), stride=STRIDE, step=self.step)
