"""Members' feeds: fetched into a local cache (``fetch``), read back as items (``items``).

- ``fetch``: concurrent, bounded downloads (httpx) into the cache; the only network I/O.
- ``parse``: feed bytes → entries (feedparser, and JSON Feed); no I/O.
- ``cache``: the SQLite cache in ``.newsletter/feeds.sqlite``.
- ``items``: cached entries → the newsletter's items, sanitized and de-duplicated; used by
  ``load`` so that a build is offline and reproducible.
- ``opml``: the blogroll out, and feeds in.
"""
