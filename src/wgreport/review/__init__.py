"""Review: a build's status, the draft diff, and the review and comments pages."""
