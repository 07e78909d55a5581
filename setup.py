"""mmwsss: weakly supervised semantic segmentation plugin for MMSeg 1.x."""
from setuptools import find_packages, setup


def read_requirements(path):
    with open(path) as handle:
        return [
            line.split('#')[0].strip() for line in handle
            if line.split('#')[0].strip()
        ]


setup(
    name='mmwsss',
    version='0.1.0',
    description='Weakly supervised semantic segmentation from image-level '
    'labels (CAM, adversarial erasing, STC, PSL) for MMSegmentation 1.x',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['mmwsss', 'mmwsss.*']),
    python_requires='>=3.8',
    install_requires=read_requirements('requirements.txt'),
    extras_require={'tests': read_requirements('requirements-tests.txt')},
    license='Apache-2.0',
)
