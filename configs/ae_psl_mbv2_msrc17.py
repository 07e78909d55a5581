# AE-PSL on MSRC-17 (real photos; CPU-sized, ~40 min on 2 cores):
#   python tools/train.py configs/ae_psl_mbv2_msrc17.py
# Needs the converted ImageNet MobileNetV2 (README, "Pretrained weights")
# and ../shared/weights/u2netp.onnx.  Every stage writes
# work_dirs/ae_psl_mbv2_msrc17/<stage>/ and a stage_done.json marker; run the
# same command again to resume, `--stage NAME` to run one stage.
# The score_* stages are evaluation only (they read the training ground
# truth to report pseudo-mask mIoU); nothing trains on what they write.
classifier = 'ae/ae_mbv2_6-3-3e_msrc17.py'
segmentor = 'psl/psl_aspp_mbv2_10e_msrc17.py'
pseudo_masks = 'train_dataloader.dataset.pseudo_seg_map_path'
# The segmentor's MobileNetV2 starts from the AE classifier's backbone
# (ImageNet weights fine-tuned on these images' labels; same architecture
# and stride): with a CPU-sized schedule, ImageNet features alone left the
# segmentor predicting background almost everywhere (docs/benchmarks.md).
segmentor_init = {
    'model.backbone.init_cfg':
    dict(type='Pretrained', checkpoint='{classifier}', prefix='backbone.')
}
stages = [
    # 1. AE classifier: CAM training, then 2 erasing steps (regions of 3)
    dict(name='classifier', type='TrainStage', config=classifier,
         outputs=dict(regions='erasing/regions')),
    # 2. salient-object maps of the training images (U^2-Net-p)
    dict(name='saliency', type='SaliencyStage', config=classifier),
    # 3. the paper's saliency-guided pseudo masks (AE regions + saliency)
    dict(name='pseudo_labels', type='PseudoLabelStage', config=classifier,
         mode='ae_saliency', fuse_steps=3, saliency_threshold=0.3,
         workers=2,
         inputs=dict(regions='classifier.regions', saliency='saliency.maps')),
    # 4. PSL: segmentation + classification branch + online masks
    dict(name='psl', type='TrainStage', config=segmentor,
         inputs=dict(masks='pseudo_labels.labels',
                     classifier='classifier.checkpoint'),
         cfg_options={pseudo_masks: '{masks}', **segmentor_init}),
    dict(name='test_psl', type='TestStage', config=segmentor,
         inputs=dict(checkpoint='psl.checkpoint')),
    # 5. PSL++: predict train, re-weight by the branch, keep labelled
    #    classes, dense CRF; then retrain on those masks
    dict(name='psl_plus_labels', type='PSLPlusLabelStage', config=segmentor,
         crf='deeplab', crf_workers=2,
         inputs=dict(checkpoint='psl.checkpoint')),
    dict(name='psl_plus', type='TrainStage', config=segmentor,
         inputs=dict(masks='psl_plus_labels.labels',
                     classifier='classifier.checkpoint'),
         cfg_options={pseudo_masks: '{masks}', **segmentor_init}),
    # 6. val mIoU of the final model: with suppression, without, with CRF
    dict(name='test', type='TestStage', config=segmentor,
         inputs=dict(checkpoint='psl_plus.checkpoint')),
    dict(name='test_no_suppression', type='TestStage', config=segmentor,
         inputs=dict(checkpoint='psl_plus.checkpoint'),
         cfg_options={'model.test_cfg.cls_suppression': False}),
    dict(name='test_crf', type='TestStage', config=segmentor,
         inputs=dict(checkpoint='psl_plus.checkpoint'),
         cfg_options={'model.test_cfg.crf': 'deeplab'}),
    # evaluation only: pseudo-mask mIoU on train after each stage
    dict(name='cam_labels', type='PseudoLabelStage', config=classifier,
         mode='ae', fuse_steps=1,
         inputs=dict(regions='classifier.regions')),
    dict(name='score_cam_labels', type='ScoreLabelsStage', config=classifier,
         inputs=dict(labels='cam_labels.labels')),
    dict(name='ae_labels', type='PseudoLabelStage', config=classifier,
         mode='ae', fuse_steps=3, inputs=dict(regions='classifier.regions')),
    dict(name='score_ae_labels', type='ScoreLabelsStage', config=classifier,
         inputs=dict(labels='ae_labels.labels')),
    dict(name='score_pseudo_labels', type='ScoreLabelsStage',
         config=classifier, inputs=dict(labels='pseudo_labels.labels')),
    dict(name='psl_online_labels', type='PSLPlusLabelStage',
         config=segmentor, crf=None, inputs=dict(checkpoint='psl.checkpoint')),
    dict(name='score_psl_online_labels', type='ScoreLabelsStage',
         config=classifier, inputs=dict(labels='psl_online_labels.labels')),
    dict(name='score_psl_plus_labels', type='ScoreLabelsStage',
         config=classifier, inputs=dict(labels='psl_plus_labels.labels')),
]
