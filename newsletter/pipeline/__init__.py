"""The build, stage by stage: ``check`` (across files), ``enrich`` (what no one file
says), and ``build``, which runs load → check → enrich → render → publish.

May import the layers below it (publish, render, analysis, load, feeds, project, core),
never the faces above it (preview, mail, authoring, api, cli).
"""
