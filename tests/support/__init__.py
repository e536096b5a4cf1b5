"""Test support shared by every test folder (and the browser benchmarks): polling with a deadline, a served app."""
