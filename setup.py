"""mmwsss: weakly supervised semantic segmentation plugin for MMSeg 1.x.

Besides the ``mmwsss`` package, an install writes ``mmwsss-startup.pth``
into site-packages: it imports :mod:`mmwsss_startup` at interpreter start,
so MMSeg's own entry points (``mmseg.apis``, MMSeg's tools) import with
mmcv-lite before anything imports mmwsss (see that module).
"""
import os
import shutil
import sys

from setuptools import find_packages, setup
from setuptools.dist import Distribution

# imported after setuptools, which makes it setuptools' copy of distutils
from distutils.command.install_data import install_data  # isort:skip

#: the start-up hook: its name sorts after ``__editable__.*.pth``, whose
#: finder must be in place before an editable install can import the module
STARTUP_PTH = 'mmwsss-startup.pth'
STARTUP_MODULE = 'mmwsss_startup'

#: optional parts and what they need (README, "Installation"); a module
#: that needs a missing one stops with a message naming its extra
EXTRAS = {
    'saliency': ['onnxruntime'],  # U^2-Net-p (mmwsss/saliency/u2net.py)
    'hcp': ['scikit-image'],  # selective search (mmwsss/proposals)
}


def read_requirements(path):
    with open(path) as handle:
        return [
            line.split('#')[0].strip() for line in handle
            if line.split('#')[0].strip()
        ]


def extras_require():
    """Every extra, ``all`` of them, and ``tests``: the test tools plus
    every extra (the suite covers the saliency model and HCP)."""
    extras = dict(EXTRAS)
    extras['all'] = sorted({req for reqs in EXTRAS.values() for req in reqs})
    extras['tests'] = read_requirements('requirements-tests.txt') + \
        extras['all']
    return extras


class InstallDataWithStartupHook(install_data):
    """``install_data`` that also writes the start-up ``.pth`` file where
    the packages go (``install_lib``: site-packages once installed).

    It is the one install step that both a wheel build (``pip install .``)
    and a PEP 660 editable build (``pip install -e .``, which installs data
    files non-editably and runs no ``install_lib``) run.
    """

    def run(self):
        super().run()
        lib = self.get_finalized_command('install').install_lib
        self.mkpath(lib)
        target = os.path.join(lib, STARTUP_PTH)
        self.execute(self._write_pth, (target, ), f'writing {target}')
        self.outfiles.append(target)

    @staticmethod
    def _write_pth(target):
        with open(target, 'w') as handle:
            handle.write(f'import {STARTUP_MODULE}\n')


class DistributionWithStartupHook(Distribution):
    """Always has "data files", so that :class:`InstallDataWithStartupHook`
    runs: a wheel build asks ``has_data_files``, setuptools' editable build
    (64 to at least 84) asks ``has_data``, which ``Distribution`` lacks, so
    without it an editable install never runs ``install_data``."""

    def has_data_files(self):
        return True

    def has_data(self):
        return True


#: what OpenMMLab's ``mim`` reads from an installed package's ``.mim``
#: folder (``mim search mmwsss`` lists the model zoo of model-index.yml)
MIM_FILES = ('model-index.yml', 'configs', 'tools')


def add_mim_extension():
    """Put the model index, the configs and the tools under
    ``mmwsss/.mim``, where ``mim`` looks for them: links into the checkout
    for an editable install (the checkout is what runs), copies for a
    wheel or sdist (the package must carry them)."""
    if any(cmd in sys.argv for cmd in ('develop', 'editable_wheel')):
        mode = 'link'
    elif any(cmd in sys.argv for cmd in ('bdist_wheel', 'sdist', 'install',
                                         'build')):
        mode = 'copy'
    else:
        return
    here = os.path.dirname(os.path.abspath(__file__))
    mim_dir = os.path.join(here, 'mmwsss', '.mim')
    os.makedirs(mim_dir, exist_ok=True)
    for name in MIM_FILES:
        source = os.path.join(here, name)
        target = os.path.join(mim_dir, name)
        if os.path.islink(target) or os.path.isfile(target):
            os.remove(target)
        elif os.path.isdir(target):
            shutil.rmtree(target)
        if mode == 'link':
            os.symlink(os.path.relpath(source, mim_dir), target)
        elif os.path.isdir(source):
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)


add_mim_extension()

setup(
    name='mmwsss',
    version='0.1.0',
    description='Weakly supervised semantic segmentation from image-level '
    'labels (CAM, adversarial erasing, STC, PSL) for MMSegmentation 1.x',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmwsss', 'mmwsss.*']),
    package_data={'mmwsss': ['.mim/model-index.yml', '.mim/configs/**/*',
                             '.mim/tools/*', '.mim/tools/**/*']},
    py_modules=[STARTUP_MODULE],
    data_files=[],
    # the stack measured in README ("Installation") runs on Python 3.11:
    # torch 2.14 needs >=3.10, its numpy 2.4 and matplotlib 3.11 need 3.11
    python_requires='>=3.11',
    install_requires=read_requirements('requirements.txt'),
    extras_require=extras_require(),
    cmdclass={'install_data': InstallDataWithStartupHook},
    distclass=DistributionWithStartupHook,
    license='Apache-2.0',
)
