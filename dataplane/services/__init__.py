"""Every state change of the data plane (DESIGN "Inside one app")."""
