"""The theme: where templates and static files come from.

A project's own ``templates/`` overrides the built-in theme file by file. The
built-in theme is this repository's ``templates/``, carried inside the wheel
as ``newsletter/theme``.
"""

from __future__ import annotations

from pathlib import Path

from newsletter.core.errors import ProjectError
from newsletter.project.limits import outside
from newsletter.project.sources import Project

_PACKAGE = Path(__file__).parent.parent
"""The installed package: the wheel carries the default theme in its theme/ folder."""


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
        inside = project.root if folder == project.templates else folder
        for path in sorted(static.rglob("*")) if static.is_dir() else ():
            if path.is_file():
                if (target := outside(inside, path)) is not None:  # it would be published
                    raise ProjectError(
                        f"{project.relative(path)} is a link to {target}, outside the "
                        "project: it is not published; copy the file into the project"
                    )
                files[f"static/{path.relative_to(static).as_posix()}"] = path
    return files
