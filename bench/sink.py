"""An SMTP sink for the benchmark: accepts every message, keeps only counts.

Run as its own process (`python -m bench.sink PORT`) so that it does not share
the sender's interpreter; it prints `received=N distinct=M` when stdin closes.
"""
import sys
import threading

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self):
        self.received = 0
        self.recipients = set()

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        self.recipients.update(envelope.rcpt_tos)
        return "250 2.0.0 OK queued"


def main(port):
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    controller.stop()
    print(f"received={handler.received} distinct={len(handler.recipients)}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
