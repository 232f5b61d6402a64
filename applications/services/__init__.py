"""Services of the coding season: eligibility, ideas, proposals, review and selection."""
