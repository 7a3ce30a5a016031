"""Test support shared by every app's tests (not an app): the pytest plugin `testing.fixtures`."""
