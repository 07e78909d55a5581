# AE-PSL end to end on the embedded synthetic data (the README demo; runs in
# CI): adversarial-erasing classifier -> saliency -> saliency-guided pseudo
# masks -> PSL -> PSL++ masks (CRF) -> PSL++ retraining -> val mIoU.
#   python tools/train.py configs/ae_psl_tinyres_synthetic.py
# Each stage writes work_dirs/ae_psl_tinyres_synthetic/<stage>/; run the same
# command again after a crash.  The score_* stages only measure (they read
# the training ground truth); nothing trains on what they write.
classifier = 'ae/ae_tinyres_synthetic.py'
segmentor = 'psl/psl_tinyres_synthetic.py'
pseudo_masks = 'train_dataloader.dataset.pseudo_seg_map_path'
# The synthetic images have no photographic saliency; the spectral-residual
# backend (numpy only) finds their objects.
saliency = dict(type='SpectralResidualSaliency')
# No ImageNet weights exist for the tiny ResNet: the segmentor's backbone
# starts from the AE classifier's (trained on image labels only), as a VGG16
# segmentor starts from ImageNet in the paper.
segmentor_init = {
    'model.backbone.init_cfg':
    dict(type='Pretrained', checkpoint='{classifier}', prefix='backbone.')
}
stages = [
    dict(name='classifier', type='TrainStage', config=classifier,
         outputs=dict(regions='erasing/regions')),
    dict(name='saliency', type='SaliencyStage', config=classifier,
         saliency=saliency),
    dict(name='pseudo_labels', type='PseudoLabelStage', config=classifier,
         mode='ae_saliency', fuse_steps=3, saliency_threshold=0.3,
         inputs=dict(regions='classifier.regions', saliency='saliency.maps')),
    dict(name='score_pseudo_labels', type='ScoreLabelsStage',
         config=classifier, inputs=dict(labels='pseudo_labels.labels')),
    dict(name='psl', type='TrainStage', config=segmentor,
         inputs=dict(masks='pseudo_labels.labels',
                     classifier='classifier.checkpoint'),
         cfg_options={pseudo_masks: '{masks}', **segmentor_init}),
    dict(name='psl_online_labels', type='PSLPlusLabelStage',
         config=segmentor, crf=None, inputs=dict(checkpoint='psl.checkpoint')),
    dict(name='score_psl_online_labels', type='ScoreLabelsStage',
         config=classifier, inputs=dict(labels='psl_online_labels.labels')),
    dict(name='psl_plus_labels', type='PSLPlusLabelStage', config=segmentor,
         crf='deeplab', inputs=dict(checkpoint='psl.checkpoint')),
    dict(name='score_psl_plus_labels', type='ScoreLabelsStage',
         config=classifier, inputs=dict(labels='psl_plus_labels.labels')),
    dict(name='psl_plus', type='TrainStage', config=segmentor,
         inputs=dict(masks='psl_plus_labels.labels',
                     classifier='classifier.checkpoint'),
         cfg_options={pseudo_masks: '{masks}', **segmentor_init}),
    dict(name='test', type='TestStage', config=segmentor,
         inputs=dict(checkpoint='psl_plus.checkpoint')),
]
