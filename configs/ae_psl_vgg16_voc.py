# AE-PSL, the paper's setting (Wei et al., CVPR 2017): VOC 2012 train_aug
# with image labels, VGG16 AE classifier (3 erasing steps fused), saliency,
# PSL on DeepLab-LargeFOV, PSL++ (CRF-refined masks, retrained).
#   python tools/train.py configs/ae_psl_vgg16_voc.py
#   bash tools/dist_train.sh configs/ae_psl_vgg16_voc.py 8
# Data under data/VOCdevkit/VOC2012 (README), U^2-Net-p at
# data/weights/u2netp.onnx.  Each stage writes work_dirs/ae_psl_vgg16_voc/
# <stage>/ and a stage_done.json marker when complete; the same command
# resumes, `--stage NAME` runs one stage.  Paper, VOC val mIoU: 50.9 without
# PSL, 54.1 PSL, 55.0 PSL++ (test 55.7).
classifier = 'ae/ae_vgg16_voc.py'
segmentor = 'psl/psl_largefov_vgg16_6k_voc12aug.py'
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
