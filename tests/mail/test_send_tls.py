"""`send` over STARTTLS and SMTPS with a login, against aiosmtpd with a test CA (trustme):
the password only ever crosses an encrypted connection, and a wrong one is a clear error."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from support.cli import run
from support.clock import TODAY
from support.ports import free_port
from support.sending import SEND_CONFIG, send_project, subscribers
from support.smtpserver import Handler

USER, PASSWORD = "mailer", "s3cret:/@"
pytestmark = [
    pytest.mark.network,  # each test starts its own SMTP server, with TLS
    # aiosmtpd cannot tell that an SMTPS connection is encrypted, and warns about AUTH on it
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]


def authenticate(server, session, envelope, mechanism, data):  # type: ignore[no-untyped-def]
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[trustme.CA, Path]]:
    authority = trustme.CA()
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(pem))
    yield authority, pem


def start(authority: trustme.CA, implicit: bool) -> tuple[Controller, Handler, int]:
    cert = authority.issue_cert("127.0.0.1")
    import ssl

    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    handler, port = Handler(), free_port()
    options = {"ssl_context": server_context} if implicit else {"tls_context": server_context}
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=not implicit,  # with SMTPS the whole connection is TLS already
        require_starttls=not implicit,
        **options,
    )
    controller.start()
    return controller, handler, port


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_login_over_tls(
    tmp_path: Path, ca: tuple[trustme.CA, Path], scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    authority, pem = ca
    controller, handler, port = start(authority, implicit=scheme == "smtps")
    try:
        root = send_project(tmp_path / "p", subscribers(3), SEND_CONFIG)
        url = f"{scheme}://{USER}:s3cret%3A%2F%40@127.0.0.1:{port}"
        monkeypatch.setenv("NEWSLETTER_SMTP_URL", url)
        untrusted = run("send", "1", "--yes", "--today", TODAY, cwd=root)
        assert untrusted.exit_code == 2 and "CERTIFICATE_VERIFY_FAILED" in untrusted.output
        assert PASSWORD not in untrusted.output
        monkeypatch.setenv("NEWSLETTER_SMTP_CA", str(pem))
        result = run("send", "1", "--yes", "--today", TODAY, cwd=root)
        assert result.exit_code == 0, result.output
        assert len(handler.received) == 3
        monkeypatch.setenv("NEWSLETTER_SMTP_URL", url.replace("s3cret", "wrong"))
        (root / ".newsletter/deliveries.sqlite").unlink()
        refused = run("send", "1", "--yes", "--today", TODAY, cwd=root)
        assert refused.exit_code == 2 and "refused the login" in refused.output
        assert "wrong" not in refused.output
    finally:
        controller.stop()
    assert os.environ.get("NEWSLETTER_SMTP_CA") == str(pem)
