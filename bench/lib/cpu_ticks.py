#!/usr/bin/env python3
"""CPU time of process trees, for bench/throughput.sh.

    cpu_ticks.py PID [PID ...]

Prints, in clock ticks (getconf CLK_TCK), utime + stime + cutime + cstime summed over each PID
and all its live descendants. A child that has exited and been reaped is in its parent's
cutime/cstime, a live one in its own utime/stime, so the sum only grows, and the difference of
two readings is the CPU the tree used in between (Postfix's master reaps its daemons). A PID
that is gone counts as 0.
"""
import os
import sys


def processes():
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # exited while we looked
        # The command name may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rindex(")") + 2:].split()
        table[int(name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    return table


def main():
    table = processes()
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total = 0
    seen = set()
    stack = [int(arg) for arg in sys.argv[1:]]
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        total += table[pid][1]
        stack.extend(children.get(pid, []))
    print(total)


if __name__ == "__main__":
    main()
