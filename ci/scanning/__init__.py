"""Secret detection shared by the secrets gate, the pre-commit hook, `ci scan` and the incident
snapshot: the gitleaks wrapper, the BIP39 seed-phrase detector, artifact unpacking, masking by
shape and SARIF, all reporting the same findings and fingerprints (`model.py`)."""
