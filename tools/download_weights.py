"""Fetch the pretrained weights configs name, check them, say where they are.

    python tools/download_weights.py [NAME...]     # all when no NAME
    python tools/download_weights.py --list        # the table

Each weight is looked for in the weights folders and downloaded from its
source when missing (see :mod:`mmwsss.utils.weights`: ``$MMWSSS_WEIGHTS``, then
``~/.cache/mmwsss/weights``); its sha256 is checked either way.  Run it once
on a machine that is online, then copy the folder to an offline one and
point ``MMWSSS_WEIGHTS`` at it.  Exit status 1 when a weight is missing or
damaged (every weight is still tried).
"""
import argparse
import sys
from typing import List

from mmwsss.utils.weights import (URI_PREFIX, WEIGHTS, resolve_weight,
                                  search_folders, table_text)
from tool_setup import run_main


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('names', nargs='*', metavar='NAME',
                        help=f'weights to fetch (default: all of '
                        f'{", ".join(WEIGHTS)})')
    parser.add_argument('--list', action='store_true',
                        help='print the table of weights and the folders '
                        'searched, fetch nothing')
    return parser.parse_args()


def fetch_all(names: List[str]) -> List[str]:
    """Resolve (and check) each weight, printing where it is; returns the
    error messages of those that failed."""
    errors = []
    for name in names:
        try:
            path = resolve_weight(URI_PREFIX + name)
        except (FileNotFoundError, ValueError) as exc:
            errors.append(str(exc))
            print(f'{name}: MISSING', flush=True)
            continue
        print(f'{name}: {path} (sha256 ok)', flush=True)
    return errors


def main():
    args = parse_args()
    if args.list:
        print(table_text())
        print('\nfolders searched, in order:\n' + '\n'.join(
            f'    {folder}' for folder in search_folders()))
        return
    unknown = [name for name in args.names if name not in WEIGHTS]
    if unknown:
        raise KeyError(f'unknown weight(s) {", ".join(unknown)}; known: '
                       f'{", ".join(WEIGHTS)} (see --list)')
    errors = fetch_all(args.names or list(WEIGHTS))
    for message in errors:
        print(f'\n{message}', file=sys.stderr)
    if errors:
        raise SystemExit(1)


if __name__ == '__main__':
    run_main(main)
