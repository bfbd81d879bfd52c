"""One training run: configuration, the dense BYOL loop (SPEC §7), checkpoints, export, pause/resume/cancel."""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import torch

from checkpoints import checkpoint_path, load_checkpoint, new_rng, restore_checkpoint, save_checkpoint
from crops import make_pair_batch
from dense_byol import DenseBYOL, ema_momentum
from encoders import ARCHITECTURES, architecture_of, stream_channels
from frames import FrameError, FrameSampler, list_frames
from mobilenet import TrunkWeightsError, load_keras_trunk
from onnx_export import STRIDE, describe, export_onnx
from protocol import ProtocolChannel, log
from resnet import encoder_state_from

LEARNING_RATE = 1e-3
# A step takes a few seconds on a 2-core CPU at these sizes; SFC's paper setting (batch 96, 256²) needs a GPU.
# MobileNetV2 is cheaper per pixel than ResNet-18 at stride 8, so its CPU views are larger.
DEVICE_DEFAULTS = {
    "resnet18": {"cpu": {"batchSize": 8, "imageSize": 128}, "cuda": {"batchSize": 32, "imageSize": 256}},
    "mobilenetv2": {"cpu": {"batchSize": 8, "imageSize": 192}, "cuda": {"batchSize": 32, "imageSize": 256}},
}


@dataclass
class TrainingConfig:
    """A validated `start` config (the protocol's camelCase keys in snake_case); sizes may wait for the architecture."""

    checkpoint_dir: str
    device: str
    steps: int = 1000
    batch_size: Optional[int] = None
    image_size: Optional[int] = None
    checkpoint_every: int = 50
    frames_dir: Optional[str] = None
    frame_files: Optional[List[str]] = None
    export_path: Optional[str] = None
    seed: int = 0
    init_from: Optional[str] = None
    architecture: Optional[str] = None
    learning_rate: float = LEARNING_RATE
    horizontal_flip: bool = True
    threads: Optional[int] = None
    progress_interval_seconds: float = 0.0


class TrainingError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def resolve_device(requested: Optional[str]) -> str:
    if requested in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise TrainingError("CUDA_UNAVAILABLE", "device 'cuda' requested but torch.cuda.is_available() is False")
    if requested not in ("cpu", "cuda"):
        raise TrainingError("BAD_CONFIG", f"device must be 'auto', 'cpu' or 'cuda', got {requested!r}")
    return requested


def _positive_int(config: Dict[str, Any], key: str, fallback: Optional[int]) -> int:
    value = config.get(key, fallback)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TrainingError("BAD_CONFIG", f"config.{key} must be a positive integer, got {value!r}")
    return value


def read_config(config: Any) -> TrainingConfig:
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
    return TrainingConfig(
        frames_dir=config.get("framesDir"),
        frame_files=frame_files,
        steps=_positive_int(config, "steps", 1000),
        batch_size=_positive_int(config, "batchSize", None) if config.get("batchSize") is not None else None,
        image_size=image_size,
        checkpoint_every=_positive_int(config, "checkpointEvery", 50),
        checkpoint_dir=checkpoint_dir,
        export_path=config.get("exportPath"),
        seed=seed,
        device=device,
        init_from=config.get("initFrom"),
        architecture=architecture,
        learning_rate=learning_rate,
        horizontal_flip=bool(config.get("horizontalFlip", True)),
        threads=config.get("threads"),
        progress_interval_seconds=progress_interval,
    )


def apply_size_defaults(config: TrainingConfig, architecture: str) -> None:
    """Fills batchSize/imageSize left out of the config with the architecture's defaults for the device."""
    defaults = DEVICE_DEFAULTS[architecture][config.device]
    if config.batch_size is None:
        config.batch_size = defaults["batchSize"]
    if config.image_size is None:
        config.image_size = defaults["imageSize"]


class RunControl:
    """Pause/resume/cancel flags set by the stdin thread and polled by the loop between steps."""

    def __init__(self):
        self.running = threading.Event()
        self.running.set()
        self.cancelled = threading.Event()

    def pause(self) -> None:
        self.running.clear()

    def resume(self) -> None:
        self.running.set()

    def cancel(self) -> None:
        self.cancelled.set()
        self.running.set()


def is_trunk_index(path: str) -> bool:
    """A MobileNetV2 ImageNet trunk written at install (mobilenetv2-trunk.json + .bin)."""
    return path.lower().endswith(".json")


def read_initial_state(init_from: str) -> Tuple[str, Optional[Dict[str, torch.Tensor]]]:
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


def load_initial_encoder(model: DenseBYOL, init_from: str, state: Optional[Dict[str, torch.Tensor]] = None) -> None:
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


def _load_heads(model: DenseBYOL, state: Dict[str, torch.Tensor]) -> None:
    if "projector.0.weight" in state:
        model.projector.load_state_dict({k[len("projector."):]: v for k, v in state.items() if k.startswith("projector.")})
        model.predictor.load_state_dict({k[len("predictor."):]: v for k, v in state.items() if k.startswith("predictor.")})


def resolve_architecture(requested: Optional[str], found: str, source: str) -> str:
    """The architecture a file dictates, unless the config asked for another (an error)."""
    if requested is not None and requested != found:
        raise TrainingError("BAD_CONFIG", f"config.architecture is {requested!r} but {source} holds a {found} encoder")
    return found


class StepCancelled(Exception):
    """Raised inside a step's forward or backward pass once a cancel has come: the step is dropped."""


class TrainingRun:
    """Runs one configured training to the end, cancellation or failure, reporting through `channel`."""

    def __init__(self, config: TrainingConfig, channel: ProtocolChannel, control: RunControl):
        self.config = config
        self.channel = channel
        self.control = control
        self.step = 0

    def run(self) -> str:
        """Returns the `finished` reason: 'completed', 'cancelled' or 'failed' (the error event is already sent)."""
        try:
            return self._run()
        except (TrainingError, FrameError) as error:
            self.channel.error(error.code, str(error))
        except Exception as error:  # reported, never raised: the main process decides what to do
            log(f"training failed: {error!r}")
            self.channel.error("TRAINING_FAILED", f"{type(error).__name__}: {error}")
        return "failed"

    def _setup(self) -> Optional[str]:
        config = self.config
        if config.threads:
            torch.set_num_threads(int(config.threads))
        torch.manual_seed(config.seed)
        self.device = torch.device(config.device)
        self.paths = list_frames(config.frames_dir, config.frame_files)
        self.rng = new_rng(config.seed)
        self.sampler = FrameSampler(self.paths, self.rng)
        self.optimizer = None
        self.checkpoint_file = checkpoint_path(config.checkpoint_dir)
        resumed_from = None
        if os.path.isfile(self.checkpoint_file):
            try:
                payload = load_checkpoint(self.checkpoint_file)
                architecture = architecture_of(payload["model"])
            except Exception as error:
                raise TrainingError("BAD_CHECKPOINT", f"{self.checkpoint_file}: cannot load ({error})") from error
            self.model = DenseBYOL(resolve_architecture(config.architecture, architecture, self.checkpoint_file))
            self.model.to(self.device)
            self.optimizer = torch.optim.Adam(self.model.online_parameters(), lr=config.learning_rate, weight_decay=0.0)
            self.step = restore_checkpoint(payload, self.model, self.optimizer, self.rng, self.sampler)
            resumed_from = self.checkpoint_file
        elif config.init_from:
            found, state = read_initial_state(config.init_from)
            self.model = DenseBYOL(resolve_architecture(config.architecture, found, config.init_from))
            load_initial_encoder(self.model, config.init_from, state)
        else:
            self.model = DenseBYOL(config.architecture or "resnet18")
        encoder = self.model.encoder
        self.normalization = (encoder.input_mean, encoder.input_std)
        apply_size_defaults(config, self.model.architecture)
        if self.optimizer is None:
            self.model.to(self.device)
            self.optimizer = torch.optim.Adam(self.model.online_parameters(), lr=config.learning_rate, weight_decay=0.0)
        self.model.train()
        self._install_cancel_points()
        return resumed_from

    def _install_cancel_points(self) -> None:
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

    def _run(self) -> str:
        config = self.config
        resumed_from = self._setup()
        total = config.steps
        self.channel.emit(
            "started",
            step=self.step,
            totalSteps=total,
            device=config.device,
            architecture=self.model.architecture,
            batchSize=config.batch_size,
            imageSize=config.image_size,
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
            if now - last_progress >= config.progress_interval_seconds or self.step == total:
                last_progress = now
                self.channel.emit(
                    "progress",
                    step=self.step,
                    totalSteps=total,
                    loss=loss,
                    imagesPerSecond=config.batch_size / step_seconds,
                    etaSeconds=(total - self.step) * step_seconds,
                )
            if self.step % config.checkpoint_every == 0 or self.step == total:
                self._checkpoint()
                last_saved = self.step
        if config.export_path:
            self._export()
        return "completed"

    def _train_step(self, total: int) -> Optional[float]:
        """One optimisation step; returns its loss, or None when a cancel came during it (the step is dropped)."""
        config = self.config
        images = self.sampler.next_batch(config.batch_size)
        view_1, view_2, boxes_1, boxes_2 = make_pair_batch(self.rng, images, config.image_size, config.horizontal_flip, self.normalization)
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

    def _checkpoint(self) -> None:
        config = self.config
        settings = {"batchSize": config.batch_size, "imageSize": config.image_size, "seed": config.seed, "steps": config.steps}
        try:
            save_checkpoint(self.checkpoint_file, self.model, self.optimizer, self.step, self.config.steps, self.rng, self.sampler, settings)
        except OSError as error:
            raise TrainingError("CHECKPOINT_FAILED", f"{self.checkpoint_file}: cannot write checkpoint ({error})") from error
        self.channel.emit("checkpoint", step=self.step, path=self.checkpoint_file)

    def _export(self) -> None:
        path = self.config.export_path
        online = {key: value.detach().cpu() for key, value in self.model.state_dict().items() if not key.startswith("target_")}
        try:
            export_onnx(online, path, describe(self.step, self.config.batch_size, self.config.image_size, self.model.architecture))
        except Exception as error:
            raise TrainingError("EXPORT_FAILED", f"{path}: ONNX export failed ({error})") from error
        self.channel.emit("exported", path=path, metadataPath=path + ".json", channels=stream_channels(self.model.architecture), stride=STRIDE, step=self.step)
