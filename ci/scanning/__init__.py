"""Secret scanning shared by the secrets gate, the pre-commit hook, `ci scan` and the incident
snapshot: the gitleaks wrapper."""
