"""A child process's memory bound (the portal's upload checker, a member's preview): the
address space it may use beyond what it holds once its trusted modules are imported, so
the limit is on the work a member's file causes, not on the code that reads it."""

from __future__ import annotations


def limit_address_space(memory_bytes: int) -> None:
    """Allow `memory_bytes` of address space beyond the process's size now (its VmSize),
    for it and the processes it starts after; no core dump when it is exceeded."""
    import resource

    held = 0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                held = int(line.split()[1]) * 1024
    limit = held + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
