"""Find the folders that sit outside the package: schemas/, templates/ and samples/."""

from __future__ import annotations

import sys
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent
_INSTALLED_ROOT = Path(sys.prefix) / "share" / "award-pipeline"


def data_root() -> Path:
    """The folder holding schemas/ and templates/: the source checkout, else the installed share folder."""
    for root in (_SOURCE_ROOT, _INSTALLED_ROOT):
        if (root / "schemas").is_dir():
            return root
    return _SOURCE_ROOT


def schemas_dir() -> Path:
    """schemas/: call folders and report.schema.json."""
    return data_root() / "schemas"


def templates_dir() -> Path:
    """templates/: the HTML report, fonts.conf and the call-neutral Word templates (default/)."""
    return data_root() / "templates"


def fonts_conf() -> Path:
    """The fontconfig file shipped with the project (official Chinese names -> installed free faces)."""
    return templates_dir() / "fonts" / "fonts.conf"


DEFAULT_TEMPLATES = "default"
# The call a command works on when it is given no --call (interfaces.md); every other call is a folder like it.
DEFAULT_CALL = "saq-2021"


def call_template(folder: Path | None, name: str) -> Path:
    """A call's template: the call folder's own templates/<name> when it carries one, else the package's
    call-neutral default (templates/default/<name>), so a copied call folder needs no template of its own."""
    if folder is not None:
        own = folder / "templates" / name
        if own.is_file():
            return own
    return templates_dir() / DEFAULT_TEMPLATES / name


def samples_dir() -> Path:
    """samples/: the bundled sample applications."""
    return data_root() / "samples"


def call_dir(call: str | Path) -> Path:
    """A call folder from an id under schemas/ or from any path to a folder holding call.yaml."""
    p = Path(call)
    if (p / "call.yaml").is_file():
        return p
    return schemas_dir() / str(call)
