"""The command line: argument parsing and text output."""
