"""How often the cues of the saliency-guided masks disagreed on the
training images: train-side signals only, no ground truth.

Saliency is a cue for *object*, the CAMs and erasing regions a cue for
*this class* (:mod:`.masks`); a pixel is labelled where they agree.  Each
can mislead on photos unlike the ones the method was built on, and how
often they disagreed says where, before any mask is scored:

* ``salient_unclaimed``: salient pixels no tagged class claims (the rule
  ignores them).  Salient clutter, or the untagged parts of a salient
  whole: a person's skin and hair when the tags name clothes.  A large
  share says saliency sees objects the tags do not name.
* ``mined_not_salient``: mined pixels (class evidence) that saliency calls
  background (ignored too).  Objects the saliency model misses (a shelf of
  books, a field of flowers) or erasing regions spilling into context.
* ``contested``: claimed salient pixels that two or more tagged classes
  claim; the higher CAM takes them, or the smaller claim
  (:func:`.masks.assign_regions`).
  Where the tags name parts of one whole, these are the pixels most likely
  given the wrong one.

All three are percentages of their pixel kind over every image; the
written masks' ``lost_tags`` (tags whose class got no pixel) sit in
:func:`.masks.tally_label_folder`.
"""
from typing import Dict, Optional

from .masks import load_cues, saliency_rule_cues

SALIENCY_MODES = ('cam_saliency', 'ae_saliency')


def image_cue_counts(cues: dict, mode: str, thresholds: dict
                     ) -> Dict[str, int]:
    """One image's pixel counts behind :func:`cue_agreement`."""
    if not len(cues['labels']):
        return {}
    maps = saliency_rule_cues(
        mode, cues['shape'], cues['cams'], cues['regions'],
        cues['saliency'], thresholds['fuse_steps'],
        thresholds['saliency_threshold'], thresholds['cam_threshold'])
    claimed_by = maps['claims'].sum(axis=0)
    salient, mined = maps['salient'], maps['mined']
    return dict(salient=int(salient.sum()),
                salient_unclaimed=int((salient & (claimed_by == 0)).sum()),
                mined=int(mined.sum()),
                mined_not_salient=int((mined & ~salient).sum()),
                claimed=int((salient & (claimed_by > 0)).sum()),
                contested=int((salient & (claimed_by > 1)).sum()))


def cue_agreement(dataset, mode: str, thresholds: dict,
                  cam_dir: Optional[str] = None,
                  regions_dir: Optional[str] = None,
                  saliency_dir: Optional[str] = None) -> Dict[str, float]:
    """The module docstring's three shares (percent) over every labelled
    image of ``dataset``, for a saliency ``mode`` and its ``thresholds``
    (``fuse_steps``, ``saliency_threshold``, ``cam_threshold``); empty for
    the other modes."""
    if mode not in SALIENCY_MODES:
        return {}
    totals: Dict[str, int] = {}
    for index in range(len(dataset)):
        cues = load_cues(dataset.get_data_info(index), cam_dir,
                         regions_dir, saliency_dir)
        for key, value in image_cue_counts(cues, mode, thresholds).items():
            totals[key] = totals.get(key, 0) + value

    def share(part: str, whole: str) -> float:
        return 100.0 * totals.get(part, 0) / max(totals.get(whole, 0), 1)

    return dict(salient_unclaimed=share('salient_unclaimed', 'salient'),
                mined_not_salient=share('mined_not_salient', 'mined'),
                contested=share('contested', 'claimed'))


def describe_cue_agreement(shares: Dict[str, float]) -> str:
    """One log line for :func:`cue_agreement`'s shares."""
    return (f'{shares["salient_unclaimed"]:.1f}% of salient pixels no tagged '
            f'class claims (ignored), {shares["mined_not_salient"]:.1f}% of '
            'class evidence saliency calls background (ignored), '
            f'{shares["contested"]:.1f}% of claimed salient pixels claimed '
            'by two or more classes')


__all__ = ['SALIENCY_MODES', 'cue_agreement', 'describe_cue_agreement',
           'image_cue_counts']
