"""The test suite. Its shared helpers (tests/support/) get pytest's assert rewriting, as test
modules and conftest files do, so that their failing asserts explain themselves too."""

import pytest

pytest.register_assert_rewrite("tests.support")
