"""Dense BYOL as SFC trains its fine-grained stream (SPEC §7): online encoder + projector + predictor, EMA target.

Shapes: views [B,3,S,S]; encoder features [B,512,S/8,S/8]; projections/predictions [B,256,S/8,S/8].
Crop boxes [B,4] are (x0, y0, x1, y1) in original-image pixels; a horizontally flipped view stores x0 > x1 so that
cell centres computed as start + (index + 0.5)·bin land on the right image point (bin is then negative).
"""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

from encoders import DEFAULT_ARCHITECTURE, build_encoder

POSITIVE_RADIUS = 0.5
BASE_MOMENTUM = 0.99
PROJECTION_CHANNELS = 256
HIDDEN_CHANNELS = 2048


def conv_head(in_channels: int, hidden_channels: int = HIDDEN_CHANNELS, out_channels: int = PROJECTION_CHANNELS) -> nn.Sequential:
    """1×1-conv MLP: in→2048 (BN, ReLU)→256, applied at every cell (SPEC §7)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, hidden_channels, kernel_size=1),
        nn.BatchNorm2d(hidden_channels),
        nn.ReLU(inplace=True),
        nn.Conv2d(hidden_channels, out_channels, kernel_size=1),
    )


def ema_momentum(step: int, total_steps: int, base_momentum: float = BASE_MOMENTUM) -> float:
    """m = 1 − (1 − base)·(cos(π·step/total) + 1)/2: 0.99 at step 0, rising to 1 at the last step (SPEC §7)."""
    progress = min(max(step / max(total_steps, 1), 0.0), 1.0)
    return 1.0 - (1.0 - base_momentum) * (math.cos(math.pi * progress) + 1.0) / 2.0


def cell_centres(boxes: torch.Tensor, grid_height: int, grid_width: int) -> torch.Tensor:
    """Centres of the feature cells of each view in original-image coordinates.

    boxes [B,4] (x0,y0,x1,y1) → centres [B, h·w, 2] as (x, y), row-major over cells, and bin diagonals [B].
    center = (index + 0.5)·bin + crop_start with bin = crop size / grid size per axis (SPEC §7).
    """
    boxes = boxes.to(torch.float64)
    bin_width = (boxes[:, 2] - boxes[:, 0]) / grid_width
    bin_height = (boxes[:, 3] - boxes[:, 1]) / grid_height
    columns = torch.arange(grid_width, dtype=torch.float64, device=boxes.device) + 0.5
    rows = torch.arange(grid_height, dtype=torch.float64, device=boxes.device) + 0.5
    x = boxes[:, 0:1] + columns[None, :] * bin_width[:, None]  # [B,w]
    y = boxes[:, 1:2] + rows[None, :] * bin_height[:, None]  # [B,h]
    centre_x = x[:, None, :].expand(-1, grid_height, -1)
    centre_y = y[:, :, None].expand(-1, -1, grid_width)
    centres = torch.stack([centre_x, centre_y], dim=-1).reshape(boxes.shape[0], grid_height * grid_width, 2)
    diagonals = torch.sqrt(bin_width ** 2 + bin_height ** 2)
    return centres, diagonals


def positive_mask(boxes_q: torch.Tensor, boxes_k: torch.Tensor, grid_height: int, grid_width: int, radius: float = POSITIVE_RADIUS) -> torch.Tensor:
    """M [B, h·w (q cells), h·w (k cells)]: 1 where dist(centre_q_i, centre_k_j) / max(diag_q, diag_k) < radius."""
    centres_q, diagonals_q = cell_centres(boxes_q, grid_height, grid_width)
    centres_k, diagonals_k = cell_centres(boxes_k, grid_height, grid_width)
    distances = torch.cdist(centres_q, centres_k)
    normaliser = torch.maximum(diagonals_q, diagonals_k)[:, None, None]
    return (distances / normaliser < radius).to(torch.float32)


def pair_loss(q: torch.Tensor, k: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """q, k [B,C,h,w] (L2-normalised here over C); mask [B,h·w,h·w].

    L = −2 · mean over batch of Σ_ij (q_i·k_j)·M_ij / (Σ_ij M_ij + 1e−6) (SPEC §7).
    """
    q = F.normalize(q.flatten(2), dim=1)  # [B,C,N]
    k = F.normalize(k.flatten(2), dim=1)
    similarity = torch.bmm(q.transpose(1, 2), k)  # [B,Nq,Nk]
    per_view = (similarity * mask).sum(dim=(1, 2)) / (mask.sum(dim=(1, 2)) + 1e-6)
    return -2.0 * per_view.mean()


class DenseBYOL(nn.Module):
    """Online (encoder, projector, predictor) and target (encoder, projector) networks; the target starts equal."""

    def __init__(self, architecture: str = DEFAULT_ARCHITECTURE):
        super().__init__()
        self.architecture = architecture
        self.encoder = build_encoder(architecture, training=True)
        self.projector = conv_head(self.encoder.out_channels)
        self.predictor = conv_head(PROJECTION_CHANNELS)
        self.target_encoder = copy.deepcopy(self.encoder)
        self.target_projector = copy.deepcopy(self.projector)
        for parameter in self.target_parameters():
            parameter.requires_grad_(False)

    def online_parameters(self):
        return [*self.encoder.parameters(), *self.projector.parameters(), *self.predictor.parameters()]

    def target_parameters(self):
        return [*self.target_encoder.parameters(), *self.target_projector.parameters()]

    def reset_target(self) -> None:
        """Copies the online encoder/projector into the target (after loading initial encoder weights)."""
        self.target_encoder.load_state_dict(self.encoder.state_dict())
        self.target_projector.load_state_dict(self.projector.state_dict())

    @torch.no_grad()
    def update_target(self, momentum: float) -> None:
        """target ← m·target + (1 − m)·online, parameters only (BN statistics of the target follow its own batches)."""
        online = [*self.encoder.parameters(), *self.projector.parameters()]
        for target_parameter, online_parameter in zip(self.target_parameters(), online):
            target_parameter.mul_(momentum).add_(online_parameter.detach(), alpha=1.0 - momentum)

    def loss(self, view_1: torch.Tensor, view_2: torch.Tensor, boxes_1: torch.Tensor, boxes_2: torch.Tensor) -> torch.Tensor:
        """Symmetrised dense BYOL loss for two views [B,3,S,S] with their crop boxes [B,4]."""
        prediction_1 = self.predictor(self.projector(self.encoder(view_1)))
        prediction_2 = self.predictor(self.projector(self.encoder(view_2)))
        with torch.no_grad():
            target_1 = self.target_projector(self.target_encoder(view_1))
            target_2 = self.target_projector(self.target_encoder(view_2))
        grid_height, grid_width = prediction_1.shape[-2:]
        mask_12 = positive_mask(boxes_1, boxes_2, grid_height, grid_width).to(prediction_1.device)
        mask_21 = mask_12.transpose(1, 2)
        return pair_loss(prediction_1, target_2, mask_12) + pair_loss(prediction_2, target_1, mask_21)
