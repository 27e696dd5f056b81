"""What the tests share: projects on disk, servers on 127.0.0.1, the browser."""
