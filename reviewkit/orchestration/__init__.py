"""Talking to Prefect: environment, the local server, deployments. Imported only by commands that
need Prefect, so read paths stay fast."""
