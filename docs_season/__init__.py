"""The docs season: organization applications with budgeted doc-project proposals, technical
writers, statements of interest, hiring, case studies and surveys."""
