"""One run per work dir: an exclusive lock held for the whole run.

Two runs in one work dir would train into the same folders, and each
would later refuse the other's outputs ("made with another input
checkpoint").  The lock is ``fcntl.flock`` on ``WORK_DIR/.mmwsss.lock``:
the kernel releases it when its process dies, however it dies, so a lock
file left by a killed run never blocks the next one.  The file names its
holder (pid, host, start time) so that a refused run can say who holds the
work dir, and a run that takes over a dead run's file says so.
"""
import contextlib
import fcntl
import json
import os
import os.path as osp
import socket
import time
from typing import Iterator

from mmengine.dist import get_rank
from mmengine.logging import print_log

LOCK_NAME = '.mmwsss.lock'


class WorkDirBusyError(RuntimeError):
    """Another live process holds the work dir's lock."""


def _holder(handle) -> dict:
    handle.seek(0)
    try:
        return json.loads(handle.read() or '{}')
    except ValueError:
        return {}


def _describe(holder: dict) -> str:
    if not holder:
        return 'an unknown process'
    return (f'process {holder.get("pid")} on {holder.get("host")}, started '
            f'{holder.get("started")} ({holder.get("command", "")})')


def _rank() -> int:
    """This process's rank, also before the process group starts (a
    launcher such as torchrun sets ``RANK``)."""
    return int(os.environ.get('RANK', get_rank()))


@contextlib.contextmanager
def work_dir_lock(work_dir: str, command: str = '') -> Iterator[str]:
    """Hold ``work_dir``'s lock for the ``with`` block; yields the lock
    file's path.  A second run stops at once with a :class:`WorkDirBusyError`
    naming the holder; a file left by a dead run is taken over with a
    message.  Under a distributed launch rank 0 holds it for the run."""
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, LOCK_NAME)
    if _rank() != 0:  # the ranks of one run: rank 0 holds it for all
        yield path
        return
    handle = open(path, 'a+')
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkDirBusyError(
                f'work dir {work_dir} is in use by '
                f'{_describe(_holder(handle))}; wait for it to finish, or '
                'give this run another --work-dir') from None
        previous = _holder(handle)
        if previous:  # the lock was free, so its last holder has died
            print_log(f'work dir {work_dir}: taking over the lock left by '
                      f'{_describe(previous)}, which ended without '
                      'releasing it', logger='current')
        handle.seek(0)
        handle.truncate()
        json.dump(dict(pid=os.getpid(), host=socket.gethostname(),
                       started=time.strftime('%Y-%m-%d %H:%M:%S'),
                       command=command), handle)
        handle.flush()
        yield path
        handle.seek(0)
        handle.truncate()
    finally:
        handle.close()  # closing the descriptor releases the lock
