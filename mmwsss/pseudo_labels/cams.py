"""Step: class activation maps of the training images.

A trained CAM classifier (:class:`mmwsss.models.CAMClassifier`) looks at
every training image at several scales (and flipped); the maps of the
image's labelled classes, normalised to [0, 1] per class, are written as
``<out_dir>/<image stem>.npz`` (:func:`mmwsss.utils.io.save_cam_file`).
Later steps read them to compose pseudo masks.
"""
from typing import Dict, Optional, Sequence

import torch

from mmwsss.utils.io import save_cam_file
from mmwsss.utils.per_image import ImageShard


@torch.no_grad()
def make_cams(model,
              dataset,
              out_dir: str,
              batch_size: int = 1,
              num_workers: int = 0,
              scales: Optional[Sequence[float]] = None,
              flip: Optional[bool] = None,
              show_progress: bool = True) -> Dict[str, int]:
    """Write ``out_dir/<image stem>.npz`` for this rank's images.

    Args:
        model: a :class:`CAMClassifier` in eval mode.
        dataset: an mmwsss dataset whose pipeline loads the image and packs
            it with ``PackWSSSInputs`` (no augmentation).
        scales, flip: override ``model.test_cfg`` (cam_scales / cam_flip).

    Returns:
        The shard's tally; ``empty`` counts labelled images whose CAMs are
        zero everywhere (the classifier saw none of their classes).
    """
    shard = ImageShard(dataset, out_dir, '.npz',
                       show_progress=show_progress)
    device = next(model.parameters()).device
    for batch in shard.loader(batch_size, num_workers):
        data = model.data_preprocessor(batch, False)
        samples = data['data_samples']
        cams = model.predict_cams(
            data['inputs'].to(device), samples, scales=scales, flip=flip)
        for sample, cam in zip(samples, cams):
            labels = sample.metainfo['img_labels']
            if labels and float(cam.max()) <= 0:
                shard.count('empty')
            save_cam_file(shard.out_path(sample.metainfo), cam.cpu().numpy(),
                          labels)
            shard.advance()
    return shard.tally()
