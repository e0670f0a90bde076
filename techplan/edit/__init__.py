"""Editing the plan's data from the command line, for policy staff: safe, atomic, in their own words."""
