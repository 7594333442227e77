"""Prefect flows. Thin: each task body calls reviewkit.services."""
