"""Wheel build hook: the theme's translation catalogs compiled into the wheel.

The repository keeps only the ``.po`` files (newsletter/locale/<language>/LC_MESSAGES/);
a wheel carries each one compiled to ``.mo`` beside it, so an installed newsletter reads
its languages without compiling them. Fuzzy and untranslated messages are left out, as
``pybabel compile`` does. A source checkout or an editable install needs none of this:
newsletter/project/catalogs.py compiles a ``.po`` in memory when there is no ``.mo``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        self._scratch = Path(tempfile.mkdtemp(prefix="newsletter-mo-"))
        locale = Path(self.root) / "newsletter" / "locale"
        for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
            relative = po.relative_to(self.root).with_suffix(".mo")
            mo = self._scratch / relative
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)
            build_data["force_include"][str(mo)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
