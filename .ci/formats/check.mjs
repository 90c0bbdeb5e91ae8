// Reads tfgate's CI formats back with real consumers' code (installed from
// npm by .ci/integrations.sh, step formats):
//
//   github FILE      every workflow command line is re-issued through
//                    @actions/core (the GitHub Actions toolkit) from its
//                    parsed properties and message, and must come out
//                    byte-identical: same escaping, same property order
//   junit FILE N F S test-results-parser (JUnit reader of CI reporting
//                    tools) must find N test cases, F failures, S skipped
//
// The GitLab report is checked by tsc against codeclimate-types (check.sh).
import fs from "node:fs";

const [, , kind, file, ...rest] = process.argv;
const text = fs.readFileSync(file, "utf8");
const fail = (msg) => {
  console.error(`${kind} ${file}: ${msg}`);
  process.exit(1);
};

if (kind === "github") {
  const core = await import("@actions/core");
  const unescape = (s) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%3A/g, ":").replace(/%2C/g, ",").replace(/%25/g, "%");
  const names = { title: "title", file: "file", line: "startLine", endLine: "endLine", col: "startColumn", endColumn: "endColumn" };
  let n = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("::")) continue;
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) fail(`not a workflow command: ${line}`);
    const props = {};
    for (const kv of (m[2] || "").split(",").filter(Boolean)) {
      const i = kv.indexOf("=");
      const k = kv.slice(0, i);
      if (!(k in names)) fail(`unknown property ${k} in ${line}`);
      const v = unescape(kv.slice(i + 1));
      props[names[k]] = ["title", "file"].includes(k) ? v : Number(v);
    }
    let out = "";
    const write = process.stdout.write;
    process.stdout.write = (s) => ((out += s), true);
    try {
      core[m[1]](unescape(m[3]), props);
    } finally {
      process.stdout.write = write;
    }
    if (out.replace(/\r?\n$/, "") !== line) fail(`@actions/core writes\n  ${out.trim()}\nfor\n  ${line}`);
    n++;
  }
  if (n === 0) fail("no workflow commands");
  console.error(`github ${file}: ${n} workflow commands identical to @actions/core's`);
} else if (kind === "junit") {
  const { parse } = await import("test-results-parser");
  const r = parse({ type: "junit", files: [file] });
  const cases = r.suites.flatMap((s) => s.cases);
  const failed = cases.filter((c) => c.status === "FAIL").length;
  const skipped = cases.filter((c) => c.status === "SKIP").length;
  const [n, f, s] = rest.map(Number);
  if (cases.length !== n || failed !== f || skipped !== s)
    fail(`test-results-parser read ${cases.length} cases, ${failed} failed, ${skipped} skipped; want ${n}, ${f}, ${s}`);
  for (const c of cases.filter((c) => c.status === "FAIL")) if (!c.failure) fail(`failed case ${c.name} without a failure message`);
  console.error(`junit ${file}: test-results-parser read ${n} cases, ${f} failed, ${s} skipped`);
} else {
  fail("usage: check.mjs github FILE | junit FILE TESTS FAILURES SKIPPED");
}
