// What arrives from other servers goes through the same sanitiser as the comment form: every
// hostile input of xss_corpus.mjs is sent to a post as a fediverse reply, signed by a server
// built on Fedify (tests/fediverse/fedify_peer.mjs), and as a webmention whose source page
// carries it in its h-entry. A hostile body is the reply's HTML content or the source's
// e-content, as sent; a hostile name is the account's or the h-card's name; a hostile web site
// is the account's profile address or the h-card's link. Approved, every one is opened in
// Chromium with the script trap, with the page's Content-Security-Policy and without it:
// nothing runs, nothing foreign is fetched, no markup outside the comment's allowed set
// survives, and hostile names are shown as text.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";

import { bulk, installTrap, query, queueIds } from "./comments_support.mjs";
import { openBrowser, waitFor } from "./support.mjs";
import { corpus } from "./xss_corpus.mjs";
import { commentPages, pool, readPageProblems } from "./xss_support.mjs";
import { startPeer } from "../fediverse/fedify_peer.mjs";
import { publish, startFederatedBlog } from "../fediverse/federated_blog.mjs";

const escapeHtml = (text) =>
    text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

// What one entry sends: the hostile field as the entry gives it, the others plain and marked.
function partsOf(entry) {
    return {
        html: entry.field === "body" ? entry.value : `<p>Réponse ${entry.marker}</p>`,
        name: entry.field === "name" ? entry.value : `Lecteur ${entry.marker}`,
        url: entry.field === "url" ? entry.value : null,
    };
}

// A site of webmention sources: GET /m/MARKER is the page `pages` holds for it.
async function startSourceSite(t) {
    const pages = new Map();
    const server = createServer((request, response) => {
        const page = pages.get(new URL(request.url, "http://source.invalid").pathname);
        response.writeHead(page ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
        response.end(page ?? "not found");
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    return { origin: `http://127.0.0.1:${server.address().port}`, pages };
}

test("hostile fediverse replies and webmentions are shown safely and run nothing", async (t) => {
    const blog = await startFederatedBlog(t, { policy: "all_held", serveArgs: ["--trusted-proxy", "127.0.0.1"] });
    const peer = await startPeer(t);
    const sources = await startSourceSite(t);
    const postUrl = await publish(blog, "Palmyre", "Le théâtre, au matin.");
    const postPath = new URL(postUrl).pathname;

    // As fediverse replies: a hostile name or profile address is an account's of its own.
    const replies = await pool(corpus, 4, async (entry, index) => {
        const { html, name, url } = partsOf(entry);
        let as = "pia";
        if (entry.field !== "body") {
            let profile = null;
            if (url !== null) {
                try {
                    profile = new URL(url);
                } catch {
                    return { entry, skipped: true }; // an account's address is a URL or nothing
                }
            }
            as = `lecteur${index}`;
            peer.addAccount(as, { displayName: name, url: profile });
        }
        try {
            await peer.reply(blog.actor, postUrl, html, { as });
        } catch (error) {
            // A reply with nothing left to show once sanitised is refused as empty.
            assert.match(String(error), /\(422 [^)]*\):\s*The reply says nothing/, `${entry.marker}: ${error}`);
            assert.equal(entry.field, "body");
            return { entry, skipped: true, empty: true };
        }
        return { entry };
    });
    const skipped = replies.filter((one) => one.skipped).length;
    const empty = replies.filter((one) => one.empty).length;

    // As webmentions, each from its own address (the endpoint's rate limit is not what is
    // tested here).
    const mentions = await pool(corpus, 4, async (entry, index) => {
        const { html, name, url } = partsOf(entry);
        const author = url ?? `${sources.origin}/people/${entry.marker}`;
        sources.pages.set(
            `/m/${entry.marker}`,
            `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Source ${entry.marker}</title></head>` +
                // The link first: some entries leave what follows them inside a tag, and the
                // source reader stops at a NUL.
                `<body><article class="h-entry"><p><a class="u-in-reply-to" href="${postUrl}">Palmyre</a></p>` +
                `<a class="p-author h-card" href="${escapeHtml(author)}">${escapeHtml(name)}</a>` +
                `<div class="e-content">${html}</div></article></body></html>`
        );
        const answer = await fetch(blog.url("/webmention"), {
            method: "POST",
            headers: {
                "content-type": "application/x-www-form-urlencoded",
                "x-forwarded-for": `10.3.${index >> 8}.${(index & 255) + 1}`,
            },
            body: new URLSearchParams({ source: `${sources.origin}/m/${entry.marker}`, target: postUrl }).toString(),
        });
        assert.equal(answer.status, 202, `${entry.marker}: the webmention was answered ${answer.status}`);
        return { entry };
    });

    // Every reply and every mention is stored (the mentions once their sources are read).
    const expected = replies.length - skipped + mentions.length;
    const count = async () => Number((await query(blog.db, "select count(*) as n from comments"))[0].n);
    await waitFor(async () => (await count()) >= expected, {
        timeoutMs: 120_000,
        intervalMs: 250,
        what: `${expected} comments`,
    }).catch(async (error) => {
        const log = blog.log().split("\n").filter((line) => !line.includes('"POST /webmention" 202'));
        throw new Error(`${error.message}: ${await count()} stored\n${log.filter((line) => !line.includes("became comment")).slice(-60).join("\n")}`);
    });
    assert.equal(await count(), expected);
    t.diagnostic(
        `${corpus.length} hostile entries: ${replies.length - skipped} replies stored (${empty} refused as empty, ` +
            `${skipped - empty} profile addresses not URLs), ${mentions.length} webmentions`
    );

    // Approved at once; the moderator's queues run nothing either.
    const waiting = (await query(blog.db, "select id from comments where status != 'approved'")).map((row) => row.id);
    const moderator = await openBrowser(t, blog);
    await installTrap(moderator.context);
    await moderator.context.addCookies([
        { name: "carnet_session", value: blog.admin.cookies.get("carnet_session"), url: blog.origin },
    ]);
    const queuePage = await moderator.newPage();
    const queueUrl = blog.url("/admin/blogs/1/comments?status=pending");
    await queuePage.goto(queueUrl, { waitUntil: "load" });
    assert.deepEqual(await queuePage.evaluate(() => [...(window.__xssHits ?? ["(trap missing)"])]), []);
    moderator.assertClean();
    await bulk(blog.admin, 1, "approve", waiting);
    assert.deepEqual(await queueIds(blog.admin, 1, "pending"), []);

    for (const contextOptions of [{}, { bypassCSP: true }]) {
        const label = contextOptions.bypassCSP ? "without CSP" : "with CSP";
        const browser = await openBrowser(t, blog, contextOptions);
        await installTrap(browser.context);
        const page = await browser.newPage();
        const { shown, pages } = await commentPages(page, browser, blog.url(postPath));
        t.diagnostic(`${label}: ${shown.length} comments on ${pages} pages`);
        assert.equal(shown.length, expected, `${label}: every approved comment is shown once`);
        const failures = shown.flatMap((comment) => comment.problems.map((problem) => `comment ${comment.id}: ${problem}`));
        // A hostile name is shown as text, marker included, once per way it came in.
        for (const entry of corpus.filter((one) => one.field !== "body")) {
            const marker = entry.marker.toLowerCase();
            const authors = shown.filter((comment) => comment.author.toLowerCase().includes(marker)).length;
            const sent = 1 + (replies.find((one) => one.entry === entry).skipped ? 0 : 1);
            if (authors !== sent) failures.push(`${entry.marker} (${entry.field}): the name is shown ${authors} times, not ${sent}`);
        }
        assert.deepEqual(failures, [], `${label}: comments not shown safely`);
        assert.deepEqual(await page.evaluate(readPageProblems), []);
        browser.assertClean();
    }
});
