"""Everything the demo node serves passes the OASIS stix2-validator (offline)."""

from __future__ import annotations

import orjson
from stix2validator import ValidationOptions, validate_instance

from accord.demo import demo_publications
from accord.stix.markings import Tlp, tlp_marking_definition


def test_demo_objects_and_tlp_definitions_pass_the_oasis_validator() -> None:
    options = ValidationOptions(version="2.1", strict=False)
    objects = [o for _, _, _, items in demo_publications() for o in items]
    objects += [tlp_marking_definition(level) for level in Tlp]
    for obj in objects:
        result = validate_instance(orjson.loads(orjson.dumps(obj)), options)
        assert result.is_valid, (obj["id"], [str(e) for e in result.errors])
