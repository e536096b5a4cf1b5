"""Reading finished runs: error filters, the run table, run comparison (McNemar), calibration."""
