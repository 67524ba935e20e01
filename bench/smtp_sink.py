"""An SMTP server on loopback for the benchmark: accepts every message, optionally slowly.

``python bench/smtp_sink.py PORT [--delay SECONDS]``: with ``--delay 2`` each message takes
two seconds to be accepted (a slow or overloaded mail relay). Counts what it received in
``--count-file`` so the benchmark can tell how many arrived.
"""

import argparse
import asyncio
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, delay: float, count_file: Path | None):
        self.delay, self.count_file, self.count = delay, count_file, 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.count += 1
            if self.count_file:
                self.count_file.write_text(str(self.count))
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--count-file", type=Path)
    args = parser.parse_args()
    controller = Controller(Sink(args.delay, args.count_file), hostname="127.0.0.1", port=args.port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
