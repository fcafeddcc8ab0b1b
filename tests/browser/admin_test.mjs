// A writer's day in the admin, in a real browser, for a French and an English blog: log in,
// write a post in Markdown with a heading, a list, a link, an uploaded image and a video URL,
// watch the live preview, publish, find it on the home page with its image and its
// click-to-load video, change its slug and follow the old link (301), schedule a second post
// a minute ahead and see it appear with nobody in the admin, log out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { existsSync, readFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";

import { openBrowser, startBlog, waitFor } from "./support.mjs";

// A real PNG, made here: a 1200×600 picture of two coloured bands.
function pngImage(width = 1200, height = 600) {
    const chunk = (type, data) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(data.length);
        const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(body));
        return Buffer.concat([length, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8; // bits per channel
    header[9] = 2; // RGB
    const rows = [];
    for (let y = 0; y < height; ++y) {
        const row = Buffer.alloc(1 + width * 3);
        for (let x = 0; x < width; ++x) {
            const top = y < height / 2;
            row[1 + x * 3] = top ? 200 : 20;
            row[2 + x * 3] = 60;
            row[3 + x * 3] = top ? 40 : 180;
        }
        rows.push(row);
    }
    return Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk("IHDR", header),
        chunk("IDAT", deflateSync(Buffer.concat(rows))),
        chunk("IEND", Buffer.alloc(0)),
    ]);
}

// "YYYY-MM-DDTHH:MM" in `zone`, the value of a datetime-local input.
function localInput(date, zone) {
    const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-GB", {
            timeZone: zone,
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
        })
            .formatToParts(date)
            .map((part) => [part.type, part.value])
    );
    return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

const cases = [
    { locale: "fr", timezone: "Europe/Paris", title: "Attaque à Misrata", second: "Syrte, la suite" },
    { locale: "en", timezone: "America/New_York", title: "Attack in Misrata", second: "Sirte, what next" },
];

describe("the admin in a browser", { concurrency: 2 }, () => {
    for (const blogCase of cases) {
        it(`writes, publishes, moves and schedules posts (${blogCase.locale})`, async (t) => {
            const user = { email: "redaction@example.org", name: "Rédaction", password: "un mot de passe solide" };
            const blog = await startBlog(t, {
                title: `Carnet ${blogCase.locale}`,
                locale: blogCase.locale,
                timezone: blogCase.timezone,
                users: [{ ...user, role: "owner" }],
            });
            const browser = await openBrowser(t, blog);
            const page = await browser.newPage();

            // Log in; the admin asks for it.
            await page.goto(blog.url("/admin/"));
            assert.match(page.url(), /\/admin\/login\?next=/);
            await page.fill("#email", user.email);
            await page.fill("#password", user.password);
            await Promise.all([page.waitForURL(/\/admin\/blogs\/\d+\/$/), page.click("form.login button")]);
            const dashboard = page.url();
            const session = (await browser.context.cookies()).find((c) => c.name === "carnet_session");
            assert.ok(session && session.httpOnly && session.sameSite === "Lax");
            assert.equal(await page.locator(".chart svg rect").count(), 24);

            // Write the post.
            await page.goto(dashboard + "posts/new");
            await page.fill("#title", blogCase.title);
            const body = page.locator("#body");
            await body.fill(
                "## Le tribunal\n\n" +
                    "- premier point\n- second point\n\n" +
                    "Voir [l'article](https://example.org/source).\n\n"
            );
            await page.setInputFiles("#upload", {
                name: "carte.png",
                mimeType: "image/png",
                buffer: pngImage(),
            });
            await waitFor(async () => (await body.inputValue()).includes("](/media/"));
            await body.press("End");
            await body.evaluate((area) => {
                area.selectionStart = area.selectionEnd = area.value.length;
            });
            await body.type("\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n");
            // The live preview, rendered by the server.
            await waitFor(async () => (await page.locator("#preview h2").count()) === 1);
            await waitFor(async () => (await page.locator("#preview img[srcset]").count()) === 1);
            await waitFor(async () => (await page.locator("#preview .video-embed").count()) === 1);
            assert.equal(await page.locator("#preview li").count(), 2);
            await page.fill("#categories", "Libye, Misrata");
            await page.selectOption("#status", "published");
            await Promise.all([page.waitForURL(/saved=1/), page.click("#editor button[type=submit]")]);
            const editUrl = page.url().replace(/\?.*$/, "");
            const publicPath = await page.locator("main p a").first().getAttribute("href");
            assert.match(publicPath, /^\/archive\/\d{4}\/\d{2}\/\d{2}\/.+\.html$/);

            // The home page shows it at once, image and click-to-load video included.
            const reader = await browser.newPage();
            const mark = browser.mark();
            await reader.goto(blog.url("/"));
            const article = reader.locator("article", { hasText: blogCase.title });
            assert.equal(await article.count(), 1);
            assert.equal(await article.locator("h2", { hasText: "Le tribunal" }).count(), 1);
            const image = article.locator("img[srcset]");
            assert.equal(await image.count(), 1);
            await waitFor(async () => (await image.evaluate((img) => img.complete && img.naturalWidth)) > 0);
            assert.ok(await article.locator(".video-embed").count());
            assert.equal(
                browser.requests.filter((request) => request.at >= mark && request.foreign).length,
                0,
                "the video site is not asked for anything before a click"
            );

            // A new slug; the old address leads to the post with a 301.
            await page.goto(editUrl);
            await page.fill("#slug", "nouvelle-adresse");
            await Promise.all([page.waitForURL(/saved=1/), page.click("#editor button[type=submit]")]);
            const followed = await reader.goto(blog.url(publicPath));
            assert.equal(followed.status(), 200);
            assert.match(reader.url(), /\/nouvelle-adresse\.html$/);
            const redirected = followed.request().redirectedFrom();
            assert.ok(redirected, "the old address redirects");
            assert.equal((await redirected.response()).status(), 301);

            // A second post, scheduled for a coming minute, appears on its own. At least 30 s
            // ahead: filling and sending the form must end before that minute comes, or the post
            // is published at once (a slow run once met a due time 2 s away).
            const due = new Date(Math.ceil((Date.now() + 30_000) / 60_000) * 60_000);
            await page.goto(dashboard + "posts/new");
            await page.fill("#title", blogCase.second);
            await page.fill("#body", "Plus tard dans la journée.");
            await page.selectOption("#status", "published");
            await page.fill("#published_at", localInput(due, blogCase.timezone));
            await Promise.all([page.waitForURL(/saved=1/), page.click("#editor button[type=submit]")]);
            assert.equal(await page.locator("#status").inputValue(), "scheduled");
            await reader.goto(blog.url("/"));
            assert.equal(await reader.locator("article", { hasText: blogCase.second }).count(), 0);
            await waitFor(
                async () => {
                    await reader.goto(blog.url("/"));
                    return (await reader.locator("article", { hasText: blogCase.second }).count()) === 1;
                },
                { timeoutMs: 100_000, intervalMs: 2_000 }
            );

            // Log out: the admin asks for a login again.
            await page.goto(dashboard);
            await Promise.all([page.waitForURL(/\/admin\/login/), page.click("form.logout button")]);
            await page.goto(dashboard);
            assert.match(page.url(), /\/admin\/login/);

            // Neither the password nor the session token is stored or logged anywhere.
            await blog.stop();
            for (const file of [blog.db, `${blog.db}-wal`]) {
                if (!existsSync(file)) continue;
                const bytes = readFileSync(file);
                assert.equal(bytes.indexOf(user.password), -1, `password in ${file}`);
                assert.equal(bytes.indexOf(session.value), -1, `session token in ${file}`);
            }
            assert.ok(!blog.log().includes(user.password), "password in the log");
            assert.ok(!blog.log().includes(session.value), "session token in the log");

            browser.assertClean();
        });
    }
});
