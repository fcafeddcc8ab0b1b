// What carnet's browser tests share: a real blog served by the real `carnet` binary in a
// temporary folder, and Debian's Chromium driven by playwright-core, watching for what a
// reader must never get (script errors, console errors, dialogs, requests to other hosts).
// Everything a test starts is stopped by the test's own `after` hooks, pass or fail.
//
//   import { test } from "node:test";
//   import assert from "node:assert/strict";
//   import { startBlog, openBrowser } from "./support.mjs";
//
//   test("the home page loads", async (t) => {
//       const blog = await startBlog(t, { pageText: "04/10/2017\n\nTitre\n\nTexte.\n" });
//       const browser = await openBrowser(t, blog);
//       const page = await browser.newPage();
//       await page.goto(blog.url("/"));
//       browser.assertClean();
//   });
//
// Environment (set by tests/CMakeLists.txt): CARNET_BINARY, the carnet program under test;
// CARNET_THEMES_DIR, the themes it serves; CARNET_FIXTURES_DIR, the shared fixtures;
// CHROMIUM (default /usr/bin/chromium).

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const sourceDir = fileURLToPath(new URL("../../", import.meta.url));

export const carnetBinary = process.env.CARNET_BINARY ?? join(sourceDir, "build/debug/carnet");
export const themesDir = process.env.CARNET_THEMES_DIR ?? join(sourceDir, "themes");
export const fixturesDir = process.env.CARNET_FIXTURES_DIR ?? join(sourceDir, "tests/fixtures");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

const startDeadlineMs = 30_000;
const commandDeadlineMs = 60_000;

// Servers still running if the process ends abruptly (an uncaught error, ctest's timeout
// sending SIGTERM): they are killed on the way out, whatever happened to the hooks.
const liveServers = new Set();
process.on("exit", () => {
    for (const child of liveServers) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => process.exit(128 + (signal === "SIGINT" ? 2 : 15)));
}

const cleanups = new WeakMap();

// Runs `undo` when test `t` ends, pass or fail. What was set up last is undone first (the
// browser closed before the server stops, the server stopped before its folder goes), and
// one failing step does not keep the others from running.
export function onCleanup(t, undo) {
    let stack = cleanups.get(t);
    if (!stack) {
        stack = [];
        cleanups.set(t, stack);
        t.after(async () => {
            const failures = [];
            while (stack.length > 0) {
                try {
                    await stack.pop()();
                } catch (error) {
                    failures.push(error);
                }
            }
            if (failures.length > 0) throw new AggregateError(failures, "cleanup failed");
        });
    }
    stack.push(undo);
}

// A fresh temporary folder, removed when the test ends.
export function tempDir(t) {
    const dir = mkdtempSync(join(tmpdir(), "carnet-browser-"));
    onCleanup(t, () => rmSync(dir, { recursive: true, force: true }));
    return dir;
}

// Runs `carnet ARGS...` to completion. Resolves to { code, stdout, stderr }; rejects when the
// exit status is not 0 (unless `allowFailure`), with what the command wrote.
export function runCarnet(args, { input = "", allowFailure = false } = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(carnetBinary, args, { stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
        const timer = setTimeout(() => child.kill("SIGKILL"), commandDeadlineMs);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ${carnetBinary}: ${error.message}`));
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const result = { code: code ?? 128, stdout, stderr };
            if (code === 0 || allowFailure) return resolve(result);
            reject(
                new Error(
                    `carnet ${args.join(" ")} ended with ${code ?? signal}\n${stderr}${stdout}`
                )
            );
        });
        child.stdin.end(input);
    });
}

// The seconds the tests' servers make a comment wait before it reads as a person's, unless a
// test says otherwise (--comment-delay in its server's arguments): none, so that the tests do
// not wait. comments_moderation_test.mjs keeps the real default and sends one too soon.
export const commentDelaySeconds = 0;

// `carnet serve` on a free loopback port. Resolves once the server says where it listens to
// { port, origin, log(), stop() }; the test's `after` hook stops it.
export function startServer(t, db, extraArgs = []) {
    // A free port unless the test names its own address (a blog whose base URL holds it).
    const args = ["serve", "--db", db, "--threads", "2"];
    if (!extraArgs.includes("--listen")) args.push("--listen", "127.0.0.1:0");
    args.push("--themes", themesDir, ...extraArgs);
    if (!extraArgs.includes("--comment-delay")) args.push("--comment-delay", String(commentDelaySeconds));
    const child = spawn(carnetBinary, args, { stdio: ["ignore", "ignore", "pipe"] });
    liveServers.add(child);
    let log = "";
    const exited = new Promise((resolve) => {
        child.on("exit", (code, signal) => {
            liveServers.delete(child);
            resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : 15));
        });
    });
    const stop = async () => {
        if (liveServers.has(child)) child.kill("SIGTERM");
        const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
        const code = await exited;
        clearTimeout(deadline);
        return code;
    };
    onCleanup(t, stop);

    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            reject(new Error(`carnet serve did not say where it listens within 30 s:\n${log}`));
        }, startDeadlineMs);
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ${carnetBinary}: ${error.message}`));
        });
        child.stderr.setEncoding("utf8").on("data", (chunk) => {
            log += chunk;
            // The log line "carnet serves DB on http://127.0.0.1:PORT/".
            const match = /on http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
            if (!match) return;
            clearTimeout(timer);
            const port = Number(match[1]);
            resolve({ port, origin: `http://127.0.0.1:${port}`, log: () => log, stop });
        });
        exited.then((code) => {
            clearTimeout(timer);
            reject(new Error(`carnet serve ended with ${code} before listening:\n${log}`));
        });
    });
}

// A blog in a temporary folder, served. Options:
//   title, subtitle, locale ("fr"), timezone: given to `carnet init`;
//   users: [{ email, name, password, role }] added with `carnet user add`;
//   pageText: the text of a saved front page (see src/interop/page_text_parse.cpp), or
//   pageTextFile: the path of one, imported with `carnet import page-text`;
//   serveArgs: more arguments for `carnet serve`.
// Resolves to { dir, db, port, origin, url(path), log(), stop() }; runCarnet with `db` runs
// more commands on the same blog (the server sees their writes within a second).
export async function startBlog(t, options = {}) {
    const dir = tempDir(t);
    const db = join(dir, "blog.db");
    const init = ["init", "--db", db, "--title", options.title ?? "Carnet de test"];
    if (options.subtitle) init.push("--subtitle", options.subtitle);
    if (options.locale) init.push("--locale", options.locale);
    if (options.timezone) init.push("--timezone", options.timezone);
    await runCarnet(init);
    for (const user of options.users ?? []) {
        const args = ["user", "add", "--db", db, "--email", user.email, "--name", user.name];
        args.push("--password-stdin", "--role", user.role ?? "owner");
        await runCarnet(args, { input: `${user.password}\n` });
    }
    let pageTextFile = options.pageTextFile;
    if (options.pageText !== undefined) {
        pageTextFile = join(dir, "page.txt");
        writeFileSync(pageTextFile, options.pageText);
    }
    if (pageTextFile) await runCarnet(["import", "page-text", "--db", db, pageTextFile]);
    const server = await startServer(t, db, options.serveArgs ?? []);
    return {
        dir,
        db,
        ...server,
        url: (path = "/") => new URL(path, server.origin).href,
    };
}

function isNetworkUrl(url) {
    return url.startsWith("http:") || url.startsWith("https:") || url.startsWith("ws");
}

// Chromium with one context for `blog` (the object startBlog gave, or any { origin }), closed
// when the test ends. `contextOptions` go to browser.newContext (javaScriptEnabled: false,
// viewport, locale...). Every page of the context is watched:
//   pageErrors     uncaught exceptions in the page ({ page, message })
//   consoleErrors  console.error messages and failed loads the console reports
//   dialogs        alert/confirm/prompt/beforeunload ({ type, message }), all dismissed
//   requests       every request ({ url, method, resourceType, at }); `at` counts from 0
//   foreignRequests the requests to any other origin than the blog's
// Requests to other origins are aborted unless the test routes them itself (page.route or
// context.route registered later win), so a test never reaches the real network.
export async function openBrowser(t, blog, contextOptions = {}) {
    const browser = await chromium.launch({
        executablePath: chromiumPath,
        // Root in CI cannot use Chromium's sandbox.
        args: ["--no-sandbox"],
    });
    onCleanup(t, () => browser.close());
    const context = await browser.newContext(contextOptions);

    const watched = {
        pageErrors: [],
        consoleErrors: [],
        dialogs: [],
        requests: [],
        get foreignRequests() {
            return this.requests.filter((request) => request.foreign);
        },
    };
    let sequence = 0;
    const watch = (page) => {
        page.on("pageerror", (error) => {
            watched.pageErrors.push({ url: page.url(), message: String(error) });
        });
        page.on("console", (message) => {
            if (message.type() === "error") {
                watched.consoleErrors.push({ url: page.url(), message: message.text() });
            }
        });
        page.on("dialog", (dialog) => {
            watched.dialogs.push({ type: dialog.type(), message: dialog.message() });
            dialog.dismiss().catch(() => {});
        });
    };
    context.on("page", watch);
    context.on("request", (request) => {
        const url = request.url();
        if (!isNetworkUrl(url)) return;
        watched.requests.push({
            url,
            method: request.method(),
            resourceType: request.resourceType(),
            at: sequence++,
            foreign: new URL(url).origin !== blog.origin,
        });
    });
    await context.route(
        (url) => isNetworkUrl(url.href) && url.origin !== blog.origin,
        (route) => route.abort("blockedbyclient")
    );

    return {
        browser,
        context,
        get pageErrors() {
            return watched.pageErrors;
        },
        get consoleErrors() {
            return watched.consoleErrors;
        },
        get dialogs() {
            return watched.dialogs;
        },
        get requests() {
            return watched.requests;
        },
        get foreignRequests() {
            return watched.foreignRequests;
        },
        // The number the next request will get: requests with `at` >= mark came after.
        mark() {
            return sequence;
        },
        newPage() {
            return context.newPage();
        },
        // Throws (with the details) if anything went wrong a reader could notice.
        assertClean({ allowForeign = false } = {}) {
            const problems = [];
            for (const error of watched.pageErrors) {
                problems.push(`page error: ${error.message}`);
            }
            for (const error of watched.consoleErrors) {
                problems.push(`console error: ${error.message}`);
            }
            for (const dialog of watched.dialogs) {
                problems.push(`${dialog.type} dialog: ${dialog.message}`);
            }
            if (!allowForeign) {
                for (const request of watched.foreignRequests) {
                    problems.push(`request to another host: ${request.method} ${request.url}`);
                }
            }
            if (problems.length > 0) {
                throw new Error(`the browser saw:\n  ${problems.join("\n  ")}`);
            }
        },
    };
}

// Polls `check` until it returns a truthy value or `timeoutMs` passes; no blind sleeps.
export async function waitFor(check, options = {}) {
    const { timeoutMs = 10_000, intervalMs = 50, what = "condition" } = options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}
