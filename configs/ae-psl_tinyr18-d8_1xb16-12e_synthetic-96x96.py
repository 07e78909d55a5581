# AE-PSL end to end on the embedded synthetic data (the README demo; runs in
# CI): adversarial-erasing classifier -> CAMs -> saliency -> saliency-guided
# pseudo masks -> PSL -> PSL++ masks (CRF) -> PSL++ retraining -> val mIoU,
# and the ladder of pseudo masks (evaluation only).
#   python tools/train.py \
#       configs/ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py
# The stages: configs/_base_/pipelines/ae_psl.py.
_base_ = ['_base_/pipelines/ae_psl.py']
classifier = 'ae/ae_tinyr18-d8_1xb16-20-8-8e_synthetic-96x96.py'
segmentor = 'psl/psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py'
# No ImageNet weights exist for the tiny ResNet: the segmentor's backbone
# starts from the AE classifier's (trained on image labels only), as a VGG16
# segmentor starts from ImageNet in the paper.
segmentor_init = {
    'model.backbone.init_cfg':
    dict(type='Pretrained', checkpoint='{classifier_checkpoint}',
         prefix='backbone.')
}
stages = dict(
    # the synthetic images have no photographic saliency; the spectral
    # residual backend (numpy only) finds their objects
    saliency=dict(saliency=dict(type='SpectralResidualSaliency')),
    cams=dict(scales=(1.0, ), flip=True),
    pseudo_labels=dict(workers=1),
    psl=dict(inputs=dict(classifier_checkpoint='classifier.checkpoint'),
             cfg_options=segmentor_init),
    psl_plus_labels=dict(crf_workers=1),
    psl_plus=dict(inputs=dict(classifier_checkpoint='classifier.checkpoint'),
                  cfg_options=segmentor_init),
    # a small model: the val stages beyond the final test tell little here
    test_no_suppression=None,
    test_crf=None)
