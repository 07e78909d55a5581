"""The package's layers point down only (README, "Where things are"): no
subpackage of mmwsss imports one above it, and no two import each other,
counting imports inside functions too."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / 'mmwsss'
#: bottom to top; a subpackage may import those of its own or a lower row
LAYERS = (('utils', 'compat', 'registry'), ('crf', ), ('datasets', ),
          ('models', ), ('saliency', 'evaluation'), ('engine', ),
          ('pseudo_labels', 'proposals'), ('visualization', ), ('apis', ),
          ('stages', ), ('reports', ))
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _subpackage(module: str):
    parts = module.split('.')
    return parts[1] if len(parts) > 1 and parts[0] == 'mmwsss' else None


def _imported(path: Path):
    """``(line, module)`` of every mmwsss module ``path`` imports."""
    parts = path.relative_to(PACKAGE.parent).with_suffix('').parts
    package = parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) \
                if node.level else []
            names = ['.'.join(base + ([node.module] if node.module else []))]
        else:
            continue
        yield from ((node.lineno, name) for name in names)


def _edges():
    edges = {}
    for path in sorted(PACKAGE.rglob('*.py')):
        source = _subpackage('mmwsss.' + '.'.join(
            path.relative_to(PACKAGE).with_suffix('').parts))
        for line, name in _imported(path):
            target = _subpackage(name)
            if source and target and source != target:
                edges.setdefault((source, target), []).append(
                    f'{path.relative_to(PACKAGE.parent)}:{line}')
    return edges


def test_no_subpackage_imports_one_above_it():
    up = {pair: where for pair, where in _edges().items()
          if RANK.get(pair[1], -1) > RANK.get(pair[0], len(LAYERS))}
    assert not up, up


def test_no_two_subpackages_import_each_other():
    edges = _edges()
    both = sorted({tuple(sorted(pair)) for pair in edges
                   if pair[::-1] in edges})
    assert not both, {pair: edges[pair] + edges[pair[::-1]] for pair in both}
