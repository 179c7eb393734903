"""The SSRF guard of ``--fetch``: non-public addresses, odd host spellings, redirects and DNS rebinding are refused.

A real HTTP server on 127.0.0.1 stands in for an internal service; its request log shows what reached it. Host
names other than IP literals are resolved by a small table (there is no DNS on the test machine) given to the
fetcher the way it takes ``socket.getaddrinfo``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from loopback import Reply, serve, static
from storyline.config import FetchOptions, IngestOptions, Settings, parse_networks
from storyline.errors import ConfigError
from storyline.ingest import read_inputs
from storyline.ingest.fetch import Fetcher, FetchError
from storyline.ingest.ssrf import AddressGuard

REFUSED = "refused: non-public address"
PAGE = b"<html><body><article><p>The harbour of Arlow closed for two days after the storm.</p></article></body></html>"


def options(tmp_path: Path, **changes: object) -> FetchOptions:
    base = {"host_delay": 0.0, "backoff": 0.01, "max_backoff": 0.05, "cache_dir": str(tmp_path / "cache"),
            "respect_robots": False}
    return FetchOptions(**{**base, **changes})


HOSTILE = [  # (host as written in a URL, what the refusal must name)
    ("127.0.0.1", "loopback"),
    ("localhost", "loopback"),
    ("2130706433", "loopback"),  # decimal spelling of 127.0.0.1
    ("0177.0.0.1", "loopback"),  # octal
    ("0x7f.0.0.1", "loopback"),  # hexadecimal
    ("127.1", "loopback"),  # short form
    ("10.0.0.5", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata service
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("0.0.0.0", "unspecified"),
    ("100.64.0.1", "non-global"),  # carrier-grade NAT
    ("[::1]", "loopback"),
    ("[::]", "unspecified"),
    ("[fe80::1]", "link-local"),
    ("[ff02::1]", "multicast"),
    ("[fc00::1]", "private"),
    ("[fec0::1]", "site-local"),
    ("[::ffff:127.0.0.1]", "loopback IPv4 address inside an IPv6"),
    ("[::ffff:169.254.169.254]", "link-local IPv4 address inside an IPv6"),
    ("[2002:7f00:1::]", "loopback IPv4 address inside an IPv6"),  # 6to4
    ("[64:ff9b::a00:1]", "private IPv4 address inside an IPv6"),  # NAT64
    ("[::127.0.0.1]", "reserved"),  # IPv4-compatible
]


@pytest.mark.parametrize(("host", "kind"), HOSTILE)
def test_a_non_public_host_is_refused_with_its_kind_and_counted(tmp_path: Path, host: str, kind: str) -> None:
    with Fetcher(options(tmp_path)) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.get(f"http://{host}:9/page.html")
        assert fetcher.counts == {REFUSED: 1}
    assert "SSRF guard" in caught.value.reason and kind in caught.value.reason
    assert "fetch.allow_private_hosts" in (caught.value.hint or "")


def test_public_addresses_pass_the_guard() -> None:
    guard = AddressGuard()
    for address in ("93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "2002:5db8:d822::"):
        assert guard.refusal(address) is None, address


def test_nothing_reaches_a_loopback_service_unless_allowed(tmp_path: Path) -> None:
    with serve({"/admin": static(PAGE)}) as site:
        port = site.base.rsplit(":", 1)[1]
        with Fetcher(options(tmp_path, respect_robots=True)) as fetcher:
            for host in ("127.0.0.1", "localhost", "2130706433", "[::ffff:127.0.0.1]"):
                with pytest.raises(FetchError, match="SSRF guard"):
                    fetcher.get(f"http://{host}:{port}/admin")
        assert site.requests == []  # not even robots.txt
        with Fetcher(options(tmp_path, allow_private_hosts=True)) as fetcher:
            assert fetcher.get(site.base + "/admin").body == PAGE
        with Fetcher(options(tmp_path, allow_networks="127.0.0.0/30")) as fetcher:
            assert fetcher.get(site.base + "/admin").body == PAGE
        assert site.hits("/admin") == 2


def test_a_redirect_to_a_non_public_host_is_refused(tmp_path: Path) -> None:
    def redirect(target: str) -> object:
        return lambda _r, _s: Reply(302, b"", {"Location": target})

    routes: dict = {"/ok": static(PAGE)}
    with serve(routes) as site:
        port = site.base.rsplit(":", 1)[1]
        targets = {"/to-loopback": f"http://127.0.0.2:{port}/ok", "/to-ipv6": f"http://[::1]:{port}/ok",
                   "/to-decimal": f"http://2130706434:{port}/ok", "/to-metadata": "http://169.254.169.254/latest/",
                   "/to-allowed": f"{site.base}/ok"}
        routes.update({path: redirect(target) for path, target in targets.items()})
        # only 127.0.0.1 itself is allowed: it plays a public site redirecting inwards
        with Fetcher(options(tmp_path, allow_networks="127.0.0.1")) as fetcher:
            for path in ("/to-loopback", "/to-ipv6", "/to-decimal", "/to-metadata"):
                with pytest.raises(FetchError, match="SSRF guard") as caught:
                    fetcher.get(site.base + path)
                assert caught.value.input == site.base + path
            assert fetcher.get(site.base + "/to-allowed").body == PAGE
            assert fetcher.counts[REFUSED] == 4
    assert site.hits("/ok") == 1  # only the allowed redirect reached its target


class RebindingDNS:
    """A name server whose answer changes between the lookups of one fetch (the DNS rebinding attack)."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return [self.answers[min(len(self.lookups), len(self.answers)) - 1]]


def test_the_address_connected_to_is_the_one_checked(tmp_path: Path) -> None:
    with serve({"/ok": static(PAGE)}) as site:
        port = site.base.rsplit(":", 1)[1]
        allow = options(tmp_path, allow_networks="127.0.0.1")
        steady = RebindingDNS("127.0.0.1")
        with Fetcher(allow, resolve=steady) as fetcher:
            assert fetcher.get(f"http://news.test:{port}/ok").body == PAGE
        assert site.requests[-1][2]["Host"] == f"news.test:{port}" and set(steady.lookups) == {"news.test"}
        # the first lookups answer the allowed address, the one made to connect answers a private one
        rebinding = RebindingDNS("127.0.0.1", "127.0.0.1", "10.0.0.7")
        with Fetcher(allow, resolve=rebinding) as fetcher:
            with pytest.raises(FetchError, match=r"news\.test resolves to private address 10\.0\.0\.7"):
                fetcher.get(f"http://news.test:{port}/ok")
            assert fetcher.counts == {REFUSED: 1}
        assert len(rebinding.lookups) == 3 and site.hits("/ok") == 1


def test_refused_urls_are_counted_rejects_of_the_run(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("http://169.254.169.254/latest/meta-data/\nhttp://[::1]/admin\nhttp://0x7f000001/\n")
    articles, rejected, _ = read_inputs([str(listing)], IngestOptions(), options(tmp_path, enabled=True))
    assert articles == [] and len(rejected) == 3
    assert all("refused by the SSRF guard" in r.reason and "allow_private_hosts" in r.reason for r in rejected)


def test_the_guard_is_on_by_default_and_switched_off_only_explicitly() -> None:
    assert FetchOptions().allow_private_hosts is False and FetchOptions().allow_networks == ""
    on = Settings.load(env={"STORYLINE_FETCH_ALLOW_PRIVATE_HOSTS": "1",
                            "STORYLINE_FETCH_ALLOW_NETWORKS": "10.20.0.0/16, fd00:1::/64"})
    assert on.fetch.allow_private_hosts is True
    assert [str(n) for n in parse_networks(on.fetch.allow_networks)] == ["10.20.0.0/16", "fd00:1::/64"]
    with pytest.raises(ConfigError, match="not an IP network"):  # at load, not at the first fetch
        FetchOptions(allow_networks="10.0.0.0/8, intranet")
    with pytest.raises(ConfigError, match=r"fetch\.allow_networks: 'intranet' is not an IP network"):
        Settings.load(env={"STORYLINE_FETCH_ALLOW_NETWORKS": "10.0.0.0/8, intranet"})
