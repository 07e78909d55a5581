"""Write one saliency map per image: ``<out-dir>/<image stem>.png``.

Runs over the config's ``cam_dataloader`` dataset (the training split
without augmentation), the images CAMs are made for.  The backend is the
config's ``saliency`` dict, or the one chosen by ``--backend``.  Finished
files are skipped, so a killed run restarted with the same command
continues; launched with torchrun (``--launcher pytorch``) every rank handles
its own shard.
"""
import argparse
import os.path as osp

from mmengine.config import Config

import mmwsss  # noqa: F401
from mmwsss.pseudo_labels import make_saliency_maps
from mmwsss.saliency import build_saliency
from tool_setup import (add_common_args, build_cam_dataset, report_shard,
                        setup_tool)

DEFAULT_MODEL = '../shared/weights/u2netp.onnx'


def parse_args():
    parser = argparse.ArgumentParser(description='Generate saliency maps')
    parser.add_argument('config')
    parser.add_argument('--out-dir', help='default: <work_dir>/saliency')
    parser.add_argument(
        '--backend', choices=['u2netp', 'spectral', 'folder'],
        help='overrides cfg.saliency; default: cfg.saliency, else u2netp')
    parser.add_argument('--model-path', default=DEFAULT_MODEL,
                        help='ONNX file of the u2netp backend')
    parser.add_argument('--folder', help='maps of the folder backend')
    parser.add_argument('--batch-size', type=int, default=8)
    add_common_args(parser)
    return parser.parse_args()


def backend_config(cfg: Config, args) -> dict:
    """``cfg.saliency`` unless ``--backend`` is given, else from the flags
    (an explicit flag wins so a config need not be edited to compare)."""
    if args.backend is None and cfg.get('saliency'):
        return dict(cfg.saliency)
    backend = args.backend or 'u2netp'
    if backend == 'u2netp':
        return dict(type='U2NetpSaliency', model_path=args.model_path)
    if backend == 'spectral':
        return dict(type='SpectralResidualSaliency')
    if not args.folder:
        raise SystemExit('--backend folder needs --folder DIR')
    return dict(type='FolderSaliency', folder=args.folder)


def main():
    args = parse_args()
    cfg, work_dir, _ = setup_tool(args)
    out_dir = args.out_dir or osp.join(work_dir, 'saliency')
    backend = build_saliency(backend_config(cfg, args))
    dataset = build_cam_dataset(cfg)
    stats = make_saliency_maps(backend, dataset, out_dir,
                               batch_size=args.batch_size)
    report_shard(stats, 'saliency maps', out_dir)


if __name__ == '__main__':
    main()
