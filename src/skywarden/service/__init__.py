"""skywarden.service (see DESIGN.md)."""
