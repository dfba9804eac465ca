"""Every state change of the sharing app, one module per entity."""
