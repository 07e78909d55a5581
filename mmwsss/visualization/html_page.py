"""The one look of mmwsss's HTML pages (the work dir report of
:mod:`mmwsss.reports`, ``tools/infer.py``'s index): a self-contained
document, CSS inline, no script, no network."""
from html import escape

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;
color:#222;max-width:1600px}
h1{margin-bottom:0} h2{margin-top:32px;border-bottom:2px solid #ddd}
nav a{margin-right:14px} .path{color:#666;font-size:13px}
table{border-collapse:collapse;margin:8px 0}
th,td{padding:4px 10px;border-bottom:1px solid #e4e4e4;text-align:left;
vertical-align:middle} th{background:#f4f4f4;font-weight:600}
.small{font-size:12px;color:#555} .incomplete{color:#c0392b;font-weight:600}
.complete{color:#2e7d32}
.bar{display:inline-block;height:11px;background:#eee;vertical-align:middle}
.bar>span{display:block;height:100%}
.stack{display:inline-flex;height:14px;background:#eee;vertical-align:middle}
.stack>span{display:block;height:100%}
.swatch{display:inline-block;width:12px;height:12px;margin:0 3px 0 10px;
border:1px solid #999;vertical-align:middle}
.legend{font-size:13px} details{margin:6px 0} summary{cursor:pointer}
.sample{border:1px solid #ddd;border-radius:6px;padding:8px 10px;
margin:12px 0} .sample h3{margin:2px 0 8px;font-size:15px}
.tiles{display:flex;flex-wrap:wrap;gap:8px}
figure{margin:0} figure img{height:128px;display:block;
border:1px solid #ccc}
figcaption{font-size:12px;max-width:200px;overflow-wrap:anywhere}
.blank{height:128px;width:128px;background:#f2f2f2;display:flex;
align-items:center;justify-content:center;color:#999;font-size:12px;
text-align:center;border:1px dashed #ccc}
.badge{background:#fff3cd;border:1px solid #e0c36a;border-radius:4px;
padding:1px 6px;font-size:12px;margin-left:8px}
.warnings li{color:#a15c00} .nw{white-space:nowrap}
"""


def page(title: str, body: str) -> str:
    """A complete HTML document around ``body``."""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{escape(title)}</title><style>{CSS}</style></head>'
            f'<body>\n{body}\n</body></html>\n')
