"""Everything the demo node serves, and observables as served, pass the OASIS stix2-validator
(offline)."""

from __future__ import annotations

import orjson
from stix2validator import ValidationOptions, validate_instance

from accord.demo import demo_publications
from accord.federation.collections import collection_id
from accord.stix.markings import Tlp, tlp_marking_definition
from tests.conftest import Node
from tests.stix_factory import OBSERVABLE_TYPES, bundle, observable


def test_demo_objects_and_tlp_definitions_pass_the_oasis_validator() -> None:
    options = ValidationOptions(version="2.1", strict=False)
    objects = [o for _, _, _, items in demo_publications() for o in items]
    objects += [tlp_marking_definition(level) for level in Tlp]
    for obj in objects:
        result = validate_instance(orjson.loads(orjson.dumps(obj)), options)
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])


def test_served_observables_pass_the_oasis_validator(trio: Node) -> None:
    """Observables as TAXII serves them (each type of the property tests, a later version
    too) are valid STIX 2.1: no created or modified added, nothing rewritten."""
    options = ValidationOptions(version="2.1", strict=False)
    published = [observable(kind, f"served-{n}") for n, kind in enumerate(OBSERVABLE_TYPES)]
    published.append({**published[0], "defanged": True})
    for obj in published:
        answer = trio.client.post(
            "/api/v1/objects",
            params={"audience": "network", "tlp": "green"},
            content=orjson.dumps(bundle(obj)),
            headers={**trio.headers("kz"), "Content-Type": "application/json"},
        )
        assert answer.status_code == 200, answer.text
    served = trio.client.get(
        f"/taxii2/api/collections/{collection_id('network')}/objects/",
        params={"match[version]": "all"},
        headers={**trio.headers("ru"), "Accept": "application/taxii+json;version=2.1"},
    ).json()["objects"]
    assert sorted(served, key=orjson.dumps) == sorted(published, key=orjson.dumps)
    for obj in served:
        result = validate_instance(obj, options)
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])
