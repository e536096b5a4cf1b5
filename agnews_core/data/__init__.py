"""Where rows come from: the bundled sample, the Hub, a folder; the Hub reachability check."""
