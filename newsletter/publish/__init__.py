"""Putting the rendered site in place: ``outputs`` renders jobs into a staging folder,
``write`` swaps it in atomically, ``search`` indexes it with Pagefind.

The only layer of the build that writes the site. May import render, analysis, load,
feeds, project and core, never the pipeline that calls it.
"""
