"""Objects arriving from peers correlate and alert on arrival, exactly as local ones, and
only for parties of the receiving node that may see them (real nodes, separate processes)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.federation.test_nodes import FedNode, network  # noqa: F401  (the fixture)
from tests.stix_factory import sdo


def _call(node: FedNode, account: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {node.tokens[account]}"}
    return httpx.request(method, f"{node.base}{path}", headers=headers, timeout=30, **kw)


@pytest.mark.slow
def test_a_peer_s_object_alerts_on_arrival(network: dict[str, FedNode]) -> None:  # noqa: F811
    a, b, c = (network[k] for k in "abc")
    for node, party in ((b, "ru-nac"), (c, "cn-mps")):
        made = _call(node, party, "POST", "/api/v1/watches", json={"name": "Abdulla Khasanov"})
        assert made.status_code == 201, made.text
    bilateral = sdo("identity", name="Абдулла Хасанов", identity_class="individual")
    everyone = sdo("identity", name="Abdulla Khasanov", identity_class="individual")
    a.publish("kz-knb", "kz-ru", "amber", bilateral)
    a.publish("kz-knb", "network", "green", everyone)
    b.peer("a-kz-ru", a, "kz-ru")
    b.peer("a-network", a, "network")
    c.peer("a-network", a, "network")
    b.sync()
    c.sync()
    seen_b = _call(b, "ru-nac", "GET", "/api/v1/alerts").json()["items"]
    seen_c = _call(c, "cn-mps", "GET", "/api/v1/alerts").json()["items"]
    assert {x["object_id"] for x in seen_b} == {bilateral["id"], everyone["id"]}
    assert {x["object_id"] for x in seen_c} == {everyone["id"]}
    cyrillic = next(x for x in seen_b if x["object_id"] == bilateral["id"])
    assert cyrillic["object"]["origin"] == "kz-knb"
    assert cyrillic["reason"]["how"] == "screening"
    # The received object correlates with the other on the receiving node.
    found = _call(b, "ru-nac", "GET", f"/api/v1/objects/{bilateral['id']}/correlations").json()
    assert {o["id"] for c_ in found["correlations"] for o in c_["objects"]} == {everyone["id"]}
