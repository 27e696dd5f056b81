"""The Jinja environment every renderer shares: loaders, filters, URL helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from newsletter import __version__
from newsletter.core import urls
from newsletter.core.errors import ProjectError
from newsletter.core.markup import absolute_html
from newsletter.core.model import Kind, Member, Site
from newsletter.project.catalogs import catalog_roots
from newsletter.project.sources import Project
from newsletter.project.theme import static_files, template_dirs
from newsletter.render import locale
from newsletter.render.locale import Language


def _autoescape(name: str | None) -> bool:
    # Plain-text email is not markup; everything else (HTML, XML) is escaped.
    return not (name or "").endswith(".txt")


class Theme:
    """Templates and static files of a project, with the built-in theme beneath."""

    def __init__(self, project: Project) -> None:
        self.static = static_files(project)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(project)]),
            autoescape=_autoescape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        locale.install(self.env)
        self.project = project
        self.dirs = template_dirs(project)
        self.catalogs = catalog_roots(project)
        self._site_readers: dict[str, bool] = {}

    def reads_site(self, names: tuple[str, ...]) -> bool:
        """Whether any of these templates, or one they extend, include or import, reads
        the variable ``site`` (the whole newsletter). A name Jinja cannot tell statically
        counts as reading it."""
        return any(self._reads_site(name) for name in names)

    def _reads_site(self, name: str | None, seen: frozenset[str] = frozenset()) -> bool:
        if name is None:
            return True
        if name in seen:
            return False
        if name not in self._site_readers:
            try:
                source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
                ast = self.env.parse(source)
            except jinja2.TemplateError:
                return True  # rendering will report it
            self._site_readers[name] = "site" in jinja2.meta.find_undeclared_variables(ast) or any(
                self._reads_site(ref, seen | {name})
                for ref in jinja2.meta.find_referenced_templates(ast)
            )
        return self._site_readers[name]

    def language(self, tag: str) -> Language:
        """The language ``tag`` as this theme speaks it (the project's catalogs first)."""
        return locale.language(self.project, tag)

    def static_bytes(self) -> dict[str, bytes]:
        return {path: Path(source).read_bytes() for path, source in self.static.items()}

    def page(self, template: str, base: dict[str, Any], **context: Any) -> bytes:
        """Render one template with the site-wide context ``base`` plus ``context``."""
        try:
            return self.env.get_template(template).render(base, **context).encode()
        except jinja2.TemplateSyntaxError as err:
            where = f"{err.filename or err.name or template}:{err.lineno}"
            raise ProjectError(f"{where}: template error: {err.message}") from None
        except jinja2.TemplateError as err:  # e.g. an undefined name in a theme's template
            raise ProjectError(f"template {template}: {err}") from None


def globals_for(site: Site, language: Language) -> dict[str, Any]:
    """What every template of ``site`` sees, in ``language`` (``locale``)."""
    config = site.config
    base_path = config.base_path
    folder = urls.language_folder(language.tag, config.language)

    def url(path: str) -> str:
        return base_path + urls.in_language(folder, path)

    def abs_url(path: str) -> str:
        return config.base_url + urls.in_language(folder, path)

    def alternates(path: str) -> list[tuple[str, str, str]]:
        """The page at ``path`` in each of the site's languages, as (tag, absolute URL,
        URL from the site's root); none for a page the site has in one language only."""
        if not config.languages or not urls.in_every_language(path):
            return []
        found = []
        for tag in config.languages:
            there = urls.in_language(urls.language_folder(tag, config.language), path)
            found.append((tag, config.base_url + there, base_path + there))
        return found

    def member(handle: str) -> Member | None:
        return site.members.get(handle)

    def name(handle: str) -> str:
        found = site.members.get(handle)
        return found.name if found else handle

    def absolute(html: str) -> str:
        return absolute_html(html, config.base_url, base_path)

    def names(handles: tuple[str, ...]) -> str:
        return language.join(name(h) for h in handles)  # English: 'a, b, c', as always

    return {
        "site": site,
        "config": config,
        "url": url,
        "abs_url": abs_url,
        "alternates": alternates,
        "member": member,
        "name": name,
        "names": names,
        "post_url": urls.post_key_url,  # a post named by its key, as asks and answers are
        "absolute": absolute,
        "kinds": list(Kind),
        "menu": site.menu,
        "version": __version__,
        "locale": language,
        "autonym": locale.autonym,
    }
