# AE-PSL on your own tagged photos with the affinity rung: the
# saliency-guided pseudo masks are completed by a random walk on learnt
# inter-pixel affinities before PSL trains on them
# (configs/_base_/pipelines/affinity_rung.py has the same stages, plus the
# score a dataset with ground truth adds).  Same command and data as
# configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py.
_base_ = ['ae-psl_mbv2-d32_1xb16-20e_custom-long320.py']
affinity = 'affinitynet_mbv2-d16_1xb16-8e_custom-long320.py'
stages = dict(
    affinity=dict(type='TrainStage', config='{affinity}',
                  inputs=dict(masks='pseudo_labels.labels'),
                  cfg_options={
                      'train_dataloader.dataset.pseudo_seg_map_path':
                      '{masks}'
                  }),
    affinity_labels=dict(type='AffinityLabelStage', config='{affinity}',
                         inputs=dict(checkpoint='affinity.checkpoint',
                                     masks='pseudo_labels.labels')),
    psl=dict(inputs=dict(masks='affinity_labels.labels')))
