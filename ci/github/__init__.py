"""GitHub's side of the pipeline: run approvals, repository set-up."""
