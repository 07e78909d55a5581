# AE-PSL (Wei et al., CVPR 2017) as a pipeline of stages, for any dataset:
# a child config names its classifier and segmentor configs and changes or
# drops (`name=None`) the stages it needs to:
#
#   _base_ = ['_base_/pipelines/ae_psl.py']
#   classifier = 'ae/ae_vgg16-d8_1xb16-5-5-5-5e_voc12aug-512x512.py'
#   segmentor = 'psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py'
#
# Every stage works in <work_dir>/<stage>/ and writes stage_done.json when
# complete; the same command resumes.  Stage configs are relative to the
# child config's folder.  The score_* stages are evaluation only: they read
# the training ground truth to measure each rung of the ladder; nothing
# trains on what they write.
_base_ = ['./masks_teacher.py']
classifier = None  # the AE classifier config (a child sets it)
segmentor = None  # the PSL segmentor config (a child sets it)
# the model tools/test.py and tools/infer.py take from a finished work dir
final_model = 'psl_plus'
stages = dict(
    # 1. AE classifier: CAM training, then erasing steps; the loop writes
    #    the regions mined at every step
    classifier=dict(type='AdversarialErasingStage', config='{classifier}'),
    # 2. CAMs of the training images from the final classifier (they pick
    #    the class of pixels two classes claim, and are an object cue of
    #    their own)
    cams=dict(type='CAMStage', config='{classifier}',
              inputs=dict(checkpoint='classifier.checkpoint')),
    # 3. salient-object maps of the training images
    saliency=dict(type='SaliencyStage', config='{classifier}'),
    # 4. saliency-guided pseudo masks: the regions of 3 erasing steps fused
    #    (and the CAMs) as object cue, saliency as the other; labelled where
    #    they agree, ignored where they disagree
    pseudo_labels=dict(
        type='PseudoLabelStage', config='{classifier}', mode='ae_saliency',
        fuse_steps=3, workers='auto',
        inputs=dict(regions='classifier.regions', cams='cams.cams',
                    saliency='saliency.maps')),
    # 5. PSL: segmentation + classification branch + online masks
    psl=dict(type='TrainStage', config='{segmentor}',
             inputs=dict(masks='pseudo_labels.labels'),
             cfg_options={
                 'train_dataloader.dataset.pseudo_seg_map_path': '{masks}'
             }),
    # 6. PSL++: predict train, re-weight by the branch, keep labelled
    #    classes, dense CRF; retrain on those masks
    psl_plus_labels=dict(type='PSLPlusLabelStage', config='{segmentor}',
                         crf='deeplab', crf_workers='auto',
                         inputs=dict(checkpoint='psl.checkpoint')),
    psl_plus=dict(type='TrainStage', config='{segmentor}',
                  inputs=dict(masks='psl_plus_labels.labels'),
                  cfg_options={
                      'train_dataloader.dataset.pseudo_seg_map_path':
                      '{masks}'
                  }),
    # 7. val mIoU of PSL and of the final model (PSL++), with the branch's
    #    suppression; the final model without it and with the dense CRF;
    #    the final model's predictions, kept for the error analysis
    test_psl=dict(type='TestStage', config='{segmentor}',
                  inputs=dict(checkpoint='psl.checkpoint')),
    test=dict(type='TestStage', config='{segmentor}', save_predictions=True,
              inputs=dict(checkpoint='psl_plus.checkpoint')),
    test_no_suppression=dict(
        type='TestStage', config='{segmentor}',
        inputs=dict(checkpoint='psl_plus.checkpoint'),
        cfg_options={'model.test_cfg.cls_suppression': False}),
    test_crf=dict(type='TestStage', config='{segmentor}',
                  inputs=dict(checkpoint='psl_plus.checkpoint'),
                  cfg_options={'model.test_cfg.crf': 'deeplab'}),
    # evaluation only: the ladder of masks on the training images (CAM
    # regions of the first step -> AE regions of 3 steps -> AE + saliency
    # -> PSL's online masks -> PSL++ masks), and the final model's errors
    # on val
    cam_labels=dict(type='PseudoLabelStage', config='{classifier}',
                    mode='ae', fuse_steps=1,
                    inputs=dict(regions='classifier.regions',
                                cams='cams.cams')),
    ae_labels=dict(type='PseudoLabelStage', config='{classifier}',
                   mode='ae', fuse_steps=3,
                   inputs=dict(regions='classifier.regions',
                               cams='cams.cams')),
    psl_online_labels=dict(type='PSLPlusLabelStage', config='{segmentor}',
                           crf=None,
                           inputs=dict(checkpoint='psl.checkpoint')),
    score_cam_labels=dict(type='ScoreLabelsStage', config='{classifier}',
                          inputs=dict(labels='cam_labels.labels')),
    score_ae_labels=dict(type='ScoreLabelsStage', config='{classifier}',
                         inputs=dict(labels='ae_labels.labels')),
    score_pseudo_labels=dict(type='ScoreLabelsStage', config='{classifier}',
                             inputs=dict(labels='pseudo_labels.labels')),
    score_psl_online_labels=dict(
        type='ScoreLabelsStage', config='{classifier}',
        inputs=dict(labels='psl_online_labels.labels')),
    score_psl_plus_labels=dict(
        type='ScoreLabelsStage', config='{classifier}',
        inputs=dict(labels='psl_plus_labels.labels')),
    score_test=dict(type='ScoreLabelsStage', config='{segmentor}',
                    dataset_key='test_dataloader',
                    inputs=dict(labels='test.predictions')),
)
# When some training images have pixel masks (a pixel list, or a user's
# masks/ folder), the run adds the masks' teacher (masks_teacher.py) and PSL
# trains on its masks: mmwsss/stages/variants.py.  A child drops it with
# pixel_subset_stages = None.
pixel_subset_stages = _base_.teacher_stages
