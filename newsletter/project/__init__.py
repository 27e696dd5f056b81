"""The project on disk: its layout (``sources``), the limits on what it may hold, the
lock, the private state folder, the theme's folders and the build cache.

Knows where things are, not what they mean. May import only ``newsletter.core``.
"""
