"""Rotates every key with the recovery key and stops inside the transaction, for the kill
test: ``python -m tests.reliability.rotation_process`` with the settings and the recovery key
in the environment (``VIOLETA_*``, ``ROTATION_RECOVERY_KEY``). It prints «lote» after the first
batch of keys is rewritten (one key per batch here), then waits to be killed."""

from __future__ import annotations

import os
import sys
import time

import keys.store
from violeta.operations.key_rotation import rotate_with_recovery_key
from violeta.service import open_key_store
from violeta.settings import Settings


def main() -> None:
    keys.store.ROTATION_BATCH = 1
    store = open_key_store(Settings())

    def progress(done: int, total: int) -> None:
        print("lote", done, total, flush=True)
        time.sleep(600)  # killed here, mid-transaction

    rotate_with_recovery_key(store, os.environ["ROTATION_RECOVERY_KEY"], progress)
    sys.exit("la rotación terminó sin ser interrumpida")


if __name__ == "__main__":
    main()
