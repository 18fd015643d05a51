// Drives `glintefy mcp` with the official MCP TypeScript SDK client, as an AI assistant would.
// Usage: node run.mjs BINARY REPO FAKE_EXE LOGFILE
//   REPO: a temporary repository made by test_mcp.py (w.prof, LLM-CONTEXT/... files, evil.prof
//   symlink out of it); FAKE_EXE: fake_glintefy.py, run through GLINTEFY_MCP_EXE for the tests of
//   progress, cancellation, time limits and review_cache's flags.
// Prints "ok NAME", "FAIL NAME: why" or "note: ..." lines; test_mcp.py counts them.
import fs from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LoggingMessageNotificationSchema, McpError } from "@modelcontextprotocol/sdk/types.js";

const [bin, repo, fake, logFile] = process.argv.slice(2);
let failures = 0;
const ok = (name) => console.log(`ok ${name}`);
const fail = (name, why) => { failures++; console.log(`FAIL ${name}: ${String(why).replace(/\n/g, " | ").slice(0, 400)}`); };
const check = (cond, name, why) => (cond ? ok(name) : fail(name, why));
const text = (r) => (r.content || []).map((c) => c.text || "").join("\n");
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

async function test(name, fn) {
  try { await fn(); } catch (e) { fail(name, e && e.stack ? e.stack.split("\n").slice(0, 3).join(" ") : e); }
}

async function expectRpcError(name, code, fn) {
  try {
    await fn();
    fail(name, `no error; expected JSON-RPC ${code}`);
  } catch (e) {
    check(e instanceof McpError && e.code === code, name, `got ${e && e.code} ${e && e.message}`);
  }
}

const stderrChunks = [];
async function connect(env = {}) {
  const transport = new StdioClientTransport({
    command: bin, args: ["mcp", "--repo", repo], env: { ...process.env, ...env }, stderr: "pipe",
  });
  const client = new Client({ name: "glintefy-tests", version: "1.0.0" });
  await client.connect(transport);
  transport.stderr.on("data", (d) => stderrChunks.push(d.toString()));
  return { client, transport };
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function main() {
  const { client } = await connect();

  await test("initialize", async () => {
    const info = client.getServerVersion();
    const caps = client.getServerCapabilities();
    check(info && info.name === "glintefy" && caps && caps.tools && caps.logging, "initialize: serverInfo and capabilities",
      JSON.stringify({ info, caps }));
  });

  await test("ping", async () => { check(JSON.stringify(await client.ping()) === "{}", "ping", "bad reply"); });

  let tools = {};
  await test("tools/list", async () => {
    const r = await client.listTools();
    for (const t of r.tools) tools[t.name] = t;
    const names = Object.keys(tools).sort().join(",");
    check(names === "profile_hotspots,review_cache,review_clean,review_fix,review_profile", "tools/list: the five tools", names);
    for (const t of r.tools) {
      check(t.inputSchema && t.inputSchema.type === "object" && t.outputSchema && t.outputSchema.type === "object",
        `tools/list: ${t.name} has input and output schemas`, JSON.stringify(t).slice(0, 200));
    }
    const a = (n) => (tools[n] && tools[n].annotations) || {};
    check(a("profile_hotspots").readOnlyHint === true && a("profile_hotspots").destructiveHint === false,
      "annotations: profile_hotspots only reads", JSON.stringify(a("profile_hotspots")));
    check(a("review_clean").readOnlyHint === false && a("review_clean").destructiveHint === true && a("review_clean").openWorldHint === false,
      "annotations: review_clean deletes", JSON.stringify(a("review_clean")));
    check(a("review_profile").destructiveHint === true && a("review_profile").openWorldHint === true &&
      /RUNS A COMMAND/.test(tools.review_profile.description) && /ask the user/.test(tools.review_profile.description),
      "annotations: review_profile runs a command and says so", JSON.stringify(a("review_profile")));
    check(a("review_fix").readOnlyHint === false && a("review_fix").destructiveHint === true &&
      /EDITS SOURCE FILES/.test(tools.review_fix.description), "annotations: review_fix edits sources", JSON.stringify(a("review_fix")));
    check(tools.review_cache.inputSchema.properties.diff && tools.review_cache.inputSchema.properties.diff.type === "boolean",
      "review_cache: a diff argument", JSON.stringify(tools.review_cache.inputSchema.properties));
    check(a("review_cache").readOnlyHint === false && a("review_cache").destructiveHint === false,
      "annotations: review_cache writes only its output", JSON.stringify(a("review_cache")));
    check(JSON.stringify(tools.review_profile.inputSchema.properties.command.type) === '"array"' &&
      tools.review_profile.inputSchema.required.includes("command"), "review_profile: command is a required array", "");
  });

  const messages = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => messages.push(n.params));
  await test("logging/setLevel", async () => {
    await client.setLoggingLevel("debug");
    ok("logging/setLevel debug accepted");
  });

  const oldProf = path.join(repo, "LLM-CONTEXT/glintefy/review/perf/old.prof");
  const cacheFile = path.join(repo, "LLM-CONTEXT/glintefy/review/cache/x.json");
  await test("review_clean dry run", async () => {
    const r = await client.callTool({ name: "review_clean", arguments: { scope: "all", dry_run: true } });
    const sc = r.structuredContent || {};
    check(!r.isError && sc.dry_run === true && sc.paths.includes("LLM-CONTEXT/glintefy/review/perf/old.prof") &&
      /would delete/.test(text(r)) && fs.existsSync(oldProf), "review_clean: dry run lists and keeps", JSON.stringify(r));
  });
  await test("review_clean scope profile", async () => {
    const r = await client.callTool({ name: "review_clean", arguments: { scope: "profile" } });
    const sc = r.structuredContent || {};
    check(!r.isError && sc.paths.includes("LLM-CONTEXT/glintefy/review/perf/old.prof") && !fs.existsSync(oldProf) &&
      fs.existsSync(cacheFile), "review_clean: -s profile deletes only .prof files", JSON.stringify(r));
  });
  await test("logging: notifications/message", async () => {
    check(messages.some((m) => m.logger === "glintefy" && /review_clean/.test(String(m.data))),
      "logging: debug messages arrive as notifications/message", JSON.stringify(messages).slice(0, 300));
    await client.setLoggingLevel("error");
    const before = messages.length;
    await client.callTool({ name: "review_clean", arguments: { dry_run: true } });
    check(messages.length === before, "logging: level error silences debug and info", JSON.stringify(messages.slice(before)));
  });

  await test("profile_hotspots", async () => {
    const r = await client.callTool({ name: "profile_hotspots", arguments: { profile: "w.prof", min_calls: 10, min_cumtime: 0 } });
    const hs = (r.structuredContent || {}).hotspots || [];
    check(!r.isError && hs.some((h) => h.function === "fib" && h.file.endsWith("w.py") && h.calls > 1000) &&
      /fib/.test(text(r)), "profile_hotspots: finds fib in a real cProfile file", JSON.stringify(r).slice(0, 400));
  });
  await test("profile_hotspots missing default", async () => {
    const r = await client.callTool({ name: "profile_hotspots", arguments: {} });
    check(r.isError === true && /no profile at/.test(text(r)), "profile_hotspots: no profile -> isError saying what to do", text(r));
  });
  for (const [what, p] of [["..", "../outside.prof"], ["absolute", "/etc/passwd"], ["symlink", "evil.prof"]]) {
    await test(`refuse ${what}`, async () => {
      const r = await client.callTool({ name: "profile_hotspots", arguments: { profile: p } });
      check(r.isError === true && /outside the repository|No such file/.test(text(r)),
        `safety: ${what} path out of the repository refused`, text(r));
    });
  }

  await test("review_cache (real)", async () => {
    const r = await client.callTool({ name: "review_cache", arguments: { cache_size: 64 } });
    if (r.isError && /not available in this build/.test(text(r))) {
      ok("review_cache: honest isError while 'review cache' does not exist");
      console.log("note: review cache not in this build; its real run was not tested");
    } else {
      check(!r.isError && typeof (r.structuredContent || {}).summary === "string", "review_cache: summary and report", text(r).slice(0, 300));
    }
  });
  await test("review_cache diff + review_fix (real)", async () => {
    const r = await client.callTool({ name: "review_cache", arguments: { diff: true } });
    check(!r.isError && typeof (r.structuredContent || {}).diff === "string" && /The actions as a diff/.test(text(r)),
      "review_cache: diff=true returns the diff", text(r).slice(-300));
    const f = await client.callTool({ name: "review_fix", arguments: {} });
    check(!f.isError && (f.structuredContent || {}).exit_status === 0 && /applied \d+ action/.test(text(f)),
      "review_fix: applies the actions of the last review", text(f).slice(0, 300));
  });
  await test("review_profile (real)", async () => {
    const r = await client.callTool({ name: "review_profile", arguments: { command: ["python3", "w.py"], time_limit_seconds: 120 } });
    if (r.isError && /not available in this build/.test(text(r))) {
      ok("review_profile: honest isError while 'review profile' does not exist");
      console.log("note: review profile not in this build; its real run was not tested");
    } else {
      const sc = r.structuredContent || {};
      check(!r.isError && sc.exit_status === 0 && sc.profile, "review_profile: runs the command, saves a profile", text(r).slice(0, 300));
    }
  });

  await expectRpcError("errors: unknown tool is -32602", -32602, () => client.callTool({ name: "no_such_tool", arguments: {} }));
  await expectRpcError("errors: wrong type is -32602", -32602, () => client.callTool({ name: "review_clean", arguments: { dry_run: "yes" } }));
  await expectRpcError("errors: bad enum is -32602", -32602, () => client.callTool({ name: "review_clean", arguments: { scope: "everything" } }));
  await expectRpcError("errors: unknown argument is -32602", -32602, () => client.callTool({ name: "review_clean", arguments: { force: true } }));
  await expectRpcError("errors: out of range is -32602", -32602, () => client.callTool({ name: "review_cache", arguments: { hit_rate_threshold: 150 } }));
  await expectRpcError("errors: missing command is -32602", -32602, () => client.callTool({ name: "review_profile", arguments: {} }));
  await expectRpcError("errors: empty command is -32602", -32602, () => client.callTool({ name: "review_profile", arguments: { command: [] } }));
  await expectRpcError("errors: unknown method is -32601", -32601, () => client.request({ method: "resources/list", params: {} }, LoggingMessageNotificationSchema));
  await client.close();

  // The protocol machinery with a stand-in binary: flags, progress, cancellation, time limit.
  const { client: c2 } = await connect({ GLINTEFY_MCP_EXE: fake, FAKE_GLINTEFY_LOG: logFile });
  const logged = () => fs.readFileSync(logFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  await test("review_cache flags", async () => {
    const r = await c2.callTool({ name: "review_cache", arguments: {
      cache_size: 64, hit_rate_threshold: 30, speedup_threshold: 7.5, profile: "w.prof", validate: true } });
    const args = logged().at(-1).args;
    const want = ["review", "--repo", fs.realpathSync(repo), "--cache-size", "64", "--hit-rate", "30", "--speedup", "7.5",
      "cache", "--format", "json", "--profile", "/dev/fd/3", "--validate"];
    check(JSON.stringify(args) === JSON.stringify(want), "review_cache: arguments map to the CLI flags", JSON.stringify(args));
    check(!r.isError && r.structuredContent.summary === "fake review: 2 caches to keep" && r.structuredContent.report.args,
      "review_cache: summary and report from --format json", JSON.stringify(r).slice(0, 300));
  });
  await test("progress and cancellation", async () => {
    const progress = [];
    const ac = new AbortController();
    const t0 = Date.now();
    const call = c2.callTool({ name: "review_profile", arguments: { command: ["python3", "-c", "pass"] } }, undefined, {
      signal: ac.signal,
      onprogress: (p) => { progress.push(p); if (p.progress >= 1) ac.abort("test cancels"); },
    });
    let rejected = false;
    try { await call; } catch { rejected = true; }
    const pid = logged().at(-1).pid;
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) { gone = !alive(pid); if (!gone) await sleep(100); }
    check(progress.length >= 2 && progress.every((p, i) => i === 0 || p.progress > progress[i - 1].progress),
      "progress: notifications with increasing progress", JSON.stringify(progress));
    check(rejected && gone && Date.now() - t0 < 15000, "cancellation: notifications/cancelled stops the child", `rejected=${rejected} gone=${gone}`);
    const pong = await c2.ping();
    check(pong !== undefined, "cancellation: server keeps serving", "");
  });
  await test("time limit", async () => {
    const t0 = Date.now();
    const r = await c2.callTool({ name: "review_profile", arguments: { command: ["sleep", "60"], time_limit_seconds: 1 } });
    const pid = logged().at(-1).pid;
    await sleep(200);
    check(r.isError === true && r.structuredContent.timed_out === true && /time limit/.test(text(r)) && Date.now() - t0 < 10000 && !alive(pid),
      "time limit: the run is stopped and reported as isError", JSON.stringify(r).slice(0, 300));
  });
  await c2.close();
  await sleep(300);
  const serr = stderrChunks.join("");
  const san = serr.split("\n").find((l) => /Sanitizer|runtime error:/.test(l));
  check(!san, "server stderr has no sanitizer report", san);
  console.log(`mcp-sdk: ${failures} failed`);
}

main().then(() => process.exit(0), (e) => { fail("run.mjs", e && e.stack || e); process.exit(1); });
