"""Services of the docs season: organization applications, budgets, hiring, case studies and
surveys."""
