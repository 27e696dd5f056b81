"""newsletter: a community's shared knowledge as a static site and an email edition.

The build is a pipeline, one module a stage (see DESIGN.md):
``sources`` → ``load`` → ``check`` → ``enrich`` → ``render`` → ``write``,
orchestrated by ``build``. ``cli`` is a thin adapter over it.
"""

__version__ = "0.1.0"
