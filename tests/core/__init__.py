"""Unit tests of agnews_core, one module per core module."""
