"""The managers' report screen and its CSV exports."""
