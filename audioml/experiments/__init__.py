"""Reproducing the method's three searches (Tables 1-3) as Optuna studies.

* :mod:`~audioml.experiments.published` - the published rows and stated ranges, as data.
* :mod:`~audioml.experiments.spaces` - search spaces that match those ranges.
* :mod:`~audioml.experiments.objectives` - train and score one configuration per trial.
* :mod:`~audioml.experiments.study` - create, load and run studies (SQLite by default).
* :mod:`~audioml.experiments.report` - the small JSON report shipped in ``reports/``.
* :mod:`~audioml.experiments.importance` - fANOVA importances over bootstrap resamples of the trials.

Nothing here imports TensorFlow or Optuna at module import; both load inside functions.
"""

TABLES = ("table1", "table2", "table3")
