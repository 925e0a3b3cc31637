"""The ``audioml`` command line.

Subcommands are contributed by the modules in :data:`COMMAND_MODULES`: each
has a ``register(groups)`` that adds parsers to the shared groups (``root``,
``train``, ``evaluate``, ``sample``) and sets ``func`` on them. Handlers take
the parsed arguments and return an exit code. Bad input ends with one line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.abc
import importlib.util
import json
import os
import sys

# TensorFlow's C++ start-up logging would bury the one-line messages this CLI promises.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from audioml import __version__  # noqa: E402
from audioml.errors import AudioMLError  # noqa: E402

COMMAND_MODULES = (
    "audioml.commands.spectrogram",
    "audioml.commands.denoise",
    "audioml.commands.latent",
    "audioml.commands.melody",
    "audioml.commands.experiment",
)


def _models(args) -> int:
    from audioml.registry import list_cards

    cards = list_cards(task=args.task)
    if args.json:
        print(json.dumps(cards, indent=2))
    elif not cards:
        print("no models shipped yet")
    else:
        for card in cards:
            print(f"{card['name']:<24} {card['task']:<8} {card.get('description', '')}")
    return 0


class _QuietTensorFlowImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import TensorFlow, the first time a command needs it, with file descriptor 2 muted.

    Its C++ runtime writes start-up banners straight to stderr (absl's pre-init warning,
    oneDNN's notice) whatever TF_CPP_MIN_LOG_LEVEL says; the CLI's stderr is kept for
    its own one-line messages and progress bars.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)
        sys.stderr.flush()
        saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            importlib.import_module("tensorflow")
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return sys.modules[spec.name]

    def exec_module(self, module):
        pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr like every other error (exit 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="audioml",
        description="Machine learning for audio: spectrograms, autoencoders, denoising, melodies.")
    parser.add_argument("--version", action="version", version=f"audioml {__version__}")
    root = parser.add_subparsers(dest="command", metavar="COMMAND")

    models = root.add_parser("models", help="list the shipped models and their cards")
    models.add_argument("--json", action="store_true", help="print a JSON array of model cards")
    models.add_argument("--task", choices=["denoise", "latent", "melody"], help="only this task")
    models.set_defaults(func=_models)

    groups = {
        "root": root,
        "train": root.add_parser("train", help="train a model on real data").add_subparsers(
            dest="target", metavar="MODEL", required=True),
        "evaluate": root.add_parser("evaluate", help="measure a shipped model").add_subparsers(
            dest="target", metavar="MODEL", required=True),
        "sample": root.add_parser("sample", help="draw samples from a generative model").add_subparsers(
            dest="target", metavar="MODEL", required=True),
    }
    for name in COMMAND_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietTensorFlowImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowImport())
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(args.func(args) or 0)
    except AudioMLError as err:
        print(f"audioml: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("audioml: interrupted", file=sys.stderr)
        return 130
    except (OSError, MemoryError) as err:
        if os.environ.get("AUDIOML_DEBUG"):
            raise
        print(f"audioml: error: {type(err).__name__}: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
