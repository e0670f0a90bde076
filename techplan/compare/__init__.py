"""Comparing two versions of the plan: prose redlines, data changes in plain English, `techplan diff`."""
