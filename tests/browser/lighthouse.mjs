// Lighthouse (npm lighthouse 12) on Debian's Chromium, headless and offline: what the page
// tests share with tests/lighthouse/run.mjs.
//
//   const chromium = await launchChromium(t);          // closed by t's after hooks
//   const result = await audit(chromium, url, "mobile");
//   result.scores        // { performance: 100, accessibility: 100, "best-practices": 100, seo: 100 }
//   result.failing       // "category: audit id (score): title" for every audit short of 1
//   result.requests      // the URL of every request the page made
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

import { onCleanup } from "./support.mjs";

const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const launchDeadlineMs = 60_000;

export const categories = ["performance", "accessibility", "best-practices", "seo"];

// Nothing Chromium does on its own reaches the network: no updates, no sync, no
// background requests. Root in CI cannot use Chromium's sandbox.
const chromiumFlags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--remote-debugging-port=0",
];

// Starts Chromium with a fresh profile; resolves to { port } once its DevTools endpoint
// listens. `t` is a test (or anything with an `after(fn)` method) whose end closes it.
export function launchChromium(t) {
    const profile = mkdtempSync(join(tmpdir(), "carnet-lighthouse-"));
    const child = spawn(chromiumPath, [...chromiumFlags, `--user-data-dir=${profile}`, "about:blank"], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    onCleanup(t, async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        const deadline = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(deadline);
        rmSync(profile, { recursive: true, force: true });
    });
    return new Promise((resolve, reject) => {
        let log = "";
        const timer = setTimeout(
            () => reject(new Error(`Chromium did not listen within 60 s:\n${log}`)),
            launchDeadlineMs
        );
        child.on("error", (error) => {
            clearTimeout(timer);
            reject(new Error(`cannot run ${chromiumPath}: ${error.message}`));
        });
        child.stderr.setEncoding("utf8").on("data", (chunk) => {
            log += chunk;
            const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(log);
            if (!match) return;
            clearTimeout(timer);
            resolve({ port: Number(match[1]) });
        });
        exited.then((code) => {
            clearTimeout(timer);
            reject(new Error(`Chromium ended with ${code} before listening:\n${log}`));
        });
    });
}

// Lighthouse's four categories for `url` (and the page's requests), as a phone ("mobile": Lighthouse's default, a
// mid-range phone on a slow 4G network, simulated) or a desktop computer ("desktop").
export async function audit(chromium, url, formFactor) {
    const flags = {
        port: chromium.port,
        output: "json",
        logLevel: "error",
        onlyCategories: categories,
    };
    const config = formFactor === "desktop" ? desktopConfig : undefined;
    const runner = await lighthouse(url, flags, config);
    if (!runner) throw new Error(`Lighthouse gave no result for ${url}`);
    const { lhr } = runner;
    if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.message}`);
    const scores = {};
    const failing = [];
    for (const id of categories) {
        const category = lhr.categories[id];
        scores[id] = category.score === null ? null : Math.round(category.score * 100);
        for (const ref of category.auditRefs) {
            const result = lhr.audits[ref.id];
            if (ref.weight === 0 && result.score !== 0) continue;
            if (result.score === null || result.score >= 1) continue;
            const value = result.displayValue ? ` — ${result.displayValue}` : "";
            failing.push(`${id}: ${ref.id} (${result.score}): ${result.title}${value}`);
        }
    }
    const requests = (lhr.audits["network-requests"]?.details?.items ?? []).map((item) => item.url);
    return { scores, failing, requests, warnings: lhr.runWarnings ?? [] };
}
