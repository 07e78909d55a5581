# The own-data template (ae_psl_mbv2_custom.py) with the synthetic demo's
# small from-scratch networks: needs no pretrained weights, runs in CI on a
# folder built from the synthetic data (tests/test_own_data.py).
#   python tools/train.py configs/custom/ae_psl_tinyres_custom.py \
#       --work-dir W --cfg-options data_root=DATA
_base_ = ['ae_psl_mbv2_custom.py']
classifier = 'ae_tinyres_custom.py'
segmentor = 'psl_tinyres_custom.py'
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
