"""Starting torch.distributed for the per-image tools on GPUs *or* CPUs.

MMEngine's ``init_dist('pytorch')`` always calls ``torch.cuda.set_device``,
so sharded CAM / saliency / pseudo-label generation could not run on a
CPU-only machine.  Here CPU ranks use the gloo backend instead.
"""
import os

import torch


def init_distributed(launcher: str) -> str:
    """Initialise the process group for ``launcher`` (``'none'`` does
    nothing); returns the device this rank should use."""
    cuda = torch.cuda.is_available()
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    if launcher == 'none':
        return 'cuda' if cuda else 'cpu'
    if cuda:
        from mmengine.dist import init_dist
        init_dist(launcher, backend='nccl')
        return f'cuda:{local_rank}'
    if launcher != 'pytorch':
        raise ValueError(f'launcher {launcher!r} needs CUDA; on CPUs use '
                         'torchrun (--launcher pytorch)')
    torch.distributed.init_process_group(backend='gloo')
    return 'cpu'
