"""MkDocs hooks: adapt each build event to the techplan engine and do nothing else."""

from __future__ import annotations

from techplan.mkdocs_adapter import PlanSite

site = PlanSite()


def on_config(config):
    return site.on_config(config)


def on_files(files, config):
    return site.on_files(files, config)


def on_nav(nav, config, files):
    return site.on_nav(nav)


def on_env(env, config, files):
    return site.on_env(env, files)


def on_page_markdown(markdown, page, config, files):
    return site.on_page_markdown(markdown, page)


def on_page_content(html, page, config, files):
    return site.on_page_content(html, page)


def on_page_context(context, page, config, nav):
    return site.on_page_context(context, page)


def on_post_build(config):
    site.on_post_build(config)
