"""The SSRF guard's classification of addresses (pure: literal IPs, no traffic)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.exceptions import ConfigError
from monitor.fetch.address_guard import AddressGuard, parse_address, refusal_reason

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.0.0.2", "loopback"),
    ("10.0.0.5", "private"),
    ("172.16.3.4", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"),  # cloud metadata service
    ("100.64.0.1", "shared (carrier-grade NAT)"),
    ("100.127.255.254", "shared (carrier-grade NAT)"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "private"),  # "this network"
    ("240.0.0.1", "private"),  # reserved class E (Python files it as private too)
    ("255.255.255.255", "private"),
    ("192.0.2.10", "private"),  # documentation
    ("198.18.0.1", "private"),  # benchmarking
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("ff02::1", "multicast"),
    ("fec0::1", "site-local"),
    ("2001:db8::1", "private"),
    ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
    ("::ffff:10.0.0.5", "private"),
    ("::ffff:169.254.169.254", "link-local"),
    ("2002:a00:5::1", "private"),  # 6to4 of 10.0.0.5
    ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
    ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
    ("64:ff9b::7f00:1", "loopback"),
    ("64:ff9b:1::808:808", "reserved"),  # local-use NAT64: a local network's translator
]

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "151.101.1.69",
    "100.63.255.255",  # just below 100.64/10
    "100.128.0.0",  # just above it
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",  # mapped public address: judged by the IPv4 inside
    "2002:808:808::1",  # 6to4 of 8.8.8.8
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
]


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_non_public_addresses_are_refused_with_their_kind(address: str, kind: str) -> None:
    assert refusal_reason(parse_address(address)) == kind
    assert AddressGuard(allow_private=False).refusal(address) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert refusal_reason(parse_address(address)) is None
    assert AddressGuard(allow_private=False).refusal(address) is None


def test_refusal_names_the_address() -> None:
    guard = AddressGuard(allow_private=False)
    assert guard.refusal("10.0.0.5") == "resolves to private address 10.0.0.5"
    assert guard.refusal("::ffff:127.0.0.1") == "resolves to loopback address 127.0.0.1"


def test_zone_id_is_ignored() -> None:
    assert AddressGuard(allow_private=False).refusal("fe80::1%eth0") is not None


def test_allow_private_networks_allows_everything() -> None:
    guard = AddressGuard(allow_private=True)
    assert guard.first_refusal(["127.0.0.1", "169.254.169.254", "10.1.2.3"]) is None


def test_allowed_networks_exempt_only_their_addresses() -> None:
    guard = AddressGuard(allow_private=False, allowed_networks=("10.1.0.0/16", "fd00::/8"))
    assert guard.refusal("10.1.2.3") is None
    assert guard.refusal("::ffff:10.1.2.3") is None  # mapped form of an allowed address
    assert guard.refusal("fd00::5") is None
    assert guard.refusal("10.2.0.1") == "resolves to private address 10.2.0.1"
    assert guard.refusal("127.0.0.1") is not None


def test_one_refused_address_refuses_the_host() -> None:
    guard = AddressGuard(allow_private=False)
    assert guard.first_refusal(["8.8.8.8", "2606:4700::1"]) is None
    refusal = guard.first_refusal(["8.8.8.8", "10.0.0.5", "1.1.1.1"])
    assert refusal == "resolves to private address 10.0.0.5"


def test_literal_refusal_ignores_host_names() -> None:
    guard = AddressGuard(allow_private=False)
    assert guard.literal_refusal("example.com") is None
    assert guard.literal_refusal("169.254.169.254") is not None
    assert guard.literal_refusal("::1") is not None


def test_invalid_allowed_network_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"fetch\.allowed_networks"):
        AddressGuard(allow_private=False, allowed_networks=("10.0.0.0/33",))


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_ipv4_mapped_form_is_judged_like_the_ipv4_address(value: int) -> None:
    v4 = ipaddress.IPv4Address(value)
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    assert refusal_reason(mapped) == refusal_reason(v4)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_nothing_refused_is_global_unicast(value: int) -> None:
    v4 = ipaddress.IPv4Address(value)
    if refusal_reason(v4) is None:
        assert v4.is_global and not v4.is_multicast
