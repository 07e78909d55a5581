# The pixel-labelled subset as a teacher: the stages the AE-PSL, STC and
# HCP pipelines add when some training images have pixel masks (ae_psl.py,
# stc.py and hcp.py name them as their pixel_subset_stages; the run
# decides from the data, mmwsss/stages/variants.py):
#
#  - masks_only: the segmentor trained on the subset's true masks alone
#    (its images repeated to the train split's length: the recipe's number
#    of iterations); test_masks_only scores it, the masks-only baseline
#    beside the semi-supervised model in the same work dir;
#  - teacher_labels: that model predicts every training image, restricted
#    to its tags (PSL++'s step, dense CRF), and its object pixels go over
#    the tag-cue pseudo masks, which decide where it sees background
#    (mmwsss/pseudo_labels/psl_plus.py says why);
#  - unless a teacher trained on half of the subset finds, on the other
#    half, that its masks alone beat its objects over the cue masks
#    (half_teacher, teacher_rule; mmwsss/pseudo_labels/teacher_rule.py):
#    then the teacher's masks go alone;
#  - PSL trains on those masks (the subset on its true masks, as before).
# STC's pipelines take stc_teacher_stages: the DCNN is the teacher (it has
# no classification branch to re-weight by), and its objects go over
# E-DCNN's masks, which P-DCNN trains on.  HCP's take
# hcp_teacher_stages: its segmentation net is the teacher, its objects go
# over the localization maps' argmax, and the net then trains on those
# masks instead of the soft maps.
_masks_only = {
    'train_dataloader.dataset.masks_only': True,
    'train_dataloader.dataset.pseudo_seg_map_path': None
}
# the half the rule is chosen on: every 2nd pixel-labelled image
_fold = dict(folds=2, held_out=0)
_half_masks = dict(_masks_only,
                   **{'train_dataloader.dataset.masks_only': _fold})
teacher_stages = dict(
    masks_only=dict(
        type='TrainStage', config='{segmentor}', cfg_options=_masks_only),
    test_masks_only=dict(type='TestStage', config='{segmentor}',
                         inputs=dict(checkpoint='masks_only.checkpoint')),
    half_teacher=dict(
        type='TrainStage', config='{segmentor}', cfg_options=_half_masks),
    teacher_rule=dict(
        type='TeacherRuleStage', config='{segmentor}', crf='deeplab',
        crf_workers='auto', **_fold,
        inputs=dict(checkpoint='half_teacher.checkpoint',
                    under='pseudo_labels.labels')),
    teacher_labels=dict(
        type='PSLPlusLabelStage', config='{segmentor}', crf='deeplab',
        crf_workers='auto',
        inputs=dict(checkpoint='masks_only.checkpoint',
                    under='pseudo_labels.labels', rule='teacher_rule.rule')),
    psl=dict(inputs=dict(masks='teacher_labels.labels')),
    # evaluation only: the teacher's masks on the training images
    score_teacher_labels=dict(
        type='ScoreLabelsStage', config='{classifier}',
        inputs=dict(labels='teacher_labels.labels')))
stc_teacher_stages = dict(
    masks_only=dict(
        type='TrainStage', config='{dcnn}', cfg_options=_masks_only),
    test_masks_only=dict(type='TestStage', config='{dcnn}',
                         inputs=dict(checkpoint='masks_only.checkpoint')),
    half_teacher=dict(
        type='TrainStage', config='{dcnn}', cfg_options=_half_masks),
    teacher_rule=dict(
        type='TeacherRuleStage', config='{dcnn}', crf='deeplab',
        crf_workers='auto', use_cls_weights=False, **_fold,
        inputs=dict(checkpoint='half_teacher.checkpoint',
                    under='e_labels.labels')),
    teacher_labels=dict(
        type='PSLPlusLabelStage', config='{dcnn}', crf='deeplab',
        crf_workers='auto', use_cls_weights=False,
        inputs=dict(checkpoint='masks_only.checkpoint',
                    under='e_labels.labels', rule='teacher_rule.rule')),
    p_dcnn=dict(inputs=dict(masks='teacher_labels.labels')),
    # evaluation only: the teacher's masks on the training images
    score_teacher_labels=dict(
        type='ScoreLabelsStage', config='{dcnn}',
        inputs=dict(labels='teacher_labels.labels')))
hcp_teacher_stages = dict(
    masks_only=dict(
        type='TrainStage', config='{segmentor}', cfg_options=_masks_only),
    test_masks_only=dict(type='TestStage', config='{segmentor}',
                         inputs=dict(checkpoint='masks_only.checkpoint')),
    half_teacher=dict(
        type='TrainStage', config='{segmentor}', cfg_options=_half_masks),
    teacher_rule=dict(
        type='TeacherRuleStage', config='{segmentor}', crf='deeplab',
        crf_workers='auto', use_cls_weights=False, **_fold,
        inputs=dict(checkpoint='half_teacher.checkpoint',
                    under='localization_maps.masks')),
    teacher_labels=dict(
        type='PSLPlusLabelStage', config='{segmentor}', crf='deeplab',
        crf_workers='auto', use_cls_weights=False,
        inputs=dict(checkpoint='masks_only.checkpoint',
                    under='localization_maps.masks',
                    rule='teacher_rule.rule')),
    segmentation=dict(
        inputs=dict(maps=None, masks='teacher_labels.labels'),
        cfg_options={
            'train_dataloader.dataset.soft_map_path': None,
            'train_dataloader.dataset.pseudo_seg_map_path': '{masks}'
        }),
    # evaluation only: the teacher's masks on the training images
    score_teacher_labels=dict(
        type='ScoreLabelsStage', config='{classifier}',
        inputs=dict(labels='teacher_labels.labels',
                    proposals='proposals.proposals'),
        cfg_options={'cam_dataloader.dataset.proposal_path': '{proposals}'}))
