"""The UN Security Council Consolidated List (XML), read with a hardened parser.

defusedxml refuses entity expansion, external entities and DTD retrieval; a truncated or
mis-encoded file is an error naming the line and column. Each INDIVIDUAL or ENTITY becomes a
record keyed by its REFERENCE_NUMBER (QDi.001, TAe.004...), designated by jurisdiction UN.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from accord.errors import InvalidInput
from accord.register.dates import ListDate, parse_list_date
from accord.register.model import Designation, Name, Record, script_of

QUALITY = {"good": "strong", "a.k.a.": "strong", "low": "weak", "f.k.a.": "former", "": "weak"}
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def read_un_xml(path: Path) -> tuple[ListDate | None, list[Record], list[tuple[str, str]]]:
    """The list's generation date, its records, and the elements refused (where, why);
    InvalidInput for a file that cannot be read at all."""
    try:
        root = SafeET.parse(str(path), forbid_dtd=True).getroot()
    except DefusedXmlException as exc:
        raise InvalidInput(
            f"{path.name}: refused: {exc} (DTDs and entities are not allowed)"
        ) from exc
    except ParseError as exc:
        line, column = exc.position
        raise InvalidInput(
            f"{path.name}: not well-formed XML at line {line}, column {column}: {exc}"
        ) from exc
    if root.tag != "CONSOLIDATED_LIST":
        raise InvalidInput(
            f"{path.name}: root element is <{root.tag}>, expected <CONSOLIDATED_LIST>"
        )
    try:
        generated = parse_list_date((root.get("dateGenerated") or "")[:10])
    except ValueError as exc:
        raise InvalidInput(f"{path.name}: CONSOLIDATED_LIST@dateGenerated: {exc}") from exc
    records: list[Record] = []
    refused: list[tuple[str, str]] = []
    for section, tag, kind in (
        ("INDIVIDUALS", "INDIVIDUAL", "person"),
        ("ENTITIES", "ENTITY", "organization"),
    ):
        for position, element in enumerate(root.findall(f"{section}/{tag}"), start=1):
            try:
                records.append(_record(path.name, element, tag, kind, position))
            except InvalidInput as exc:
                refused.append((f"{tag} #{position}", exc.detail))
    return generated, records, refused


def _text(element: Element, tag: str) -> str:
    found = element.find(tag)
    return " ".join((found.text or "").split()) if found is not None else ""


def _record(file_name: str, element: Element, tag: str, kind: str, position: int) -> Record:
    reference = _text(element, "REFERENCE_NUMBER")
    where = f"{file_name}: {tag} #{position}" + (f" ({reference})" if reference else "")
    if not reference:
        raise InvalidInput(f"{where}: REFERENCE_NUMBER is missing")
    primary = " ".join(p for p in (_text(element, part) for part in NAME_PARTS) if p)
    if not primary:
        raise InvalidInput(f"{where}: no name (FIRST_NAME is empty)")
    names = [Name(primary, "primary", script_of(primary))]
    original = _text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append(Name(original, "strong", script_of(original)))
    for alias in element.findall(f"{tag}_ALIAS"):
        quality = QUALITY.get(_text(alias, "QUALITY").lower(), "weak")
        # The list has empty placeholders (<ALIAS_NAME/>), and some entries pack several
        # names in one: "جبهة النصرة (the Victory Front; Jabhat al-Nusrah; ...)".
        for alias_name in split_names(_text(alias, "ALIAS_NAME")):
            names.append(Name(alias_name, quality, script_of(alias_name)))
    try:
        listed = parse_list_date(_text(element, "LISTED_ON"))
    except ValueError as exc:
        raise InvalidInput(f"{where}: LISTED_ON: {exc}") from exc
    details: dict[str, Any] = {}
    if kind == "person":
        details = _person_details(element)
    designation = Designation(
        jurisdiction="UN",
        status="listed",
        programme=_text(element, "UN_LIST_TYPE"),
        authority="UN Security Council",
        reference=reference,
        listed_on=listed,
        source_url="https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    )
    payload = {
        "DATAID": _text(element, "DATAID"),
        "VERSIONNUM": _text(element, "VERSIONNUM"),
        "COMMENTS1": _text(element, "COMMENTS1"),
    }
    return Record("un-xml", reference, kind, names, [designation], where, details, payload)


def split_names(text: str) -> list[str]:
    """One name, or the several names packed in one field with parentheses and semicolons."""
    if ";" not in text:
        return [text] if text else []
    parts = [" ".join(p.split()).strip(" ,.") for p in re.split(r"[;()]", text)]
    return [part for part in parts if part]


def _fields(elements: list[Element], keys: tuple[str, ...]) -> list[dict[str, str]]:
    found = [{k: _text(e, k) for k in keys if _text(e, k)} for e in elements]
    return [entry for entry in found if entry]


def _person_details(element: Element) -> dict[str, Any]:
    """Nationalities, dates and places of birth, documents: what screening qualifies with."""
    details: dict[str, Any] = {
        "nationalities": [
            v for v in (_text(n, "VALUE") for n in element.findall("NATIONALITY")) if v
        ],
        "birth_dates": _fields(
            element.findall("INDIVIDUAL_DATE_OF_BIRTH"),
            ("TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR", "TO_YEAR"),
        ),
        "birth_places": _fields(
            element.findall("INDIVIDUAL_PLACE_OF_BIRTH"), ("CITY", "STATE_PROVINCE", "COUNTRY")
        ),
        "documents": _fields(
            element.findall("INDIVIDUAL_DOCUMENT"),
            ("TYPE_OF_DOCUMENT", "NUMBER", "ISSUING_COUNTRY"),
        ),
    }
    return {key: value for key, value in details.items() if value}
