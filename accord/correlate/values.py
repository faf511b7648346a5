# TEMPORARY stand-in until the helper's values.py lands (not to be committed)
from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Key:
    kind: str
    value: str
    source: str = ""
    lo: str | None = None
    hi: str | None = None

    @property
    def digest(self) -> int:
        d = hashlib.sha256(f"{self.kind}\x1f{self.value}".encode()).digest()
        return int.from_bytes(d[:8], "big") >> 1


def parse_value_spec(spec: str) -> Key:
    kind, _, value = spec.partition(":")
    kind = {"domain-name": "domain", "ipv4-addr": "ipv4"}.get(kind, kind)
    if kind == "ipv4":
        import ipaddress

        net = ipaddress.ip_network(value, strict=False)
        v = str(net.network_address) if net.num_addresses == 1 else str(net)
        return Key(
            kind, v, lo=f"{int(net.network_address):08x}", hi=f"{int(net.broadcast_address):08x}"
        )
    return Key(kind, value.lower().rstrip("."))
