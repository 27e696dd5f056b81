"""newsletter: a community's shared knowledge as a static site and an email edition.

The package is in layers; each imports only the layers below it (import-linter checks
it: ``[tool.importlinter]`` in pyproject.toml), and each package's docstring says what
it owns:

- ``cli``: the command line, a face over ``api``, the documented Python API;
- ``preview`` (``serve``), ``mail`` (send, subscribers, bounces) and ``authoring``
  (``init``, ``new``, issue forms): the faces beside the build;
- ``pipeline``: the build, stage by stage (load → ``check`` → ``enrich`` → render →
  publish), in ``build``;
- ``publish``: rendered files into ``site/``, atomically, and the search index;
- ``render`` (pure: model → files as bytes) and ``analysis`` (the ledger, the network);
- ``load``: the project's files → the typed model, with diagnostics;
- ``feeds``: members' feeds, fetched into a cache and read back as items;
- ``project``: where files are, limits, the lock, the private state, the build cache;
- ``core``: the model, diagnostics, errors, URLs, Markdown, the clock.
"""

__version__ = "0.1.0"
