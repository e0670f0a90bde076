"""The demo: four years of the plan's history replayed into a real git repository."""
