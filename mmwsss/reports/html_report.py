"""One HTML page per work dir that a person opens to see how a run went:
the stages and their times, the ladder of pseudo masks with their mIoU,
per-class IoU and the split of the errors, and a few training images
beside what every step made of them (CAM, erasing steps, saliency, each
rung's mask, the ground truth when the work dir scores its masks).

``tools/stage_report.py W --html`` writes ``W/report.html``, one
self-contained file: inline CSS, no script, no network, and the pictures
are small PNG thumbnails inside the page (``data:`` URIs), so the file
alone can be mailed, copied or opened anywhere.
Whatever a work dir lacks (a stage not run, images moved away, a
pipeline without ground truth) is left out or said in the page; the
report never stops on one damaged file.
"""
import json
import os
import os.path as osp
import re
from html import escape
from typing import Dict, List, Optional, Sequence

from mmwsss.utils.io import atomic_write, image_stem
from mmwsss.visualization.html_page import page
from .report_sections import (class_iou_section, data_section,
                              error_split_section, ladder_section,
                              stages_section)
from .report_sources import (Column, build_training_dataset, class_names,
                             ladder, per_image_columns, read_markers)
from .report_tiles import SampleRow, Tile

DATA_CHECK = 'dataset_check.json'
_OUR_PNG = re.compile(r'^\d{2}_.*_\d+\.png$')
_SUFFIX = dict(cams='.npz', regions='.npz', maps='.png', masks='.png')


def pick_samples(stems: Sequence[str], count: int) -> List[str]:
    """``count`` of ``stems`` spread evenly over their sorted order (the
    same every time, and not all from the first class's names)."""
    stems = sorted(stems)
    if len(stems) <= count:
        return stems
    return [stems[i * len(stems) // count] for i in range(count)]


def _class_legend(names: Sequence[str], palette: Sequence) -> str:
    return '<p class="legend">' + ' '.join(
        f'<span class="swatch" style="background:rgb{tuple(palette[i])}">'
        f'</span>{escape(name)}' for i, name in enumerate(names)) + \
        '<span class="swatch" style="background:#fff"></span>ignored</p>'


def _stems(column: Column) -> set:
    suffix = _SUFFIX[column.kind]
    return {name[:-len(suffix)] for name in os.listdir(column.folder)
            if name.endswith(suffix)}


def _figure(tile: Tile) -> str:
    caption = f'<b>{escape(tile.caption)}</b>' + (
        f'<br><span class="small">{escape(tile.note)}</span>'
        if tile.note else '')
    if tile.file is None:
        return (f'<figure class="missing"><div class="blank">not shown</div>'
                f'<figcaption>{caption}</figcaption></figure>')
    return (f'<figure class="{tile.kind}"><img src="{tile.file}" '
            f'alt="{escape(tile.caption)}" loading="lazy">'
            f'<figcaption>{caption}</figcaption></figure>')


class SampleSection:
    """The training images and their tiles."""

    def __init__(self, work_dir: str, markers: Dict[str, dict],
                 data_root: Optional[str], with_gt: bool) -> None:
        from mmwsss.datasets import voc_palette
        self.columns = per_image_columns(work_dir, markers)
        self.dataset, self.note = (None, '')
        if self.columns:
            self.dataset, self.note = build_training_dataset(
                work_dir, markers, data_root)
        self.names = class_names(work_dir, markers, self.dataset)
        self.palette = voc_palette(256)  # any value a mask holds
        self.with_gt = with_gt
        self.infos = {}
        if self.dataset is not None:
            infos = (self.dataset.get_data_info(i)
                     for i in range(len(self.dataset)))
            self.infos = {image_stem(info): info for info in infos}

    def candidates(self) -> List[str]:
        """Images with an output in some column, tagged ones first
        choice (an untagged image's masks are all background)."""
        stems = set().union(*(_stems(c) for c in self.columns))
        if self.infos:
            tagged = {s for s, i in self.infos.items() if i.get('img_labels')}
            stems = (stems & tagged) or (stems & set(self.infos)) or stems
        return sorted(stems)

    def row(self, stem: str) -> SampleRow:
        info = self.infos.get(stem, {})
        row = SampleRow(stem, self.palette, self.names)
        if self.with_gt:
            row.load_gt(info.get('seg_map_path'))
        row.add_image(info.get('img_path'))
        add = dict(cams=row.add_cams, regions=row.add_regions,
                   maps=row.add_map, masks=row.add_mask)
        for column in self.columns:
            add[column.kind](column.stage, osp.join(
                column.folder, stem + _SUFFIX[column.kind]))
        row.add_gt()
        return row

    def header(self, stem: str) -> str:
        info = self.infos.get(stem, {})
        tags = ' '.join(
            f'<span class="swatch" style="background:rgb'
            f'{tuple(self.palette[i])}"></span>{escape(self.names[i])}'
            for i in info.get('img_labels', []) if i < len(self.names))
        badge = ('<span class="badge">pixel-labelled: trains on its true '
                 'mask</span>') if info.get('pixel_labelled') else ''
        return f'<h3>{escape(stem)} <span class="small">{tags}</span>' \
               f'{badge}</h3>'

    def html(self, count: int) -> str:
        if not self.columns or count <= 0:
            return ''
        stems = pick_samples(self.candidates(), count)
        parts = ['<h2 id="images">Training images, step by step</h2>',
                 f'<p class="small">{len(stems)} of '
                 f'{len(self.candidates())} images, spread over their names'
                 f'. {escape(self.note[:1].upper() + self.note[1:])}.' + (
                     ' Ground truth and per-image mIoU are evaluation only.'
                     if self.with_gt else '') + '</p>',
                 _class_legend(self.names, self.palette)]
        for index, stem in enumerate(stems):
            row = self.row(stem)
            parts.append(f'<div class="sample">{self.header(stem)}'
                         '<div class="tiles">' + ''.join(
                             _figure(t) for t in row.tiles) + '</div></div>')
        return '\n'.join(parts)


def _clear_thumbnails(files_dir: str) -> None:
    """Remove the thumbnails folder a report of an earlier version wrote
    beside the page (its PNGs only, then the folder if that emptied it):
    the page now holds its pictures."""
    if osp.isdir(files_dir):
        for name in os.listdir(files_dir):
            if _OUR_PNG.match(name):
                os.remove(osp.join(files_dir, name))
        if not os.listdir(files_dir):
            os.rmdir(files_dir)


def _data_check(work_dir: str) -> Optional[dict]:
    path = osp.join(work_dir, DATA_CHECK)
    if not osp.isfile(path):
        return None
    with open(path) as handle:
        return json.load(handle)


def _erasing_note(work_dir: str, markers: Dict[str, dict]) -> str:
    """The erasing loop's summary (steps, losses), when a stage kept one."""
    for name in markers:
        path = osp.join(work_dir, name, 'erasing', 'erasing.json')
        if osp.isfile(path):
            with open(path) as handle:
                summary = json.load(handle)
            losses = '; '.join(
                f'step {i + 1}: {s["start"]:.3f} &rarr; {s["end"]:.3f}'
                for i, s in enumerate(summary.get('step_losses', [])))
            early = ' (stopped early)' if summary.get('stopped_early') \
                else ''
            return (f'<p><b>Adversarial erasing</b> ({escape(name)}): '
                    f'{summary.get("steps_done")} steps{early}; '
                    f'classification loss {losses}</p>')
    return ''


def write_html_report(work_dir: str, rows: List[Dict],
                      path: Optional[str] = None, samples: int = 6,
                      data_root: Optional[str] = None) -> str:
    """Write the report of ``work_dir`` to ``path`` (default
    ``work_dir/report.html``, one file) and return its path.  ``rows``
    are the stage rows of ``tools/stage_report.py`` (its ``stage_rows``);
    ``samples`` training
    images are shown; ``data_root`` replaces the one the stages recorded
    (images moved since the run)."""
    path = path or osp.join(work_dir, 'report.html')
    files_dir = osp.splitext(path)[0] + '_files'
    markers = read_markers(work_dir)
    rungs = ladder(work_dir, markers)
    _clear_thumbnails(files_dir)
    sample_html = SampleSection(
        work_dir, markers, data_root,
        with_gt=any(r.split == 'train' for r in rungs)).html(samples)
    sections = [stages_section(rows), _erasing_note(work_dir, markers),
                data_section(_data_check(work_dir)),
                ladder_section(rungs, markers), class_iou_section(rungs),
                error_split_section(rungs), sample_html]
    links = [(k, t) for k, t in (
        ('stages', 'Stages'), ('data', 'Training data'),
        ('ladder', 'Ladder'), ('classes', 'Per-class IoU'),
        ('errors', 'Error split'), ('images', 'Images'))
        if f'id="{k}"' in ''.join(sections)]
    title = f'mmwsss report: {osp.basename(osp.abspath(work_dir))}'
    body = (f'<h1>{escape(title)}</h1><p class="path">'
            f'{escape(osp.abspath(work_dir))}</p><nav>' +
            ''.join(f'<a href="#{k}">{t}</a>' for k, t in links) +
            '</nav>\n' + '\n'.join(s for s in sections if s))
    with atomic_write(path, 'w') as handle:
        handle.write(page(title, body))
    return path
