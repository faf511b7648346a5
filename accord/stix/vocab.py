"""What STIX 2.1 says each object type is and must carry (sections 4 to 7)."""

from __future__ import annotations

SDO_TYPES = frozenset(
    {
        "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
        "indicator", "infrastructure", "intrusion-set", "location", "malware",
        "malware-analysis", "note", "observed-data", "opinion", "report", "threat-actor",
        "tool", "vulnerability",
    }
)  # fmt: skip
SRO_TYPES = frozenset({"relationship", "sighting"})
SCO_TYPES = frozenset(
    {
        "artifact", "autonomous-system", "directory", "domain-name", "email-addr",
        "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
        "network-traffic", "process", "software", "url", "user-account",
        "windows-registry-key", "x509-certificate",
    }
)  # fmt: skip
META_TYPES = frozenset({"language-content", "marking-definition", "extension-definition"})

#: Properties that each type must have, beyond the common ones.
REQUIRED: dict[str, tuple[str, ...]] = {
    "attack-pattern": ("name",),
    "campaign": ("name",),
    "course-of-action": ("name",),
    "grouping": ("context", "object_refs"),
    "identity": ("name",),
    "incident": ("name",),
    "indicator": ("pattern", "pattern_type", "valid_from"),
    "infrastructure": ("name",),
    "intrusion-set": ("name",),
    "malware": ("is_family",),
    "malware-analysis": ("product",),
    "note": ("content", "object_refs"),
    "observed-data": ("first_observed", "last_observed", "number_observed"),
    "opinion": ("opinion", "object_refs"),
    "report": ("name", "published", "object_refs"),
    "threat-actor": ("name",),
    "tool": ("name",),
    "vulnerability": ("name",),
    "relationship": ("relationship_type", "source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
    "language-content": ("object_ref", "object_modified", "contents"),
    "extension-definition": ("created_by_ref", "name", "schema", "version", "extension_types"),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "url": ("value",),
    "mutex": ("name",),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "software": ("name",),
    "email-message": ("is_multipart",),
    "network-traffic": ("protocols",),
}

#: Top-level properties holding timestamps, checked wherever they appear.
TIMESTAMP_PROPERTIES = frozenset(
    {
        "created", "modified", "valid_from", "valid_until", "first_seen", "last_seen",
        "published", "first_observed", "last_observed", "object_modified", "start_time",
        "stop_time", "analysis_started", "analysis_ended", "submitted",
    }
)  # fmt: skip

#: Values of ``extension_type`` allowed by STIX 2.1 section 7.3.
EXTENSION_TYPES = frozenset(
    {"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}
)
