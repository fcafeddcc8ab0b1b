// Every kind of page of the demo blog, public and admin, as the real server sends it, is
// valid HTML for the Nu HTML Checker: the home page, a post (with a comment and a reply, and
// its reply form), a day, a month, a year and a category listing, the search page (empty and
// with matches), the 404 page; the admin's login page, dashboard and post editor. Errors fail
// the page's test with the checker's messages; warnings are printed.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Client, commentAnswer, openForm, sendComment, stampAged } from "./comments_support.mjs";
import { demoAddresses, demoWriter, fetchPage, startDemoBlog } from "./demo_blog.mjs";
import { tempDir } from "./support.mjs";
import { checkPages, describeMessages } from "./vnu.mjs";

// The admin's pages, by name: checked like the others.
const adminPages = new Set(["admin-login", "admin-dashboard", "admin-editor", "admin-app-passwords"]);

// Follows the admin's redirects (303 to the blog's dashboard) up to a page.
async function adminPage(client, path) {
    for (let hops = 0; hops < 5; ++hops) {
        const answer = await client.request(path);
        if (answer.status === 200) return { path, html: answer.text };
        assert.ok([301, 302, 303].includes(answer.status), `${path} answered ${answer.status}`);
        path = new URL(answer.location, "http://carnet.invalid/").pathname;
    }
    assert.fail(`${path}: too many redirects`);
}

test("the demo's pages are valid HTML", { timeout: 280_000 }, async (t) => {
    const blog = await startDemoBlog(t);
    const home = await fetchPage(blog, "/");
    const at = demoAddresses(home);

    // A comment and a reply on the first post, through its form as a reader sends them.
    const reader = new Client(blog);
    const first = await openForm(reader, at.post);
    await stampAged(first.servedAt);
    const comment = commentAnswer(
        await sendComment(reader, first, {
            name: "Une lectrice",
            url: "https://lectrice.example/",
            body: "La digue a tenu, *enfin* une bonne nouvelle.",
        }),
        at.post
    );
    assert.equal(comment.outcome, "approved");
    const second = await openForm(reader, at.post);
    await stampAged(second.servedAt);
    const reply = await sendComment(reader, second, {
        parent: String(comment.id),
        name: "Un lecteur",
        body: "Jusqu'à la prochaine tempête.",
    });
    const replied = commentAnswer(reply, at.post);
    assert.equal(replied.outcome, "approved");

    const post = await fetchPage(blog, at.post);
    const replyLink = /class="comment-reply"><a href="([^"]+)"/.exec(post);
    assert.ok(replyLink, "the post shows its comments with a reply link");
    const replyPath = replyLink[1].replace(/&amp;/g, "&");

    const pages = [
        { name: "home", html: home },
        { name: "post", html: post },
        { name: "post-reply-form", html: await fetchPage(blog, replyPath) },
        { name: "post-comment-sent", html: await fetchPage(blog, reply.location) },
        { name: "day", html: await fetchPage(blog, at.day) },
        { name: "month", html: await fetchPage(blog, at.month) },
        { name: "year", html: await fetchPage(blog, at.month.replace(/\d{2}\/$/, "")) },
        { name: "category", html: await fetchPage(blog, at.category) },
        { name: "search-form", html: await fetchPage(blog, "/search") },
        {
            name: "search-results",
            html: await fetchPage(blog, `/search?q=${encodeURIComponent(at.searchWord)}`),
        },
        { name: "not-found", html: await fetchPage(blog, "/pas/de/page/ici", { status: 404 }) },
    ];
    assert.match(pages.find((p) => p.name === "search-results").html, /class="search-hit"/);
    assert.match(post, /class="replies">\s*<article class="comment h-cite"/, "the reply nests");

    const writer = new Client(blog);
    const login = await writer.request("/admin/login");
    assert.equal(login.status, 200);
    pages.push({ name: "admin-login", html: login.text });
    await writer.login(demoWriter);
    const dashboard = await adminPage(writer, "/admin/");
    pages.push({ name: "admin-dashboard", html: dashboard.html });
    const editor = await adminPage(writer, `${dashboard.path.replace(/\/?$/, "/")}posts/new`);
    pages.push({ name: "admin-editor", html: editor.html });
    const appPasswords = await adminPage(writer, `${dashboard.path.replace(/\/?$/, "/")}app-passwords`);
    pages.push({ name: "admin-app-passwords", html: appPasswords.html });

    // A control the checker must reject (a head without a title): it did read the pages.
    const control = '<!doctype html><html lang="fr"><head><meta charset="utf-8"></head><body></body></html>';
    const report = await checkPages(tempDir(t), [...pages, { name: "control-invalid", html: control }]);
    assert.ok(report.get("control-invalid").errors.length > 0, "the Nu checker rejects a page without a title");
    for (const { name } of pages) {
        await t.test(adminPages.has(name) ? `admin: ${name}` : name, () => {
            const { errors, warnings } = report.get(name);
            if (warnings.length > 0) t.diagnostic(`warnings:\n${describeMessages(name, warnings)}`);
            assert.equal(errors.length, 0, `the Nu checker found errors:\n${describeMessages(name, errors)}`);
        });
    }
});
