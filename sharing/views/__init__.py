"""The department pages of sharing (thin: parse input, call a service or selector, render)."""
