"""The core layer: errors, configuration, subprocesses, git, the gate-result model, GitHub
Actions I/O, an environment's settings and the app runtime. It imports nothing above it."""
