// Moderation in a real browser, a reader and a moderator side by side: with the blog's
// policy "all_held" (chosen in the admin's settings form) a comment stays invisible to
// readers until the moderator approves it in the admin; a comment with a blocked word or more
// than two links, or with the hidden honeypot filled, or sent too soon after the page was
// served, lands in the spam queue and never on the page; a reply (the reply link fills the
// form's parent field) is shown inside its parent's element; with comments closed the form
// goes and a comment sent anyway is refused (403) and not stored.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Client, openForm, owner, pageText, postPaths, query, queueIds, sendComment } from "./comments_support.mjs";
import { openBrowser, startBlog, waitFor } from "./support.mjs";

const blogId = 1;
// carnet's default delay before a comment reads as a person's: this test sends one sooner.
const commentDelaySeconds = 3;
const stampMinAgeMs = commentDelaySeconds * 1000;

// Fills the post page's comment form in `page` and sends it once its stamp is old enough.
async function comment(page, servedAt, { name, email = "", url = "", body }) {
    const form = page.locator("#comment-form");
    await form.locator('[name="name"]').fill(name);
    await form.locator('[name="email"]').fill(email);
    await form.locator('[name="url"]').fill(url);
    await form.locator('[name="body"]').fill(body);
    const wait = servedAt + stampMinAgeMs + 300 - Date.now();
    if (wait > 0) await page.waitForTimeout(wait); // the stamp's minimum age, not a guess
    await Promise.all([page.waitForURL(/[?&]comment=(held|approved)/), form.locator('button[type="submit"]').click()]);
    return new URL(page.url());
}

// Opens the post page as a reader; resolves to when it was served.
async function openPost(page, url) {
    const servedAt = Date.now();
    const response = await page.goto(url);
    assert.equal(response.status(), 200);
    return servedAt;
}

async function commentCount(page) {
    const text = await page.locator("body").innerText();
    const match = /Commentaires \((\d+)\)/.exec(text);
    assert.ok(match, "the footer shows the comment count");
    return Number(match[1]);
}

// The comments table's row for the comment whose body holds `text`.
async function rowOf(db, text) {
    const rows = await query(db, `select id, parent_id, status, author_email from comments where source like '%${text}%'`);
    assert.equal(rows.length, 1, `one comment holds ${text}`);
    return rows[0];
}

test("held comments wait for a moderator, spam stays out, replies nest under their parent", async (t) => {
    const blog = await startBlog(t, { pageText, users: [owner], serveArgs: ["--trusted-proxy", "127.0.0.1", "--comment-delay", String(commentDelaySeconds)] });
    const postUrl = blog.url(postPaths[0]);
    const moderatorBrowser = await openBrowser(t, blog);
    const readerBrowser = await openBrowser(t, blog);
    const admin = await moderatorBrowser.newPage();
    const reader = await readerBrowser.newPage();

    // The moderator logs in and holds every comment.
    await admin.goto(blog.url("/admin/"));
    await admin.fill("#email", owner.email);
    await admin.fill("#password", owner.password);
    await Promise.all([admin.waitForURL(/\/admin\/blogs\/\d+\/$/), admin.click("form.login button")]);
    await admin.goto(blog.url(`/admin/blogs/${blogId}/settings`));
    await admin.selectOption('select[name="comment_policy"]', "all_held");
    await Promise.all([admin.waitForURL(/saved=1/), admin.click("form.settings button[type=submit]")]);
    assert.equal(await admin.locator('select[name="comment_policy"]').inputValue(), "all_held");
    assert.deepEqual(await query(blog.db, "select comment_policy from blogs"), [{ comment_policy: "all_held" }]);

    // The reader finds the form: the honeypot is there but hidden from people.
    let servedAt = await openPost(reader, postUrl);
    const form = reader.locator("#comment-form");
    for (const name of ["name", "email", "url", "body", "stamp", "homepage"]) {
        assert.equal(await form.locator(`[name="${name}"]`).count(), 1, `the form has a ${name} field`);
    }
    const honeypot = form.locator('[name="homepage"]');
    const hiddenFromPeople = await honeypot.evaluate((input) => {
        const box = input.getBoundingClientRect();
        const offscreen = box.right <= 0 || box.bottom <= 0 || box.left >= innerWidth || box.top >= document.documentElement.scrollHeight;
        const invisible = !input.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) || box.width * box.height <= 1;
        return (offscreen || invisible) && (input.tabIndex < 0 || input.type === "hidden") && input.closest('[aria-hidden="true"]') !== null;
    });
    assert.ok(hiddenFromPeople, "the honeypot is neither seen, nor reached by Tab, nor announced");
    assert.equal(await commentCount(reader), 0);

    // A held comment: thanked, not shown.
    const held = await comment(reader, servedAt, {
        name: "Amina",
        email: "amina@example.org",
        url: "https://example.org/amina",
        body: "Premier commentaire, *retenu* pour modération.",
    });
    assert.equal(held.searchParams.get("comment"), "held");
    assert.equal(held.hash, "#comments");
    assert.equal(await reader.locator("#comments [role=status]").count(), 1, "the reader is told it waits");
    assert.equal(await reader.locator("article.comment").count(), 0);
    const first = await rowOf(blog.db, "Premier commentaire");
    assert.equal(first.status, "pending");
    await reader.goto(postUrl);
    assert.equal(await reader.locator("article.comment").count(), 0, "invisible until approved");
    assert.equal(await commentCount(reader), 0);

    // The moderator sees it waiting, and approves it.
    await admin.goto(blog.url(`/admin/blogs/${blogId}/comments?status=pending`));
    assert.equal(await admin.locator(`input[name="ids"][value="${first.id}"]`).count(), 1, "listed as pending");
    assert.match(await admin.locator("main").innerText(), /Premier commentaire/);
    await Promise.all([
        admin.waitForURL(/\/comments/),
        admin.locator(`#moderate-${first.id} button[formaction$="/comments/${first.id}/approve"]`).click(),
    ]);
    assert.equal((await rowOf(blog.db, "Premier commentaire")).status, "approved");
    assert.equal(await admin.locator(`input[name="ids"][value="${first.id}"]`).count(), 0, "no longer pending");

    servedAt = await openPost(reader, postUrl);
    const article = reader.locator(`article.comment#comment-${first.id}`);
    assert.equal(await article.count(), 1, "shown once approved");
    assert.equal(await article.locator(".comment-author").innerText(), "Amina");
    assert.equal(await article.locator(".comment-author a").getAttribute("href"), "https://example.org/amina");
    assert.equal(await article.locator(".comment-body em").innerText(), "retenu");
    assert.equal(await commentCount(reader), 1);
    assert.ok(!(await reader.content()).includes("amina@example.org"), "the e-mail address is never shown");

    // Spam: a blocked word, three links, a filled honeypot. Thanked the same way, never shown.
    const spamBodies = [
        { body: "Gagnez gros au casino en ligne, c'est facile.", tag: "casino en ligne" },
        {
            body: "Voir https://a.example/1 et https://b.example/2 puis [ici](https://c.example/3).",
            tag: "Voir https://a.example/1",
        },
    ];
    for (const spam of spamBodies) {
        servedAt = await openPost(reader, postUrl);
        const answer = await comment(reader, servedAt, { name: "Visiteur", body: spam.body });
        assert.equal(answer.searchParams.get("comment"), "held", "spam is told the same as held");
        spam.id = (await rowOf(blog.db, spam.tag)).id;
    }
    servedAt = await openPost(reader, postUrl);
    await reader.locator('#comment-form [name="homepage"]').evaluate((input) => (input.value = "https://robot.example/"));
    await comment(reader, servedAt, { name: "Robot", body: "Honeypot rempli par un robot." });
    const honeypotId = (await rowOf(blog.db, "Honeypot rempli")).id;

    // Sent too soon after the page was served (a robot's pace): spam too. Over HTTP, from an
    // address of its own, so that the reader's address stays within the rate limit. The
    // post page is cached for up to a minute with its stamp; an address of its own (a query
    // the cache has not seen) makes sure this page, and its stamp, are new.
    const robot = new Client(blog, { forwardedFor: "10.9.9.9" });
    const hurried = await openForm(robot, `${postPaths[0]}?robot=${Date.now()}`);
    assert.equal(hurried.headers.get("x-cache"), "miss", "a freshly rendered page");
    const fast = await sendComment(robot, hurried, { name: "Pressé", body: "Envoyé trop vite." });
    assert.equal(fast.status, 303);
    assert.match(fast.location, /[?&]comment=held#comments$/);
    const fastId = (await rowOf(blog.db, "Envoyé trop vite")).id;

    const spamIds = [...spamBodies.map((spam) => spam.id), honeypotId, fastId];
    for (const id of spamIds) {
        assert.deepEqual(await query(blog.db, `select status from comments where id = ${id}`), [{ status: "spam" }], `comment ${id} is spam`);
    }
    await admin.goto(blog.url(`/admin/blogs/${blogId}/comments?status=spam`));
    for (const id of spamIds) assert.equal(await admin.locator(`input[name="ids"][value="${id}"]`).count(), 1, `comment ${id} in the spam queue`);
    assert.match(await admin.locator("main").innerText(), /casino en ligne/);
    await admin.goto(blog.url(`/admin/blogs/${blogId}/comments?status=pending`));
    for (const id of spamIds) assert.equal(await admin.locator(`input[name="ids"][value="${id}"]`).count(), 0, `comment ${id} not pending`);
    await reader.goto(postUrl);
    assert.equal(await reader.locator("article.comment").count(), 1, "spam is not on the page");
    assert.doesNotMatch(await reader.locator("#comments").innerText(), /casino|a\.example|Honeypot|trop vite/);
    assert.equal(await commentCount(reader), 1);

    // A reply, through the reply link: the form knows its parent; once approved it is shown
    // inside the parent's element.
    await Promise.all([reader.waitForURL(new RegExp(`[?&]reply=${first.id}`)), article.locator(".comment-reply a").click()]);
    servedAt = Date.now();
    assert.equal(await reader.locator('#comment-form input[name="parent"]').inputValue(), String(first.id));
    assert.match(await reader.locator("#comment-form").innerText(), /Amina/);
    await comment(reader, servedAt, { name: "Basile", body: "Une réponse à Amina." });
    const reply = await rowOf(blog.db, "Une réponse à Amina");
    assert.equal(reply.parent_id, first.id);
    assert.equal(reply.status, "pending");

    await admin.goto(blog.url(`/admin/blogs/${blogId}/comments?status=pending`));
    await Promise.all([
        admin.waitForURL(/\/comments/),
        admin.locator(`#moderate-${reply.id} button[formaction$="/comments/${reply.id}/approve"]`).click(),
    ]);
    await reader.goto(postUrl);
    const nested = reader.locator(`#comment-${first.id} #comment-${reply.id}`);
    assert.equal(await nested.count(), 1, "the reply is inside its parent's element");
    assert.equal(await nested.locator(".comment-author").innerText(), "Basile");
    assert.equal(
        await reader.locator(`#comment-${reply.id}`).evaluate((element) => element.parentElement.closest("article.comment")?.id),
        `comment-${first.id}`,
        "its nearest enclosing comment is the parent"
    );
    assert.equal(await commentCount(reader), 2);

    // Comments closed: no form, and a comment sent anyway is refused and not stored.
    await admin.goto(blog.url(`/admin/blogs/${blogId}/settings`));
    await admin.selectOption('select[name="comment_policy"]', "closed");
    await Promise.all([admin.waitForURL(/saved=1/), admin.click("form.settings button[type=submit]")]);
    assert.deepEqual(await query(blog.db, "select comment_policy from blogs"), [{ comment_policy: "closed" }]);
    // A comment sent anyway is refused and not stored (the server reads settings each second).
    const late = await waitFor(async () => {
        const answer = await sendComment(robot, hurried, { name: "Tardif", body: "Trop tard." }, { forwardedFor: `10.9.8.${Math.floor(Math.random() * 250)}` });
        return answer.status === 403 ? answer : null;
    }, { what: "comments to close", intervalMs: 500 });
    assert.equal(late.status, 403);
    assert.deepEqual(await query(blog.db, "select count(*) as n from comments where source like '%Trop tard%'"), [{ n: 0 }]);
    // ...and the page no longer offers the form.
    await reader.goto(postUrl);
    assert.equal(await reader.locator("#comment-form").count(), 0, "no form once comments are closed");
    assert.equal(await reader.locator("article.comment").count(), 2, "approved comments stay");
    // The moderator's queue lists agree with what the database holds.
    const moderatorClient = new Client(blog);
    await moderatorClient.login(owner);
    assert.deepEqual((await queueIds(moderatorClient, blogId, "spam")).sort(), [...spamIds].sort());
    assert.deepEqual((await queueIds(moderatorClient, blogId, "approved")).sort(), [first.id, reply.id].sort());

    moderatorBrowser.assertClean();
    readerBrowser.assertClean();
});
