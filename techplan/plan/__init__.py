"""The plan: what its files say. Formats (spec), records (model), reading YAML and prose, loading, checking."""
