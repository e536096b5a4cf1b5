"""Running sweeps: the runner, the job manager, snapshots, progress, estimates, final training, the quick demo."""
