"""Latent spaces: a 2-D DCAE beside a 2-D VAE on MNIST, and why the VAE's samples cover every digit.

Bottom to top (each module imports only those above it in this list):

``mnist``     the IDX reader, the loader and the fixed 80/20 held-out split (NumPy only)
``augment``   fresh shifted and rotated copies of the training digits (NumPy and SciPy)
``vae``       the shipped VAE's own builder: reconstruction loss, decoder capacity, KL
              warm-up (imports Keras when imported; ``model`` imports it inside a function)
``inference`` running any of them: encode, decode, sample, the decoded plane and its
              tiling (knows nothing of how a model was built)
``model``     the two autoencoders: settings, build (the one check of alpha), train,
              load; ``load(card, path)``, the loader :mod:`audioml.shipped` calls
``heldout``   the held-out digits' codes, labels and thumbnails, shipped beside each
              model (``models/<name>_codes.npz``) so the page needs no dataset
``stats``     the figures in plain NumPy: code statistics, KL to N(0, I), prior
              coverage, the judge's digit rate
``judge``     the small CNN (digits 0-9 and "not a digit") that scores decoded samples,
              and the made-up non-digits it is trained on
``evaluate``  one model's held-out figures, judged samples, the alpha study
``recipe``    the named presets, training and shipping to ``models/`` with cards,
              evaluating the shipped models, the alpha-study report

Importing the package imports nothing; Keras is imported only inside the functions
that build, train or run a model.
"""
