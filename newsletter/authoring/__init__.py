"""Files written for editors and members: the scaffold of ``init`` and ``new``, posts
from GitHub issue forms, a page's metadata for ``new post --link``, and the CI
workflows (files in ``workflows/``, written as they are).

A face beside ``mail`` and ``preview``; may import the pipeline and everything below.
"""
