"""The engine's version: written into every Decision (and so into its hash). Imports nothing."""

__version__ = "0.1.0"
