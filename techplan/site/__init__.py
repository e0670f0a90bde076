"""The published site: the MkDocs adapter and plugin, and everything rendered from the plan and its history."""
