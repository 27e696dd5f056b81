"""What the tests share, each thing once: the day they run as (clock), where things are
(paths), the command line (cli), the bundled example (example), small projects (helpers),
projects ready to send (sending), the servers on 127.0.0.1 (smtpserver, imapserver,
feedserver, siteserver, ports), Chromium (browser) and the security oracle's list of
URL-carrying attributes (urls). tests/README.md has the table; tests/conftest.py registers
the fixtures. Nothing here imports a test module."""
