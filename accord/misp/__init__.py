"""MISP interoperability: MISP events in and out through PyMISP and misp-stix, distribution
mapped onto Accord audiences (never wider), MISP feeds served and pulled."""
