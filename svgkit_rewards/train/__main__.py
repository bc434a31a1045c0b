"""``python -m svgkit_rewards.train`` runs ``svgkit-train-grpo`` (what ``accelerate launch -m``
starts on every process)."""

import sys

from .grpo import main

# the guard matters: the reward engine's worker processes re-import the main module
if __name__ == "__main__":
    sys.exit(main())
