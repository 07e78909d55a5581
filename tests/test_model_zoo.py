"""The model zoo in OpenMMLab's form: ``model-index.yml`` imports one
``configs/<method>/metafile.yml`` per method folder (read by ``mim search``
and the model-index package), each folder has a README with a results
table, and every number they publish comes from our own measurements.

Fast: configs are only loaded (``Config.fromfile``), no model is built.
"""
import glob
import os.path as osp
import re
from collections import Counter

import pytest
import yaml
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
INDEX = osp.join(REPO, 'model-index.yml')
#: where every measured number must appear
SOURCES = ('docs/benchmarks.md', 'README.md')
#: a metric whose name carries this is a paper's number, not ours
PAPER = '(paper)'


def _read(rel):
    with open(osp.join(REPO, rel), encoding='utf-8') as handle:
        return handle.read()


def _metafiles():
    return yaml.safe_load(_read('model-index.yml'))['Import']


def _models():
    """(metafile, model) for every model of every imported metafile."""
    return [(meta, model) for meta in _metafiles()
            for model in yaml.safe_load(_read(meta))['Models']]


def _is_alias(path):
    """A config that only gives another one a short name (its first line
    says ``# Alias:``); the metafiles list the config it names."""
    with open(path) as handle:
        return handle.readline().startswith('# Alias:')


def _configs():
    """Every config under configs/ except the _base_ fragments and
    aliases."""
    return sorted(
        osp.relpath(p, REPO)
        for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                           recursive=True)
        if '_base_' not in osp.relpath(p, REPO).split(osp.sep)
        and not _is_alias(p))


def _number_pattern(value):
    """``value`` as a decimal in text: 0.8 matches "0.8" and "0.80", not
    "10.8" or "0.85"; 44.0 matches "44" and "44.00", not "44.01"."""
    text = repr(float(value))
    integral, _, fraction = text.partition('.')
    fraction = fraction.rstrip('0')
    body = re.escape(integral) + (r'\.' + fraction + '0*' if fraction
                                  else r'(?:\.0+)?')
    return re.compile(r'(?<![\d.])' + body + r'(?!\d|\.\d)')


MODELS = _models()
MODEL_IDS = [model['Name'] for _, model in MODELS]


def test_index_imports_every_metafile_once():
    imports = _metafiles()
    assert len(imports) == len(set(imports))
    on_disk = sorted(
        osp.relpath(p, REPO)
        for p in glob.glob(osp.join(REPO, 'configs', '*', 'metafile.yml')))
    assert sorted(imports) == on_disk


@pytest.mark.parametrize('metafile', _metafiles())
def test_metafile_follows_openmmlab_schema(metafile):
    data = yaml.safe_load(_read(metafile))
    assert set(data) == {'Collections', 'Models'}, metafile
    folder = osp.dirname(metafile)
    names = set()
    for collection in data['Collections']:
        assert collection['Name'] and collection['License']
        assert collection['Metadata']['Training Data']
        # README paths are relative to the repository root, as MMSeg's
        assert collection['README'] == f'{folder}/README.md'
        assert osp.isfile(osp.join(REPO, collection['README']))
        paper = collection.get('Paper')
        if paper is not None:
            assert paper['Title'] and paper['URL'].startswith('https://')
        names.add(collection['Name'])
    assert data['Models'], metafile
    for model in data['Models']:
        name = model['Name']
        assert model['In Collection'] in names, name
        # the model is named after its config, as in MMSeg's metafiles
        assert name == osp.splitext(osp.basename(model['Config']))[0]
        meta = model['Metadata']
        assert meta['Training Data'] and meta['Architecture'], name
        assert isinstance(meta['Batch Size'], int), name
        schedules = [k for k in ('Epochs', 'Iterations') if k in meta]
        assert len(schedules) == 1, name
        assert isinstance(meta[schedules[0]], int), name
        # no checkpoint is published
        assert model.get('Weights') is None, name
        assert model['Results'], name
        for result in model['Results']:
            assert set(result) == {'Task', 'Dataset', 'Metrics'}, name
            assert isinstance(result['Task'], str), name
            assert isinstance(result['Dataset'], str), name
            assert isinstance(result['Metrics'], dict), name
            for metric, value in result['Metrics'].items():
                assert isinstance(value, float), (name, metric)


def test_model_names_are_unique():
    repeated = [n for n, c in Counter(MODEL_IDS).items() if c > 1]
    assert not repeated


@pytest.mark.parametrize('metafile,model', MODELS, ids=MODEL_IDS)
def test_config_exists_loads_and_is_in_its_readme(metafile, model):
    path = osp.join(REPO, model['Config'])
    assert osp.isfile(path), model['Config']
    cfg = Config.fromfile(path)
    assert cfg.get('stages') or cfg.get('model'), model['Config']
    readme = _read(osp.join(osp.dirname(metafile), 'README.md'))
    assert f'[{model["Name"]}]' in readme, (
        f'{model["Name"]} has no row in the README of {metafile}')


def test_every_config_is_named_by_exactly_one_metafile():
    named = Counter(model['Config'] for _, model in MODELS)
    configs = _configs()
    assert [c for c in configs if named[c] == 0] == []
    assert [c for c, n in named.items() if n > 1] == []
    assert [c for c in named if c not in configs] == []


@pytest.mark.parametrize('metafile,model', MODELS, ids=MODEL_IDS)
def test_every_number_is_ours_or_marked_as_the_papers(metafile, model):
    """A measured number appears in docs/benchmarks.md or README.md; a
    paper's number is marked so in its name and quoted, as the paper's, in
    the method's README."""
    measured = '\n'.join(_read(rel) for rel in SOURCES)
    readme_lines = _read(osp.join(osp.dirname(metafile),
                                  'README.md')).splitlines()
    for result in model['Results']:
        for metric, value in result['Metrics'].items():
            pattern = _number_pattern(value)
            if PAPER in metric:
                assert any(pattern.search(line) and 'paper' in line.lower()
                           for line in readme_lines), (model['Name'], metric)
            else:
                assert pattern.search(measured), (
                    f'{model["Name"]}: {metric} = {value} appears in none '
                    f'of {SOURCES}')


def test_model_index_package_reads_the_zoo():
    """What ``mim search`` loads: the model-index package's reader and its
    own check.  The one check it fails is MMSeg's too: it resolves a
    collection's README against the metafile's folder, while OpenMMLab
    writes it from the repository root (checked above)."""
    load = pytest.importorskip('modelindex.load_model_index').load
    index = load(INDEX)
    assert sorted(m.name for m in index.models) == sorted(MODEL_IDS)
    errors = [e for e in index.check(silent=True)
              if 'Path to README file' not in e]
    assert errors == []
    # each model's collection and results as mim reads them: the
    # metafile's, task, dataset and every metric
    written = {model['Name']: model for _, model in MODELS}
    for model in index.models:
        assert model.in_collection == written[model.name]['In Collection']
        assert [(r.task, r.dataset, r.metrics) for r in model.results] == [
            (r['Task'], r['Dataset'], r['Metrics'])
            for r in written[model.name]['Results']]


@pytest.mark.parametrize('metafile', _metafiles())
def test_readme_links_resolve_and_tables_are_whole(metafile):
    """Every relative link of a method README names a file that exists,
    and every results row has as many cells as its table's header."""
    folder = osp.join(REPO, osp.dirname(metafile))
    text = _read(osp.join(osp.dirname(metafile), 'README.md'))
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if target.startswith(('http://', 'https://', '#')):
            continue
        assert osp.exists(osp.join(folder, target)), target
    header = None
    for line in text.splitlines():
        if not line.startswith('|'):
            header = None
            continue
        cells = line.count('|')
        if header is None:
            header = cells
        assert cells == header, line[:60]
