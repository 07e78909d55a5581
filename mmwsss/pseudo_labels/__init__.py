"""The per-image steps that turn image-level labels into pseudo masks.

Read them in the order a pipeline runs them (each writes one file per
training image; :mod:`mmwsss.utils.per_image` makes every one resumable,
sharded and tallied):

1. :mod:`.cams` -- class activation maps of a trained CAM classifier;
2. :mod:`.saliency_maps` -- class-agnostic salient-object maps;
3. :mod:`.masks` -- pseudo masks from CAMs, adversarial-erasing regions
   (mined by :class:`mmwsss.engine.AdversarialErasingLoop`) and saliency;
4. :mod:`.psl_plus` -- PSL++ masks from a trained PSL segmentor (and any
   segmentor's predictions corrected by the image labels);
5. :mod:`.affinity` -- pseudo masks completed by a random walk on the
   inter-pixel affinities an AffinityNet learnt from them;
6. :mod:`.simple_images` -- STC's split into simple and complex images.

How often their cues disagreed, from train-side signals only, is
:mod:`.cue_checks`; how good they are is measured by
:mod:`mmwsss.evaluation.pseudo_label_eval` (evaluation only: it reads
ground truth).
"""
from .cams import make_cams
from .masks import (CONTESTED_RULES, MODES, compose_pseudo_label,
                    make_pseudo_labels, tally_label_folder)
from .psl_plus import label_probabilities, make_psl_plus_labels
from .saliency_maps import make_saliency_maps
from .simple_images import (SIMPLE_RULES, saliency_cleanliness, split_by_list,
                            split_simple_complex, write_split)

__all__ = [
    'CONTESTED_RULES', 'MODES', 'SIMPLE_RULES', 'compose_pseudo_label',
    'label_probabilities', 'make_cams', 'make_pseudo_labels',
    'make_psl_plus_labels', 'make_saliency_maps', 'saliency_cleanliness',
    'split_by_list', 'split_simple_complex', 'tally_label_folder',
    'write_split'
]
