#!/usr/bin/env node
// Lighthouse's four scores for the demo blog's home page and one of its posts, on a phone and
// on a desktop computer: the demo of `make run`, served by a fresh `carnet serve` from a
// temporary folder, audited by Lighthouse 12 on Debian's Chromium, headless and offline.
//
//   node tests/lighthouse/run.mjs            # build/release/carnet, else build/asan/carnet
//   CARNET_BINARY=path/to/carnet node tests/lighthouse/run.mjs
//
// Prints one line per page and form factor, then every audit short of a full score; exits
// with 1 when any score is below 100. The performance score depends on the machine's load
// (Lighthouse times the page): run it on a quiet machine, with a release build. The ctest
// entry (tests/browser/lighthouse_test.mjs) asserts the other three categories only.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const sourceDir = fileURLToPath(new URL("../../", import.meta.url));
if (!process.env.CARNET_BINARY) {
    const release = join(sourceDir, "build/release/carnet");
    process.env.CARNET_BINARY = existsSync(release) ? release : join(sourceDir, "build/asan/carnet");
}

// support.mjs reads CARNET_BINARY when it loads: imported only now.
const { demoAddresses, fetchPage, startDemoBlog } = await import("../browser/demo_blog.mjs");
const { audit, categories, launchChromium } = await import("../browser/lighthouse.mjs");

// What support.mjs expects of a test: `after` hooks, run here at the end, pass or fail.
const hooks = [];
const run = { after: (hook) => hooks.push(hook) };

let failed = false;
try {
    const blog = await startDemoBlog(run);
    const { post } = demoAddresses(await fetchPage(blog, "/"));
    const chromium = await launchChromium(run);
    console.log(`carnet: ${process.env.CARNET_BINARY}`);
    console.log(`home: ${blog.url("/")}\npost: ${blog.url(post)}\n`);
    console.log(`${"page".padEnd(6)} ${"form".padEnd(8)} ${categories.join("  ")}`);
    const details = [];
    for (const [name, path] of [["home", "/"], ["post", post]]) {
        for (const formFactor of ["mobile", "desktop"]) {
            const result = await audit(chromium, blog.url(path), formFactor);
            const cells = categories.map((id) => String(result.scores[id]).padStart(id.length));
            console.log(`${name.padEnd(6)} ${formFactor.padEnd(8)} ${cells.join("  ")}`);
            if (categories.some((id) => result.scores[id] !== 100)) failed = true;
            for (const line of [...result.failing, ...result.warnings]) {
                details.push(`${name} (${formFactor}) ${line}`);
            }
        }
    }
    if (details.length > 0) console.log(`\n${details.join("\n")}`);
} catch (error) {
    console.error(error);
    failed = true;
} finally {
    for (const hook of hooks.reverse()) {
        try {
            await hook();
        } catch (error) {
            console.error(error);
        }
    }
}
process.exit(failed ? 1 : 0);
