# The pixel-labelled subset as a teacher, for an AE-PSL pipeline with a
# subset.  A child adds this fragment to its bases and merges the stages
# (as the affinity rung's: MMEngine refuses a key two bases both set):
#
#   _base_ = ['./ae-psl-pixel10pct_mbv2-d32_1xb16-20e_msrc17-224x320.py',
#             '../_base_/pipelines/masks_teacher.py']
#   stages = _base_.teacher_stages
#
#  - masks_only: the segmentor trained on the subset's true masks alone
#    (its images repeated to the train split's length: the recipe's number
#    of iterations); test_masks_only scores it, the masks-only baseline
#    beside the semi-supervised model in the same work dir;
#  - teacher_labels: that model predicts every training image, restricted
#    to its tags (PSL++'s step, dense CRF), and its object pixels go over
#    the tag-cue pseudo masks, which decide where it sees background
#    (mmwsss/pseudo_labels/psl_plus.py says why);
#  - PSL trains on those masks (the subset on its true masks, as before).
# STC's pipelines take stc_teacher_stages the same way: the DCNN is the
# teacher, and its objects go over E-DCNN's masks, which P-DCNN trains on.
_masks_only = {
    'train_dataloader.dataset.masks_only': True,
    'train_dataloader.dataset.pseudo_seg_map_path': None
}
teacher_stages = dict(
    masks_only=dict(
        type='TrainStage', config='{segmentor}', cfg_options=_masks_only),
    test_masks_only=dict(type='TestStage', config='{segmentor}',
                         inputs=dict(checkpoint='masks_only.checkpoint')),
    teacher_labels=dict(
        type='PSLPlusLabelStage', config='{segmentor}', crf='deeplab',
        crf_workers='auto',
        inputs=dict(checkpoint='masks_only.checkpoint',
                    under='pseudo_labels.labels')),
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
    teacher_labels=dict(
        type='PSLPlusLabelStage', config='{dcnn}', crf='deeplab',
        crf_workers='auto',
        inputs=dict(checkpoint='masks_only.checkpoint',
                    under='e_labels.labels')),
    p_dcnn=dict(inputs=dict(masks='teacher_labels.labels')),
    # evaluation only: the teacher's masks on the training images
    score_teacher_labels=dict(
        type='ScoreLabelsStage', config='{dcnn}',
        inputs=dict(labels='teacher_labels.labels')))
