"""skywarden.ingest (see DESIGN.md)."""
