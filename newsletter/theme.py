"""The theme: where templates and static files come from.

A project's own ``templates/`` overrides the built-in theme file by file. The
built-in theme is this repository's ``templates/``, carried inside the wheel
as ``newsletter/theme``.
"""

from __future__ import annotations

from pathlib import Path

from newsletter.sources import Project

_PACKAGE = Path(__file__).parent


def builtin_theme() -> Path:
    """The default theme: inside the installed wheel, or the source checkout's."""
    shipped = _PACKAGE / "theme"
    return shipped if shipped.is_dir() else _PACKAGE.parent / "templates"


def template_dirs(project: Project) -> list[Path]:
    dirs = [project.templates, builtin_theme()]
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def static_files(project: Project) -> dict[str, Path]:
    """Files under static/ of the theme, a project's own file winning by name."""
    files: dict[str, Path] = {}
    for folder in reversed(template_dirs(project)):
        static = folder / "static"
        for path in sorted(static.rglob("*")) if static.is_dir() else ():
            if path.is_file():
                files[f"static/{path.relative_to(static).as_posix()}"] = path
    return files
