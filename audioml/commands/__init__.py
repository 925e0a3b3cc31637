"""CLI subcommands, one module per topic; see :mod:`audioml.cli`."""
