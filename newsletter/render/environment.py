"""The Jinja environment every renderer shares: loaders, filters, URL helpers.

Each template is parsed and compiled once per build, in the process that plans the
jobs (``Theme.reads_site`` loads it), so that the workers forked to render inherit it
compiled. Given a folder (``Theme(project, compiled=…)``, the caller's: the build names
one in ``.newsletter/``), compiled templates are also kept there for the next build,
with what ``reads_site`` needs to know of each; nothing is written without one.
"""

from __future__ import annotations

import importlib.util
import marshal
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes
from jinja2.utils import missing

from newsletter import __version__
from newsletter.core import urls
from newsletter.core.errors import ProjectError
from newsletter.core.markup import absolute_html
from newsletter.core.model import Kind, Member, Site
from newsletter.project.blobcache import BlobCache, blob_key
from newsletter.project.catalogs import catalog_roots
from newsletter.project.sources import Project
from newsletter.project.theme import static_files, template_dirs
from newsletter.render import fragments, locale
from newsletter.render.fragments import SharedFragments
from newsletter.render.locale import Language


def _autoescape(name: str | None) -> bool:
    # Plain-text email is not markup; everything else (HTML, XML) is escaped.
    return not (name or "").endswith(".txt")


@dataclass(frozen=True)
class TemplateFacts:
    """What a template shows of its own source, known without rendering it."""

    reads_site: bool
    """It reads the variable ``site`` itself."""
    references: tuple[str | None, ...]
    """The templates it extends, includes or imports (None: a name Jinja cannot tell)."""
    macros_read: tuple[str, ...] | None = None
    """For a template that only defines macros (``partials/kinds.html``), the variables
    they read; None for any other."""


def template_facts(
    environment: jinja2.Environment, source: str, ast: jinja2.nodes.Template
) -> TemplateFacts:
    """The facts of the template ``source``, parsed as ``ast``."""
    # a variable is read only where it is named; Jinja's own test (which runs a code
    # generator over a fresh parse) only for the few templates that name ``site`` at all,
    # or only define macros
    macros = all(_defines_nothing_else(node) for node in ast.body)
    named = {n.name for n in ast.find_all(jinja2.nodes.Name) if n.ctx == "load"}
    read = (
        jinja2.meta.find_undeclared_variables(environment.parse(source))
        if "site" in named or macros
        else set()
    )
    # Jinja's test leaves out the environment's globals (``pgettext``), which a macro
    # also reads from the context it was made in; and the functions and filters that are
    # given that context (``pgettext``, ``|short_date``) read the page's language there
    read |= named & environment.globals.keys()
    read.add(locale.CONTEXT_VARIABLE)
    return TemplateFacts(
        "site" in read,
        tuple(jinja2.meta.find_referenced_templates(ast)),
        tuple(sorted(read)) if macros else None,
    )


def _defines_nothing_else(node: jinja2.nodes.Node) -> bool:
    """A macro, or text between macros."""
    if isinstance(node, jinja2.nodes.Output):
        return all(isinstance(part, jinja2.nodes.TemplateData) for part in node.nodes)
    return isinstance(node, jinja2.nodes.Macro)


class ThemeTemplate(jinja2.Template):
    """A template of the theme: imported ``with context`` (``{% import "partials/kinds.html"
    as kinds with context %}``, in every item of every page), a template that only defines
    macros is made into a module once for the values its macros read (the site-wide
    helpers: once per language), not once per import. Its module holds nothing else: it
    behaves the same whichever page imports it, while those values are the same objects."""

    macros_read: tuple[str, ...] | None = None
    modules: list[tuple[tuple[Any, ...], Any]]

    def make_module(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Mapping[str, Any] | None = None,
    ) -> Any:
        if self.macros_read is None or vars is None or not shared:
            return super().make_module(vars, shared, locals)
        values = tuple(_value(name, vars, locals or {}) for name in self.macros_read)
        for seen, module in self.modules:
            if all(a is b for a, b in zip(seen, values, strict=True)):
                return module
        module = super().make_module(vars, shared, locals)
        self.modules = [*self.modules[-(MODULES_KEPT - 1) :], (values, module)]
        return module


MODULES_KEPT = 8
"""Modules a ThemeTemplate keeps (the last made): one per language of the site, and room
for a theme whose macros read a page's own values, which would each make a new one."""


def _value(name: str, vars: Mapping[str, Any], locals: Mapping[str, Any]) -> Any:
    """What ``name`` is in a module made from ``vars`` and ``locals``, as Jinja makes it
    (``jinja2.runtime.new_context``): a local but an unset one, else the variable."""
    found = locals.get(name, missing)
    return vars.get(name, missing) if found is missing else found


COMPILED_FOLDER = "compiled-templates"
"""The folder of the project's state (``.newsletter/compiled-templates/``) for a build to
give the Theme: compiled templates kept from one build to the next."""
COMPILED_SUFFIX = ".jinja"
"""A compiled template's file in that folder."""


def _compiler_stamp() -> str:
    """What compiled code depends on besides a template's source: the Python bytecode,
    Jinja, and this module, ``locale`` and ``fragments`` (the environment's options and
    extensions)."""
    return blob_key(
        importlib.util.MAGIC_NUMBER,
        jinja2.__version__,
        Path(__file__).read_bytes(),
        Path(locale.__file__).read_bytes(),
        Path(fragments.__file__).read_bytes(),
    )


class _ThemeLoader(jinja2.FileSystemLoader):
    """The theme's folders, each template parsed once to both compile it and learn its
    :class:`TemplateFacts`; with a ``store``, both kept there by template name, valid
    while the template's file, its source and the compiler are the same."""

    def __init__(self, dirs: list[Path], store: BlobCache | None) -> None:
        super().__init__([str(d) for d in dirs])
        self.store = store
        self.stamp = _compiler_stamp() if store is not None else ""
        self.facts: dict[str, TemplateFacts] = {}

    def load(
        self,
        environment: jinja2.Environment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        source, filename, uptodate = self.get_source(environment, name)
        header = (self.stamp + blob_key(filename, source)).encode()
        kept = self._kept(name, header)
        if kept is None:
            facts, code = self._compile(environment, name, filename, source)
            if self.store is not None:
                entry = (facts.reads_site, facts.references, facts.macros_read, code)
                self.store.put(blob_key(name), header + marshal.dumps(entry))
        else:
            facts, code = kept
        self.facts[name] = facts
        template = environment.template_class.from_code(
            environment, code, {} if globals is None else globals, uptodate
        )
        if isinstance(template, ThemeTemplate):
            template.macros_read, template.modules = facts.macros_read, []
        return template

    def _kept(self, name: str, header: bytes) -> tuple[TemplateFacts, CodeType] | None:
        data = self.store.get(blob_key(name)) if self.store is not None else None
        if data is None or not data.startswith(header):
            return None
        try:
            reads, references, macros_read, code = marshal.loads(data[len(header) :])
        except (EOFError, ValueError, TypeError):
            return None
        return TemplateFacts(reads, references, macros_read), code

    @staticmethod
    def _compile(
        environment: jinja2.Environment, name: str, filename: str, source: str
    ) -> tuple[TemplateFacts, CodeType]:
        ast = environment.parse(source, name, filename)
        facts = template_facts(environment, source, ast)  # before the compiler sees the tree
        try:
            code = environment.compile(ast, name, filename)
        except jinja2.TemplateSyntaxError:  # raised again with its source line, as Jinja does
            code = environment.compile(source, name, filename)
        assert isinstance(code, CodeType)
        return facts, code


class Theme:
    """Templates and static files of a project, with the built-in theme beneath; with
    ``compiled``, a folder where compiled templates are kept from one build to the next."""

    def __init__(self, project: Project, compiled: Path | None = None) -> None:
        self.static = static_files(project)
        self.dirs = template_dirs(project)
        self.loader = _ThemeLoader(
            self.dirs, BlobCache(compiled, COMPILED_SUFFIX) if compiled else None
        )
        self.env = jinja2.Environment(
            loader=self.loader,
            autoescape=_autoescape,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # a Theme lives for one build: its files do not change
            extensions=[SharedFragments],  # {% shared %}: parts many pages show alike
        )
        self.env.template_class = ThemeTemplate
        locale.install(self.env)
        self.project = project
        self.catalogs = catalog_roots(project)
        self._site_readers: dict[str, bool] = {}

    def reads_site(self, names: tuple[str, ...]) -> bool:
        """Whether any of these templates, or one they extend, include or import, reads
        the variable ``site`` (the whole newsletter). A name Jinja cannot tell statically
        counts as reading it. Loads (compiles) each of them, and every template they use:
        in the process that plans the build, before its workers fork."""
        return any([self._reads_site(name) for name in names])  # a list: each one loaded

    def _reads_site(self, name: str | None, seen: frozenset[str] = frozenset()) -> bool:
        if name is None:
            return True
        if name in seen:
            return False
        if name not in self._site_readers:
            try:
                self.env.get_template(name)
            except jinja2.TemplateError:
                return True  # rendering will report it
            facts = self.loader.facts[name]
            used = [self._reads_site(ref, seen | {name}) for ref in facts.references]
            self._site_readers[name] = facts.reads_site or any(used)
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
