"""Files written for editors and members: the scaffold of ``init`` and ``new``, posts
from GitHub issue forms, and a page's metadata for ``new post --link``. Every YAML
they write goes through ``frontmatter``, the one writer; the GitHub files of a new
project (the share form, the CI workflows, Dependabot's configuration) are files in
``workflows/``, written as they are.

A face beside ``mail`` and ``preview``; may import the pipeline and everything below.
"""
