"""Services of evaluations: periods, filing, reminders and the periodic job."""
