"""The erasing regions' cell grid (:mod:`mmwsss.utils.regions`): its two
ways back to image size are different functions on purpose, and its files
round-trip."""
import numpy as np
import pytest

from mmwsss.utils.regions import (fuse_regions, grid_to_image,
                                  load_regions_file, pack, save_regions_file,
                                  unpack)


def test_a_lone_cell_keeps_its_corners_only_when_erased():
    """Erasing (nearest) takes a cell whole; the pseudo masks (bilinear,
    > 0.5) round its corners off: unifying them would move pixels."""
    grid = np.zeros((4, 4), bool)
    grid[1, 1] = True
    erased = grid_to_image(grid, (16, 16))
    masked = fuse_regions(grid[None, None], 1, (16, 16))[0]
    assert erased.sum() == 16 and erased[4:8, 4:8].all()
    assert masked.sum() == 12
    assert not masked[[4, 4, 7, 7], [4, 7, 4, 7]].any()
    assert (masked <= erased).all()


@pytest.mark.parametrize('shape', [(10, 10), (37, 53), (64, 64)])
def test_the_two_upsamplings_disagree_off_the_grid_multiples(shape):
    rng = np.random.default_rng(0)
    grid = rng.random((8, 8)) > 0.5
    erased = grid_to_image(grid, shape)
    masked = fuse_regions(grid[None, None], 1, shape)[0]
    assert erased.shape == masked.shape == shape
    assert (erased != masked).any()


def test_regions_files_round_trip(tmp_path):
    regions = np.random.default_rng(1).random((2, 3, 8, 8)) > 0.5
    path = str(tmp_path / 'a.npz')
    save_regions_file(path, regions, [1, 4, 7])
    data = load_regions_file(path)
    assert np.array_equal(data['regions'], regions)
    assert data['labels'].tolist() == [1, 4, 7]
    assert np.array_equal(unpack(pack(regions[0, 0]), 8), regions[0, 0])
    with pytest.raises(FileNotFoundError, match='erasing regions file'):
        load_regions_file(str(tmp_path / 'missing.npz'))
