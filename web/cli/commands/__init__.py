"""Command modules of the `subsidy` CLI; each defines `register(main)`."""
