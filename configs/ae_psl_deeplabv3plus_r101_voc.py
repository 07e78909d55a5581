# AE-PSL on VOC 2012 with a modern segmentor: the same AE masks, PSL / PSL++
# on MMSeg's DeepLabV3+ (ResNet-101-D8).  PSLHead wraps any MMSeg decode
# head, so swapping the segmentor is one config line.
#   python tools/train.py configs/ae_psl_deeplabv3plus_r101_voc.py
classifier = 'ae/ae_vgg16_voc.py'
segmentor = 'psl/psl_deeplabv3plus_r101-d8_20k_voc12aug.py'
pseudo_masks = 'train_dataloader.dataset.pseudo_seg_map_path'
stages = [
    # 1. AE classifier; its hook writes the regions of every erasing step
    dict(name='classifier', type='TrainStage', config=classifier,
         outputs=dict(regions='erasing/regions')),
    # 2. salient-object maps of the training images
    dict(name='saliency', type='SaliencyStage', config=classifier),
    # 3. saliency-guided pseudo masks: regions of 3 steps fused, background
    #    where saliency is low, other pixels ignored
    dict(name='pseudo_labels', type='PseudoLabelStage', config=classifier,
         mode='ae_saliency', fuse_steps=3, saliency_threshold=0.3,
         workers=4,
         inputs=dict(regions='classifier.regions', saliency='saliency.maps')),
    # 4. PSL: segmentation + classification branch + online masks
    dict(name='psl', type='TrainStage', config=segmentor,
         inputs=dict(masks='pseudo_labels.labels'),
         cfg_options={pseudo_masks: '{masks}'}),
    # 5. PSL++: predict train, re-weight by the branch, keep labelled
    #    classes, dense CRF; retrain on those masks
    dict(name='psl_plus_labels', type='PSLPlusLabelStage', config=segmentor,
         crf='deeplab', crf_workers=4,
         inputs=dict(checkpoint='psl.checkpoint')),
    dict(name='psl_plus', type='TrainStage', config=segmentor,
         inputs=dict(masks='psl_plus_labels.labels'),
         cfg_options={pseudo_masks: '{masks}'}),
    # 6. val mIoU: with the branch's suppression, and with the dense CRF
    dict(name='test', type='TestStage', config=segmentor,
         inputs=dict(checkpoint='psl_plus.checkpoint')),
    dict(name='test_crf', type='TestStage', config=segmentor,
         inputs=dict(checkpoint='psl_plus.checkpoint'),
         cfg_options={'model.test_cfg.crf': 'deeplab'}),
]
