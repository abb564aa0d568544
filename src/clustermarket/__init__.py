"""Cluster Market: the Aylsham cluster schools' enterprise and eco web app."""
