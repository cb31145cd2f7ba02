"""Where the project's data folders are: found with importlib.resources, the one way.

``prompts``, ``evals`` (suites, schemas, baselines, fixtures), ``knowledge/demo`` and the
catalogues beside the code are package data; looking them up by package (not by counting
parents of ``__file__``) keeps them found in an installed wheel as in a checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_dir(package: str, *parts: str) -> Path:
    """The folder (or file) ``parts`` inside ``package`` on disk.

    Raises:
        FileNotFoundError: the package is installed somewhere that is not a folder (a zip),
            which this project does not support.
    """
    root = resources.files(package)
    if not isinstance(root, Path):
        raise FileNotFoundError(f"package {package!r} is not installed as a folder: {root}")
    return root.joinpath(*parts)
