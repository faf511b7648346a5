"""Sightings of an object over REST: GET /api/v1/objects/{id}/sightings."""

from __future__ import annotations

from fastapi import APIRouter, Request

from accord.acts import sightings as sighting_acts
from accord.api.auth import CurrentAccount, engine_of
from accord.api.params import Origin
from accord.api.responses import PROBLEM_RESPONSES, JSONBytes

router = APIRouter(prefix="/api/v1/objects", tags=["objects"], responses=PROBLEM_RESPONSES)


@router.get(
    "/{stix_id}/sightings",
    summary="How many sightings of an object you may see, by whom and when",
    response_class=JSONBytes,
)
def sightings_route(
    request: Request,
    account: CurrentAccount,
    stix_id: str,
    origin: Origin = None,
) -> JSONBytes:
    """The latest sightings naming the object in ``sighting_of_ref`` that you may see, per
    origin (a party's code, or ``channel:<name>`` / ``hub`` for an anonymised sighting):
    their number, the sum of their ``count``, first and last seen, and the sightings.
    Nothing you may not see is counted; an object you may not see is a 404."""
    with engine_of(request).begin() as connection:
        body = sighting_acts.sightings(connection, account, stix_id, door="api", origin=origin)
    return JSONBytes(body)
