"""How the package reaches the web: one HTTP client setup for `fetch` (members' feeds) and
`new post --link` (a page's metadata).

It owns what every request shares: the User-Agent that names the newsletter, timeouts, the
redirect limit, no proxy or ``.netrc`` credentials taken from the environment, and the
private-address guard. It decides nothing about what a response means (``fetch`` and
``pagemeta`` do).

The guard: a member's URL is untrusted, and whatever it returns may be published, so by
default no request may reach this machine or the network it runs in (loopback,
link-local — the cloud metadata service at 169.254.169.254 —, private, multicast,
unspecified or reserved addresses, also inside IPv6: IPv4-mapped, 6to4, Teredo, NAT64).
httpcore makes every connection, the first and each redirect's, through the network
backend given to its pool; :class:`GuardedBackend` resolves the host once, checks every
address it gets, and connects to a checked address, so no later lookup can answer
differently (DNS rebinding). Spellings such as ``2130706433``, ``0x7f.1`` or ``0177.1``
are resolved by the system's resolver like any name, and the address it returns is what
is checked. TLS still verifies the certificate of, and sends SNI for, the host name:
httpcore starts TLS with the URL's host, whatever address the stream is connected to.
``allow_private`` (``feeds.allow_private`` in newsletter.yaml, ``fetch --allow-private``)
turns the checks off, for intranets and local test servers; the same code path runs.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from newsletter import __version__
from newsletter.core.errors import NewsletterError
from newsletter.feeds.settings import FetchSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_HINT = "set feeds.allow_private: true in newsletter.yaml to allow it"

FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


def user_agent(site_url: str = "", purpose: str = "feed aggregator") -> str:
    """``newsletter/0.1.0 (+https://news.example.org/; feed aggregator; +https://pypi.org/…)``:
    the newsletter's own address first, so that a blog's owner sees who fetches them."""
    about = [f"+{site_url}"] if site_url else []
    about += [purpose, "+https://pypi.org/project/newsletter"]
    return f"newsletter/{__version__} ({'; '.join(about)})"


# -- which addresses are off limits ---------------------------------------------------------

_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

_KINDS: list[tuple[Callable[[IPAddress], bool], str]] = [
    (lambda a: a.is_unspecified, "an unspecified address, which reaches this machine"),
    (lambda a: a.is_loopback, "a loopback address"),
    (lambda a: a in _METADATA, "a link-local address, where clouds serve instance metadata"),
    (lambda a: a.is_link_local, "a link-local address"),
    (lambda a: a.is_multicast, "a multicast address"),
    (lambda a: a.is_reserved, "a reserved address"),
    (lambda a: a.is_private, "a private address"),
    (lambda a: not a.is_global, "not a public address"),
]


def why_refused(address: IPAddress) -> str | None:
    """What puts ``address`` off limits for a member's URL ('a loopback address'), or None
    for a public address. An IPv6 address carrying an IPv4 one is judged by that too."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped
        if mapped is None and address in _NAT64:
            mapped = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if mapped is not None:  # the connection goes to the IPv4 address alone
            why = why_refused(mapped)
            return f"{mapped} inside IPv6, {why}" if why else None
        carried = [("6to4", address.sixtofour)]
        if address.teredo:
            carried.append(("Teredo", address.teredo[1]))
        for tunnel, inner in carried:
            if inner is not None and (why := why_refused(inner)):
                return f"a {tunnel} address of {inner}, {why}"
    return next((kind for test, kind in _KINDS if test(address)), None)


class AddressRefused(NewsletterError, httpcore.ConnectError):
    """The guard refused to connect: the host resolves to an address off limits.

    A connection error to httpcore, so httpx reports it as :class:`httpx.ConnectError`
    with this as its cause (see :func:`refusal`); the message says what and why."""

    def __init__(self, host: str, address: str, why: str) -> None:
        self.host, self.address, self.why = host, address, why
        subject = f"{address} is" if host == address else f"{host} resolves to {address},"
        super().__init__(f"refused: {subject} {why} ({ALLOW_HINT})")


def refusal(err: BaseException) -> AddressRefused | None:
    """The guard's refusal behind an error that httpx raised, if that is what it was."""
    cause: BaseException | None = err
    for _ in range(10):
        if cause is None or isinstance(cause, AddressRefused):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def checked(host: str, found: Iterable[str], allow_private: bool) -> list[str]:
    """The addresses ``found`` for ``host`` (by getaddrinfo, in its order), once each;
    :class:`AddressRefused` if any is off limits: a name is trusted whole or not at all."""
    addresses = list(dict.fromkeys(found))
    if not addresses:
        raise httpcore.ConnectError(f"no address for {host}")
    if allow_private:
        return addresses
    for address in addresses:
        if why := why_refused(ipaddress.ip_address(address)):
            raise AddressRefused(host, address, why)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's asyncio (anyio) backend, connecting only to addresses it has checked."""

    def __init__(self, allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as err:
            raise httpcore.ConnectTimeout(f"no address for {host} within {timeout:g} s") from err
        except (OSError, UnicodeError) as err:  # socket.gaierror: no such host
            raise httpcore.ConnectError(str(err)) from err
        addresses = checked(host, (str(info[4][0]) for info in found), self.allow_private)
        for address in addresses[:-1]:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue  # a dual-stack host without a route for one family: the next one
        return await self.inner.connect_tcp(
            addresses[-1], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("only TCP connections are made")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedSyncBackend(httpcore.NetworkBackend):
    """The same guard for blocking clients (page metadata)."""

    def __init__(self, allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as err:
            raise httpcore.ConnectError(str(err)) from err
        addresses = checked(host, (str(info[4][0]) for info in found), self.allow_private)
        for address in addresses[:-1]:
            try:
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue  # as above
        return self.inner.connect_tcp(addresses[-1], port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("only TCP connections are made")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


# -- clients ----------------------------------------------------------------------------------

_NO_BACKEND_OPTION = (
    "this httpx has changed how its transport keeps its connection pool; the "
    "private-address guard cannot be installed (newsletter/feeds/http.py)"
)


def _pool_kwargs(tls: ssl.SSLContext, limits: httpx.Limits) -> dict[str, Any]:
    return {
        "ssl_context": tls,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
    }


def _async_transport(
    tls: ssl.SSLContext, limits: httpx.Limits, allow_private: bool
) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(verify=tls, limits=limits, trust_env=False)
    # httpx's transports take no network backend (encode/httpx#3749 proposes one): the pool
    # they made is replaced by the same pool on the guarded backend. If httpx ever stops
    # keeping it there, this fails loudly rather than fetching unguarded.
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError(_NO_BACKEND_OPTION)
    transport._pool = httpcore.AsyncConnectionPool(
        **_pool_kwargs(tls, limits), network_backend=GuardedBackend(allow_private)
    )
    return transport


def _sync_transport(
    tls: ssl.SSLContext, limits: httpx.Limits, allow_private: bool
) -> httpx.HTTPTransport:
    """As _async_transport, for blocking clients."""
    transport = httpx.HTTPTransport(verify=tls, limits=limits, trust_env=False)
    if not isinstance(getattr(transport, "_pool", None), httpcore.ConnectionPool):
        raise RuntimeError(_NO_BACKEND_OPTION)
    transport._pool = httpcore.ConnectionPool(
        **_pool_kwargs(tls, limits), network_backend=GuardedSyncBackend(allow_private)
    )
    return transport


def feed_client(settings: FetchSettings, tls: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    """A client for one feed: one connection, the settings' timeouts and redirect limit,
    guarded unless ``settings.allow_private``. ``tls``: a context made once for many."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    return httpx.AsyncClient(
        transport=_async_transport(
            tls or httpx.create_ssl_context(), limits, settings.allow_private
        ),
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=None,
        ),
        follow_redirects=True,
        max_redirects=settings.max_redirects,
        headers={
            "User-Agent": user_agent(settings.site_url),
            "Accept": FEED_ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        },
        trust_env=False,  # no proxy or .netrc credentials from the environment for members' URLs
    )


def page_client(
    timeout: float, *, allow_private: bool = False, site_url: str = "", max_redirects: int = 5
) -> httpx.Client:
    """A blocking client for one web page (a shared link), guarded like feeds."""
    return httpx.Client(
        transport=_sync_transport(httpx.create_ssl_context(), httpx.Limits(), allow_private),
        timeout=timeout,
        follow_redirects=True,
        max_redirects=max_redirects,
        headers={"User-Agent": user_agent(site_url, "link preview"), "Accept": "text/html"},
        trust_env=False,
    )
