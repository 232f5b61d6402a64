"""A person's own data: downloading it, and deleting the account (deletion.py says what stays)."""
