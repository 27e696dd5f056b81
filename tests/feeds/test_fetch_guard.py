"""The private-address guard and polite fetching (newsletter/feeds/http.py, feeds/fetch.py).

A member's feed URL is untrusted: by default `fetch` must not reach this machine or its
network, however the address is spelled, wherever a redirect points and whatever a name
resolves to at the moment of connecting. Real servers on 127.0.0.1 answer; names resolve
through a patched resolver (tests/feedserver.py: FakeNetwork), never a patched guard.
Politeness: requests per host, the User-Agent, Retry-After within the feed's time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import sqlite3
import ssl
import threading
from pathlib import Path

import httpx
import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st

from newsletter import __version__
from newsletter.core.diagnostics import Location
from newsletter.feeds.cache import open_cache
from newsletter.feeds.fetch import FeedOutcome, FeedTarget, FetchSettings, fetch, retry_after
from newsletter.feeds.http import AddressRefused, feed_client, user_agent, why_refused

from support.cli import run
from support.clock import TODAY, TODAY_DATE
from support.feedserver import (
    PUBLIC,
    FakeNetwork,
    FeedServer,
    Gate,
    fake_network_fixture,  # noqa: F401  (the `fake_network` fixture)
)
from support.helpers import project, write
from support.paths import FEEDS

RSS = (FEEDS / "rss20.xml").read_bytes()
CONFIG = "title: Test Exchange\nbase_url: https://news.example.org/\n"
ALLOW = CONFIG + "feeds: {allow_private: true}\n"
HINT = "(set feeds.allow_private: true in newsletter.yaml to allow it)"


def feeds_project(root: Path, urls: list[str], *, allow: bool = False) -> Path:
    """A valid project in which Ada lists ``urls``; ``allow``: feeds.allow_private."""
    feeds = "".join(f"  - '{url}'\n" for url in urls)
    project(root, members={"ada": f"name: Ada\nfeeds:\n{feeds}"})
    write(root, "newsletter.yaml", ALLOW if allow else CONFIG)
    return root


def outcomes(root: Path) -> dict[str, tuple[str, str]]:
    """Each feed's last status and error, as `fetch` recorded them (the table's detail)."""
    with sqlite3.connect(root / ".newsletter" / "feeds.sqlite") as db:
        rows = db.execute("SELECT url, last_status, last_error FROM feed").fetchall()
    return {url: (status, error) for url, status, error in rows}


def fetched(root: Path, *args: str) -> dict[str, tuple[str, str]]:
    result = run("fetch", "--today", TODAY, *args, cwd=root)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    return outcomes(root)


# -- the guard on its own -------------------------------------------------------------------

REFUSED = {
    "127.0.0.1": "a loopback address",
    "127.255.255.254": "a loopback address",
    "::1": "a loopback address",
    "0.0.0.0": "an unspecified address, which reaches this machine",
    "::": "an unspecified address, which reaches this machine",
    "0.1.2.3": "a private address",
    "10.0.0.5": "a private address",
    "172.16.0.1": "a private address",
    "172.31.255.255": "a private address",
    "192.168.1.1": "a private address",
    "169.254.169.254": "a link-local address, where clouds serve instance metadata",
    "fd00:ec2::254": "a link-local address, where clouds serve instance metadata",
    "169.254.0.1": "a link-local address",
    "fe80::1": "a link-local address",
    "fc00::1": "a private address",
    "fd12:3456::1": "a private address",
    "224.0.0.1": "a multicast address",
    "239.255.255.250": "a multicast address",
    "ff02::1": "a multicast address",
    "240.0.0.1": "a reserved address",
    "255.255.255.255": "a reserved address",
    "100.64.0.1": "not a public address",  # shared address space (carrier-grade NAT)
    "192.0.2.1": "a private address",  # documentation
    "198.18.0.1": "a private address",  # benchmarking
    "::ffff:127.0.0.1": "127.0.0.1 inside IPv6, a loopback address",
    "::ffff:10.1.2.3": "10.1.2.3 inside IPv6, a private address",
    "::ffff:169.254.169.254": (
        "169.254.169.254 inside IPv6, a link-local address, where clouds serve instance metadata"
    ),
    "64:ff9b::7f00:1": "127.0.0.1 inside IPv6, a loopback address",  # NAT64
    "2002:7f00:1::": "a 6to4 address of 127.0.0.1, a loopback address",
    "2002:a00:5::1": "a 6to4 address of 10.0.0.5, a private address",
    "2001:0:4136:e378:8000:63bf:80ff:fffe": "a Teredo address of 127.0.0.1, a loopback address",
    "::7f00:1": "a reserved address",  # IPv4-compatible, long deprecated
    "2001:db8::1": "a private address",
}

PUBLIC_ADDRESSES = [
    "8.8.8.8",
    "1.1.1.1",
    PUBLIC,
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",  # mapped: the IPv4 address is what is reached
    "64:ff9b::808:808",  # NAT64 of a public address
    "2002:808:808::1",  # 6to4 of a public address
]


@pytest.mark.parametrize(("address", "why"), REFUSED.items(), ids=list(REFUSED))
def test_addresses_off_limits_and_why(address: str, why: str) -> None:
    assert why_refused(ipaddress.ip_address(address)) == why


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_public_addresses_pass(address: str) -> None:
    assert why_refused(ipaddress.ip_address(address)) is None


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_is_judged_the_same_however_ipv6_carries_it(
    address: ipaddress.IPv4Address,
) -> None:
    why = why_refused(address)
    assert (why is None) == (address.is_global and not address.is_multicast)
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))
    for carrier in (mapped, nat64):
        assert why_refused(carrier) == (why and f"{address} inside IPv6, {why}")
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80) | 1)
    if why is not None:
        assert why_refused(sixtofour) == f"a 6to4 address of {address}, {why}"


@given(st.ip_addresses())
def test_an_address_passes_only_if_it_is_global_unicast(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    if why_refused(address) is None:
        assert address.is_global and not address.is_multicast
        assert not (address.is_private or address.is_loopback or address.is_link_local)


@given(
    st.sampled_from(
        [
            *("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"),
            *("::1/128", "fc00::/7", "fe80::/10", "100.64.0.0/10", "0.0.0.0/8"),
        ]
    ).flatmap(lambda net: st.ip_addresses(network=net))
)
def test_every_address_of_the_private_ranges_is_refused(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    assert why_refused(address) is not None


def test_the_refusal_names_host_address_and_the_way_out() -> None:
    named = AddressRefused("feeds.example", "10.0.0.5", "a private address")
    assert str(named) == f"refused: feeds.example resolves to 10.0.0.5, a private address {HINT}"
    literal = AddressRefused("127.0.0.1", "127.0.0.1", "a loopback address")
    assert str(literal) == f"refused: 127.0.0.1 is a loopback address {HINT}"


# -- spellings of this machine --------------------------------------------------------------


def spellings(port: int) -> dict[str, str]:
    """URL → the exact refusal: every way to write this machine that the resolver accepts."""
    loopback = f"a loopback address {HINT}"
    return {
        f"http://127.0.0.1:{port}/feed.xml": f"refused: 127.0.0.1 is {loopback}",
        f"http://localhost:{port}/feed.xml": (
            f"refused: localhost resolves to 127.0.0.1, {loopback}"
        ),
        f"http://2130706433:{port}/feed.xml": (
            f"refused: 2130706433 resolves to 127.0.0.1, {loopback}"
        ),
        f"http://0177.1:{port}/feed.xml": f"refused: 0177.1 resolves to 127.0.0.1, {loopback}",
        f"http://0x7f.1:{port}/feed.xml": f"refused: 0x7f.1 resolves to 127.0.0.1, {loopback}",
        f"http://0x7f000001:{port}/feed.xml": (
            f"refused: 0x7f000001 resolves to 127.0.0.1, {loopback}"
        ),
        f"http://127.1:{port}/feed.xml": f"refused: 127.1 resolves to 127.0.0.1, {loopback}",
        f"http://0.0.0.0:{port}/feed.xml": (
            f"refused: 0.0.0.0 is an unspecified address, which reaches this machine {HINT}"
        ),
        f"http://0:{port}/feed.xml": (
            f"refused: 0 resolves to 0.0.0.0, an unspecified address, which reaches this "
            f"machine {HINT}"
        ),
        f"http://[::ffff:127.0.0.1]:{port}/feed.xml": (
            f"refused: ::ffff:127.0.0.1 is 127.0.0.1 inside IPv6, {loopback}"
        ),
        f"http://[::ffff:7f00:1]:{port}/feed.xml": (
            f"refused: ::ffff:7f00:1 resolves to ::ffff:127.0.0.1, 127.0.0.1 inside IPv6, "
            f"{loopback}"
        ),
    }


def test_every_spelling_of_this_machine_is_refused_by_default_and_allowed_when_asked(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.route("/feed.xml", RSS)
    refused = spellings(feed_server.port)
    root = feeds_project(tmp_path / "p", list(refused))
    got = fetched(root)
    assert got == {url: ("failed", why) for url, why in refused.items()}
    assert feed_server.requests == []  # not one of them was even connected to

    allowed = fetched(root, "--allow-private")
    assert allowed == {url: ("ok", "") for url in refused}
    assert feed_server.count("/feed.xml") == len(refused)


def test_dotted_octal_is_not_even_a_url_to_httpx(tmp_path: Path, feed_server: FeedServer) -> None:
    """``0177.0.0.1`` is 127.0.0.1 to inet_aton, but httpx refuses a four-part address with
    a leading zero before anything is resolved (with or without the guard)."""
    url = f"http://0177.0.0.1:{feed_server.port}/feed.xml"
    root = feeds_project(tmp_path / "p", [url])
    reason = "not a URL that can be fetched: Invalid IPv4 address: '0177.0.0.1'"
    assert fetched(root) == {url: ("failed", reason)}
    assert fetched(root, "--allow-private") == {url: ("failed", reason)}


@pytest.mark.network
def test_ipv6_loopback_is_refused_and_allowed_when_asked(tmp_path: Path) -> None:
    with FeedServer("::1") as server:
        url = server.route("/feed.xml", RSS)
        assert url.startswith("http://[::1]:")
        root = feeds_project(tmp_path / "p", [url])
        assert fetched(root) == {url: ("failed", f"refused: ::1 is a loopback address {HINT}")}
        assert fetched(root, "--allow-private") == {url: ("ok", "")}
        assert server.count("/feed.xml") == 1


def test_the_metadata_service_and_private_networks_are_never_connected_to(
    tmp_path: Path, fake_network: FakeNetwork
) -> None:
    fake_network.resolve("intranet.test", "10.0.0.5")
    fake_network.resolve("mixed.test", [PUBLIC, "192.168.1.20"])  # every address is checked
    fake_network.resolve("metadata.test", "169.254.169.254")
    urls = {
        "http://169.254.169.254/latest/meta-data/": (
            "refused: 169.254.169.254 is a link-local address, where clouds serve instance "
            f"metadata {HINT}"
        ),
        "http://[fd00:ec2::254]/latest/meta-data/": (
            "refused: fd00:ec2::254 is a link-local address, where clouds serve instance "
            f"metadata {HINT}"
        ),
        "http://metadata.test/latest/meta-data/": (
            "refused: metadata.test resolves to 169.254.169.254, a link-local address, "
            f"where clouds serve instance metadata {HINT}"
        ),
        "http://intranet.test/feed.xml": (
            f"refused: intranet.test resolves to 10.0.0.5, a private address {HINT}"
        ),
        "https://intranet.test/feed.xml": (
            f"refused: intranet.test resolves to 10.0.0.5, a private address {HINT}"
        ),
        "http://mixed.test/feed.xml": (
            f"refused: mixed.test resolves to 192.168.1.20, a private address {HINT}"
        ),
        "http://[fe80::1]/feed.xml": f"refused: fe80::1 is a link-local address {HINT}",
        "http://10.1.2.3:8080/feed.xml": f"refused: 10.1.2.3 is a private address {HINT}",
    }
    root = feeds_project(tmp_path / "p", list(urls))
    assert fetched(root) == {url: ("failed", why) for url, why in urls.items()}
    assert fake_network.connected == []


# -- names: resolved once per connection, checked, connected to as checked --------------------


def test_a_name_resolving_to_this_machine_is_refused_unless_allowed(
    tmp_path: Path, feed_server: FeedServer, fake_network: FakeNetwork
) -> None:
    fake_network.resolve("feeds.test", "127.0.0.1")
    feed_server.route("/feed.xml", RSS)
    url = f"http://feeds.test:{feed_server.port}/feed.xml"
    root = feeds_project(tmp_path / "p", [url])
    why = f"refused: feeds.test resolves to 127.0.0.1, a loopback address {HINT}"
    assert fetched(root) == {url: ("failed", why)}
    write(root, "newsletter.yaml", ALLOW)  # the config's way, this time
    assert fetched(root) == {url: ("ok", "")}
    assert fake_network.connected == ["127.0.0.1"]  # only once allowed


def test_a_name_that_does_not_resolve_is_still_named_as_such(
    tmp_path: Path, fake_network: FakeNetwork
) -> None:
    fake_network.resolve("gone.test")  # no answer: the resolver's own error
    url = "http://gone.test/feed.xml"
    root = feeds_project(tmp_path / "p", [url])
    assert fetched(root) == {url: ("failed", "DNS lookup failed: no such host")}
    assert fake_network.lookups == ["gone.test"] and fake_network.connected == []


def test_a_redirect_to_this_machine_is_refused_unless_allowed(
    tmp_path: Path, feed_server: FeedServer, fake_network: FakeNetwork
) -> None:
    """The first hop is a public name (routed to the local server); it redirects to
    127.0.0.1, and to a name of the private network: each hop is checked."""
    fake_network.resolve("blog.test", PUBLIC)
    fake_network.resolve("intranet.test", "10.0.0.5")
    port = feed_server.port
    feed_server.route("/real.xml", RSS)
    feed_server.redirect("/feed.xml", f"http://127.0.0.1:{port}/real.xml", 302)
    feed_server.redirect("/away.xml", "http://intranet.test/feed.xml", 301)
    local = f"http://blog.test:{port}/feed.xml"
    intranet = f"http://blog.test:{port}/away.xml"
    root = feeds_project(tmp_path / "p", [local, intranet])
    assert fetched(root) == {
        local: (
            "failed",
            f"redirected to http://127.0.0.1:{port}/real.xml; refused: 127.0.0.1 is a "
            f"loopback address {HINT}",
        ),
        intranet: (
            "failed",
            "redirected to http://intranet.test/feed.xml; refused: intranet.test resolves "
            f"to 10.0.0.5, a private address {HINT}",
        ),
    }
    assert feed_server.count("/feed.xml") == 1 and feed_server.count("/real.xml") == 0
    assert "10.0.0.5" not in fake_network.connected

    write(root, "content/members/ada.yaml", f"name: Ada\nfeeds: ['{local}']\n")
    allowed = fetched(root, "--allow-private")  # (allowed, 10.0.0.5 would be connected to)
    assert allowed[local] == ("ok", "")
    assert feed_server.count("/real.xml") == 1


def test_dns_rebinding_finds_no_second_lookup_to_win(
    tmp_path: Path, feed_server: FeedServer, fake_network: FakeNetwork
) -> None:
    """A name that resolves to a public address once, then to 127.0.0.1. The connection
    goes to the address that was checked (no lookup between the check and the connect),
    and the next connection, after the server closed the first, is looked up and checked
    again: refused."""
    port = feed_server.port
    fake_network.resolve("rebind.test", PUBLIC, "127.0.0.1")
    feed_server.answers(
        "/feed.xml",
        (302, {"Location": f"http://rebind.test:{port}/next.xml", "Connection": "close"}, b""),
    )
    feed_server.route("/next.xml", RSS)
    url = f"http://rebind.test:{port}/feed.xml"
    root = feeds_project(tmp_path / "p", [url])
    assert fetched(root) == {
        url: (
            "failed",
            f"redirected to http://rebind.test:{port}/next.xml; refused: rebind.test "
            f"resolves to 127.0.0.1, a loopback address {HINT}",
        )
    }
    assert fake_network.lookups == ["rebind.test", "rebind.test"]  # once per connection
    assert fake_network.connected == [PUBLIC]  # the checked address, and nothing else
    assert feed_server.count("/next.xml") == 0

    # the same check on one connection: resolved once, connected to as resolved
    fake_network.resolve("flip.test", PUBLIC, "127.0.0.1")
    flip = f"http://flip.test:{port}/next.xml"
    write(root, "content/members/ada.yaml", f"name: Ada\nfeeds: ['{flip}']\n")
    assert fetched(root)[flip] == ("ok", "")
    assert fake_network.lookups.count("flip.test") == 1
    assert fake_network.connected == [PUBLIC, PUBLIC]


@pytest.mark.network
def test_tls_verifies_the_host_name_while_connecting_to_the_checked_address(
    fake_network: FakeNetwork,
) -> None:
    """The connection goes to the address (routed to 127.0.0.1), the certificate is for
    the name only: TLS must have sent and verified the name."""
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("secure.test").configure_cert(server_tls)
    names: list[str | None] = []
    server_tls.sni_callback = lambda sock, name, context: names.append(name)
    client_tls = httpx.create_ssl_context()
    authority.configure_trust(client_tls)
    fake_network.resolve("secure.test", PUBLIC)
    with FeedServer(tls=server_tls) as server:
        server.route("/feed.xml", RSS)
        url = f"https://secure.test:{server.port}/feed.xml"

        async def get() -> httpx.Response:
            async with feed_client(FetchSettings(), client_tls) as client:
                return await client.get(url)

        response = asyncio.run(get())
    assert response.status_code == 200 and response.content == RSS
    assert names == ["secure.test"]
    assert fake_network.connected == [PUBLIC]


# -- the switch -------------------------------------------------------------------------------


@pytest.mark.slow
def test_build_fetch_follows_the_config(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS)
    root = feeds_project(tmp_path / "p", [url])
    refused = run("build", "--fetch", "--today", TODAY, "--no-search", cwd=root)
    assert refused.exit_code == 0, refused.output  # the site is built; the feed failed
    assert "refused: 127.0.0.1 is a loopback address" in refused.output
    write(root, "newsletter.yaml", ALLOW)
    allowed = run("build", "--fetch", "--today", TODAY, "--no-search", cwd=root)
    assert allowed.exit_code == 0 and "1 ok" in allowed.output, allowed.output


def test_the_table_names_the_member_and_the_refusal(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.route("/feed.xml", RSS)
    root = feeds_project(tmp_path / "p", [url])
    result = run("fetch", "--today", TODAY, cwd=root)
    assert result.exit_code == 1  # every feed failed
    (row,) = [line for line in result.output.splitlines() if url in line]
    assert row.split()[:3] == ["ada", url, "failed"]
    assert "refused: 127.0.0.1 is a loopback address (set feeds.allow_private" in row


# -- politeness -------------------------------------------------------------------------------


def test_the_user_agent_names_the_newsletter(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.route("/feed.xml", RSS)
    root = feeds_project(tmp_path / "p", [url], allow=True)
    fetched(root)
    (request,) = feed_server.requests
    assert request.headers["user-agent"] == (
        f"newsletter/{__version__} (+https://news.example.org/; feed aggregator; "
        "+https://pypi.org/project/newsletter)"
    )
    assert user_agent() == (
        f"newsletter/{__version__} (feed aggregator; +https://pypi.org/project/newsletter)"
    )


def gated_fetch(
    urls: list[str], gate: Gate, settings: FetchSettings, tmp_path: Path
) -> list[FeedOutcome]:
    """Fetch ``urls`` (in a thread) while ``gate`` holds their requests: once as many are
    held as the client should send at most, a client over its limit would send one more
    now, while they are held; then the gate opens and every feed completes."""
    targets = [FeedTarget(url, "ada", Location("x")) for url in urls]
    done: list[FeedOutcome] = []

    def work() -> None:
        with open_cache(tmp_path / "state", create=True) as cache:
            assert cache is not None
            done.extend(r.outcome for r in fetch(targets, cache, settings))

    worker = threading.Thread(target=work)
    worker.start()
    try:
        expected = min(settings.jobs, settings.per_host * len({u.split("/")[2] for u in urls}))
        assert gate.wait_held(expected), f"only {gate.held} requests arrived"
        gate.wait_held(expected + 1, timeout=0.5)  # room for a client over its limit to show
    finally:
        gate.open()
        worker.join(60)
    assert not worker.is_alive()
    return done


@pytest.mark.slow
@pytest.mark.parametrize("per_host", [1, 2, 3])
def test_at_most_per_host_requests_at_once_to_one_host(
    tmp_path: Path, feed_server: FeedServer, per_host: int
) -> None:
    gate = Gate()
    urls = [feed_server.gated(f"/{i}.xml", gate, RSS) for i in range(6)]
    settings = FetchSettings(jobs=16, per_host=per_host, allow_private=True)
    assert gated_fetch(urls, gate, settings, tmp_path) == [FeedOutcome.OK] * 6
    assert gate.most == per_host


@pytest.mark.slow
@pytest.mark.parametrize(("jobs", "most"), [(16, 4), (3, 3)])
def test_hosts_are_limited_each_and_jobs_in_all(
    tmp_path: Path, feed_server: FeedServer, fake_network: FakeNetwork, jobs: int, most: int
) -> None:
    fake_network.resolve("a.test", "127.0.0.1")
    fake_network.resolve("b.test", "127.0.0.1")
    gate = Gate()
    urls = [
        feed_server.gated(f"/{i}.xml", gate, RSS).replace("127.0.0.1", host)
        for i, host in enumerate(["a.test", "b.test"] * 4)
    ]
    settings = FetchSettings(jobs=jobs, per_host=2, allow_private=True)
    assert gated_fetch(urls, gate, settings, tmp_path) == [FeedOutcome.OK] * 8
    assert gate.most == most


@pytest.mark.slow
def test_per_host_on_the_command_line(tmp_path: Path, feed_server: FeedServer) -> None:
    gate = Gate()
    urls = [feed_server.gated(f"/{i}.xml", gate, RSS) for i in range(5)]
    root = feeds_project(tmp_path / "p", urls, allow=True)
    results: list[int] = []
    worker = threading.Thread(
        target=lambda: results.append(
            run("fetch", "--per-host", "3", "--today", TODAY, cwd=root).exit_code
        )
    )
    worker.start()
    try:
        assert gate.wait_held(3)
        gate.wait_held(4, timeout=0.5)  # room for a client over its limit to show
    finally:
        gate.open()
        worker.join(60)
    assert results == [0] and gate.most == 3


@pytest.mark.slow
def test_retry_after_seconds_is_honoured(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.answers("/busy.xml", (503, {"Retry-After": "1"}, b"busy"), (200, {}, RSS))
    root = feeds_project(tmp_path / "p", [url], allow=True)
    assert fetched(root) == {url: ("ok", "")}
    first, second = feed_server.requests
    # a lower bound only: the client must have waited the second it was asked to wait
    assert second.received - first.received >= 0.9


@pytest.mark.slow
def test_retry_after_as_a_date_is_read_against_the_pinned_clock(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """--today pins `now` to 2026-11-25 00:00 UTC: the date below is one second later."""
    url = feed_server.answers(
        "/busy.xml",
        (429, {"Retry-After": "Wed, 25 Nov 2026 00:00:01 GMT"}, b""),
        (200, {}, RSS),
    )
    root = feeds_project(tmp_path / "p", [url], allow=True)
    assert fetched(root) == {url: ("ok", "")}
    assert feed_server.count("/busy.xml") == 2


def test_retry_after_beyond_the_feeds_time_is_not_waited_for(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    seconds = feed_server.answers("/later.xml", (429, {"Retry-After": "120"}, b""))
    date = feed_server.answers(
        "/tomorrow.xml", (503, {"Retry-After": "Thu, 26 Nov 2026 00:00:00 GMT"}, b"")
    )
    root = feeds_project(tmp_path / "p", [seconds, date], allow=True)
    assert fetched(root, "--feed-timeout", "5") == {
        seconds: (
            "failed",
            "HTTP 429 Too Many Requests: the server asks us to come back in 120 s, more "
            "than this feed has left of its 5 s (--feed-timeout)",
        ),
        date: (
            "failed",
            "HTTP 503 Service Unavailable: the server asks us to come back at Thu, 26 Nov "
            "2026 00:00:00 GMT (in 86400 s), more than this feed has left of its 5 s "
            "(--feed-timeout)",
        ),
    }
    assert feed_server.count("/later.xml") == 1 and feed_server.count("/tomorrow.xml") == 1


def test_retries_are_bounded(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.answers("/busy.xml", (503, {"Retry-After": "0"}, b""))
    root = feeds_project(tmp_path / "p", [url], allow=True)
    reason = "HTTP 503 Service Unavailable: the server failed; it may work next time"
    assert fetched(root) == {url: ("failed", reason)}
    assert feed_server.count("/busy.xml") == 1 + FetchSettings().max_retries


NOW = dt.datetime.combine(TODAY_DATE, dt.time(), dt.UTC)


@pytest.mark.parametrize(
    ("status", "value", "wait"),
    [
        (503, "1", 1.0),
        (429, " 120 ", 120.0),
        (503, "Wed, 25 Nov 2026 00:01:00 GMT", 60.0),
        (503, "Tue, 24 Nov 2026 23:00:00 GMT", 0.0),  # in the past: at once
        (503, "Wednesday, 25-Nov-26 00:00:30 GMT", 30.0),  # RFC 850, still allowed
        (503, "soon", None),
        (503, "-5", None),
        (503, "", None),
        (500, "1", None),  # only 429 and 503 ask to come back
        (301, "1", None),
    ],
)
def test_retry_after_values(status: int, value: str, wait: float | None) -> None:
    headers = {"Retry-After": value} if value else {}
    response = httpx.Response(status, headers=headers)
    assert retry_after(response, NOW) == wait
