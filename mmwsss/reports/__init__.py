"""Reports on a finished (or half-run) work dir: they read what the stages
wrote (markers, masks, scores), so they sit above :mod:`mmwsss.stages`;
``tools/stage_report.py --html`` writes one (:func:`write_html_report`)."""
from .html_report import pick_samples, write_html_report

__all__ = ['pick_samples', 'write_html_report']
