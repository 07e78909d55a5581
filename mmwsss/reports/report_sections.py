"""The tables of the HTML report (stages and times, training data, the
ladder of pseudo masks, per-class IoU, the split of each rung's errors),
as HTML strings.

Bars are drawn in HTML and CSS, not as pictures: they stay sharp at any
zoom, their numbers are in the page (searchable, copyable, in tooltips)
and the page needs no plotting library to be written.  The colours of
the error kinds are those of ``errors.png``
(:data:`mmwsss.visualization.error_bars.COLOURS`).
"""
from html import escape
from typing import Dict, List, Optional, Sequence, Tuple

from mmwsss.evaluation.mask_analysis import ERROR_KINDS
from mmwsss.visualization.error_bars import COLOURS
from .report_sources import Rung

KIND_NAMES = dict(IoU='IoU', false_background='false background',
                  false_foreground='false foreground',
                  wrong_class='wrong class', ignored='ignored')


def table(header: Sequence[str], rows: Sequence[Sequence[str]],
          css: str = '') -> str:
    """An HTML table; cells are HTML already (escape text first)."""
    head = ''.join(f'<th>{h}</th>' for h in header)
    body = '\n'.join('<tr>' + ''.join(f'<td>{c}</td>' for c in row) +
                     '</tr>' for row in rows)
    return (f'<table class="{css}"><thead><tr>{head}</tr></thead>'
            f'<tbody>\n{body}\n</tbody></table>')


def bar(value: float, scale: float = 100.0, colour: str = COLOURS['IoU'],
        width: int = 140) -> str:
    """A number and a horizontal bar of ``value / scale``."""
    share = max(0.0, min(1.0, value / scale)) if scale else 0.0
    return (f'<span class="bar" style="width:{width}px"><span style="width:'
            f'{100 * share:.1f}%;background:{colour}"></span></span>')


def stacked(parts: Sequence[Tuple[str, float]], width: int = 220) -> str:
    """One bar split into ``(kind, percent)`` parts, a tooltip each."""
    spans = ''.join(
        f'<span style="width:{max(0.0, value):.2f}%;background:'
        f'{COLOURS[kind]}" title="{KIND_NAMES[kind]} {value:.1f}%"></span>'
        for kind, value in parts)
    return f'<span class="stack" style="width:{width}px">{spans}</span>'


def legend(kinds: Sequence[str]) -> str:
    return '<p class="legend">' + ' '.join(
        f'<span class="swatch" style="background:{COLOURS[k]}"></span>'
        f'{KIND_NAMES[k]}' for k in kinds) + '</p>'


def duration(seconds: Optional[float]) -> str:
    """``seconds`` as ``1 h 02 min``, ``4 min 05 s`` or ``3.2 s``."""
    if seconds is None:
        return ''
    if seconds < 60:
        return f'{seconds:.1f} s'
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f'{minutes} min {secs:02d} s'
    return f'{minutes // 60} h {minutes % 60:02d} min'


def _nowrap(cell: str) -> str:
    return f'<span class="nw">{cell}</span>'


def _result(result: Dict) -> str:
    return ', '.join(f'{escape(k)} {v:.2f}' if isinstance(v, float) else
                     f'{escape(k)} {v}' for k, v in result.items())


def stages_section(rows: List[Dict]) -> str:
    """Every stage: status, wall time (with a bar against the longest),
    when it finished and its numbers, as ``tools/stage_report.py``
    prints them."""
    longest = max((r.get('seconds') or 0 for r in rows), default=0)
    cells = []
    for row in rows:
        seconds = row.get('seconds')
        status = escape(row['status'])
        cells.append([
            f'<b>{escape(row["stage"])}</b>', escape(row.get('type', '')),
            f'<span class="{status}">{status}</span>',
            _nowrap(bar(seconds, longest, '#7a8ca8', 90) + ' ' +
                    duration(seconds)) if seconds is not None else '',
            _nowrap(escape(row.get('finished', ''))),
            f'<span class="small">{_result(row.get("result", {}))}</span>'])
    total = sum(r.get('seconds') or 0 for r in rows)
    cells.append(['<b>all stages</b>', '', '', duration(total), '', ''])
    return ('<h2 id="stages">Stages</h2>\n' + table(
        ['stage', 'type', 'status', 'wall time', 'finished', 'result'],
        cells, 'stages'))


def data_section(check: Optional[Dict]) -> str:
    """The pipeline's check of its training data: images per class and
    its warnings."""
    if not check:
        return ''
    rows = [[escape(c['name']), str(c['train']), str(c['held'])]
            for c in check.get('classes', [])]
    warnings = ''.join(f'<li>{escape(w)}</li>'
                       for w in check.get('warnings', []))
    return ('<h2 id="data">Training data</h2>\n' + (
        f'<ul class="warnings">{warnings}</ul>' if warnings else '') +
        '<details><summary>images per class</summary>' + table(
            ['class', 'training images', 'held back'], rows) + '</details>')


def _errors(scores: Dict) -> str:
    parts = [(k, scores.get(k, 0.0)) for k in ERROR_KINDS]
    return _nowrap(stacked(parts) + ' <span class="small">' + ' / '.join(
        f'{v:.0f}' for _, v in parts) + '</span>')


def _mask_content(marker: Optional[Dict]) -> str:
    masks = (marker or {}).get('masks')
    if not masks:
        return ''
    text = (f'{masks["background_pixels"]:.0f} / '
            f'{masks["foreground_pixels"]:.0f} / '
            f'{masks["ignored_pixels"]:.0f}')
    empty = masks.get('empty_labelled_images')
    return text + (f'; {empty} without objects' if empty else '')


def _calibration(marker: Optional[Dict]) -> str:
    """Thresholds chosen on the pixel-labelled images, when they were."""
    chosen = (marker or {}).get('calibration')
    if not chosen:
        return ''
    settings = ', '.join(f'{k} {v}' for k, v in chosen['settings'].items())
    return (f'<br>calibrated on {chosen["images"]} pixel-labelled images: '
            f'{escape(settings)}')


def ladder_section(rungs: List[Rung], markers: Dict[str, Dict]) -> str:
    """The scored masks, first made to last, then the other splits'."""
    if not rungs:
        return ''
    rows = []
    for rung in rungs:
        scores = rung.scores
        rows.append([
            f'<b>{escape(rung.scored)}</b>'
            f'<br><span class="small">{escape(rung.stage)}, '
            f'{rung.split}{_calibration(markers.get(rung.scored))}</span>',
            escape(markers.get(rung.scored, {}).get('type', '')),
            _nowrap(f'{bar(scores["mIoU"])} <b>{scores["mIoU"]:.2f}</b>'),
            f'{scores.get("precision", 0):.2f}',
            f'{scores.get("recall", 0):.2f}', _errors(scores),
            _mask_content(markers.get(rung.scored))])
    return (
        '<h2 id="ladder">Pseudo-mask ladder</h2>\n<p>Each rung\'s masks '
        'scored against the ground truth by its score stage (evaluation '
        'only: nothing trains on these numbers). Errors: the share of all '
        'wrongly labelled pixels that are false background / false '
        'foreground / wrong class / ignored; masks: background / object / '
        'ignored pixels in %.</p>\n' + legend(ERROR_KINDS) + table(
            ['rung', 'made by', 'mIoU', 'precision', 'recall', 'errors (%)',
             'masks (%)'], rows, 'ladder'))


def class_iou_section(rungs: List[Rung]) -> str:
    """Per-class IoU of every rung side by side, one bar a cell."""
    if not rungs:
        return ''
    names = list(rungs[0].scores.get('per_class', {}))
    rows = []
    for name in names:
        row = [escape(name)]
        for rung in rungs:
            iou = rung.scores.get('per_class', {}).get(name, {}).get('IoU')
            row.append('' if iou is None else
                       _nowrap(f'{bar(iou, width=60)} {iou:.1f}'))
        rows.append(row)
    rows.append(['<b>mIoU</b>'] + [f'<b>{r.scores["mIoU"]:.1f}</b>'
                                   for r in rungs])
    header = ['class'] + [f'{escape(r.scored)}<br><span class="small">'
                          f'{r.split}</span>' for r in rungs]
    return ('<h2 id="classes">Per-class IoU</h2>\n' +
            table(header, rows, 'classes'))


def error_split_section(rungs: List[Rung]) -> str:
    """Per rung, what each class's IoU loses and to what (the bars of
    ``errors.png``); the best training rung is shown open."""
    if not rungs:
        return ''
    train = [r for r in rungs if r.split == 'train'] or rungs
    best = max(train, key=lambda r: r.scores['mIoU']).stage
    parts = ['<h2 id="errors">Error split per class</h2>\n<p>Each bar is '
             'one class\'s IoU denominator: the IoU, then the pixels it '
             'loses to each kind of error.</p>' +
             legend(('IoU', ) + ERROR_KINDS)]
    for rung in rungs:
        rows = []
        for name, row in rung.scores.get('per_class', {}).items():
            taken = row.get('confused_with')
            rows.append([escape(name), f'{row["IoU"]:.1f}', stacked(
                [(k, row.get(k, 0.0)) for k in ('IoU', ) + ERROR_KINDS],
                320), escape(f'{taken} ({row["confused_share"]:.1f}%)')
                if taken else ''])
        opened = ' open' if rung.stage == best else ''
        parts.append(
            f'<details{opened}><summary><b>{escape(rung.scored)}</b> '
            f'({rung.split}, mIoU {rung.scores["mIoU"]:.2f})</summary>' +
            table(['class', 'IoU', 'IoU and errors (% of the class)',
                   'mostly taken for'], rows, 'errors') + '</details>')
    return '\n'.join(parts)
