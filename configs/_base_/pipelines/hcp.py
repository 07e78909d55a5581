# The proposal-based baseline (HCP + multi-instance re-ranking, Wei et al.
# 2016; the talk's first method, ~43 mIoU on VOC) as a pipeline of stages:
#   proposals: selective search on every training and validation image;
#   classifier: the HCP classifier on image labels (image score = max over
#               its proposals' scores);
#   proposal_scores: its scores of every training proposal, and the
#               features of each labelled class's best ones;
#   localization_maps: re-ranking across the images of each class, then
#               the top proposals vote soft maps (background + labels);
#   segmentation: the segmentation net trained on the soft maps with the
#               soft-label cross-entropy (STC's network and recipe).
# A child names the two configs; stage configs are relative to the child.
#
#   _base_ = ['../_base_/pipelines/hcp.py']
#   classifier = 'hcp-classifier_mbv2-d16_1xb16-12e_msrc17-long320.py'
#   segmentor = '../stc/stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py'
_base_ = ['./masks_teacher.py']
classifier = None
segmentor = None
final_model = 'segmentation'
# the classifier config reads <data_root>/proposals standalone; here every
# stage that loads its datasets is pointed at the proposals stage's folder
stages = dict(
    proposals=dict(
        type='ProposalStage', config='{classifier}',
        cfg_options={
            'cam_dataloader.dataset.proposal_path': None,
            'val_dataloader.dataset.proposal_path': None
        }),
    classifier=dict(
        type='TrainStage', config='{classifier}',
        inputs=dict(proposals='proposals.proposals'),
        cfg_options={
            'train_dataloader.dataset.proposal_path': '{proposals}',
            'val_dataloader.dataset.proposal_path': '{proposals}'
        }),
    proposal_scores=dict(
        type='ProposalScoreStage', config='{classifier}',
        inputs=dict(checkpoint='classifier.checkpoint',
                    proposals='proposals.proposals'),
        cfg_options={'cam_dataloader.dataset.proposal_path': '{proposals}'}),
    localization_maps=dict(
        type='LocalizationMapStage', config='{classifier}',
        inputs=dict(scores='proposal_scores.scores',
                    proposals='proposals.proposals'),
        cfg_options={'cam_dataloader.dataset.proposal_path': '{proposals}'}),
    segmentation=dict(
        type='TrainStage', config='{segmentor}',
        inputs=dict(maps='localization_maps.maps'),
        cfg_options={
            'train_dataloader.dataset.soft_map_path': '{maps}',
            'train_dataloader.dataset.pseudo_seg_map_path': None
        }),
    test=dict(type='TestStage', config='{segmentor}', save_predictions=True,
              inputs=dict(checkpoint='segmentation.checkpoint')),
    # evaluation only: the argmax of the localization maps and the final
    # predictions against the ground truth
    score_maps=dict(
        type='ScoreLabelsStage', config='{classifier}',
        inputs=dict(labels='localization_maps.masks',
                    proposals='proposals.proposals'),
        cfg_options={'cam_dataloader.dataset.proposal_path': '{proposals}'}),
    score_test=dict(type='ScoreLabelsStage', config='{segmentor}',
                    dataset_key='test_dataloader',
                    inputs=dict(labels='test.predictions')),
)
# With pixel masks for some training images the segmentation net trained on
# them alone teaches (masks_teacher.py; mmwsss/stages/variants.py).
pixel_subset_stages = _base_.hcp_teacher_stages
