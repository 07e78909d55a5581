"""Snapshot every config's resolved content, or compare against a snapshot.

Refactoring configs (moving shared lines into ``_base_`` fragments) must not
change what any config resolves to. Take a snapshot before, compare after:

    python benchmarks/config_snapshot.py dump /tmp/before.json
    python benchmarks/config_snapshot.py compare /tmp/before.json

``compare`` reports, per config, keys that changed or vanished (failures)
and new top-level keys (allowed only when they are helper variables that
hold shared fragments; they are listed so that a reviewer can check).
"""
import argparse
import glob
import json
import os.path as osp
import sys

from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def snapshot():
    out = {}
    paths = sorted(
        glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True))
    for path in paths:
        rel = osp.relpath(path, REPO)
        try:
            resolved = Config.fromfile(path).to_dict()
            out[rel] = json.loads(
                json.dumps(resolved, sort_keys=True, default=str))
        except Exception as exc:  # a broken config is a difference too
            out[rel] = {'__error__': f'{type(exc).__name__}: {exc}'}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('mode', choices=['dump', 'compare'])
    parser.add_argument('file')
    args = parser.parse_args()
    now = snapshot()
    if args.mode == 'dump':
        with open(args.file, 'w') as handle:
            json.dump(now, handle, sort_keys=True, indent=1)
        print(f'{len(now)} configs written to {args.file}')
        return 0
    with open(args.file) as handle:
        before = json.load(handle)
    failures, added = [], {}
    new_files = sorted(set(now) - set(before))
    for rel in sorted(before):
        if rel not in now:
            failures.append(f'{rel}: gone')
            continue
        old, new = before[rel], now[rel]
        for key in sorted(set(old) | set(new)):
            if key not in new:
                failures.append(f'{rel}: {key} removed')
            elif key not in old:
                added.setdefault(key, []).append(rel)
            elif old[key] != new[key]:
                failures.append(f'{rel}: {key} changed')
    compared = len(set(before) & set(now))
    print(f'{compared} configs compared, {len(failures)} differences')
    for rel in new_files:
        print('  new config (no snapshot to compare):', rel)
    for line in failures:
        print('  DIFF', line)
    for key, rels in sorted(added.items()):
        print(f'  added helper key {key!r} in {len(rels)} configs')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
