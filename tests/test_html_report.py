"""The pages a person looks at: ``tools/stage_report.py W --html`` (the
stages, the ladder of pseudo masks, per-class IoU and errors, training
images step by step) and ``tools/infer.py``'s ``index.html`` of its
overlays.

Each page is parsed (html.parser: its sections are there, every file it
names exists beside it, nothing is fetched from the network) and opened
in a real headless Chromium, which must load every image; without a
Chromium binary that test is skipped, saying so.  The report is of the
session's synthetic pipeline run (conftest's ``pipeline_run``); a small
hand-made work dir covers what a damaged or half-run one shows.
"""
import base64
import json
import os
import os.path as osp
import re
import shutil
import subprocess
from html.parser import HTMLParser
from urllib.parse import unquote

import numpy as np
import pytest

from conftest import REPO, run_tool

PIPELINE = osp.join(REPO, 'configs',
                    'ae-psl_tinyr18-d8_1xb16-12e_synthetic-96x96.py')
RUNGS = ('cam_labels', 'ae_labels', 'pseudo_labels', 'psl_online_labels',
         'psl_plus_labels')
#: how the report holds its pictures
PNG_URI = 'data:image/png;base64,'
BROWSERS = ('chromium', 'chromium-browser', 'google-chrome',
            'google-chrome-stable')


class Page(HTMLParser):
    """The ids, image sources, links and text of an HTML page."""

    def __init__(self, path):
        super().__init__()
        self.ids, self.images, self.links, self.text = set(), [], [], []
        self.classes = []
        with open(path) as handle:
            self.feed(handle.read())
        self.text = ' '.join(self.text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if 'id' in attrs:
            self.ids.add(attrs['id'])
        self.classes.append(attrs.get('class', ''))
        if tag == 'img':
            self.images.append(attrs['src'])
        ref = attrs.get('href') or attrs.get('src')
        if tag in ('a', 'link', 'script') and ref:
            self.links.append(ref)

    def handle_data(self, data):
        self.text.append(data)


def assert_self_contained(path, inline=False):
    """Every image and link of the page is a file beside it (relative,
    no network, no absolute path), or with ``inline`` every image is a PNG
    inside the page (a ``data:`` URI that decodes to one); returns the
    parsed page."""
    page = Page(path)
    text = re.sub(PNG_URI + '[A-Za-z0-9+/=]*', '', open(path).read())
    assert 'http' not in text.replace('http-equiv', '')  # no network
    for ref in page.images + [link for link in page.links
                              if not link.startswith('#')]:
        if inline and ref in page.images:
            assert ref.startswith(PNG_URI), f'{path}: {ref[:40]}'
            png = base64.b64decode(ref[len(PNG_URI):], validate=True)
            assert png.startswith(b'\x89PNG\r\n\x1a\n'), ref[:40]
            continue
        assert not re.match(r'^[a-z]+:|^/', ref), f'{path}: {ref}'
        target = osp.join(osp.dirname(path), unquote(ref))
        assert osp.isfile(target), f'{path} names {ref}, which is missing'
    return page


@pytest.fixture(scope='session')
def browser():
    """A Chromium binary, or skip (asked first, before any page is
    made)."""
    found = os.environ.get('MMWSSS_CHROMIUM') or next(
        (shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if not found:
        pytest.skip('no chromium binary found (apt-get install chromium, or '
                    'set MMWSSS_CHROMIUM): the page was not opened in a '
                    'browser')
    return found


# a test-only script appended to a copy of the page: after every image
# loaded (or failed), it lists those the browser could not draw
CHECK = """<script>window.addEventListener('load', () => {
  const broken = [...document.images].filter(
    i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  const out = document.createElement('pre'); out.id = 'browser-check';
  out.textContent = JSON.stringify({images: document.images.length, broken});
  document.body.appendChild(out);
});</script>"""


def open_in_browser(browser, path, tmp_path):
    """Chromium's DOM of the page after loading it (images eagerly),
    with the list of images it could not draw; and a screenshot."""
    probe = osp.join(osp.dirname(path), '.browser_check.html')
    html = open(path).read().replace(' loading="lazy"', '')
    with open(probe, 'w') as handle:
        handle.write(html.replace('</body>', CHECK + '</body>'))
    flags = [browser, '--headless', '--no-sandbox', '--disable-gpu',
             '--allow-file-access-from-files', '--virtual-time-budget=20000']
    try:
        dom = subprocess.run(flags + ['--dump-dom', 'file://' + probe],
                             capture_output=True, text=True, timeout=120)
        shot = str(tmp_path / 'page.png')
        subprocess.run(flags + [f'--screenshot={shot}',
                                '--window-size=1200,2000',
                                'file://' + osp.abspath(path)],
                       capture_output=True, timeout=120)
    finally:
        os.remove(probe)
    found = re.search(r'<pre id="browser-check">(.*?)</pre>', dom.stdout)
    assert found, f'{browser} did not render {path}: {dom.stderr[-2000:]}'
    return dom.stdout, json.loads(found.group(1)), shot


# ------------------------------------------------------------- the report
@pytest.fixture(scope='module')
def report(pipeline_run, tmp_path_factory):
    """The HTML report of the synthetic pipeline run, written to a
    temporary folder (the work dir is shared by other tests)."""
    path = str(tmp_path_factory.mktemp('report') / 'report.html')
    out = run_tool('tools/stage_report.py', str(pipeline_run.work_dir),
                   '--html', path, timeout=300).stdout
    assert f'HTML report: {path}' in out
    return path


@pytest.mark.subprocess
def test_report_holds_every_section_and_its_pictures(report, pipeline_run):
    page = assert_self_contained(report, inline=True)
    assert {'stages', 'data', 'ladder', 'classes', 'errors',
            'images'} <= page.ids
    for stage in os.listdir(pipeline_run.work_dir):  # the stage table
        if osp.isfile(pipeline_run.work_dir / stage / 'stage_done.json'):
            assert stage in page.text
    scores = json.load(open(pipeline_run.work_dir / 'score_pseudo_labels' /
                            'scores.json'))
    assert f'{scores["mIoU"]:.2f}' in page.text
    ladder = page.text[page.text.index('Pseudo-mask ladder'):]
    positions = [ladder.index(rung) for rung in RUNGS]
    assert positions == sorted(positions)  # first made to last
    samples = page.classes.count('sample')
    assert samples == 6
    for caption in ('image', 'CAM', 'erasing step 1', 'saliency map',
                    'ground truth', 'on this image') + RUNGS:
        assert page.text.count(caption) >= samples, caption
    assert 'not shown' not in page.text
    assert len(page.images) >= samples * (4 + len(RUNGS))


@pytest.mark.subprocess
def test_report_renders_in_a_headless_browser(browser, report, tmp_path):
    dom, check, shot = open_in_browser(browser, report, tmp_path)
    assert 'Pseudo-mask ladder' in dom and 'Training images' in dom
    assert check['images'] == len(Page(report).images) > 0
    assert check['broken'] == []
    assert osp.getsize(shot) > 10000


# ------------------------------------------------- a damaged, half-run one
def _marker(folder, finished, **fields):
    folder.mkdir(parents=True, exist_ok=True)
    fields.setdefault('fingerprint', {'data cam_dataloader': 'abc'})
    marker = dict(stage=folder.name, seconds=1.5, finished=finished,
                  **fields)
    (folder / 'stage_done.json').write_text(json.dumps(marker))


def test_report_of_a_half_run_work_dir_says_what_it_lacks(tmp_path):
    """No saved config (so no photos), no saliency stage, one mask file
    damaged: the page still comes, with what there is and why the rest
    is not shown."""
    from mmwsss.reports.html_report import write_html_report
    from mmwsss.utils.io import save_cam_file, write_label_png
    work = tmp_path / 'work'
    _marker(work / 'cams', '2026-01-01 10:00:00', type='CAMStage',
            outputs=dict(cams='cams'))
    _marker(work / 'masks', '2026-01-01 10:00:01', type='PseudoLabelStage',
            outputs=dict(labels='labels'),
            fingerprint={'data cam_dataloader': 'abc',
                         'input cams': 'cams:1'})
    palette = [[0, 0, 0], [128, 0, 0]]
    for index in range(3):
        cam = np.zeros((1, 16, 24), np.float32)
        cam[0, 4:12, 4:12] = 1
        save_cam_file(str(work / 'cams' / 'cams' / f'im{index}.npz'), cam,
                      [1])
        write_label_png(str(work / 'masks' / 'labels' / f'im{index}.png'),
                        (cam[0] > 0).astype(np.uint8), palette)
    (work / 'masks' / 'labels' / 'im1.png').write_bytes(b'not a png')
    (work / 'notes').mkdir()  # not a stage
    rows = [dict(stage='cams', type='CAMStage', status='complete',
                 seconds=1.5, finished='x')]
    path = write_html_report(str(work), rows, str(tmp_path / 'r.html'),
                             samples=2)
    page = assert_self_contained(path, inline=True)
    assert 'ladder' not in page.ids and 'images' in page.ids
    assert 'where its training images are is unknown' in page.text
    assert page.classes.count('sample') == 2  # im0 and im1, spread
    assert 'im1.png' in page.text  # the damaged file, named
    # one file: im0's CAM and mask, im1's CAM; im1's damaged mask not drawn
    assert len(page.images) == 3 and 'not shown' in page.text
    assert sorted(os.listdir(tmp_path)) == ['r.html', 'work']


def test_samples_spread_over_the_names():
    from mmwsss.reports.html_report import pick_samples
    stems = [f'{i:03d}' for i in range(60)]
    assert pick_samples(stems[::-1], 6) == ['000', '010', '020', '030',
                                            '040', '050']
    assert pick_samples(stems[:3], 6) == stems[:3]


# ------------------------------------------------------ infer's index page
@pytest.fixture(scope='module')
def infer_out(pipeline_run, synthetic_root, tmp_path_factory):
    """tools/infer.py on three synthetic images with the pipeline's final
    model."""
    out = tmp_path_factory.mktemp('infer') / 'masks'
    jpegs = osp.join(synthetic_root, 'JPEGImages')
    images = [osp.join(jpegs, n) for n in sorted(os.listdir(jpegs))[:3]]
    run_tool('tools/infer.py', PIPELINE, str(pipeline_run.work_dir),
             *images, '--out', str(out), '--cfg-options',
             *pipeline_run.options, timeout=600)
    return out


@pytest.mark.subprocess
def test_infer_writes_an_index_of_its_overlays(infer_out):
    page = assert_self_contained(str(infer_out / 'index.html'))
    overlays = sorted(os.listdir(infer_out / 'overlays'))
    assert sorted(osp.basename(unquote(s)) for s in page.images) == overlays
    assert len(overlays) == 3
    classes = open(infer_out / 'classes.txt').read().split()
    assert all(name in page.text for name in classes)


@pytest.mark.subprocess
def test_infer_index_renders_in_a_headless_browser(browser, infer_out,
                                                   tmp_path):
    _, check, _ = open_in_browser(browser, str(infer_out / 'index.html'),
                                  tmp_path)
    assert check == dict(images=3, broken=[])


def test_index_names_skipped_images_and_masks_it_cannot_read(tmp_path):
    from PIL import Image

    from mmwsss.visualization.overlay_index import write_overlay_index
    (tmp_path / 'overlays').mkdir()
    for stem in ('a b', 'c'):
        Image.new('RGB', (8, 8)).save(tmp_path / 'overlays' / f'{stem}.jpg')
    (tmp_path / 'c.png').write_bytes(b'broken')
    (tmp_path / 'classes.txt').write_text('background\ncat\n')
    path = write_overlay_index(str(tmp_path), ['x.jpg: truncated'])
    page = Page(path)  # the masks it links are not all there
    assert page.images == ['overlays/a%20b.jpg', 'overlays/c.jpg']
    assert 'x.jpg: truncated' in page.text and 'no mask' in page.text
    assert 'c.png' in page.text  # its read error names it
