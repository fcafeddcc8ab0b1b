// Comments cannot be used to attack readers or moderators. Every hostile input of
// xss_corpus.mjs is sent through the post's real comment form over HTTP, approved by a
// moderator, and the post page (every page of its comments) is opened in Chromium with a
// trap for script: nothing runs, nothing is fetched from another host, the title and address
// stay, and what the commenter typed is shown as text, marker included. The page is checked
// twice: as served (with its Content-Security-Policy) and with the policy bypassed, so that
// the escaping is tested on its own and the policy is not what saves it. The moderation
// queues, the reply form ("replying to NAME") and the form given back after an error (422)
// are opened the same way.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
    Client,
    commentAnswer,
    installTrap,
    openForm,
    owner,
    pageText,
    postPaths,
    query,
    queueIds,
    bulk,
    sendComment,
    stampAged,
} from "./comments_support.mjs";
import { openBrowser, startBlog } from "./support.mjs";
import { corpus } from "./xss_corpus.mjs";
import { commentPages, isPlainUrl, pool, readPageProblems, servedTitle, visit } from "./xss_support.mjs";

const blogId = 1;

// What is sent for an entry: the hostile field, the others plain but carrying the marker.
function typedFor(entry) {
    const typed = {
        name: `Lecteur ${entry.marker}`,
        email: `lecteur.${entry.marker.toLowerCase()}@example.org`,
        url: "",
        body: `Commentaire ${entry.marker}`,
    };
    if (entry.field === "body") typed.body = entry.value;
    if (entry.field === "name") typed.name = entry.value;
    if (entry.field === "url") typed.url = entry.value;
    return typed;
}

// A server may refuse (422) a web site that is not an absolute http(s) URL and a name with
// control characters; everything else must be stored and shown.
function mayRefuse(entry) {
    if (entry.field === "url") return true;
    if (entry.field === "name") return /[\u0000-\u001f\u007f-\u009f]/.test(entry.value);
    return false;
}

// browser.assertClean, but for the console errors matching `expected`.
function assertCleanBut(browser, expected) {
    const problems = [
        ...browser.pageErrors.map((error) => `page error: ${error.message}`),
        ...browser.consoleErrors.filter((error) => !expected.test(error.message)).map((error) => `console error: ${error.message}`),
        ...browser.dialogs.map((dialog) => `${dialog.type} dialog: ${dialog.message}`),
        ...browser.foreignRequests.map((request) => `request to another host: ${request.url}`),
    ];
    assert.deepEqual(problems, [], "the browser saw problems");
}

test("hostile comments are shown as typed and run nothing, for readers and moderators", async (t) => {
    const blog = await startBlog(t, {
        pageText,
        users: [owner],
        serveArgs: ["--trusted-proxy", "127.0.0.1"],
    });
    const postPath = postPaths[0];
    const reader = new Client(blog);
    const opened = await openForm(reader, postPath);
    await stampAged(opened.servedAt);

    // Every entry through the form, each from its own address (the rate limit would send a
    // sixth comment from one address to spam: not what is tested here).
    const sent = await pool(corpus, 6, async (entry, index) => {
        const answer = await sendComment(reader, opened, typedFor(entry), {
            forwardedFor: `10.1.${index >> 8}.${(index & 255) + 1}`,
        });
        if (answer.status === 422 && mayRefuse(entry)) {
            assert.ok(!(entry.field === "url" && isPlainUrl(entry.value)), `${entry.marker}: the web site ${entry.value} was refused`);
            return { entry, refused: answer };
        }
        assert.notEqual(answer.status, 422, `${entry.marker} (${entry.field}) was refused: ${JSON.stringify(entry.value).slice(0, 200)}`);
        return { entry, answer: commentAnswer(answer, postPath) };
    });
    const stored = sent.filter((one) => one.answer);
    const refused = sent.filter((one) => one.refused);
    t.diagnostic(`${corpus.length} hostile entries: ${stored.length} stored, ${refused.length} refused (422)`);

    // The database holds each stored entry once, as typed, and nothing of a refused one.
    const rows = await query(blog.db, "select id, status, source, hex(source) as source_hex, author_name, author_url from comments");
    const rowsOf = (marker) => rows.filter((row) => row.source.includes(marker) || row.author_name.includes(marker) || row.author_url.includes(marker));
    for (const { entry, answer } of stored) {
        const found = rowsOf(entry.marker);
        assert.equal(found.length, 1, `${entry.marker} is stored ${found.length} times`);
        if (answer.id !== undefined) assert.equal(found[0].id, answer.id, `${entry.marker}: the answer names comment ${answer.id}`);
        entry.id = found[0].id;
        if (entry.field === "body") {
            // Compared in hex: the sqlite3 shell ends text at a NUL.
            // What was typed, give or take the white space and control characters at either end.
            const hex = (text) => Buffer.from(text).toString("hex").toUpperCase();
            const edges = /^[\s\u0000-\u001f\u007f-\u009f]+|[\s\u0000-\u001f\u007f-\u009f]+$/g;
            const typed = [entry.value, entry.value.trim(), entry.value.replace(edges, ""), entry.value.replace(edges, "").replace(/^\uFEFF+/, "")].map(hex);
            assert.ok(typed.includes(found[0].source_hex), `${entry.marker}: the source ${found[0].source_hex.slice(0, 80)} is what was typed`);
        }
    }
    for (const { entry } of refused) assert.equal(rowsOf(entry.marker).length, 0, `${entry.marker} was refused yet stored`);

    // The moderator's queues hold the comments not yet approved: they run nothing there either.
    const admin = new Client(blog);
    await admin.login(owner);
    const waiting = rows.filter((row) => row.status !== "approved").map((row) => row.id);
    t.diagnostic(`${waiting.length} comments waiting for a moderator (${rows.filter((row) => row.status === "spam").length} as spam)`);
    const moderator = await openBrowser(t, blog);
    await installTrap(moderator.context);
    await moderator.context.addCookies([{ name: "carnet_session", value: admin.cookies.get("carnet_session"), url: blog.origin }]);
    const queuePage = await moderator.newPage();
    for (const status of ["pending", "spam"]) {
        const url = blog.url(`/admin/blogs/${blogId}/comments?status=${status}`);
        const { response, problems } = await visit(queuePage, url);
        assert.equal(response.status(), 200);
        assert.deepEqual(problems, [], `script ran in the ${status} queue`);
    }
    moderator.assertClean();

    // Approved all at once with the bulk action; the queues are then empty.
    if (waiting.length > 0) await bulk(admin, blogId, "approve", waiting);
    const statuses = await query(blog.db, "select status, count(*) as n from comments group by status");
    assert.deepEqual(statuses, [{ status: "approved", n: stored.length }]);
    assert.deepEqual(await queueIds(admin, blogId, "pending"), []);
    assert.deepEqual(await queueIds(admin, blogId, "spam"), []);

    // The approved list in the admin shows them and runs nothing.
    const approvedUrl = blog.url(`/admin/blogs/${blogId}/comments?status=approved`);
    const approvedVisit = await visit(queuePage, approvedUrl);
    assert.equal(approvedVisit.response.status(), 200);
    assert.deepEqual(approvedVisit.problems, [], "script ran in the approved list");
    moderator.assertClean();

    // The post page, as served and with its policy bypassed.
    const emails = stored.map(({ entry }) => typedFor(entry).email);
    for (const contextOptions of [{}, { bypassCSP: true }]) {
        const label = contextOptions.bypassCSP ? "without CSP" : "with CSP";
        const browser = await openBrowser(t, blog, contextOptions);
        await installTrap(browser.context);
        const page = await browser.newPage();
        const { shown, pages } = await commentPages(page, browser, blog.url(postPath));
        t.diagnostic(`${label}: ${shown.length} comments on ${pages} pages`);
        const byId = new Map(shown.map((comment) => [comment.id, comment]));
        assert.equal(shown.length, stored.length, `${label}: every approved comment is shown once`);

        const failures = [];
        for (const { entry } of stored) {
            const comment = byId.get(entry.id);
            if (!comment) {
                failures.push(`${entry.marker}: comment ${entry.id} not on the page`);
                continue;
            }
            for (const problem of comment.problems) failures.push(`${entry.marker}: ${problem}`);
            const lower = (text) => text.toLowerCase();
            const where = entry.field === "name" ? comment.author : comment.body;
            if (!lower(where).includes(lower(entry.marker))) {
                failures.push(`${entry.marker} (${entry.field}) not shown: ${JSON.stringify(where.slice(0, 160))}`);
            }
            for (const text of entry.shows) {
                if (!comment.body.includes(text)) failures.push(`${entry.marker}: ${JSON.stringify(text)} not shown as typed`);
            }
            if (entry.field === "url") {
                if (!lower(comment.author).includes(lower(entry.marker))) failures.push(`${entry.marker}: the name is not shown`);
                if (isPlainUrl(entry.value) && !(comment.href ?? "").includes(entry.marker)) {
                    failures.push(`${entry.marker}: the web site ${entry.value} was lost (href ${comment.href})`);
                }
            }
        }
        assert.deepEqual(failures, [], `${label}: ${failures.length} comments not shown safely as typed`);

        // E-mail addresses are never shown, not even in the page's source.
        const html = await page.request.get(blog.url(postPath)).then((response) => response.text());
        for (const email of emails) assert.ok(!html.includes(email), `${email} is in the page`);

        // The footer counts them.
        const footer = await page.locator("body").innerText();
        assert.match(footer, new RegExp(`Commentaires \\(${stored.length}\\)`), `${label}: the footer counts the comments`);
        browser.assertClean();

        if (!contextOptions.bypassCSP) continue;
        // The reply form says whom it answers: a hostile name is shown there as text too.
        const failuresReply = [];
        for (const { entry } of stored.filter((one) => one.entry.field === "name")) {
            const url = blog.url(`${postPath}?reply=${entry.id}`);
            const { response, problems } = await visit(page, url);
            assert.equal(response.status(), 200);
            if (problems.length > 0) failuresReply.push(`${entry.marker}: ${problems.join(", ")}`);
            const replying = await page.locator("#comment-form").innerText();
            if (!replying.toLowerCase().includes(entry.marker.toLowerCase())) failuresReply.push(`${entry.marker}: "replying to" does not show the name`);
            const parent = await page.locator('#comment-form input[name="parent"]').inputValue();
            if (parent !== String(entry.id)) failuresReply.push(`${entry.marker}: parent field ${parent}`);
        }
        assert.deepEqual(failuresReply, [], "reply forms");
        assert.deepEqual(await page.evaluate(readPageProblems), []);
        browser.assertClean();
    }
});

// A refused comment comes back in its form with the error: whatever was typed is given back
// as the fields' values, escaped, and runs nothing. Each body of the corpus is sent without a
// name (refused), each name without a body, each web site with neither; the answer is opened
// in Chromium with its policy bypassed.
test("a refused comment gives back what was typed, escaped, and runs nothing", async (t) => {
    const blog = await startBlog(t, { pageText, serveArgs: ["--trusted-proxy", "127.0.0.1"] });
    const postPath = postPaths[1];
    const reader = new Client(blog);
    const opened = await openForm(reader, postPath);
    await stampAged(opened.servedAt);

    const posting = Date.now();
    const answers = await pool(corpus, 6, async (entry, index) => {
        const typed = { name: "", email: "", url: "", body: "" };
        typed[entry.field] = entry.value;
        if (entry.field === "url") typed.name = `Lecteur ${entry.marker}`;
        const answer = await sendComment(reader, opened, typed, { forwardedFor: `10.2.${index >> 8}.${(index & 255) + 1}` });
        assert.equal(answer.status, 422, `${entry.marker}: a comment without ${entry.field === "body" ? "a name" : "a body"} is refused`);
        assert.match(answer.headers.get("content-type"), /^text\/html/);
        return { entry, answer };
    });
    t.diagnostic(`${answers.length} refused comments sent in ${((Date.now() - posting) / 1000).toFixed(1)} s`);
    assert.deepEqual(await query(blog.db, "select count(*) as n from comments"), [{ n: 0 }], "nothing refused is stored");
    const opening = Date.now();

    const browser = await openBrowser(t, blog, { bypassCSP: true });
    await installTrap(browser.context);
    // Each answer is served to the browser at its own address of the blog, as the server sent it.
    const byPath = new Map(answers.map(({ entry, answer }) => [`/refused/${entry.marker}`, answer]));
    await browser.context.route(`${blog.origin}/refused/**`, (route) => {
        const answer = byPath.get(new URL(route.request().url()).pathname);
        return route.fulfill({ status: answer.status, headers: Object.fromEntries(answer.headers), body: answer.text });
    });
    const failures = [];
    const fieldSelector = { body: "#comment-form textarea[name=body]", name: "#comment-form input[name=name]", url: "#comment-form input[name=url]" };
    // Four tabs at once: each check waits on the browser more than on the machine.
    const tabs = await Promise.all([1, 2, 3, 4].map(() => browser.newPage()));
    const free = [...tabs];
    await pool(answers, tabs.length, async ({ entry, answer }) => {
        const page = free.pop();
        try {
            await checkRefused(page, entry, answer);
        } finally {
            free.push(page);
        }
    });
    async function checkRefused(page, entry, answer) {
        const url = blog.url(`/refused/${entry.marker}`);
        const response = await page.goto(url, { waitUntil: "load" });
        assert.equal(response.status(), 422);
        // One round trip: a frame for late handlers, then everything the checks need.
        const seen = await page.evaluate(`(async () => {
            await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
            return {
                hits: [...(window.__xssHits ?? ["(trap missing)"])],
                pwned: window.__pwned === undefined ? null : String(window.__pwned),
                title: document.title,
                errors: document.querySelectorAll("#comment-form .comment-error").length,
                given: document.querySelector(${JSON.stringify(fieldSelector[entry.field])})?.value ?? null,
                markup: (${readPageProblems.toString()})(),
            };
        })()`);
        const problems = [...seen.hits, ...seen.markup];
        if (seen.pwned !== null) problems.push(`window.__pwned = ${seen.pwned}`);
        if (seen.title !== servedTitle(answer.text)) problems.push(`title became ${seen.title}`);
        if (page.url() !== url) problems.push(`the page went to ${page.url()}`);
        if (seen.errors !== 1) problems.push("no error shown");
        // Browsers normalise a textarea's line breaks and strip an input's; the marker stays.
        if (!(seen.given ?? "").includes(entry.marker)) problems.push(`the ${entry.field} typed is not given back: ${JSON.stringify(seen.given?.slice(0, 120))}`);
        if (problems.length > 0) failures.push(`${entry.marker}: ${problems.join(", ")}`);
    }
    t.diagnostic(`${answers.length} refused forms opened in ${((Date.now() - opening) / 1000).toFixed(1)} s`);
    assert.deepEqual(failures, [], `${failures.length} refused forms unsafe or lost`);
    // A 422 is reported by the console as a failed load; anything else is a problem.
    assertCleanBut(browser, /status of 422/);
});

// The post page forbids inline and third-party script and says so in its headers.
test("post pages send a Content-Security-Policy without inline or foreign script", async (t) => {
    const blog = await startBlog(t, { pageText });
    const response = await fetch(blog.url(postPaths[0]));
    assert.equal(response.status, 200);
    const policy = response.headers.get("content-security-policy");
    assert.ok(policy, "a Content-Security-Policy header");
    const directives = new Map(
        policy.split(";").map((part) => part.trim().split(/\s+/)).filter((words) => words[0]).map(([name, ...values]) => [name.toLowerCase(), values])
    );
    const scripts = directives.get("script-src") ?? directives.get("default-src");
    assert.ok(scripts, `no script-src nor default-src in ${policy}`);
    for (const source of scripts) {
        assert.ok(/^'(self|none|nonce-[^']+|sha(256|384|512)-[^']+|strict-dynamic)'$/.test(source), `script source ${source} in ${policy}`);
    }
    for (const name of ["script-src-elem", "script-src-attr"]) {
        for (const source of directives.get(name) ?? []) assert.ok(/^'(self|none)'$/.test(source), `${name} ${source}`);
    }
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.match(response.headers.get("referrer-policy") ?? "", /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin|origin|origin-when-cross-origin)$/);
    const html = await response.text();
    assert.match(html, /<form\b[^>]*id="comment-form"/);
    // Under that policy the page itself runs without a violation.
    const browser = await openBrowser(t, blog);
    await installTrap(browser.context);
    const page = await browser.newPage();
    const { problems } = await visit(page, blog.url(postPaths[0]));
    assert.deepEqual(problems, []);
    browser.assertClean();
});
