"""What the tests share: the cast, builders of rows, matrix assertions and the worker harness.

Test modules and conftest files import from here; nothing here imports from a test module.
"""
