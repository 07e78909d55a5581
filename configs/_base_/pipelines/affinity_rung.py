# The affinity rung for any AE-PSL pipeline (mmwsss.pseudo_labels.affinity):
# an AffinityNet learns inter-pixel affinities from the labelled pixels of
# the saliency-guided pseudo masks, a random walk on them completes those
# masks, and PSL trains on the completed masks.  A child pipeline adds this
# fragment to its bases and names its AffinityNet config:
#
#   _base_ = ['../ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py',
#             '../_base_/pipelines/affinity_rung.py']
#   affinity = '../affinity/affinitynet_mbv2-d16_1xb16-8e_msrc17-224x320.py'
#   stages = _base_.affinity_stages
#   pixel_subset_stages = _base_.affinity_subset_stages
#
# (MMEngine refuses a key two bases both set, so the stages come under
# their own name and the child merges them into its pipeline's.)
affinity = None
affinity_stages = dict(
    affinity=dict(type='TrainStage', config='{affinity}',
                  inputs=dict(masks='pseudo_labels.labels'),
                  cfg_options={
                      'train_dataloader.dataset.pseudo_seg_map_path':
                      '{masks}'
                  }),
    # the walk adds object pixels only: ignored pixels it would call
    # background stay ignored, since PSL needs them open (on MSRC-17, seed
    # 0: PSL online masks 62.16 -> 63.85 on train against the walk that
    # fills every pixel, PSA's; docs/benchmarks.md, "Leaving the walk's
    # unsure pixels open")
    affinity_labels=dict(type='AffinityLabelStage', config='{affinity}',
                         fill='objects',
                         inputs=dict(checkpoint='affinity.checkpoint',
                                     masks='pseudo_labels.labels')),
    psl=dict(inputs=dict(masks='affinity_labels.labels')),
    # evaluation only: the new rung of the ladder
    score_affinity_labels=dict(
        type='ScoreLabelsStage', config='{classifier}',
        inputs=dict(labels='affinity_labels.labels')),
)
# with pixel masks for some images, the masks' teacher lays its objects over
# the completed masks (masks_teacher.py)
affinity_subset_stages = dict(
    teacher_rule=dict(inputs=dict(under='affinity_labels.labels')),
    teacher_labels=dict(inputs=dict(under='affinity_labels.labels')))
