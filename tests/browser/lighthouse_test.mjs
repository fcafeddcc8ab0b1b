// Lighthouse on the demo blog's home page and one of its posts, as a phone and as a desktop
// computer see them: accessibility, best practices and SEO score 100, and nothing is asked of
// another host. Performance is printed, not asserted: Lighthouse times the page, and on a
// shared machine the timing follows the load of the other jobs (tests/lighthouse/run.mjs
// asserts all four, for a quiet machine).
import assert from "node:assert/strict";
import { test } from "node:test";

import { demoAddresses, fetchPage, startDemoBlog } from "./demo_blog.mjs";
import { audit, launchChromium } from "./lighthouse.mjs";

const asserted = ["accessibility", "best-practices", "seo"];

test("Lighthouse: the demo's home page and a post score 100", { timeout: 280_000 }, async (t) => {
    const blog = await startDemoBlog(t);
    const { post } = demoAddresses(await fetchPage(blog, "/"));
    const chromium = await launchChromium(t);
    for (const [name, path] of [["home", "/"], ["post", post]]) {
        for (const formFactor of ["mobile", "desktop"]) {
            await t.test(`${name} (${formFactor})`, async (page) => {
                const { scores, failing, requests } = await audit(chromium, blog.url(path), formFactor);
                page.diagnostic(`${path} ${formFactor}: ${JSON.stringify(scores)}`);
                assert.ok(requests.length > 0, "Lighthouse saw the page's requests");
                const foreign = requests.filter((url) => !url.startsWith(`${blog.origin}/`));
                assert.deepEqual(foreign, [], "the page asks no other host for anything");
                const short = failing.filter((line) => !line.startsWith("performance:"));
                for (const category of asserted) {
                    assert.equal(scores[category], 100, `${category} of ${path} (${formFactor}):\n  ${short.join("\n  ")}`);
                }
            });
        }
    }
});
