"""Deploys, deploy tags and rollback: the embedded `local` target and the steps around it."""
