# The own-data template (ae-psl_mbv2-d32_1xb16-20e_custom-long320.py) with the
# synthetic demo's small from-scratch networks: needs no pretrained weights,
# runs in CI on a folder built from the synthetic data
# (tests/test_own_data.py).
#   python tools/train.py \
#       configs/custom/ae-psl_tinyr18-d8_1xb16-12e_custom-long96.py \
#       --work-dir W --cfg-options data_root=DATA
_base_ = ['ae-psl_mbv2-d32_1xb16-20e_custom-long320.py']
classifier = 'ae_tinyr18-d8_1xb16-20-8-8e_custom-long96.py'
segmentor = 'psl_tinyr18-d8_1xb16-12e_custom-long96.py'
segmentor_init = {
    'model.backbone.init_cfg':
    dict(type='Pretrained', checkpoint='{classifier_checkpoint}',
         prefix='backbone.')
}
stages = dict(
    saliency=dict(saliency=dict(type='SpectralResidualSaliency')),
    cams=dict(scales=(1.0, ), flip=True),
    pseudo_labels=dict(workers=1),
    psl=dict(inputs=dict(classifier_checkpoint='classifier.checkpoint'),
             cfg_options=segmentor_init),
    psl_plus_labels=dict(crf_workers=1),
    psl_plus=dict(inputs=dict(classifier_checkpoint='classifier.checkpoint'),
                  cfg_options=segmentor_init))
