"""The core: the typed model, diagnostics, the exception tree, URLs, Markdown, the clock.

What every other layer speaks. Pure and small: it imports nothing else of the package
(only the standard library and its third-party parsers), reads no file and opens no
connection. The clock is here so that there is one place that reads it,
``parallel`` so that there is one place that starts worker processes, and
``collector`` so that there is one place that tunes Python's cycle collector.
"""
