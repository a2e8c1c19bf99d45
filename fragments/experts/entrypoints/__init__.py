"""The experts' pages (HTMX views), served through the shell's same-origin route."""
