"""Helpers shared by test modules that run the tools as subprocesses."""

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
               'cam_dataloader')


def tiny_synthetic_options(root):
    """``--cfg-options`` pointing every dataloader of a synthetic config at
    the small fixture dataset of conftest's ``synthetic_root``."""
    opts = []
    for key in DATALOADERS:
        opts += [f'{key}.dataset.data_root={root}',
                 f'{key}.dataset.num_train=24', f'{key}.dataset.num_val=8',
                 f'{key}.dataset.image_size=64']
    return opts
