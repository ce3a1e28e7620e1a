"""LogPAI's Drain clustering loop (logparser/Drain/Drain.py, LogParser.parse without the pandas
loading and the CSV output), for the side-by-side figures in docs/benchmarks.md.

  python3 drain_loop.py LOGPARSER_DIR speed FILE          # lines/s of the bare loop on FILE (whole lines)
  python3 drain_loop.py LOGPARSER_DIR loghub tuned|one     # grouping accuracy on data/loghub_2k

`tuned` uses LogPAI's per-set settings from Drain/benchmark.py (regexes, st, depth); `one` one
configuration for all sets (Drain's defaults: depth 4, st 0.4, no regex). Input of `loghub` is the
Content column of <System>_2k.log_structured.csv, as for LoghubGrouping. pandas is not needed.
"""
import ast, collections, csv, os, sys, time, types

root, mode = sys.argv[1], sys.argv[2]
sys.modules.setdefault("pandas", types.ModuleType("pandas"))  # only used by Drain's loading and output
import importlib.util  # noqa: E402
_spec = importlib.util.spec_from_file_location("Drain", os.path.join(root, "logparser/Drain/Drain.py"))
Drain = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(Drain)
LogParser, Logcluster, Node = Drain.LogParser, Drain.Logcluster, Drain.Node


def cluster_all(messages, depth=4, st=0.4, rex=()):
    p = LogParser(log_format="<Content>", depth=depth, st=st, rex=list(rex))
    root_node, ids = Node(), []
    for line_id, content in enumerate(messages):
        tokens = p.preprocess(content).strip().split()
        match = p.treeSearch(root_node, tokens)
        if match is None:
            match = Logcluster(logTemplate=tokens, logIDL=[line_id])
            p.addSeqToPrefixTree(root_node, match)
        else:
            template = p.getTemplate(tokens, match.logTemplate)
            match.logIDL.append(line_id)
            if " ".join(template) != " ".join(match.logTemplate):
                match.logTemplate = template
        ids.append(match)
    # as LogPAI's outputResult: a line's event is its cluster's final template (clusters ending with
    # the same template are one event)
    return [" ".join(c.logTemplate) for c in ids]


def grouping_accuracy(truth, parsed):
    size = collections.Counter(truth)
    groups = collections.defaultdict(list)
    for i, g in enumerate(parsed):
        groups[g].append(i)
    correct = 0
    for members in groups.values():
        events = {truth[i] for i in members}
        if len(events) == 1 and size[truth[members[0]]] == len(members):
            correct += len(members)
    return correct / len(truth)


if mode == "speed":
    with open(sys.argv[3], encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    t0, c0 = time.perf_counter(), time.process_time()
    cluster_all(lines)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{len(lines)} lines: {wall:.2f} s wall ({len(lines) / wall:.0f} lines/s), "
          f"{cpu:.2f} s CPU ({len(lines) / cpu:.0f} lines/s)")
else:
    tree = ast.parse(open(os.path.join(root, "logparser/Drain/benchmark.py")).read())
    settings = next(ast.literal_eval(n.value) for n in tree.body
                    if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "benchmark_settings")
    data = os.path.join(root, "data/loghub_2k")
    total = 0
    for name in sorted(settings):
        with open(os.path.join(data, name, name + "_2k.log_structured.csv"), encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        s = settings[name]
        kw = dict(depth=s["depth"], st=s["st"], rex=s["regex"]) if sys.argv[3] == "tuned" else {}
        ga = grouping_accuracy([r["EventId"] for r in rows], cluster_all([r["Content"] for r in rows], **kw))
        total += ga
        print(f"{name:12s} {ga:.3f}")
    print(f"mean grouping accuracy over {len(settings)} sets: {total / len(settings):.3f} ({sys.argv[3]})")
