"""Distributed data parallel that also runs on CPU ranks (gloo).

MMEngine passes ``device_ids=[LOCAL_RANK]`` to every DDP wrapper, which
torch rejects for a model on the CPU, so multi-process training without
GPUs (CI machines, laptops) fails.  This wrapper drops ``device_ids`` when
the model lives on the CPU and is otherwise MMEngine's wrapper.
"""
import torch.nn as nn
from mmengine.model import MMDistributedDataParallel

# MMEngine's own registry: the Runner looks wrappers up there, not in the
# scope's child registry
from mmwsss.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DeviceAgnosticDDP(MMDistributedDataParallel):
    """:class:`MMDistributedDataParallel` for GPU *or* CPU modules."""

    def __init__(self, module: nn.Module, device_ids=None, **kwargs) -> None:
        if next(module.parameters()).device.type == 'cpu':
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)
