#!/usr/bin/env python3
"""Turns bench/throughput.sh's raw per-run figures into the results files.

    report.py RUNS.jsonl MACHINE.json COMMAND RESULTS_DIR

Writes RESULTS_DIR/throughput.json (the command, the machine, every run with its derived
figures, the medians and the ratios) and RESULTS_DIR/throughput.md (a Markdown fragment: the
table, the ratios, the command and the machine). Medians are of the runs; the spread is min-max.
"""
import json
import statistics
import sys

LABELS = {
    "directmx-dynamo": "directmx worker, ElasticMQ + dynalite",
    "directmx-sqlite": "directmx worker, ElasticMQ + SQLite (`--store-file`)",
    "postfix": "Postfix (SMTP injection to last delivery)",
    "smtp-source": "smtp-source straight to the sinks (ceiling)",
}


def derive(run):
    cpu = run["cpu_s"]
    per_k = 1000.0 / run["messages"]
    run["msgs_per_s"] = round(run["messages"] / run["wall_s"], 1)
    if "worker" in cpu:
        run["cpu_per_1000"] = {
            "worker": round(cpu["worker"] * per_k, 3),
            "worker_queue_store": round((cpu["worker"] + cpu["elasticmq"] + cpu["dynalite"]) * per_k, 3),
        }
    else:
        run["cpu_per_1000"] = {"all": round(sum(cpu.values()) * per_k, 3)}
    return run


def spread(values):
    return {"median": round(statistics.median(values), 3), "min": min(values), "max": max(values), "n": len(values)}


def summarize(runs):
    summary = {}
    for name in LABELS:
        mine = [r for r in runs if r["contender"] == name]
        if not mine:
            continue
        s = {"msgs_per_s": spread([r["msgs_per_s"] for r in mine]),
             "wall_s": spread([r["wall_s"] for r in mine])}
        for key in mine[0]["cpu_per_1000"]:
            s["cpu_per_1000_" + key] = spread([r["cpu_per_1000"][key] for r in mine])
        if "worker_empty_queue_s" in mine[0]:
            s["worker_empty_queue_s"] = spread([r["worker_empty_queue_s"] for r in mine])
        if "smtp_processes" in mine[0]:
            s["smtp_processes"] = spread([r["smtp_processes"] for r in mine])
            s["injection_s"] = spread([r["injection_s"] for r in mine])
        s["problems"] = [f"run {r['run']}: {r['problem']}" for r in mine if r["problem"]]
        summary[name] = s
    return summary


def ratios(summary):
    out = {}
    for dx in ("directmx-dynamo", "directmx-sqlite"):
        for ref in ("postfix", "smtp-source"):
            if dx in summary and ref in summary:
                out[f"{dx}/{ref}"] = round(summary[dx]["msgs_per_s"]["median"] / summary[ref]["msgs_per_s"]["median"], 3)
    return out


def fmt(s, digits=1):
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def markdown(command, machine, runs, summary, ratio):
    n = runs[0]["messages"]
    r = max(x["run"] for x in runs)
    lines = [
        "## Throughput",
        "",
        f"{n} messages (4 KB bodies, one in ten with three recipients in different domains: "
        f"{runs[0]['recipients']} SMTP transactions) to 50 domains served by NSD, whose MX records point at "
        f"10 `smtp-sink`s on 127.0.1.1–10:25, all in the network namespace `directmx-bench`. "
        f"Medians of {r} run(s), min–max in parentheses. CPU is user + system time of the contender's "
        f"processes per 1000 messages.",
        "",
        "| contender | messages/s | wall s | CPU-s / 1000 msgs |",
        "|---|---:|---:|---|",
    ]
    for name, s in summary.items():
        if "cpu_per_1000_worker" in s:
            cpu = (f"worker {fmt(s['cpu_per_1000_worker'], 2)}; with ElasticMQ and "
                   f"{'dynalite' if name.endswith('dynamo') else 'nothing else (SQLite is in the worker)'} "
                   f"{fmt(s['cpu_per_1000_worker_queue_store'], 2)}")
        else:
            cpu = fmt(s["cpu_per_1000_all"], 2)
        lines.append(f"| {LABELS[name]} | {fmt(s['msgs_per_s'])} | {fmt(s['wall_s'])} | {cpu} |")
    lines.append("")
    for key, value in ratio.items():
        lines.append(f"- messages/s {key}: **{value:.2f}**")
    notes = []
    for name, s in summary.items():
        if "worker_empty_queue_s" in s:
            notes.append(f"- {name}: the worker's wall time includes its fixed cost (JVM start-up and the two "
                         f"empty receives that end `--until-empty`): {fmt(s['worker_empty_queue_s'], 2)} s on an empty queue.")
        if "smtp_processes" in s:
            notes.append(f"- postfix: injection itself took {fmt(s['injection_s'], 2)} s; "
                         f"{fmt(s['smtp_processes'], 0)} distinct smtp(8) processes delivered "
                         f"({machine.get('postfix_limits', '')}).")
        for p in s["problems"]:
            notes.append(f"- **{name} {p}**")
    if notes:
        lines += [""] + notes
    lines += [
        "",
        "Command (as root, from the repository root):",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram']} RAM, {machine['kernel']}, "
        f"{machine['jdk']}, Postfix {machine['postfix']}, Node {machine['node']}; directmx at {machine['commit']}; "
        f"worker JVM flags (bin/directmx, DIRECTMX_JAVA_OPTS): `{machine.get('worker_java_opts') or 'the JVM defaults'}`.",
        "",
    ]
    return "\n".join(lines)


def main():
    runs_path, machine_path, command, out_dir = sys.argv[1:5]
    with open(runs_path) as f:
        runs = [derive(json.loads(line)) for line in f if line.strip()]
    with open(machine_path) as f:
        machine = json.load(f)
    summary = summarize(runs)
    ratio = ratios(summary)
    with open(f"{out_dir}/throughput.json", "w") as f:
        json.dump({"command": command, "machine": machine, "summary": summary, "ratios_msgs_per_s": ratio,
                   "runs": runs}, f, indent=2)
        f.write("\n")
    with open(f"{out_dir}/throughput.md", "w") as f:
        f.write(markdown(command, machine, runs, summary, ratio))


if __name__ == "__main__":
    main()
