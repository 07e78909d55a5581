# AE-PSL on your own tagged photos with the affinity rung: the
# saliency-guided pseudo masks are completed by a random walk on learnt
# inter-pixel affinities before PSL trains on them
# (configs/_base_/pipelines/affinity_rung.py has the same stages, plus the
# score a dataset with ground truth adds).  Same command and data as
# configs/custom/ae_psl_mbv2_custom.py.
_base_ = ['ae_psl_mbv2_custom.py']
affinity = 'affinity_mbv2_8e_custom.py'
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
