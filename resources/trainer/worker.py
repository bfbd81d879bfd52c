"""Correspond training worker: dense BYOL (SPEC §7) driven over JSON lines on stdin/stdout.

Started by the main process as `python3 worker.py`. It announces `ready`, waits for one `start`, trains (accepting
`pause`, `resume`, `cancel` meanwhile), sends `finished` and exits: 0 after completion or cancellation, 1 after a
reported failure. End of stdin cancels the run, keeping a checkpoint; when the main process itself is gone (killed,
crashed), the worker exits at once: nobody is left to read its events, and the last checkpoint (written atomically)
is where the next run resumes.
"""

import os
import queue
import sys
import threading
import time

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


# Exit code when the main process went away (also seen only by the reaper).
EXIT_PARENT_GONE = 3
PARENT_POLL_SECONDS = 0.1


def parent_gone(parent_pid):
    """The main process died: the worker was handed to another parent (init or a subreaper)."""
    return os.getppid() != parent_pid


def watch_parent(parent_pid):
    """Ends the worker within PARENT_POLL_SECONDS of the main process's death, whatever it is doing (importing
    torch, inside a step): a killed app must not leave a process using the CPU."""
    while not parent_gone(parent_pid):
        time.sleep(PARENT_POLL_SECONDS)
    try:
        log("the main process is gone: exiting")
    except OSError:
        pass  # stderr went with the main process
    finally:
        os._exit(EXIT_PARENT_GONE)


def main():
    parent_pid = os.getppid()
    threading.Thread(target=watch_parent, args=(parent_pid,), daemon=True).start()
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
