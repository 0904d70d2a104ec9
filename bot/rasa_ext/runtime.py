"""Where the fixes of patches.py get installed, whichever way Rasa was started.

- `python -m bot.rasa_ext.runtime run|shell ...` (what `make run`, `make
  serve`, `make shell` and the tests start): installs them, then runs Rasa's
  own command line. Only here is `rasa shell`'s channel replaced, because Rasa
  builds its channels before it loads the model.
- `rasa run` or `rasa shell` typed in the project folder, as Rasa's documentation
  teaches: the model's pipeline (config.yml) starts with `RasaFixes`, which
  installs them when the server loads the model, before the first message.

Either way the server logs one line naming every fix installed, and numpy's
BLAS runs on one thread (`one_blas_thread`)."""

from __future__ import annotations

import sys
from typing import Any, Dict, List

import threadpoolctl
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_ext import patches


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RasaFixes(GraphComponent):
    """A pipeline step that changes no message: loading it installs the fixes."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RasaFixes:
        install()
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        return messages


def install() -> None:
    """What both ways in install in the serving process: the fixes, then one BLAS thread."""
    patches.install()
    one_blas_thread()


def one_blas_thread() -> None:
    """Keeps numpy's BLAS (OpenBLAS) on the calling thread for the rest of the process.

    The products in a parse are small (the classifier's 36 x 384 one is the
    largest), but OpenBLAS hands them to a second thread, which then spins
    waiting for more. Measured here on a 2-core machine: the Rasa server's CPU
    time per message 39 ms with that thread, 21 ms without, the same latency
    at one user; the production profile (`make bench-prod`, two Rasa servers
    on the machine) at 10 users 38-42 msg/s with it, 46-47 without."""
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")


def main() -> None:
    try:
        install()
    except patches.RasaVersionError as error:
        sys.exit(f"ERROR: {error}")
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
