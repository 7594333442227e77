"""The browser workbench (``reviewkit web``): FastAPI + Jinja2, server-rendered, no business logic.

Routes call ``reviewkit.web.actions`` only; that module is the one place that calls services.
"""
