# STC, simple to complex (Wei et al., TPAMI 2017), as a pipeline of stages:
# the same segmentation network trained three times, each time on better
# supervision, from image labels and saliency alone (no classifier):
#   I-DCNN: the simple images, soft targets from saliency (class c with the
#           salient probability s, background with 1 - s);
#   E-DCNN: the simple images again, on I-DCNN's masks of them (classes
#           outside each image's label removed), from I-DCNN's weights;
#   P-DCNN: every training image, on E-DCNN's masks (corrected by the
#           labels), from E-DCNN's weights.
# A child names the DCNN config (a segmentor with SoftLabelHead whose train
# pipeline loads LoadSegTargets); stage configs are relative to the child.
#
#   _base_ = ['../_base_/pipelines/stc.py']
#   dcnn = 'stc-dcnn_mbv2-d32_1xb16-20e_msrc17-224x320.py'
_base_ = ['./masks_teacher.py']
dcnn = None
final_model = 'p_dcnn'
stages = dict(
    # salient-object maps of the training images
    saliency=dict(type='SaliencyStage', config='{dcnn}'),
    # simple images: one class, a clean, compact salient object (rules of
    # mmwsss/pseudo_labels/simple_images.py), or an explicit simple_list
    split=dict(type='SplitSimpleImagesStage', config='{dcnn}',
               inputs=dict(saliency='saliency.maps')),
    i_dcnn=dict(
        type='TrainStage', config='{dcnn}', other_dataset=True,
        inputs=dict(simple='split.simple', saliency='saliency.maps'),
        cfg_options={
            'train_dataloader.dataset.ann_file': '{simple}',
            'train_dataloader.dataset.saliency_map_path': '{saliency}',
            'train_dataloader.dataset.pseudo_seg_map_path': None
        }),
    i_labels=dict(
        type='PredictedLabelStage', config='{dcnn}', other_dataset=True,
        inputs=dict(checkpoint='i_dcnn.checkpoint', simple='split.simple'),
        cfg_options={'cam_dataloader.dataset.ann_file': '{simple}'}),
    e_dcnn=dict(
        type='TrainStage', config='{dcnn}', other_dataset=True,
        inputs=dict(simple='split.simple', masks='i_labels.labels',
                    init='i_dcnn.checkpoint'),
        cfg_options={
            'train_dataloader.dataset.ann_file': '{simple}',
            'train_dataloader.dataset.pseudo_seg_map_path': '{masks}',
            'load_from': '{init}'
        }),
    e_labels=dict(type='PredictedLabelStage', config='{dcnn}',
                  inputs=dict(checkpoint='e_dcnn.checkpoint')),
    p_dcnn=dict(type='TrainStage', config='{dcnn}',
                inputs=dict(masks='e_labels.labels',
                            init='e_dcnn.checkpoint'),
                cfg_options={
                    'train_dataloader.dataset.pseudo_seg_map_path':
                    '{masks}',
                    'load_from': '{init}'
                }),
    # val mIoU after each network
    test_i=dict(type='TestStage', config='{dcnn}',
                inputs=dict(checkpoint='i_dcnn.checkpoint')),
    test_e=dict(type='TestStage', config='{dcnn}',
                inputs=dict(checkpoint='e_dcnn.checkpoint')),
    test=dict(type='TestStage', config='{dcnn}', save_predictions=True,
              inputs=dict(checkpoint='p_dcnn.checkpoint')),
    # evaluation only: the masks each network trained on, against the
    # training ground truth
    score_i_labels=dict(
        type='ScoreLabelsStage', config='{dcnn}', other_dataset=True,
        inputs=dict(labels='i_labels.labels', simple='split.simple'),
        cfg_options={'cam_dataloader.dataset.ann_file': '{simple}'}),
    score_e_labels=dict(type='ScoreLabelsStage', config='{dcnn}',
                        inputs=dict(labels='e_labels.labels')),
    score_test=dict(type='ScoreLabelsStage', config='{dcnn}',
                    dataset_key='test_dataloader',
                    inputs=dict(labels='test.predictions')),
)
# With pixel masks for some training images (a pixel list, or a user's
# masks/ folder) the DCNN trained on them alone teaches P-DCNN
# (masks_teacher.py; mmwsss/stages/variants.py).
pixel_subset_stages = _base_.stc_teacher_stages
