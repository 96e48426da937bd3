"""Deploy targets, each behind `interface.Target`: `local` (this machine) in `local.py`;
`ssh` (the bot's own host, through the deploy agent `ci.deploy.agent`) in `ssh.py` and
`ssh_session.py`; `registry.open_target` builds the configured one.

Nothing is imported here: the deploy agent that runs `local.py` on a bot's host has only the
standard library, so importing this package must not pull in the configuration layer.
"""
