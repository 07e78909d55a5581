"""Summarise a multi-stage work dir: its training data (images per class
and the data check's warnings, e.g. classes never tagged alone), then each
stage's status, wall time and
result, as a Markdown table: pseudo-mask scores with the split of their
errors (false background / false foreground / wrong class / ignored, in
percent of all errors), test metrics, and what each mask stage wrote
(shares of background / object / ignored pixels, labelled images left
without any object, tags whose class got no pixel) and, for the
saliency-guided masks, how often their cues disagreed
(:mod:`mmwsss.pseudo_labels.cue_checks`).

    python tools/stage_report.py \\
        work_dirs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320 [--json OUT]

``--html`` also writes a page to look at, ``W/report.html`` (or the path
given), one self-contained file (thumbnails inside it): the same table
with bars, the ladder of pseudo masks with per-class IoU and the split of
their errors, and a few training images beside each step's output
(:mod:`mmwsss.reports.html_report`; it opens from disk, no server).
"""
import argparse
import json
import os
import os.path as osp

MARKER = 'stage_done.json'  # as mmwsss.stages.MARKER (no torch import here)
STARTED = 'stage_started.json'  # written when a stage starts
DATA_CHECK = 'dataset_check.json'  # the training data, checked first
#: what a mask stage's marker says its masks hold (tally_label_folder)
MASK_KEYS = ('background_pixels', 'foreground_pixels', 'ignored_pixels',
             'empty_labelled_images', 'lost_tag_share')


def stage_rows(work_dir: str):
    """One dict per stage folder, in the order the stages finished."""
    rows = []
    for name in os.listdir(work_dir):
        if '.stale-' in name:
            continue  # a stage folder moved aside by --redo-changed
        marker_path = osp.join(work_dir, name, MARKER)
        if not osp.isfile(marker_path):
            # a stage that started and did not finish; other folders (data
            # or outputs a user keeps in the work dir) are not stages
            if osp.isfile(osp.join(work_dir, name, STARTED)):
                rows.append(dict(stage=name, status='incomplete'))
            continue
        with open(marker_path) as handle:
            marker = json.load(handle)
        row = dict(stage=name, type=marker['type'], status='complete',
                   seconds=marker['seconds'], finished=marker['finished'])
        for output in marker['outputs'].values():
            path = osp.join(work_dir, name, output)
            if path.endswith('.json') and osp.isfile(path):
                with open(path) as handle:
                    result = json.load(handle)
                row['result'] = {k: v for k, v in result.items()
                                 if isinstance(v, (int, float))}
        masks = marker.get('masks')
        if masks:
            row['result'] = dict(
                row.get('result', {}),
                **{k: masks[k] for k in MASK_KEYS if k in masks})
        cues = marker.get('cues')  # how often the cues disagreed (train)
        if cues:
            row['result'] = dict(row.get('result', {}), **cues)
        choice = marker.get('choice')  # the teacher's rule, and its scores
        if choice:
            row['result'] = dict(
                row.get('result', {}), rule=choice['rule'],
                **{f'{rule} mIoU': scores['mIoU']
                   for rule, scores in choice.get('scores', {}).items()})
        rows.append(row)
    return sorted(rows, key=lambda r: r.get('finished', '~'))


def data_summary(work_dir: str) -> str:
    """The pipeline's check of its training data (``dataset_check.json``,
    written before the first stage) as a Markdown table of images per
    class and its warnings; empty when the work dir has none."""
    path = osp.join(work_dir, DATA_CHECK)
    if not osp.isfile(path):
        return ''
    with open(path) as handle:
        check = json.load(handle)
    lines = ['| class | training images | held back |', '|---|---|---|']
    lines += [f'| {c["name"]} | {c["train"]} | {c["held"]} |'
              for c in check.get('classes', [])]
    lines += [''] + [f'warning: {w}' for w in check.get('warnings', [])]
    return '\n'.join(lines)


def markdown(rows) -> str:
    lines = ['| stage | type | wall time (s) | result |', '|---|---|---|---|']
    for row in rows:
        result = ', '.join(f'{k} {v:.2f}' if isinstance(v, float) else
                           f'{k} {v}' for k, v in
                           row.get('result', {}).items())
        lines.append(f'| {row["stage"]} | {row.get("type", "")} | '
                     f'{row.get("seconds", row["status"])} | {result} |')
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir')
    parser.add_argument('--json', help='also write the rows to this file')
    parser.add_argument('--html', nargs='?', const='', metavar='PATH',
                        help='also write an HTML page (default '
                        'WORK_DIR/report.html)')
    parser.add_argument('--samples', type=int, default=6,
                        help='training images shown in the HTML page')
    parser.add_argument('--data-root', help='the HTML page\'s training '
                        'images are here (when moved since the run)')
    args = parser.parse_args()
    if not osp.isdir(args.work_dir):
        raise SystemExit(f'{args.work_dir}: no such work dir')
    rows = stage_rows(args.work_dir)
    summary = data_summary(args.work_dir)
    if summary:
        print(summary + '\n')
    print(markdown(rows))
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(rows, handle, indent=2)
    if args.html is not None:
        write_html(args, rows)


def write_html(args, rows) -> None:
    """The page; imported here, as it needs mmwsss (torch) and the plain
    report does not."""
    from mmwsss.reports.html_report import write_html_report
    path = write_html_report(args.work_dir, rows, args.html or None,
                             samples=args.samples, data_root=args.data_root)
    print(f'\nHTML report: {path}')


if __name__ == '__main__':
    main()
