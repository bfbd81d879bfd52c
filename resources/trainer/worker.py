"""Correspond training worker: dense BYOL (SPEC §7) driven over JSON lines on stdin/stdout.

Started by the main process as `python3 worker.py`. It announces `ready`, waits for one `start`, trains (accepting
`pause`, `resume`, `cancel` meanwhile), sends `finished` and exits: 0 after completion or cancellation, 1 after a
reported failure. End of stdin (the main process went away) cancels the run, keeping a checkpoint.
"""

import queue
import sys
import threading

from protocol import ProtocolChannel, log, parse_command


def read_commands(channel, control, starts):
    """stdin thread: `start` goes to the main thread through `starts`; the rest set run-control flags."""
    started = False
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            command_type, message = parse_command(line)
        except ValueError as error:
            channel.error("BAD_COMMAND", str(error), fatal=False)
            continue
        if command_type == "start":
            if started:
                channel.error("BAD_COMMAND", "training already started: a worker runs one start", fatal=False)
            else:
                started = True
                starts.put(message.get("config"))
        elif command_type == "pause":
            control.pause()
        elif command_type == "resume":
            control.resume()
        elif command_type == "cancel":
            control.cancel()
            if not started:
                starts.put(None)
        else:
            channel.error("BAD_COMMAND", f"unknown command type {command_type!r}", fatal=False)
    log("stdin closed: cancelling")
    control.cancel()
    starts.put(None)


def main():
    channel = ProtocolChannel()
    import torch  # after the channel owns stdout, so nothing torch prints at import can reach the protocol

    from trainer import RunControl, TrainingError, TrainingRun, read_config, resolve_device

    cuda_available = bool(torch.cuda.is_available())
    channel.emit(
        "ready",
        torchVersion=torch.__version__,
        cudaAvailable=cuda_available,
        device=resolve_device("auto"),
        pythonVersion=sys.version.split()[0],
    )
    control = RunControl()
    starts = queue.Queue()
    threading.Thread(target=read_commands, args=(channel, control, starts), daemon=True).start()
    raw_config = starts.get()
    if raw_config is None:
        channel.emit("finished", step=0, reason="cancelled")
        return 0
    try:
        config = read_config(raw_config)
    except TrainingError as error:
        channel.error(error.code, str(error))
        channel.emit("finished", step=0, reason="failed")
        return 1
    run = TrainingRun(config, channel, control)
    reason = run.run()
    channel.emit("finished", step=run.step, reason=reason)
    return 1 if reason == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
