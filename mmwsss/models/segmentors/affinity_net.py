"""AffinityNet: which neighbouring pixels belong together, learnt from masks.

Pseudo masks are precise where they label (two cues agreed) but leave
many object pixels ignored.  Following PSA (Ahn & Kwak, CVPR 2018) and
IRN (Ahn et al., CVPR 2019), a network learns *inter-pixel affinities*
from the labelled pixels of those masks: two nearby cells with the same
label should look alike, two with different labels should not.  The
affinities then carry the labels into the ignored pixels by a random walk
(:mod:`mmwsss.pseudo_labels.affinity`).

The network embeds the image at 1/8 of its size (features of three
backbone levels, each projected, resized to the finest and fused); the
affinity of cells ``i`` and ``j`` is ``exp(-mean_d |f_i - f_j|)``, so it
lies in ``(0, 1]`` and is symmetric.  Pairs are the cells within
``radius`` cells of each other (PSA's 5 at stride 8).  The loss is PSA's:
``-log a`` over same-label pairs, background and object pairs averaged
apart (object pairs are fewer, and both matter), ``-log(1 - a)`` over
different-label pairs, weighted 1/4, 1/4, 1/2.  Pairs touching an ignored
cell teach nothing.

As in IRN, the backbone is frozen (``frozen_backbone``): its ImageNet
features already separate most regions, only the small head learns from
the masks, and training costs little more than the backbone's forward pass
(a CPU pipeline stage of minutes, not tens of minutes).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmseg.utils import ConfigType, SampleList

from mmwsss.registry import MODELS
from mmwsss.utils.io import IGNORE_INDEX

#: PSA's radius (cells of the 1/8 grid) of the pairs the loss and the walk use
DEFAULT_RADIUS = 5
#: the grid the affinities live on: 1/8 of the image
OUTPUT_STRIDE = 8


def pair_offsets(radius: int) -> List[Tuple[int, int]]:
    """``(dy, dx)`` of every neighbour within ``radius`` cells, one of each
    symmetric pair (``dy > 0``, or ``dy == 0`` and ``dx > 0``)."""
    offsets = [(0, dx) for dx in range(1, radius)]
    offsets += [(dy, dx) for dy in range(1, radius)
                for dx in range(-radius + 1, radius)
                if dy * dy + dx * dx < radius * radius]
    return offsets


def _shifted(grid: torch.Tensor, dy: int, dx: int
             ) -> Tuple[torch.Tensor, torch.Tensor]:
    """The cells ``(y, x)`` and ``(y + dy, x + dx)`` of ``grid`` (last two
    dims) that both lie inside it, as two aligned views."""
    height, width = grid.shape[-2:]
    x0, x1 = max(0, -dx), width - max(0, dx)
    first = grid[..., :height - dy, x0:x1]
    second = grid[..., dy:, x0 + dx:x1 + dx]
    return first, second


def pair_affinities(embedding: torch.Tensor, radius: int
                    ) -> List[torch.Tensor]:
    """``exp(-mean |f_i - f_j|)`` of every cell with its neighbour at each
    offset of :func:`pair_offsets`; one ``(B, h, w)`` map per offset."""
    out = []
    for dy, dx in pair_offsets(radius):
        first, second = _shifted(embedding, dy, dx)
        out.append(torch.exp(-(first - second).abs().mean(dim=1)))
    return out


def pair_targets(labels: torch.Tensor, radius: int
                 ) -> List[Dict[str, torch.Tensor]]:
    """Per offset, bool maps of the pairs the loss uses: ``bg`` and ``fg``
    (same label, background or object), ``neg`` (different labels), all
    with both cells labelled.  ``labels`` is ``(B, h, w)``."""
    out = []
    for dy, dx in pair_offsets(radius):
        first, second = _shifted(labels, dy, dx)
        known = (first != IGNORE_INDEX) & (second != IGNORE_INDEX)
        same = known & (first == second)
        out.append(dict(bg=same & (first == 0), fg=same & (first != 0),
                        neg=known & (first != second)))
    return out


def affinity_loss(affinities: Sequence[torch.Tensor],
                  targets: Sequence[Dict[str, torch.Tensor]]
                  ) -> Dict[str, torch.Tensor]:
    """PSA's balanced loss (module docstring) with its three parts."""
    sums = dict(bg=0.0, fg=0.0, neg=0.0)
    counts = dict(bg=0, fg=0, neg=0)
    for aff, target in zip(affinities, targets):
        aff = aff.float()
        pos_nll = -torch.log(aff.clamp_min(1e-5))
        neg_nll = -torch.log((1 - aff).clamp_min(1e-5))
        for key in ('bg', 'fg'):
            sums[key] = sums[key] + pos_nll[target[key]].sum()
            counts[key] += int(target[key].sum())
        sums['neg'] = sums['neg'] + neg_nll[target['neg']].sum()
        counts['neg'] += int(target['neg'].sum())
    zero = affinities[0].sum() * 0
    means = {key: (sums[key] / counts[key] if counts[key] else zero)
             for key in sums}
    return dict(loss_aff_bg=means['bg'] / 4, loss_aff_fg=means['fg'] / 4,
                loss_aff_neg=means['neg'] / 2)


def labels_on_grid(samples: SampleList, size: Sequence[int]
                   ) -> torch.Tensor:
    """``(B, h, w)`` long: each sample's (padded) mask sampled at the
    cells of the ``size`` grid (nearest), 255 where ignored."""
    masks = torch.stack([s.gt_sem_seg.data.float() for s in samples])
    return F.interpolate(masks, size=tuple(size),
                         mode='nearest')[:, 0].long()


@MODELS.register_module()
class AffinityNet(BaseModel):
    """A backbone and a small embedding head whose cell distances give
    inter-pixel affinities (module docstring).

    Args:
        backbone: any MMSeg/mmpretrain backbone config returning the
            levels ``in_index`` picks.
        in_channels: channels of those levels.
        in_index: which backbone outputs to fuse.
        level_channels: channels each level is projected to.
        embed_channels: channels of the fused embedding.
        radius: pair radius in cells of the 1/8 grid.
        frozen_backbone: keep the backbone's weights and batch-norm
            statistics (module docstring).
    """

    def __init__(self,
                 backbone: ConfigType,
                 in_channels: Sequence[int],
                 in_index: Sequence[int] = (0, 1, 2),
                 level_channels: int = 64,
                 embed_channels: int = 128,
                 radius: int = DEFAULT_RADIUS,
                 frozen_backbone: bool = True,
                 data_preprocessor: Optional[ConfigType] = None,
                 init_cfg=None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.in_index = list(in_index)
        self.radius = radius
        self.frozen_backbone = frozen_backbone
        if frozen_backbone:
            self.backbone.requires_grad_(False)
        self.projections = nn.ModuleList([
            nn.Sequential(nn.Conv2d(c, level_channels, 1, bias=False),
                          nn.GroupNorm(4, level_channels), nn.ReLU(True))
            for c in in_channels
        ])
        self.fuse = nn.Conv2d(level_channels * len(in_channels),
                              embed_channels, 1)

    def train(self, mode: bool = True) -> 'AffinityNet':
        super().train(mode)
        if self.frozen_backbone:
            self.backbone.eval()
        return self

    def embed(self, inputs: torch.Tensor) -> torch.Tensor:
        """``(B, D, H/8, W/8)`` embedding of a normalised image batch."""
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.frozen_backbone):
            feats = self.backbone(inputs)
        size = (-(-inputs.shape[-2] // OUTPUT_STRIDE),
                -(-inputs.shape[-1] // OUTPUT_STRIDE))
        levels = [
            F.interpolate(proj(feats[i]), size=size, mode='bilinear',
                          align_corners=False)
            for proj, i in zip(self.projections, self.in_index)
        ]
        return self.fuse(torch.cat(levels, dim=1))

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[SampleList] = None,
                mode: str = 'tensor'):
        embedding = self.embed(inputs)
        if mode == 'loss':
            labels = labels_on_grid(data_samples, embedding.shape[-2:])
            return affinity_loss(pair_affinities(embedding, self.radius),
                                 pair_targets(labels.to(inputs.device),
                                              self.radius))
        if mode in ('tensor', 'predict'):
            return embedding
        raise ValueError(f'AffinityNet has no mode {mode!r}')
