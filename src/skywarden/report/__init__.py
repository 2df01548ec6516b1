"""skywarden.report (see DESIGN.md)."""
