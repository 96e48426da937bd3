"""Deploys: the deployer, deploy tags, the deploy log and lock, env files, the incident
snapshot, and the targets the bot is deployed to (`targets/`)."""
