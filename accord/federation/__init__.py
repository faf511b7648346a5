"""Federation: the TAXII 2.1 server, and (later) the sync client and peers."""
