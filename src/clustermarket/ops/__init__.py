"""Running the installation: backups and restores, the deploy check."""
