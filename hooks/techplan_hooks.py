"""MkDocs hooks: this repository's wiring of the techplan engine, the same plugin another plan names.

MkDocs loads this module afresh with its config, so each build gets a plugin, and an engine, of its own.
"""

from __future__ import annotations

from techplan.site.plugin import TechPlanPlugin

plugin = TechPlanPlugin()

on_config = plugin.on_config
on_pre_build = plugin.on_pre_build
on_files = plugin.on_files
on_nav = plugin.on_nav
on_env = plugin.on_env
on_page_markdown = plugin.on_page_markdown
on_page_content = plugin.on_page_content
on_page_context = plugin.on_page_context
on_post_page = plugin.on_post_page
on_template_context = plugin.on_template_context
on_post_template = plugin.on_post_template
on_post_build = plugin.on_post_build
on_build_error = plugin.on_build_error
on_shutdown = plugin.on_shutdown
