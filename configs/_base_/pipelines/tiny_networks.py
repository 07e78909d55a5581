# The AE-PSL stage settings of the small from-scratch networks (the tiny
# ResNet of the synthetic demo and of the own-data CI template): a child
# pipeline adds this fragment to its bases and takes `stages =
# _base_.tiny_network_stages` (plus its own), and `pixel_subset_stages =
# _base_.tiny_network_subset_stages` (the masks' teacher starts from the
# classifier's backbone too).  No ImageNet weights exist
# for the tiny ResNet: the segmentor's backbone starts from the AE
# classifier's (trained on image labels only), as a VGG16 segmentor starts
# from ImageNet in the paper.
segmentor_init = {
    'model.backbone.init_cfg':
    dict(type='Pretrained', checkpoint='{classifier_checkpoint}',
         prefix='backbone.')
}
tiny_network_stages = dict(
    # the synthetic images have no photographic saliency; the spectral
    # residual backend (numpy only) finds their objects
    saliency=dict(saliency=dict(type='SpectralResidualSaliency')),
    cams=dict(scales=(1.0, ), flip=True),
    pseudo_labels=dict(workers=1),
    psl=dict(inputs=dict(classifier_checkpoint='classifier.checkpoint'),
             cfg_options=segmentor_init),
    psl_plus_labels=dict(crf_workers=1),
    psl_plus=dict(inputs=dict(classifier_checkpoint='classifier.checkpoint'),
                  cfg_options=segmentor_init))
_from_classifier = dict(
    inputs=dict(classifier_checkpoint='classifier.checkpoint'),
    cfg_options=segmentor_init)
tiny_network_subset_stages = dict(
    masks_only=_from_classifier,
    half_teacher=_from_classifier,
    teacher_rule=dict(crf_workers=1),
    teacher_labels=dict(crf_workers=1))
