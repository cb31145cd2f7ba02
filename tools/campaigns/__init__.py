"""Past campaigns: what each achieved, against its channel, and which channel works best."""
