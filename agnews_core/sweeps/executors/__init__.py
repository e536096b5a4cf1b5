"""Where a sweep's runs execute: this process's thread, or Ray (trials, board, cluster)."""
