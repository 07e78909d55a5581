"""Images per second on a GPU, with and without AMP, for the three passes
that dominate a pipeline: CAM classifier training, CAM inference
(multi-scale + flip) and PSL training.

Builds the VOC models of the paper's setting (VGG16 CAM classifier with
dilated conv5, PSL on DeepLab-LargeFOV) with random weights and times
steps on random batches of the configs' crop sizes, alternating fp32 and
AMP (``torch.autocast`` + a ``GradScaler``, what MMEngine's
``AmpOptimWrapper`` does).  Prepared for a short run on a lent GPU:

    python benchmarks/gpu_amp_throughput.py [--steps 20]

Prints one line per pass: images/s in fp32, with AMP, and their ratio.
"""
import argparse
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.structures import SegDataSample

import mmwsss  # noqa: F401
from mmwsss.registry import MODELS

CAM_CONFIG = 'configs/cam/cam_vgg16-d8_1xb16-5e_voc12aug-512x512.py'
PSL_CONFIG = 'configs/psl/psl-largefov_vgg16-d8_1xb20-6k_voc12aug-321x321.py'


def build(path, num_classes=21):
    cfg = Config.fromfile(path)
    cfg.model.backbone.init_cfg = None
    head = cfg.model.get('head') or cfg.model.decode_head.seg_head
    head.num_classes = num_classes
    return MODELS.build(cfg.model).cuda()


def samples(batch, size, seg=False):
    out = []
    for i in range(batch):
        sample = SegDataSample(metainfo=dict(
            img_labels=[1 + i % 20], img_shape=size, ori_shape=size,
            pad_shape=size))
        if seg:
            from mmengine.structures import PixelData
            sample.gt_sem_seg = PixelData(data=torch.randint(
                0, 21, (1, *size), device='cuda'))
        out.append(sample)
    return out


def timed(fn, steps):
    for _ in range(3):
        fn()  # warm-up, cudnn autotune
    torch.cuda.synchronize()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def train_step(model, inputs, data, amp):
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    scaler = torch.cuda.amp.GradScaler(enabled=amp)

    def step():
        with torch.autocast('cuda', enabled=amp):
            losses = model.loss(inputs, data)
            loss = sum(v for k, v in losses.items() if 'loss' in k)
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=20)
    args = parser.parse_args()
    init_default_scope('mmseg')
    torch.backends.cudnn.benchmark = True
    print(f'{torch.cuda.get_device_name()}, torch {torch.__version__}')
    cam = build(CAM_CONFIG)
    psl = build(PSL_CONFIG)
    passes = {
        'CAM training (16 x 512x512)': (
            16, lambda amp: train_step(
                cam, torch.randn(16, 3, 512, 512, device='cuda'),
                samples(16, (512, 512)), amp)),
        'CAM inference (8 x 500x375, 4 scales + flip)': (
            8, lambda amp: _cam_inference(cam, amp)),
        'PSL training (20 x 321x321)': (
            20, lambda amp: train_step(
                psl, torch.randn(20, 3, 321, 321, device='cuda'),
                samples(20, (321, 321), seg=True), amp)),
    }
    for name, (batch, make) in passes.items():
        rates = {amp: batch / timed(make(amp), args.steps)
                 for amp in (False, True)}
        print(f'{name}: fp32 {rates[False]:.1f} images/s, AMP '
              f'{rates[True]:.1f} images/s, ratio '
              f'{rates[True] / rates[False]:.2f}')


def _cam_inference(model, amp):
    inputs = torch.randn(8, 3, 375, 500, device='cuda')
    data = samples(8, (375, 500))
    model.eval()

    @torch.no_grad()
    def run():
        with torch.autocast('cuda', enabled=amp):
            model.predict_cams(inputs, data, (1.0, 0.5, 1.5, 2.0), True)
    return run


if __name__ == '__main__':
    main()
