"""Ray addresses as text: the accepted forms and their parsing (no Ray import, no network)."""

from __future__ import annotations

LOCAL, AUTO = "local", "auto"


def validate_address(address: str) -> str:
    """The address stripped; ValueError with the accepted forms when it is none of them."""
    text = (address or "").strip()
    if text in (LOCAL, AUTO):
        return text
    host, port = host_port(text)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"Ray address {address!r} is not valid: use 'local', 'auto', 'host:6379' or "
                         "'ray://host:10001'")
    return text


def host_port(address: str) -> tuple[str, str]:
    """(host, port) of a 'host:port' or 'ray://host:port' address, brackets of IPv6 hosts removed."""
    rest = address.removeprefix("ray://")
    host, _, port = rest.rpartition(":")
    return host.strip("[]"), port
