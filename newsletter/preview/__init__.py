"""``newsletter serve``: a local preview that rebuilds on save and reloads the browser.

A face over the pipeline, beside ``mail`` and ``authoring``; none of the three imports
another. May import the pipeline and everything below it.
"""
